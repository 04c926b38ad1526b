"""Who raised the most, and who took part in the most money: funding rounds summed by recipient or by investor.

The totals add the USD amount of every funding round that has one (a round reported only in
another currency, without a USD figure, is left out and not guessed). Summed by investor, a
round counts in full for each of its investors and lead investors: sources seldom give each
investor's share.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from graph.cards import slug_of
from graph.quads import ENTITIES_GRAPH
from graph.store import Store
from ontology import sparql_prologue

By = Literal["recipient", "investor"]
ROLES: dict[str, str] = {"recipient": "aik:recipient", "investor": "aik:investor"}
"""The role summed over; lead investors are investors too (rule 50 derives ``aik:investor`` for them).
Both roles have the domain ``aik:FundingRound``: what has one is a round."""


def leaders(store: Store, by: By = "recipient", limit: int = 20) -> list[dict[str, Any]]:
    """The ``limit`` entities with the largest USD total over the funding rounds they are ``by`` in, largest first.

    Each item: ``slug``, ``iri``, ``name`` (English, if known), ``total_usd``, ``rounds``.
    """
    if by not in ROLES:
        raise ValueError(f"by must be one of {', '.join(ROLES)}, not {by!r}")
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    rows = store.select(totals_query(by, limit))
    names = _names(store, [r["who"] for r in rows])
    return [{"slug": slug_of(r["who"]), "iri": r["who"], "name": names.get(r["who"]), "total_usd": json_number(r["total"]),
             "rounds": r["rounds"]} for r in rows]


def totals_query(by: By = "recipient", limit: int = 20) -> str:
    """The SPARQL behind :func:`leaders`: ``?who``, ``?total`` (USD) and ``?rounds``, largest total first."""
    # Each pattern is its own sub-select: the engine then joins the two scans by hashing, where
    # a plain group of triple patterns is joined by one index lookup per round (3.4x slower at a
    # million triples). A round is known by its role alone: the ontology gives aik:recipient and
    # aik:investor the domain aik:FundingRound, so whatever has one is a round, typed or not, and a
    # third scan for ``a aik:FundingRound`` would only cost a join (a third of the time at a
    # million triples). Ties are ordered by IRI so the answer is the same on every run.
    return sparql_prologue() + f"""
        SELECT ?who (SUM(?usd) AS ?total) (COUNT(?round) AS ?rounds) WHERE {{
            {{ SELECT ?round ?usd WHERE {{ ?round aik:amountUSD ?usd }} }}
            {{ SELECT ?round ?who WHERE {{ ?round {ROLES[by]} ?who }} }}
        }} GROUP BY ?who ORDER BY DESC(?total) ?who LIMIT {int(limit)}"""


def _names(store: Store, iris: list[str]) -> dict[str, str]:
    if not iris:
        return {}
    values = " ".join(f"<{iri}>" for iri in iris)
    return {r["e"]: r["name"] for r in store.select(sparql_prologue() + f"""
        SELECT ?e ?name WHERE {{ VALUES ?e {{ {values} }}
            GRAPH <{ENTITIES_GRAPH}> {{ ?e rdfs:label ?name FILTER(LANG(?name) = "en") }} }}""")}


def json_number(value: Any) -> int | float:
    """An amount as JSON wants it: an int when whole (exact at any size), else a float."""
    value = Decimal(str(value))
    return int(value) if value == value.to_integral_value() else float(value)
