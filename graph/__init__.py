"""aikg from Python: open the graph, query it, read an entity card, get the networkx projection.

>>> import graph
>>> kg = graph.open_graph(":memory:")          # builds the bundled facts into memory
>>> rows = graph.query(kg, "SELECT ?name WHERE { ?x a aik:DataCenter ; rdfs:label ?name FILTER(lang(?name) = 'en') }")
>>> card = graph.entity_card(kg, "xai")
>>> g = graph.project(kg)                         # a networkx MultiDiGraph keyed by slug
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from graph.analysis import project
from graph.build import BuildError, build_store
from graph.cards import UnknownEntity, entity_card
from graph.store import MEMORY, Store, StoreError, open_store, resolve_location

__all__ = [
    "BuildError",
    "Store",
    "StoreError",
    "UnknownEntity",
    "build_store",
    "entity_card",
    "open_graph",
    "open_store",
    "project",
    "query",
]


def open_graph(location: str | os.PathLike[str] | None = None, *, data: list[str | Path] | None = None) -> Store:
    """Open the store at ``location`` (default: the CLI's default store); build it first if it is empty.

    ``":memory:"`` builds the bundled facts (and ``data`` folders) into memory.
    """
    where = resolve_location(location)
    if where != MEMORY and Path(where).exists() and not data:
        store = open_store(where)
        if len(store):
            return store
        store.close()
    store, _ = build_store(data or (), store=str(where))
    return store


def query(store: Store, sparql: str) -> list[dict[str, Any]]:
    """Run a SELECT query (the aikg prefixes are predeclared) and return one dict per row, values as Python types."""
    from ontology import PREFIXES

    return store.select(sparql, prefixes=dict(PREFIXES))
