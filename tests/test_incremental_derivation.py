"""After an update of data, the derived edges follow the nodes it names (graph.incremental_derivation), and what
``aik:derived`` then holds equals what the rules derive from the whole store."""

from __future__ import annotations


import pyoxigraph as ox
import pytest
from synthetic import synthetic_store

from api.sparql_protocol import UpdateJob, run_update
from graph import incremental_derivation, updates
from graph.build import derived_triples
from graph.store import Store, open_store
from ontology import DERIVED_GRAPH, sparql_prologue

RULE = "PREFIX aik: <https://w3id.org/aikg/ontology#>\nCONSTRUCT { ?a aik:x ?c } WHERE { %s }"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    opened = open_store(synthetic_store(tmp_path_factory.mktemp("incremental"), 20_000, seed=5))
    yield opened
    opened.close()


@pytest.fixture
def afresh(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the updates whose derived edges were made from the whole store (the fall-back)."""
    calls: list[int] = []
    whole = updates.rederive_difference
    monkeypatch.setattr(updates, "rederive_difference", lambda s: (calls.append(1), whole(s))[1])
    return calls


def derived_graph(store: Store) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads(DERIVED_GRAPH)}


def update(store: Store, text: str) -> None:
    run_update(store, UpdateJob(text=text))
    assert derived_graph(store) == derived_triples(store), text


def one(store: Store, where: str) -> dict:
    rows = store.select(sparql_prologue() + f"SELECT * WHERE {{ {where} }} LIMIT 1")
    assert rows, where
    return {k: f"<{v}>" if isinstance(v, str) and v.startswith("http") else v for k, v in rows[0].items()}


def test_every_bundled_rule_reads_one_node_at_a_time() -> None:
    shapes = incremental_derivation.rule_shapes()
    assert shapes is not None and len(shapes) == 5
    by_predicate = {s.predicate.rsplit("#", 1)[1]: s for s in shapes}
    assert (by_predicate["fundedBy"].subject, by_predicate["fundedBy"].object) == ("object", "object")
    assert (by_predicate["type"].subject, by_predicate["type"].object) == ("focus", "other")  # ?super: the ontology's


@pytest.mark.parametrize("where", [
    "?a aik:p ?b . ?b aik:q ?c",                              # a second node's facts
    "?a aik:p+ ?c",                                           # a path walks to other nodes
    "?a aik:p ?c { SELECT ?c WHERE { ?a aik:q ?c } }",        # a sub-select that does not hand its node on
    "?a aik:p ?c FILTER EXISTS { ?c aik:q ?a }",              # a form whose patterns the walk does not read
    "<https://w3id.org/aikg/id/x> aik:p ?c BIND(?c AS ?a)",   # a constant subject
])
def test_a_rule_that_reads_more_than_one_node_is_not_followed(where: str) -> None:
    assert incremental_derivation.rule_shape(RULE % where) is None
    assert incremental_derivation.rule_shape(RULE % "?a aik:p ?c MINUS { ?a aik:q ?c }") is not None


def test_corrections_follow_node_by_node_and_equal_the_whole_derivation(store: Store, afresh: list[int]) -> None:
    assert derived_graph(store) == derived_triples(store)
    stated = "GRAPH ?g { %s } FILTER(?g != aik:derived)"
    # A recipient and an investor that two rounds join: removing the investor from one keeps the edge.
    pair = one(store, """GRAPH ?g1 { ?r1 aik:investor ?inv ; aik:recipient ?rec } GRAPH ?g2 { ?r2 aik:investor ?inv ; aik:recipient ?rec }
                          FILTER(?r1 != ?r2 && ?g1 != aik:derived && ?g2 != aik:derived)""")
    edge = ox.Triple(ox.NamedNode(pair["rec"][1:-1]), ox.NamedNode("https://w3id.org/aikg/ontology#fundedBy"),
                     ox.NamedNode(pair["inv"][1:-1]))
    update(store, f"DELETE DATA {{ GRAPH {pair['g1']} {{ {pair['r1']} aik:investor {pair['inv']} }} }}")
    if not store.ask(sparql_prologue() + f"ASK {{ {stated % (pair['r1'] + ' aik:leadInvestor ' + pair['inv'])} }}"):
        assert edge in derived_graph(store), "another round still makes the edge"
    # A supply deal's supplier changed; a company's type taken away; a superclass stated outright.
    deal = one(store, stated % "?deal a aik:SupplyDeal ; aik:supplier ?from")
    other = one(store, f"{stated % '?x aik:supplier ?to'} FILTER(?to != {deal['from']})")
    update(store, f"DELETE DATA {{ GRAPH {deal['g']} {{ {deal['deal']} aik:supplier {deal['from']} }} }} ; "
                  f"INSERT DATA {{ GRAPH {deal['g']} {{ {deal['deal']} aik:supplier {other['to']} }} }}")
    company = one(store, stated % "?c a aik:Company")
    update(store, f"DELETE DATA {{ GRAPH {company['g']} {{ {company['c']} a aik:Company }} }}")
    company = one(store, stated % "?c a aik:Company")
    update(store, f"INSERT DATA {{ GRAPH {company['g']} {{ {company['c']} a aik:Organization }} }}")
    # A new round naming only its lead investor, then the lead taken away again.
    update(store, f"INSERT DATA {{ GRAPH src:t {{ id:t-round a aik:FundingRound ; aik:recipient {pair['rec']} ; "
                  f"aik:leadInvestor {other['to']} }} }}")
    assert ox.Triple(ox.NamedNode("https://w3id.org/aikg/id/t-round"), ox.NamedNode("https://w3id.org/aikg/ontology#investor"),
                     ox.NamedNode(other["to"][1:-1])) in derived_graph(store)
    update(store, f"DELETE DATA {{ GRAPH src:t {{ id:t-round aik:leadInvestor {other['to']} }} }}")
    # The same kinds of correction written with WHERE: the quads it names are read through its WHERE first.
    update(store, "DELETE WHERE { GRAPH ?g { id:t-round aik:recipient ?who } }")
    update(store, f"DELETE {{ GRAPH ?g {{ ?deal aik:customer ?c }} }} INSERT {{ GRAPH ?g {{ ?deal aik:customer {pair['inv']} }} }} "
                  f"WHERE {{ GRAPH ?g {{ ?deal aik:supplier {other['to']} ; aik:customer ?c }} FILTER(?g != aik:derived) }}")
    update(store, f"INSERT {{ GRAPH src:t {{ ?r aik:arranger {other['to']} }} }} WHERE {{ GRAPH ?g {{ ?r aik:recipient {pair['rec']} }} }}")
    assert afresh == [], "every one of these followed the nodes it names"


def test_what_cannot_be_followed_is_derived_from_the_whole_store(store: Store, afresh: list[int]) -> None:
    # Two operations with WHERE: the second's would read what the first changed, so neither is read beforehand.
    update(store, "DELETE WHERE { GRAPH ?g { ?r aik:arranger ?a } } ; DELETE WHERE { GRAPH ?g { ?r aik:status ?s } }")
    update(store, f"INSERT DATA {{ GRAPH <{DERIVED_GRAPH}> {{ id:ghost a aik:Company }} }}")  # the derived graph itself
    update(store, "INSERT DATA { GRAPH src:t { _:b a aik:Company } }")  # a blank node
    assert len(afresh) == 3
