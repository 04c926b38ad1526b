"""The seed page through ``aikg extract``: its gold facts found, and the fact file it writes builds a
graph that answers every question of the curated seed file (the table of tests/test_seed_facts.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bench.extract_score import graph_diff, load_cases, run_case
from graph.build import build_store
from graph.store import open_store
from ontology import sparql_prologue
from test_seed_facts import SEED_FACTS

REPO = Path(__file__).resolve().parents[1]
SEED = next(c for c in load_cases() if c.name == "seed")


def aikg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "graph.cli", *args], capture_output=True, text=True, cwd=REPO)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """The seed page extracted by the CLI, with the bundled facts as the known entities."""
    out = tmp_path_factory.mktemp("extract") / "seed.yaml"
    run = aikg("extract", str(SEED.article), "--published", "2025-07-23", "--publisher", "fastview",
               "--entities-from", str(REPO / "graph" / "data"), "-o", str(out))
    assert run.returncode == 0, run.stderr
    assert "19 entities (0 new), 15 relations, 8 events" in run.stderr
    return out


@pytest.fixture(scope="module")
def extracted_store(extracted, tmp_path_factory):
    """The extracted file alone (no bundled facts) built by ``aikg build`` into a store on disk."""
    location = tmp_path_factory.mktemp("store") / "store"
    run = aikg("build", "--no-bundled", "--data", str(extracted), "--store", str(location))
    assert run.returncode == 0, run.stderr
    assert "8 events, 15 relations" in run.stdout
    store = open_store(location, read_only=True)
    yield store
    store.close()


def test_seed_page_precision_and_recall():
    score, _ = run_case(SEED)
    print(f"\nseed page: precision {score.precision:.3f}, recall {score.recall:.3f} over {len(SEED.gold)} gold facts")
    assert score.precision >= 0.9, sorted(score.extra, key=str)
    assert score.recall >= 0.8, sorted(score.missing, key=str)


@pytest.mark.parametrize("fact, ask", SEED_FACTS, ids=[f for f, _ in SEED_FACTS])
def test_graph_built_from_the_extracted_file_answers_the_seed_questions(extracted_store, fact, ask):
    assert extracted_store.ask(sparql_prologue() + ask), fact


def test_the_two_graphs_compared(extracted_store):
    """Print what the curated graph and the extracted one say differently about entities and events."""
    curated, _ = build_store(store=":memory:")
    only_curated, only_extracted = graph_diff(curated, extracted_store)
    print("\nonly in the curated graph:", *sorted(only_curated) or ["(nothing)"], sep="\n  ")
    print("only in the extracted graph:", *sorted(only_extracted) or ["(nothing)"], sep="\n  ")
    assert len(only_curated) <= 5 and len(only_extracted) <= 5


def test_every_fact_carries_its_sentence_and_span_in_the_input(extracted):
    text = SEED.text()
    data = yaml.safe_load(extracted.read_text(encoding="utf-8"))
    items = data["relations"] + data["events"]
    assert items
    for item in items:
        ev = item["evidence"]
        assert text[ev["start"]:ev["end"]] == ev["sentence"]
        assert 0 < item["confidence"] <= 1


def test_the_reviewed_file_builds_beside_the_curated_one(extracted, tmp_path):
    """Known entities are written in full, as the curated file has them, so both files build together."""
    run = aikg("validate", str(extracted))
    assert run.returncode == 0, run.stderr
    run = aikg("build", "--data", str(extracted), "--store", str(tmp_path / "store"))
    assert run.returncode == 0, run.stderr
    assert "16 events" in run.stdout


def test_no_store_needed_and_json_as_the_api_returns(tmp_path):
    run = aikg("extract", str(SEED.article), "--published", "2025-07-23", "--publisher", "fastview", "--json",
               "--entities-from", str(REPO / "graph" / "data"))
    assert run.returncode == 0, run.stderr
    import json

    data = json.loads(run.stdout)
    assert {e["id"] for e in data["events"]} >= {"xai-funding-2025-07-usd-12b", "colossus-gpus-200000"}
