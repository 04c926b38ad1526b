"""What the commands keep on disk beside a store so as not to read it all again: the networkx projection (``aikg
path``, ``aikg central``, ``aikg view``; a server's query workers read it too) and the graph view's details.

Projecting a million-triple store takes some 10 s; reading the projection back from a file takes
under a second (and a worker holding it read back takes 350 MB where one that projected the store takes 550).
The view's details (every event's figures and roles, every source document) take 7 s to read
from the store there and half a second from their file. Each file (``.STORE.projection``,
``.STORE.view-details`` beside the store's link and lock) holds one value, with a first line
naming what it was made from: the store's generation (a build, a load or a compaction makes a
new one), its count of in-place writes (every write through aikg moves it:
:mod:`graph.write_count`), and the code that made it. A value is read back only when all three
are those of the store now, so a change to the store or an upgrade of aikg makes the next
command read the store afresh (and keep that). Writing the file is best effort: a store one may
read but not write beside is read every time.

The files are Python's pickle, which runs code when read: they are only ever read from beside a
store, where whoever could write them could write the store itself.
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
from typing import TYPE_CHECKING, Any, TypeVar

import networkx as nx

from graph import analysis, cards, write_count
from graph.collector import collector_paused
from graph.store import Store
from graph.write_lock import lock_path
from ontology import ONTOLOGY_FILE

if TYPE_CHECKING:
    from graph.view.details import Details

T = TypeVar("T")
KEPT = {"projection": "the graph's projection", "view-details": "the view's details"}
"""What is kept beside a store (the suffix of its file), and how progress names it."""


def path_of(location: str | os.PathLike[str] | None, what: str = "projection") -> Path | None:
    """The file a store's projection (or another of :data:`KEPT`) is kept in; None in memory or on a SPARQL server."""
    lock = lock_path(location)
    return None if lock is None else lock.with_name(f"{lock.name.removesuffix('.write-lock')}.{what}")


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
    return _kept(store, writes, "projection", lambda: analysis.project(store, step=step, wanted=wanted), nx.MultiDiGraph,
                 step, keep)


def view_details(store: Store, writes: int, step: Callable[[str], None] | None = None, keep: bool = True) -> Details:
    """The graph view's details of ``store`` (:func:`graph.view.details.read_details`), kept beside it as the projection
    is (``keep`` as :func:`projection` takes it)."""
    from graph.view.details import Details, read_details

    return _kept(store, writes, "view-details", lambda: read_details(store), Details, step, keep)


def _kept(store: Store, writes: int, what: str, make: Callable[[], T], kind: type[T],
          step: Callable[[str], None] | None, keep: bool) -> T:
    """The value ``make`` gives for ``store``, read from its file of :data:`KEPT` when that is of the same key, else
    made (and kept, with ``keep``, if nothing was written to the store meanwhile)."""
    path, key = path_of(store.location, what), _key(store, writes)
    if path is None or key is None:
        return make()
    if step is not None:
        step(f"read {KEPT[what]} kept beside the store")
    kept = _read(path, key, kind)
    if kept is not None:
        return kept
    made = make()
    if keep and write_count.writes(store.location) == writes and os.path.realpath(store.location) == store.generation:
        if step is not None:
            step(f"keep {KEPT[what]} beside the store")
        _write(path, key, made)  # nothing was written meanwhile: the value is of this key
    return made


def _key(store: Store, writes: int) -> dict[str, object] | None:
    if store.generation is None:
        return None
    return {"generation": os.path.basename(store.generation), "writes": writes, "code": _code()}


def _code() -> str:
    """A digest of what shapes a kept value besides the data: the code that makes it, the ontology's class tree, networkx."""
    digest = hashlib.sha256(nx.__version__.encode())
    for part in (Path(analysis.__file__), Path(cards.__file__), Path(analysis.__file__).parent / "view" / "details.py",
                 ONTOLOGY_FILE):
        digest.update(part.read_bytes())
    return digest.hexdigest()[:16]


def _read(path: Path, key: dict[str, object], kind: type[T]) -> T | None:
    try:
        with path.open("rb") as file, collector_paused():
            if json.loads(file.readline()) != key:
                return None
            value = pickle.load(file)
    except (OSError, ValueError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None  # missing, of another store or version, or cut short: read afresh
    return value if isinstance(value, kind) else None


def _write(path: Path, key: dict[str, object], value: Any) -> None:
    """Write the file whole under another name and rename it over the old one, so a reader never sees half of one."""
    try:
        file = tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=path.name + ".", delete=False)
    except OSError:
        return
    try:
        with file:
            file.write(json.dumps(key).encode() + b"\n")
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(file.name, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(file.name)
