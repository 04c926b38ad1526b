"""``POST /extract`` on a real server: behind the update token, and the same fact file as ``aikg extract --json``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from live_server import live_server

from bench.extract_score import load_cases
from graph.build import build_store

REPO = Path(__file__).resolve().parents[1]
TOKEN = "extract-secret"
SEED = next(c for c in load_cases() if c.name == "seed")
OPTIONS = {"published": "2025-07-23", "publisher": "fastview"}


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    location = tmp_path_factory.mktemp("api") / "store"
    build_store(store=location)[0].close()
    return location


@pytest.fixture(scope="module")
def server(store):
    with live_server(store, token=TOKEN, max_body="200000") as base:
        yield base


def test_read_only_server_refuses_with_403(store):
    with live_server(store) as base:
        answer = httpx.post(base + "/extract", json={"text": SEED.text()})
    assert answer.status_code == 403
    assert "read-only" in answer.json()["detail"]


@pytest.mark.parametrize("header", [None, "Bearer wrong", "Basic " + TOKEN, "Bearer"])
def test_missing_or_wrong_token_is_401(server, header):
    answer = httpx.post(server + "/extract", json={"text": SEED.text()}, headers={"Authorization": header} if header else {})
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("Bearer")


def test_the_api_returns_what_the_cli_writes(server):
    answer = httpx.post(server + "/extract", json={"text": SEED.text(), **OPTIONS},
                        headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
    assert answer.status_code == 200, answer.text
    cli = subprocess.run([sys.executable, "-m", "graph.cli", "extract", str(SEED.article), "--json", "--published",
                          OPTIONS["published"], "--publisher", OPTIONS["publisher"], "--entities-from", str(REPO / "graph" / "data")],
                         capture_output=True, text=True, cwd=REPO)
    assert cli.returncode == 0, cli.stderr
    # The server knows the entities of its store, the CLI those of the bundled files: the same, aliases in any order.
    assert _sorted_aliases(answer.json()["facts"]) == _sorted_aliases(json.loads(cli.stdout))
    assert answer.json()["warnings"] == []
    assert len(answer.json()["facts"]["events"]) == 8


def _sorted_aliases(facts: dict) -> dict:
    for entity in facts["entities"]:
        entity["aliases"] = sorted(entity.get("aliases", []))
    return facts


def test_plain_text_body_with_options_in_the_query(server):
    text = ("Nvidia CEO Jensen Huang said on Monday that the chipmaker had shipped 50,000 GPUs to xAI "
            "for its Colossus 2 data center in Memphis, Tennessee.")
    answer = httpx.post(server + "/extract", content=text.encode(), params={"published": "2025-07-23", "lang": "en"},
                        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/plain; charset=utf-8"})
    assert answer.status_code == 200, answer.text
    facts = answer.json()["facts"]
    assert facts["source"]["language"] == "en"
    assert {"subject": "jensen-huang", "predicate": "ceoOf", "object": "nvidia"}.items() <= facts["relations"][0].items()
    (deal,) = [e for e in facts["events"] if e["type"] == "SupplyDeal"]
    assert (deal["suppliers"], deal["customers"], deal["quantity"], deal["for_assets"]) == (["nvidia"], ["xai"], 50000, ["colossus-2"])


@pytest.mark.parametrize("kwargs, status, words", [
    ({"content": b"{not json", "headers": {"Content-Type": "application/json"}}, 400, "not JSON"),
    ({"json": {"article": "x"}}, 400, '"text"'),
    ({"json": {"text": "x", "published": "yesterday"}}, 400, "not a date"),
    ({"json": {"text": "x", "lang": "fr"}}, 400, "lang"),
    ({"content": b"\xff\xfe", "headers": {"Content-Type": "text/plain"}}, 400, "UTF-8"),
    ({"content": b"<a/>", "headers": {"Content-Type": "application/xml"}}, 415, "application/json or text/plain"),
    ({"json": {"text": "x" * 300_000}}, 413, "at most 200,000"),
])
def test_bad_requests_are_named(server, kwargs, status, words):
    headers = {"Authorization": f"Bearer {TOKEN}", **kwargs.pop("headers", {})}
    answer = httpx.post(server + "/extract", headers=headers, **kwargs)
    assert answer.status_code == status, answer.text
    assert words in answer.json()["detail"]


def test_text_with_no_facts_gives_an_empty_fact_file_and_says_so(server):
    answer = httpx.post(server + "/extract", json={"text": "The weather was mild and nothing happened in the markets today at all, really."},
                        headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["facts"]["relations"] == [] and body["facts"]["events"] == []
    assert any("no facts found" in w for w in body["warnings"])
