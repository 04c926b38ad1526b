"""kill -9 in the middle of POST /ingest: on restart the fact file is in the store whole or not at all, and no temporary file is left.

The server runs in its own process group, so kill -9 takes its workers (and the writer) with it.
The writer leaves its recovery marker just before the one transaction that adds the facts and
their derived edges; the kills land from that moment on, so some fall inside the transaction.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from live_server import running_server

from graph import recovery
from graph.build import build_store, derived_triples
from graph.store import open_store
from ontology import DERIVED_GRAPH, SOURCE

TOKEN = "ingest-crash-token"
ROUNDS = 400
SLUG = "crash-2026-01-many-rounds"


def _fact_file(rounds: int) -> bytes:
    """A fact file with ``rounds`` funding rounds of a new fund into xAI."""
    lines = [
        "source:", f"  slug: {SLUG}", "  headline: Many rounds", "  publisher: crash-news",
        "  language: en", "  published: 2026-01-15",
        "entities:",
        "  - {slug: crash-news, class: MediaOrganization, name: {en: Crash News}}",
        "  - {slug: crash-fund, class: InvestmentFirm, name: {en: Crash Fund}}",
        "events:",
    ]
    lines += [f"  - {{id: crash-round-{i}, type: FundingRound, recipient: xai, lead_investors: [crash-fund],"
              f" amount_usd: {1000 + i}, instruments: [Equity], status: Completed, date: 2026-01}}"
              for i in range(rounds)]
    return ("\n".join(lines) + "\n").encode()


def _state(store_path: Path) -> tuple[int, bool]:
    """(rounds stored, fundedBy edge present); asserts the derived graph is what the rules give."""
    store = open_store(store_path, read_only=True)
    try:
        derived = {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads(DERIVED_GRAPH)}
        assert derived == derived_triples(store), "the derived edges disagree with the facts"
        rounds = store.select(f"SELECT (COUNT(?r) AS ?n) WHERE {{ GRAPH <{SOURCE}{SLUG}> {{ ?r a aik:FundingRound }} }}",
                              prefixes={"aik": "https://w3id.org/aikg/ontology#"})[0]["n"]
        funded = store.ask("ASK { GRAPH <%s> { <https://w3id.org/aikg/id/xai> <https://w3id.org/aikg/ontology#fundedBy>"
                           " <https://w3id.org/aikg/id/crash-fund> } }" % DERIVED_GRAPH)
        return rounds, funded
    finally:
        store.close()


def _post(url: str, body: bytes) -> None:
    try:
        httpx.post(url, content=body, timeout=300,
                   headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/yaml"})
    except httpx.HTTPError:
        pass  # the server was killed under us: that is the point


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.2, 1.0])
def test_kill_9_during_an_ingest_leaves_all_or_nothing(tmp_path: Path, delay: float, monkeypatch) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))  # the server's processes inherit it
    store = tmp_path / "store"
    build_store(store=store)[0].close()
    body = _fact_file(ROUNDS)
    marker = recovery.marker_path(store)
    with running_server(store, token=TOKEN, max_body=str(len(body) + 1), deadline="300", workers="1") as server:
        sender = threading.Thread(target=_post, args=(server.base + "/ingest", body), daemon=True)
        sender.start()
        started = time.monotonic()
        while not marker.exists() and sender.is_alive() and time.monotonic() - started < 240:
            time.sleep(0.005)
        assert marker.exists(), "the ingest never reached its write"
        time.sleep(delay)
        server.kill_hard()
        sender.join(30)
    with running_server(store, token=TOKEN) as server:  # the server starts on what the crash left
        assert httpx.get(server.base + "/health").json()["status"] == "ok"
    rounds, funded = _state(store)
    print(f"killed {delay} s into the write: {rounds} of {ROUNDS} rounds stored")
    assert rounds in (0, ROUNDS), f"{rounds} of {ROUNDS} rounds: a half-applied ingest"
    assert funded is (rounds == ROUNDS)
    assert not marker.exists()
    assert not list(temporary.iterdir()), "the killed writer left files behind"


def test_an_ingest_the_server_finished_survives_a_kill(tmp_path: Path) -> None:
    store = tmp_path / "store"
    build_store(store=store)[0].close()
    body = _fact_file(20)
    with running_server(store, token=TOKEN, workers="1") as server:
        answer = httpx.post(server.base + "/ingest", content=body, timeout=120,
                            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/yaml"})
        assert answer.status_code == 200, answer.text
        server.kill_hard()
    rounds, funded = _state(store)
    assert (rounds, funded) == (20, True)
