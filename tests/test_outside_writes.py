"""A server takes up writes other processes make to the store it serves, in place: ``aikg ingest``
from a terminal, and a Python program that keeps the store open read-write."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from live_server import REPO, live_server
from test_load_ingest import SERVED_FILE

from graph import write_count
from graph.build import build_store
from graph.store import open_store

COMMENT_IRI = "http://www.w3.org/2000/01/rdf-schema#comment"
XAI_NOTE = ('INSERT DATA { GRAPH <https://w3id.org/aikg/source/outside-test> { '
            '<https://w3id.org/aikg/id/xai> <http://www.w3.org/2004/02/skos/core#altLabel> "{label}"@en } }')


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    build_store(store=path)[0].close()
    return path


def aikg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "graph.cli", *args], cwd=REPO, capture_output=True, text=True, timeout=300)


def test_each_write_in_place_is_counted_and_a_failed_or_read_only_one_is_not(store: Path) -> None:
    assert write_count.count_path(store) == store.parent / ".store.writes"
    assert write_count.writes(store) == 0, "a build swaps in a generation: nothing to count"
    kg = open_store(store)
    try:
        kg.update(XAI_NOTE.replace("{label}", "one"))
        assert write_count.writes(store) == 1
        with pytest.raises(SyntaxError):
            kg.update("INSERT DATA { this is not SPARQL }")
        assert write_count.writes(store) == 1, "a write refused by the engine changes nothing, so is not counted"
        kg.update(XAI_NOTE.replace("{label}", "two"))
        assert write_count.writes(store) == 2
    finally:
        kg.close()
    reader = open_store(store, read_only=True)
    try:
        assert len(reader) > 0
    finally:
        reader.close()
    assert write_count.writes(store) == 2
    assert write_count.writes(":memory:") == 0 and write_count.count_path("sparql+http://127.0.0.1:1/q") is None


def test_the_server_serves_what_aikg_ingest_added_from_a_terminal(store: Path, tmp_path: Path) -> None:
    facts = tmp_path / "nova.yaml"
    facts.write_text(SERVED_FILE, encoding="utf-8")
    with live_server(store) as base:
        # Every cache warm first: the answers kept in the server, and each worker's projection.
        assert httpx.get(base + "/entities/nova-compute").status_code == 404
        before = httpx.get(base + "/entities/valor-equity-partners").json()
        for _ in range(4):
            assert httpx.get(base + "/paths", params={"from": "valor-equity-partners", "to": "xai"}).status_code == 200
        run = aikg("ingest", str(facts), "--store", str(store))
        assert run.returncode == 0, run.stderr
        card = httpx.get(base + "/entities/nova-compute")
        assert card.status_code == 200, card.text
        assert [e["id"] for e in card.json()["events"]] == ["nova-compute-seed-2026"]
        after = httpx.get(base + "/entities/valor-equity-partners").json()
        assert after != before, "the investor's card kept in the server was read again"
        for _ in range(4):  # each worker, not only the first to answer
            path = httpx.get(base + "/paths", params={"from": "nova-compute", "to": "xai"}, timeout=60)
            assert path.status_code == 200 and path.json()["hops"] == 2, path.text
        sources = httpx.get(base + "/sparql", params={"query": "ASK { GRAPH <https://w3id.org/aikg/source/test-wire-2026-03-nova> { ?s ?p ?o } }"},
                            headers={"Accept": "application/sparql-results+json"})
        assert sources.json()["boolean"] is True


def test_aikg_update_from_a_terminal_reaches_the_server_with_its_derived_edges(store: Path, tmp_path: Path) -> None:
    funded_by = {"query": "SELECT ?who WHERE { GRAPH aik:derived { id:xai aik:fundedBy ?who } } ORDER BY ?who"}
    accept = {"Accept": "application/sparql-results+json"}

    def investors(base: str) -> list[str]:
        rows = httpx.get(base + "/sparql", params=funded_by, headers=accept).json()["results"]["bindings"]
        return [row["who"]["value"].rsplit("/", 1)[1] for row in rows]

    with live_server(store) as base:
        before = investors(base)
        assert "nvidia" not in before
        for _ in range(4):  # both workers make their projection before the write
            assert httpx.get(base + "/paths", params={"from": "nvidia", "to": "xai"}, timeout=60).status_code == 200
        update = tmp_path / "round.ru"
        update.write_text("INSERT DATA { GRAPH <https://w3id.org/aikg/source/my-notes> {\n"
                          "  id:my-round a aik:FundingRound ; aik:recipient id:xai ; aik:investor id:nvidia } }\n", encoding="utf-8")
        counted = write_count.writes(store)
        run = aikg("update", "-f", str(update), "--store", str(store))
        assert run.returncode == 0, run.stderr
        assert "2 derived triples changed" in run.stdout, run.stdout  # xAI funded by Nvidia; the round an event
        assert write_count.writes(store) == counted + 1, "the update and its derived edges count as one write"
        assert investors(base) == sorted([*before, "nvidia"])
        for _ in range(4):  # each worker: the path now goes through the new round's derived edge
            path = httpx.get(base + "/paths", params={"from": "nvidia", "to": "xai"}, timeout=60)
            assert path.status_code == 200 and path.json()["hops"] == 1, path.text

        update.write_text("INSERT DATA {\n  id:x aik:note }", encoding="utf-8")
        bad = aikg("update", "-f", str(update), "--store", str(store))
        assert bad.returncode == 2 and bad.stderr.startswith(f"aikg: {update}: bad update: error at 2:"), bad.stderr
        assert len(bad.stderr.strip().splitlines()) == 1 and bad.stderr.strip().endswith("(nothing changed)"), bad.stderr
        refused = aikg("update", "DROP GRAPH <https://w3id.org/aikg/source/no-such-graph>", "--store", str(store))
        assert refused.returncode == 2 and "not applied" in refused.stderr, refused.stderr
        neither = aikg("update", "--store", str(store))
        assert neither.returncode == 2 and "give an update or -f FILE" in neither.stderr
        nowhere = aikg("update", "INSERT DATA { id:x aik:note 'n' }", "--store", str(tmp_path / "nowhere"))
        assert nowhere.returncode == 1 and nowhere.stderr.strip().splitlines() == [
            f"aikg: {tmp_path / 'nowhere'}: no store here yet; run `aikg build` first"], nowhere.stderr
        assert write_count.writes(store) == counted + 1 and investors(base) == sorted([*before, "nvidia"])


def test_the_server_sees_the_writes_of_a_program_that_keeps_the_store_open(store: Path) -> None:
    query = {"query": 'SELECT ?l WHERE { <https://w3id.org/aikg/id/xai> <http://www.w3.org/2004/02/skos/core#altLabel> ?l } ORDER BY ?l'}
    accept = {"Accept": "application/sparql-results+json"}

    def labels(base: str) -> list[str]:
        rows = httpx.get(base + "/sparql", params=query, headers=accept).json()["results"]["bindings"]
        return [row["l"]["value"] for row in rows]

    with live_server(store) as base:
        seen = labels(base)
        kg = open_store(store)  # read-write, held across the reads below
        try:
            assert not kg.read_only
            kg.update(XAI_NOTE.replace("{label}", "written from a notebook"))
            assert labels(base) == sorted([*seen, "written from a notebook"])
            kg.update(XAI_NOTE.replace("{label}", "and again"))
            assert labels(base) == sorted([*seen, "written from a notebook", "and again"])
        finally:
            kg.close()


def test_a_write_through_the_server_after_one_from_outside_does_not_hide_it(store: Path, tmp_path: Path) -> None:
    """The workers bring their projection in step with a write through the server, not remaking it; one made
    before another process's write would then miss that write for good, so it is made afresh instead."""
    from graph.ingest import ingest

    facts = tmp_path / "nova.yaml"
    facts.write_text(SERVED_FILE, encoding="utf-8")
    with live_server(store, token="t") as base:
        for _ in range(4):
            assert httpx.get(base + "/paths", params={"from": "valor-equity-partners", "to": "xai"}).status_code == 200
        kg = open_store(store)
        try:
            ingest(kg, facts)
        finally:
            kg.close()
        # No read in between: the server's write is the first thing the workers hear of.
        update = httpx.post(base + "/sparql", content=XAI_NOTE.replace("{label}", "after the program"),
                            headers={"Authorization": "Bearer t", "Content-Type": "application/sparql-update"}, timeout=60)
        assert update.status_code in (200, 204), update.text
        for _ in range(4):
            path = httpx.get(base + "/paths", params={"from": "nova-compute", "to": "xai"}, timeout=60)
            assert path.status_code == 200 and path.json()["hops"] == 2, path.text


def test_threads_of_one_process_writing_at_once_each_count(store: Path) -> None:
    """The write lock is shared by a process's threads, so two of them may count at the same moment."""
    import threading

    kg = open_store(store)
    errors: list[BaseException] = []

    def write(i: int) -> None:
        try:
            for j in range(10):
                kg.update(XAI_NOTE.replace("{label}", f"{i}-{j}"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    try:
        threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        kg.close()
    assert not errors, errors
    assert write_count.writes(store) == 40


WRITE_AND_COMPACT = """
import sys
from graph.store import open_store
s = open_store(sys.argv[1])
assert not s.read_only
for i in range(int(sys.argv[2])):
    s.update('INSERT DATA { GRAPH <https://w3id.org/aikg/source/churn> { <https://w3id.org/aikg/id/churn-%d> '
             '<http://www.w3.org/2000/01/rdf-schema#label> "%d" } }' % (i, i))
    if i % 100 == 99:
        s.compact()
s.close()
"""
"""A program that holds the store read-write, writes and compacts: its compactions remove files under readers."""

CHURNED = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/aikg/source/churn> { ?s ?p ?o } }"


def test_the_server_answers_every_read_while_a_program_writes_and_compacts_the_store(store: Path) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    with live_server(store) as base, httpx.Client(base_url=base, timeout=60) as client:
        writer = subprocess.Popen([sys.executable, "-c", WRITE_AND_COMPACT, str(store), "1500"], cwd=REPO)
        answers, failures = 0, []
        while writer.poll() is None:
            for response in (client.get("/sparql", params={"query": CHURNED}, headers=accept),
                             client.get("/entities/xai"), client.get("/funding", params={"recipient": "xai"})):
                answers += 1
                if response.status_code != 200:
                    failures.append(response.text[:300])
        assert writer.wait() == 0
        assert not failures, f"{len(failures)} of {answers} reads failed: {failures[:3]}"
        final = client.get("/sparql", params={"query": CHURNED}, headers=accept).json()
        assert final["results"]["bindings"][0]["n"]["value"] == "1500"


def test_a_reader_follows_what_aikg_ingest_added_and_remakes_its_caches_after_an_update(store: Path, tmp_path: Path) -> None:
    """``aikg ingest`` records the quads it added; a worker's projection follows them as after ``POST /ingest``."""
    from api.workers import _reopen, store_cache

    from graph import analysis

    reader, opened_as = _reopen(str(store), None, None, writes=(0, write_count.writes(store)))
    projection = store_cache(reader)["projection"] = analysis.project(reader)
    assert "nova-compute" not in projection
    facts = tmp_path / "nova.yaml"
    facts.write_text(SERVED_FILE, encoding="utf-8")
    run = aikg("ingest", str(facts), "--store", str(store))
    assert run.returncode == 0, run.stderr
    record = write_count.changes_path(write_count.count_path(store)) / f"{write_count.writes(store)}.nq"
    assert b"nova-compute" in record.read_bytes()
    followed, followed_as = _reopen(str(store), reader, opened_as, writes=(0, write_count.writes(store)))
    assert store_cache(followed)["projection"] is projection, "brought in step, not made afresh"
    assert projection.has_edge("nova-compute", "valor-equity-partners"), "funded by, derived by the ingest"
    assert {(a, b) for a, b, _ in projection.edges(keys=True)} == {(a, b) for a, b, _ in analysis.project(followed).edges(keys=True)}

    writer = open_store(store)
    writer.update(XAI_NOTE.replace("{label}", "an update"))  # not only added quads: no record
    writer.close()
    assert not (record.parent / f"{write_count.writes(store)}.nq").exists()
    remade, _ = _reopen(str(store), followed, followed_as, writes=(0, write_count.writes(store)))
    assert "projection" not in store_cache(remade), "what an update changed is not known: made afresh"


def test_only_small_additions_leave_a_record(store: Path, monkeypatch) -> None:
    import pyoxigraph as ox

    monkeypatch.setattr(write_count, "RECORD_QUADS", 2)
    g = ox.NamedNode("https://w3id.org/aikg/source/records")
    quads = [ox.Quad(ox.NamedNode(f"https://w3id.org/aikg/id/r{i}"), ox.NamedNode(COMMENT_IRI), ox.Literal(str(i)), g) for i in range(3)]
    kg = open_store(store)
    try:
        kg.add(quads)
        big = write_count.writes(store)
        kg.add(quads[:1])
        small = write_count.writes(store)
        kg.add(q for q in quads[1:2])  # read once by the engine: nothing left to record
        once = write_count.writes(store)
    finally:
        kg.close()
    folder = write_count.changes_path(write_count.count_path(store))
    assert not (folder / f"{big}.nq").exists() and not (folder / f"{once}.nq").exists()
    assert (folder / f"{small}.nq").read_bytes().count(b"\n") == 1
    assert write_count.changes_since(write_count.count_path(store), big, small).added.count(b"\n") == 1
    assert write_count.changes_since(write_count.count_path(store), big - 1, small) is None, "the big write left none"


CUT_SHORT = """
import os, sys
import graph
from graph import recovery
kg = graph.open_graph(sys.argv[1])
with kg.writing(), kg.counted_once():  # as graph.update does it, killed between the facts and their derived edges
    recovery.begin_change(kg.location)
    kg.update('INSERT DATA { GRAPH <https://w3id.org/aikg/source/cut-short> { <https://w3id.org/aikg/id/cut-round> '
              'a <https://w3id.org/aikg/ontology#FundingRound> ; <https://w3id.org/aikg/ontology#recipient> <https://w3id.org/aikg/id/xai> ; '
              '<https://w3id.org/aikg/ontology#investor> <https://w3id.org/aikg/id/nvidia> } }')
    kg.flush()
    os._exit(9)
"""
"""A program killed after an update's facts were written and before their derived edges and its count."""


@pytest.mark.parametrize("next_write", ["update", "ingest"])
def test_the_next_write_repairs_a_change_cut_short_and_readers_make_their_caches_afresh(store: Path, tmp_path: Path,
                                                                                        next_write: str) -> None:
    import graph
    from api.workers import _reopen, store_cache
    from graph import analysis
    from graph.build import derived_triples
    from test_incremental_derivation import derived_graph
    from graph.recovery import marker_path

    reader, opened_as = _reopen(str(store), None, None, writes=(0, write_count.writes(store)))
    store_cache(reader)["projection"] = analysis.project(reader)
    counted = write_count.writes(store)
    killed = subprocess.run([sys.executable, "-c", CUT_SHORT, str(store)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert killed.returncode == 9, killed.stderr
    assert marker_path(store).exists() and write_count.writes(store) == counted, "cut short: facts written, nothing counted"
    kg = graph.open_graph(store)
    try:
        if next_write == "update":
            graph.update(kg, XAI_NOTE.replace("{label}", "after the crash"))
        else:
            facts = tmp_path / "nova.yaml"
            facts.write_text(SERVED_FILE, encoding="utf-8")
            from graph.ingest import ingest

            ingest(kg, facts)
        assert not marker_path(store).exists()
        assert derived_graph(kg) == derived_triples(kg)
    finally:
        kg.close()
    remade, _ = _reopen(str(store), reader, opened_as, writes=(0, write_count.writes(store)))
    assert "projection" not in store_cache(remade), "the change cut short left no record: made afresh"
    assert "fundedBy" in (analysis.project(remade).get_edge_data("xai", "nvidia") or {}), "derived by the repair"
