"""Counts of what a store holds, for `aikg stats` and `/health`."""

from __future__ import annotations

from typing import Any

from graph.cards import local
from graph.quads import ENTITIES_GRAPH
from graph.store import Store
from ontology import sparql_prologue


def graph_stats(store: Store) -> dict[str, Any]:
    """Quads, named graphs, source documents, entities by class and events by type."""
    entities = store.select(
        f"SELECT ?c (COUNT(?e) AS ?n) WHERE {{ GRAPH <{ENTITIES_GRAPH}> {{ ?e a ?c }} }} GROUP BY ?c ORDER BY DESC(?n) ?c"
    )
    events = store.select(
        sparql_prologue()
        + "SELECT ?c (COUNT(DISTINCT ?e) AS ?n) WHERE { GRAPH ?g { ?e prov:wasDerivedFrom ?d ; a ?c } } GROUP BY ?c ORDER BY DESC(?n) ?c"
    )
    sources = store.select(sparql_prologue() + "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a aik:SourceDocument }")
    return {
        "quads": len(store),
        "graphs": len(store.graphs()),
        "sources": sources[0]["n"] if sources else 0,
        "entities": {local(r["c"]): r["n"] for r in entities},
        "events": {local(r["c"]): r["n"] for r in events},
    }
