"""The derived edges of a live store follow its facts by difference: the rules read every graph but
``aik:derived``, so they run while that graph holds their last output, and only what changed is written."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from api.sparql_protocol import UpdateJob, run_update
from api.workers import Written
from graph.build import build_store, derived_triples, rederive
from graph.bulk_load import load_files
from graph.store import Store, open_store
from ontology import DERIVED_GRAPH, sparql_prologue

D = f"GRAPH <{DERIVED_GRAPH}>"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    build_store(store=tmp_path / "store")[0].close()
    opened = open_store(tmp_path / "store")
    yield opened
    opened.close()


def derived_graph(store: Store) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads(DERIVED_GRAPH)}


def updates_sent(store: Store, monkeypatch) -> list[str]:
    """Record the SPARQL Update texts the store is sent from here on (they still run)."""
    sent: list[str] = []
    update = store.update
    monkeypatch.setattr(store, "update", lambda text, **kw: (sent.append(text), update(text, **kw))[1])
    return sent


def test_the_rules_ignore_what_the_derived_graph_holds(store):
    before = derived_triples(store)
    # A type and an investor that only the derived graph states: no rule may build on them.
    store.update(sparql_prologue() + f"INSERT DATA {{ {D} {{ id:ghost a aik:Company . id:ghost-round a aik:FundingRound ; "
                                      "aik:recipient id:xai ; aik:investor id:ghost . } }")
    assert derived_triples(store) == before
    assert rederive(store) == len(before) and derived_graph(store) == before, "what no rule derives is taken out"


def test_an_update_writes_only_the_derived_triples_it_changes(store, monkeypatch):
    assert derived_graph(store) == derived_triples(store)
    held = derived_graph(store)
    sent = updates_sent(store, monkeypatch)
    job = UpdateJob(text="INSERT DATA { GRAPH src:test { id:round-x a aik:FundingRound ; aik:recipient id:xai ; "
                         "aik:leadInvestor id:nvidia } }")
    written = run_update(store, job)
    assert isinstance(written, Written), "an update that only inserts data says what it added"
    changed = written.answer
    xai, nvidia, round_x = (ox.NamedNode(f"https://w3id.org/aikg/id/{s}") for s in ("xai", "nvidia", "round-x"))
    aik = "https://w3id.org/aikg/ontology#"
    assert ox.Triple(round_x, ox.NamedNode(aik + "investor"), nvidia) in derived_graph(store)
    assert ox.Triple(xai, ox.NamedNode(aik + "fundedBy"), nvidia) in derived_graph(store)
    assert derived_graph(store) == derived_triples(store) and changed == len(derived_graph(store) - held) > 0
    (_, derived_write) = sent  # the update itself, then one write of the difference
    assert derived_write.count(" .") < 10, derived_write  # the new edges, not the whole graph again

    held = derived_graph(store)
    deleted = run_update(store, UpdateJob(text="DELETE WHERE { GRAPH src:test { id:round-x ?p ?o } }"))
    assert isinstance(deleted, Written), "an update with WHERE says what it changed too, read through its WHERE"
    assert deleted.answer == len(held - derived_graph(store)) > 0 and "https://w3id.org/aikg/id/round-x" in deleted.touched
    assert derived_graph(store) == derived_triples(store)
    assert ox.Triple(round_x, ox.NamedNode(aik + "investor"), nvidia) not in derived_graph(store)


def test_derived_triples_about_blank_nodes_are_made_again_whole(store):
    store.update(sparql_prologue() + 'INSERT DATA { GRAPH src:test { _:firm a aik:Company ; rdfs:label "A firm"@en } }')
    rederive(store)
    assert derived_graph(store) == derived_triples(store)
    assert store.ask(sparql_prologue() + f'ASK {{ {D} {{ ?n a aik:Organization }} ?n rdfs:label "A firm"@en FILTER(isBlank(?n)) }}')


def test_a_load_keeps_the_derived_edges_it_finds_and_drops_stale_ones(tmp_path):
    location = tmp_path / "store"
    build_store(store=location)[0].close()
    before = open_store(location, read_only=True)
    expected, count = derived_triples(before), len(before)
    before.close()
    stale = tmp_path / "stale.nq"  # a dump's derived edge that the facts no longer support
    stale.write_text(f"<https://w3id.org/aikg/id/ghost> <https://w3id.org/aikg/ontology#fundedBy> "
                     f"<https://w3id.org/aikg/id/xai> <{DERIVED_GRAPH}> .\n", encoding="utf-8")
    report = load_files([stale], store=location)
    after = open_store(location, read_only=True)
    assert derived_graph(after) == expected and report.derived == len(expected)
    assert report.total == len(after) == count
