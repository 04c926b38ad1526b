"""The networkx projection a query worker holds (:func:`graph.analysis.project`): made once per
opened store, in the background, and brought in step after an ingest or an update of data
rather than made again.

Making the projection reads the whole store: 15 s at a million triples, minutes at ten million,
longer than a request may run. So the first request that needs it starts it in a thread of the
worker and waits for it a while; if it is not ready by then, the answer is a 503 with
``Retry-After`` while the thread goes on, and the worker keeps answering other requests. A
projection begun for a store that a write has since made stale stops at its next step once the
worker begins one for the store it opened again.
"""

from __future__ import annotations

import threading
import time
import weakref
from typing import Any

import networkx as nx
import pyoxigraph as ox

from api.errors import ProtocolError
from api.workers import WRITES_AT_OPEN, Written, store_cache
from graph import analysis, projection_cache
from graph.cards import AmbiguousName, UnknownEntity, find_entity
from graph.store import Store

WAIT = {"seconds": 20.0}
"""How long a request waits for a projection being made before it answers 503; set per server
(below its deadline, so the wait never costs the worker its life)."""
_READY, _MAKING, _RANKING = "projection", "projection_in_the_making", "centrality_ranking"


_newest: list[weakref.ref[_Making]] = []
"""The projection this process began last. A worker begins one only for the store it has open, so an older
one is for a store a write made stale: it stops at its next step instead of taking a core for nothing."""


class _Making:
    """A projection being made in a background thread."""

    def __init__(self, store: Store) -> None:
        self.started = time.monotonic()
        self.done = threading.Event()
        self.graph: nx.MultiDiGraph | None = None
        self.error: BaseException | None = None
        _newest[:] = [weakref.ref(self)]  # weak: the projection made lives only as long as the store's caches hold it
        threading.Thread(target=self._make, args=(store,), daemon=True, name="aikg-projection").start()

    def _wanted(self) -> bool:
        return bool(_newest) and _newest[0]() is self

    def _make(self, store: Store) -> None:
        try:
            writes = store_cache(store).get(WRITES_AT_OPEN)
            if writes is None:
                self.graph = analysis.project(store, wanted=self._wanted)
            else:  # a worker's handle on a store on disk: the projection kept beside it, if it is of this store now
                self.graph = projection_cache.projection(store, writes, wanted=self._wanted, keep=False)
        except BaseException as exc:  # noqa: BLE001 - handed to the request that waits for it
            self.error = exc
        finally:
            self.done.set()


def cached_projection(store: Store) -> nx.MultiDiGraph:
    """The projection of ``store``: at once if made, else made in the background and waited for up to ``WAIT``.

    Raises ProtocolError 503 (with ``Retry-After``) when it is still being made after the wait.
    """
    cache = store_cache(store)
    ready = cache.get(_READY)
    if ready is not None:
        return ready
    making = cache.get(_MAKING)
    if making is None:
        making = cache[_MAKING] = _Making(store)
    making.done.wait(WAIT["seconds"])
    if not making.done.is_set():
        raise ProtocolError(503, f"the graph's network (the projection paths and neighbourhoods are read from) is still "
                                 f"being made: {time.monotonic() - making.started:.0f} s so far; ask again shortly",
                            retry_after=10)
    del cache[_MAKING]
    if isinstance(making.error, analysis.Abandoned):  # a newer projection was begun: the store changed meanwhile
        raise ProtocolError(503, "the graph changed while its network was being made; ask again", retry_after=1)
    if making.error is not None:
        raise making.error
    cache[_READY] = making.graph
    return making.graph


def cached_ranking(store: Store, graph: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """:func:`graph.analysis.ranking` of ``graph``, the store's projection: kept with the store until the graph changes
    (0.9 s at a million triples), for ``GET /centrality`` and the view's sizes."""
    cache = store_cache(store)
    made = cache.get(_RANKING)
    if made is None or made[0] is not graph:  # a projection made afresh is ranked afresh
        made = cache[_RANKING] = (graph, analysis.ranking(graph))
    return made[1]


def entity_named(store: Store, given: str, parameter: str) -> str:
    """The slug of the entity ``given`` stands for (its slug, IRI, name or alias), as ``aikg show`` takes it.

    ProtocolError naming ``parameter``: 404 with the closest slugs for none, 400 listing the entities a name several carry.
    """
    try:
        return find_entity(store, given)
    except UnknownEntity as exc:
        raise ProtocolError(404, f"{parameter}: {exc}") from None
    except AmbiguousName as exc:
        raise ProtocolError(400, f"{parameter}: {exc}") from None


def node_of(store: Store, graph: nx.MultiDiGraph, given: str, parameter: str) -> str:
    """The node of the projection ``graph`` that ``given`` names: a node's slug, else an entity's IRI, name or alias.

    ProtocolError naming ``parameter``: 404 with the closest slugs for none, 400 listing the entities a name several
    carry, 404 for an entity the projection leaves out (it has no class or name).
    """
    if given in graph:
        return given
    slug = entity_named(store, given, parameter)
    if slug not in graph:
        raise ProtocolError(404, f"{parameter}: {slug!r} is an entity the graph's projection leaves out (it has no class or name)")
    return slug


def follow(kept: dict[str, Any], change: Written | None, store: Store, shared: bool = False) -> None:
    """Give the freshly opened ``store`` the projection from before the write (in the ``kept`` caches), brought in step
    with its ``change``: extended with the quads it added, or with the nodes it touched read again from ``store``.

    ``shared``: reads in other threads may still be walking the old projection, so change a copy.
    """
    projection = kept.get(_READY)
    if projection is None or change is None or (change.added is None and change.touched is None):
        return
    if shared:
        projection = projection.copy()
    if change.added is not None:
        analysis.extend(projection, ox.parse(change.added, format=ox.RdfFormat.N_QUADS))
    else:
        analysis.reproject(projection, store, change.touched or ())
    store_cache(store)[_READY] = projection
