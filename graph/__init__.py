"""aikg from Python: open the graph, query it, read an entity card, get the networkx projection.

>>> import graph
>>> kg = graph.open_graph(":memory:")          # builds the bundled facts into memory
>>> rows = graph.query(kg, "SELECT ?name WHERE { ?x a aik:DataCenter ; rdfs:label ?name FILTER(lang(?name) = 'en') }")
>>> card = graph.entity_card(kg, "xai")
>>> graph.find_entity(kg, "Elon Musk")           # a slug, IRI, name or alias → the slug: 'elon-musk'
>>> graph.update(kg, "INSERT DATA { GRAPH <urn:my-notes> { id:xai rdfs:comment 'checked' } }")  # derived edges follow
>>> g = graph.project(kg)                         # a networkx MultiDiGraph keyed by slug
>>> graph.paths_between(g, "antonio-gracias", "nvidia")  # every shortest path, as `aikg path` prints them
>>> graph.centrality(g, top=10, classes=["InvestmentFirm"])  # the most central investment firms, as `aikg central`
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graph.analysis import centrality, paths_between, project
    from graph.build import BuildError, build_store
    from graph.cards import AmbiguousName, UnknownEntity, entity_card, find_entity
    from graph.shared_store import SharedStore
    from graph.store import Store, StoreError, open_store

_HOMES = {
    "project": "graph.analysis", "paths_between": "graph.analysis", "centrality": "graph.analysis",
    "BuildError": "graph.build", "build_store": "graph.build",
    "UnknownEntity": "graph.cards", "AmbiguousName": "graph.cards", "entity_card": "graph.cards", "find_entity": "graph.cards",
    "Store": "graph.store", "StoreError": "graph.store", "open_store": "graph.store", "SharedStore": "graph.shared_store",
}
"""Where each name of the API lives. They are imported when first used, so importing one module of
the package (the console script's first step, a query worker) does not load them all."""


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'graph' has no attribute {name!r}")
    value = globals()[name] = getattr(importlib.import_module(home), name)
    return value

__all__ = [
    "AmbiguousName",
    "BuildError",
    "SharedStore",
    "Store",
    "StoreError",
    "UnknownEntity",
    "build_store",
    "centrality",
    "entity_card",
    "find_entity",
    "open_graph",
    "open_store",
    "paths_between",
    "project",
    "query",
    "update",
]


def open_graph(location: str | os.PathLike[str] | None = None, *, data: list[str | Path] | None = None,
               read_only: bool = False) -> Store:
    """Open the store at ``location`` (default: the CLI's default store); build it first if it is empty.

    ``":memory:"`` builds the bundled facts (and ``data`` folders) into memory. A store on disk
    is shared with other writers (:class:`graph.shared_store.SharedStore`): it is held read-write
    only while this program writes, so ``aikg load``, ``aikg ingest`` and a server's writes go on
    meanwhile, and each read sees what they wrote. ``read_only``: the same, with no writes from here.
    """
    from graph.build import build_store
    from graph.store import MEMORY, is_remote, resolve_location

    where = resolve_location(location)
    if where != MEMORY and (is_remote(where) or Path(where).exists()) and not data:
        store = _open_for_a_program(where, read_only)
        if len(store):
            return store
        store.close()
    store, _ = build_store(data or (), store=str(where))
    if where != MEMORY and (read_only or not is_remote(where)):
        store.close()
        store = _open_for_a_program(where, read_only)
    return store


def _open_for_a_program(where: str | Path, read_only: bool) -> Store:
    """A store on a SPARQL server as it is; one on disk shared with other writers."""
    from graph.shared_store import SharedStore
    from graph.store import is_remote, open_store

    if is_remote(where):
        store = open_store(where, read_only=read_only)
        store.check_default_graph()  # type: ignore[attr-defined]
        return store
    return SharedStore(Path(where), read_only=read_only)


def query(store: Store, sparql: str) -> list[dict[str, Any]]:
    """Run a SELECT query (the aikg prefixes are predeclared) and return one dict per row.

    Values are Python types: IRIs and strings as ``str``, integers as ``int``, decimals as
    ``Decimal``, ``xsd:date`` as ``datetime.date``, ``xsd:dateTime`` as ``datetime.datetime``;
    an unbound variable is absent from its row. Raises SyntaxError (with the query's own line
    numbers) for a query that does not parse, TypeError for a query that is not a SELECT.
    """
    import pyoxigraph as ox

    from ontology import PREFIXES

    def rows() -> list[dict[str, Any]]:
        result = store.query(sparql, prefixes=dict(PREFIXES))
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("graph.query() needs a SELECT query; use store.query() for ASK, CONSTRUCT or DESCRIBE")
        names = [v.value for v in result.variables]
        return [{n: _python_value(row[n]) for n in names if row[n] is not None} for row in result]

    return store.read(rows)


def update(store: Store, sparql: str, *, base_iri: str | None = None) -> int:
    """Run a SPARQL 1.1 Update (the aikg prefixes are predeclared) as the server's ``POST /sparql`` runs it.

    In one transaction; then the shortcut edges in ``aik:derived`` are brought in step (those of
    the nodes the update names, else from the whole store), and a server serving the same store
    brings its caches in step with what changed. ``store.update(...)`` is the engine's update
    alone, which leaves the derived edges as they were. Returns how many derived triples changed.
    Raises SyntaxError (with the update's own line numbers) for an update that does not parse,
    RuntimeError for one the engine refuses, StoreError for a store opened read-only; nothing
    changed then.
    """
    from graph.updates import apply_update

    return apply_update(store, sparql, base_iri=base_iri).derived


def _python_value(term: Any) -> Any:
    """:func:`graph.store.to_python`, with dates as :mod:`datetime` values (ill-formed ones stay text)."""
    import datetime as dt

    import pyoxigraph as ox

    from graph.store import XSD as _XSD, to_python

    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        try:
            if datatype == _XSD + "date":
                return dt.date.fromisoformat(term.value)
            if datatype == _XSD + "dateTime":
                return dt.datetime.fromisoformat(term.value.replace("Z", "+00:00"))
        except ValueError:
            return term.value
    return to_python(term)
