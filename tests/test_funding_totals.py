"""Funding totals by recipient and by investor (graph.funding_totals), checked against a plain count over the quads."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

import pyoxigraph as ox
import pytest
from synthetic import synthetic_store

from graph import funding_totals
from graph.quads import source_iri
from graph.store import Store, open_store
from ontology import AIK, ID

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    opened = open_store(synthetic_store(tmp_path_factory.mktemp("totals"), 20_000, seed=3), read_only=True)
    yield opened
    opened.close()


def by_hand(store: Store, roles: tuple[str, ...]) -> dict[str, tuple[Decimal, int]]:
    """Every funding round's USD amount added to each entity in one of ``roles``, read quad by quad."""
    facts: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for quad in store.quads():
        facts[quad.predicate.value].add((quad.subject.value, quad.object.value))
    rounds = {s for s, o in facts[RDF_TYPE] if o == AIK + "FundingRound"}
    usd = {s: Decimal(o) for s, o in facts[AIK + "amountUSD"] if s in rounds}
    members: dict[str, set[str]] = defaultdict(set)
    for role in roles:
        for s, o in facts[AIK + role]:
            if s in usd:
                members[o].add(s)
    return {who: (sum((usd[r] for r in rs), Decimal(0)), len(rs)) for who, rs in members.items()}


@pytest.mark.parametrize(("by", "roles"), [("recipient", ("recipient",)), ("investor", ("investor", "leadInvestor"))])
def test_totals_equal_a_count_over_the_quads(store: Store, by: str, roles: tuple[str, ...]) -> None:
    expected = by_hand(store, roles)
    found = funding_totals.leaders(store, by, limit=10_000)
    assert len(found) == len(expected) > 20
    assert {f["iri"]: (Decimal(str(f["total_usd"])), f["rounds"]) for f in found} == expected
    totals = [f["total_usd"] for f in found]
    assert totals == sorted(totals, reverse=True)
    assert all(f["name"] for f in found[:20])  # every synthetic entity has an English name
    assert [f["slug"] for f in funding_totals.leaders(store, by, limit=5)] == [f["slug"] for f in found[:5]]


def test_ties_are_ordered_the_same_way_every_time(store: Store) -> None:
    first = funding_totals.leaders(store, "investor", limit=10_000)
    assert first == funding_totals.leaders(store, "investor", limit=10_000)
    ties = Counter(f["total_usd"] for f in first)
    for total, n in ties.items():
        if n > 1:
            iris = [f["iri"] for f in first if f["total_usd"] == total]
            assert iris == sorted(iris)


@pytest.mark.parametrize(("kwargs", "message"), [({"by": "customer"}, "by must be one of"), ({"limit": 0}, "limit must be")])
def test_bad_arguments_are_refused(store: Store, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        funding_totals.leaders(store, **kwargs)


def test_an_empty_store_has_no_leaders() -> None:
    assert funding_totals.leaders(Store(ox.Store(), ":memory:")) == []



def test_a_round_is_known_by_its_role_as_the_ontology_says() -> None:
    # aik:recipient has the domain aik:FundingRound: a loaded file that leaves the type out still
    # states a round, and its money counts; an amount on something with no role (a forecast) does not.
    source = source_iri("t")

    def quad(s: str, p: str, o: ox.NamedNode | ox.Literal) -> ox.Quad:
        return ox.Quad(ox.NamedNode(ID + s), ox.NamedNode(p), o, source)

    def usd(amount: str) -> ox.Literal:
        return ox.Literal(amount, datatype=ox.NamedNode(XSD_DECIMAL))

    acme = ox.NamedNode(ID + "acme")
    engine = ox.Store()
    engine.extend([
        quad("typed", RDF_TYPE, ox.NamedNode(AIK + "FundingRound")), quad("typed", AIK + "recipient", acme),
        quad("typed", AIK + "amountUSD", usd("100")),
        quad("untyped", AIK + "recipient", acme), quad("untyped", AIK + "amountUSD", usd("50")),
        quad("burn", AIK + "amountUSD", usd("7")),
    ])
    found = funding_totals.leaders(Store(engine, ":memory:"))
    assert [(f["slug"], f["total_usd"], f["rounds"]) for f in found] == [("acme", 150, 2)]
