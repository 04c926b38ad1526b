"""The networkx projection kept on disk beside a store, by the commands that need it (``aikg path``, ``aikg central``);
a server's query workers read it too.

Projecting a million-triple store takes some 20 s; reading the projection back from a file takes
under a second (and a worker holding it read back takes 350 MB where one that projected the store takes 550). The file (``.STORE.projection`` beside the store's link and lock) holds one
projection, with a first line naming what it was made from: the store's generation (a build, a
load or a compaction makes a new one), its count of in-place writes (every write through aikg
moves it: :mod:`graph.write_count`), and the code that made it. A projection is read back only
when all three are those of the store now, so a change to the store or an upgrade of aikg makes
the next command project afresh (and keep that). Writing the file is best effort: a store one
may read but not write beside is projected every time.

The file is Python's pickle of the graph, which runs code when read: it is only ever read from
beside a store, where whoever could write it could write the store itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path

import networkx as nx

from graph import analysis, cards, write_count
from graph.store import Store
from graph.write_lock import lock_path
from ontology import ONTOLOGY_FILE


def path_of(location: str | os.PathLike[str] | None) -> Path | None:
    """The file a store's projection is kept in; None in memory or on a SPARQL server."""
    lock = lock_path(location)
    return None if lock is None else lock.with_name(lock.name.removesuffix(".write-lock") + ".projection")


def writes_before_opening(location: str | os.PathLike[str] | None) -> int:
    """The store's count of writes, read before it is opened: a projection of what the opened handle sees is then
    of that count or later, never of an earlier one (the safe side: a later read of the file is a miss)."""
    return write_count.writes(location)


def projection(store: Store, writes: int, step: Callable[[str], None] | None = None,
               wanted: Callable[[], bool] | None = None, keep: bool = True) -> nx.MultiDiGraph:
    """The projection of ``store`` (opened after its count of writes was ``writes``): read from the file kept beside
    it when that was made from the same generation, count and code, else made (and kept, unless ``keep`` is False:
    writing it holds some 100 MB more for a second at a million triples, which a server's worker does not spend).

    ``step`` and ``wanted`` as :func:`graph.analysis.project` takes them.
    """
    path, key = path_of(store.location), _key(store, writes)
    if path is None or key is None:
        return analysis.project(store, step=step, wanted=wanted)
    if step is not None:
        step("read the graph's projection kept beside the store")
    kept = _read(path, key)
    if kept is not None:
        return kept
    graph = analysis.project(store, step=step, wanted=wanted)
    if keep and write_count.writes(store.location) == writes and os.path.realpath(store.location) == store.generation:
        if step is not None:
            step("keep the projection beside the store")
        _write(path, key, graph)  # nothing was written meanwhile: the projection is of this key
    return graph


def _key(store: Store, writes: int) -> dict[str, object] | None:
    if store.generation is None:
        return None
    return {"generation": os.path.basename(store.generation), "writes": writes, "code": _code()}


def _code() -> str:
    """A digest of what shapes a projection besides the data: the code that makes it, the ontology's class tree, networkx."""
    digest = hashlib.sha256(nx.__version__.encode())
    for part in (Path(analysis.__file__), Path(cards.__file__), ONTOLOGY_FILE):
        digest.update(part.read_bytes())
    return digest.hexdigest()[:16]


def _read(path: Path, key: dict[str, object]) -> nx.MultiDiGraph | None:
    try:
        with path.open("rb") as file, analysis.collector_paused():
            if json.loads(file.readline()) != key:
                return None
            graph = pickle.load(file)
    except (OSError, ValueError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None  # missing, of another store or version, or cut short: projected afresh
    return graph if isinstance(graph, nx.MultiDiGraph) else None


def _write(path: Path, key: dict[str, object], graph: nx.MultiDiGraph) -> None:
    """Write the file whole under another name and rename it over the old one, so a reader never sees half of one."""
    try:
        file = tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=path.name + ".", delete=False)
    except OSError:
        return
    try:
        with file:
            file.write(json.dumps(key).encode() + b"\n")
            pickle.dump(graph, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(file.name, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(file.name)
