"""``aikg synth``: a deterministic synthetic graph of the requested size, in our vocabulary, with a realistic shape."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph import shacl
from graph.build import ontology_quads
from graph.store import MEMORY, Store
from ontology import ONTOLOGY_FILE, sparql_prologue


def aikg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "graph.cli", *args], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200"})


@pytest.fixture(scope="module")
def ten_k(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("synth") / "10k.nq"
    run = aikg("synth", "--triples", "10000", "--seed", "3", "-o", str(path))
    assert run.returncode == 0, run.stderr
    assert "Wrote" in run.stdout
    return path


@pytest.fixture(scope="module")
def graph(ten_k) -> Store:
    store = Store(ox.Store(), MEMORY)
    store.bulk_load(ten_k, ox.RdfFormat.N_QUADS)
    return store


def count(store: Store, sparql: str) -> int:
    return int(next(iter(store.select(sparql_prologue() + sparql)[0].values())))


def test_same_seed_same_bytes_other_seed_other_bytes(ten_k, tmp_path):
    again, other = tmp_path / "again.nq", tmp_path / "other.nq"
    assert aikg("synth", "--triples", "10000", "--seed", "3", "-o", str(again)).returncode == 0
    assert aikg("synth", "--triples", "10000", "--seed", "4", "-o", str(other)).returncode == 0
    assert again.read_bytes() == ten_k.read_bytes()
    assert other.read_bytes() != ten_k.read_bytes()


@pytest.mark.parametrize("triples", [10_000, 50_000])
def test_size_is_within_ten_percent(tmp_path, triples):
    path = tmp_path / "g.nq"
    assert aikg("synth", "--triples", str(triples), "-o", str(path)).returncode == 0
    quads = list(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
    assert abs(len(quads) - triples) <= triples * 0.1
    assert len(set(quads)) == len(quads), "no triple is written twice"


def test_passes_the_shacl_shapes(graph):
    assert shacl.validate(list(graph.quads()) + ontology_quads()) == []


def test_uses_only_the_ontology_vocabulary(graph):
    """Every aik: class and property it writes is declared in the ontology, as the public contract demands."""
    declared = {t.subject.value for t in ox.parse(path=str(ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE)}
    used = {r["t"] for r in graph.select(
        'SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t } FILTER(STRSTARTS(STR(?t), "https://w3id.org/aikg/ontology#")) }'
    )}
    assert used and used <= declared, used - declared


def test_hyperscalers_and_chipmakers_are_hubs(graph):
    degrees = [int(r["n"]) for r in graph.select(
        "SELECT ?x (COUNT(*) AS ?n) WHERE { ?e ?role ?x . ?e <http://www.w3.org/ns/prov#wasDerivedFrom> ?d } GROUP BY ?x ORDER BY DESC(?n)"
    )]
    median = degrees[len(degrees) // 2]
    assert degrees[0] >= 20 * median, (degrees[:5], median)
    top = {r["x"].rsplit("/", 1)[1] for r in graph.select(sparql_prologue() + """
        SELECT ?x (COUNT(*) AS ?n) WHERE { { ?d aik:customer ?x } UNION { ?d aik:supplier ?x } } GROUP BY ?x ORDER BY DESC(?n) LIMIT 3""")}
    assert {"stratus-cloud", "voltaic-semiconductor"} <= top


def test_investor_portfolios_follow_a_power_law(graph):
    sizes = [int(r["n"]) for r in graph.select(sparql_prologue() + """
        SELECT ?i (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r aik:investor|aik:leadInvestor ?i . ?i a aik:InvestmentFirm } GROUP BY ?i ORDER BY DESC(?n)""")]
    assert len(sizes) >= 10
    assert sizes[0] >= 5 * sizes[len(sizes) // 2]


def test_rounds_have_equity_and_debt_in_several_currencies(graph):
    assert count(graph, "SELECT (COUNT(*) AS ?n) WHERE { ?r aik:instrument aik:Equity }") > 50
    assert count(graph, "SELECT (COUNT(*) AS ?n) WHERE { ?r aik:instrument ?i FILTER(?i IN (aik:Debt, aik:Loan, aik:SecuredBond)) }") > 20
    assert count(graph, "SELECT (COUNT(*) AS ?n) WHERE { ?r aik:arranger ?bank . ?bank a aik:Bank }") > 20
    currencies = {r["c"] for r in graph.select(sparql_prologue() + "SELECT DISTINCT ?c WHERE { ?m schema:currency ?c }")}
    assert "USD" in currencies and len(currencies - {"USD"}) >= 3
    statuses = {r["s"] for r in graph.select(sparql_prologue() + "SELECT DISTINCT ?s WHERE { ?r a aik:FundingRound ; aik:status ?s }")}
    assert len(statuses) == 3


def test_supply_deals_carry_gpu_counts(graph):
    assert count(graph, "SELECT (COUNT(*) AS ?n) WHERE { ?d a aik:SupplyDeal ; aik:quantity ?q ; aik:product ?p ; aik:supplier ?s ; aik:customer ?c }") > 20


def test_data_centers_grow_over_time(graph):
    rows = graph.select(sparql_prologue() + """
        SELECT ?dc ?start ?gpus WHERE { ?o a aik:CapacityObservation ; aik:asset ?dc ; aik:dateStart ?start ; aik:gpuCount ?gpus }
        ORDER BY ?dc ?start""")
    by_dc: dict[str, list[int]] = {}
    for r in rows:
        by_dc.setdefault(r["dc"], []).append(r["gpus"])
    observed_often = [counts for counts in by_dc.values() if len(counts) >= 3]
    assert len(observed_often) >= 5
    assert all(counts[-1] > counts[0] for counts in observed_often)


def test_people_have_roles_and_documents_are_many(graph):
    assert count(graph, "SELECT (COUNT(*) AS ?n) WHERE { ?p aik:ceoOf ?c . ?p a aik:Person }") >= 40
    assert count(graph, "SELECT (COUNT(*) AS ?n) WHERE { ?p aik:founderOf ?c }") >= 40
    assert count(graph, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?g a aik:SourceDocument } }") >= 100


def test_each_event_lives_in_the_graph_of_its_source(graph):
    """The shape a build gives: events carry prov:wasDerivedFrom their own named graph; entities sit in aik:entities."""
    assert count(graph, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?e prov:wasDerivedFrom ?d } FILTER(?g != ?d) }") == 0
    assert count(graph, """SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?e prov:wasDerivedFrom ?g ; rdfs:label ?l ; aik:status ?s ;
                                                                           aik:dateStart ?a ; aik:dateEnd ?b } }""") > 500
    assert count(graph, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH aik:entities { ?x a ?c ; rdfs:label ?l } }") > 300


def test_bad_size_is_refused(tmp_path):
    run = aikg("synth", "--triples", "0", "-o", str(tmp_path / "x.nq"))
    assert run.returncode == 2
    assert "--triples" in run.stderr and "Traceback" not in run.stderr
