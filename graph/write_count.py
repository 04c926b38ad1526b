"""How many in-place writes a store on disk has taken: how a reader in another process learns the store changed.

A build, a load or a compaction swaps in a new generation, and a reader sees that from the
store's link. An in-place write (an update or an ingest, from the server, ``aikg ingest`` or a
Python program) leaves the link as it was, and a read-only handle opened before it does not
see it. So every in-place write counts itself in a small file beside the store's link
(``.STORE.writes``), while it holds the write lock; the server's query workers read the count
before each task and open the store again when it moved.

The count only ever changes under the write lock, and it is replaced whole (a new file renamed
over the old), so a reader never sees half of one. A missing file counts 0.

A write that only added quads (``Store.add``: what ``aikg ingest`` writes) leaves them too, as
N-Quads in ``.STORE.changes/COUNT.nq``; a write that knows the nodes it changed (an update through
:func:`graph.updates.apply_update`, as the server and ``graph.update`` run it) leaves their IRIs,
one a line, in ``.STORE.changes/COUNT.nodes``. Either is written before the count moves to COUNT;
the last :data:`KEEP_CHANGES` are kept. A reader whose caches were made at count M then brings
them in step with what changed since (:func:`changes_since`) instead of making them afresh:
milliseconds where reading a million-triple store again takes 15 s. A write that leaves no record
removes any record of its count first, so a record is only ever of the write that made its count.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from graph.write_lock import lock_path

_log = logging.getLogger("aikg")
_counting = threading.Lock()
"""The write lock is shared by the threads of a process (:mod:`graph.write_lock`); this orders their counts."""


def count_path(location: str | os.PathLike[str] | None) -> Path | None:
    """The file holding the count of a store on disk (beside its lock file); None in memory or on a SPARQL server."""
    lock = lock_path(location)
    return None if lock is None else lock.with_name(lock.name.removesuffix(".write-lock") + ".writes")


def writes(location: str | os.PathLike[str] | None) -> int:
    """How many in-place writes the store has counted (0 before the first, or if the count cannot be read)."""
    return read(count_path(location))


def read(path: Path | None) -> int:
    """The count in ``path`` (:func:`count_path`): one file read, for a reader that checks before every task."""
    if path is None:
        return 0
    try:
        return int(path.read_bytes() or b"0")
    except (OSError, ValueError):
        return 0


def count_write(location: str | os.PathLike[str] | None, added: bytes | None = None,
                touched: frozenset[str] | None = None) -> None:
    """Count one more in-place write; the caller holds the store's write lock and has committed the write.

    ``added``: the N-Quads the write added, when adding them is all it did; else ``touched``: the
    IRIs of every node whose quads it added or removed, when known (see the module docstring).
    A count that cannot be written is logged, not raised: the write itself stands, and only
    readers in other processes miss it until they open the store again.
    """
    path = count_path(location)
    if path is None:
        return
    fresh = path.with_name(f"{path.name}.{os.getpid()}")
    try:
        with _counting:
            count = read(path) + 1
            _record(path, count, added, touched)
            fresh.write_bytes(b"%d\n" % count)
            os.replace(fresh, path)
    except OSError as exc:
        _log.warning("aikg: %s: the write was made, but its count could not be written (%s); "
                     "a server serving the store sees it after its next write or restart", path, exc)


KEEP_CHANGES = 32
"""How many of the last writes keep their record (a reader further behind makes its caches afresh)."""
RECORD_QUADS = 10_000
"""A write that adds more quads than this leaves no record (readers make their caches afresh): a fact file adds
tens to hundreds, and the records on disk stay under some 64 MB however big the writes."""


def changes_path(count_file: Path) -> Path:
    """The folder of the records of what each write changed, beside the count."""
    return count_file.with_name(count_file.name.removesuffix(".writes") + ".changes")


@dataclass(frozen=True)
class Change:
    """What the writes between two counts changed: the quads they added, when adding is all they did; else the
    IRIs of every node whose quads they added or removed."""

    added: bytes | None = None
    touched: frozenset[str] | None = None


def changes_since(path: Path | None, since: int, now: int) -> Change | None:
    """What the writes after count ``since`` up to ``now`` changed, if each of them left its record; else None
    (what changed is not known)."""
    if path is None or not 0 <= since < now or now - since > KEEP_CHANGES:
        return None
    folder, added, touched = changes_path(path), [], set()
    only_added = True
    for count in range(since + 1, now + 1):
        try:
            added.append((folder / f"{count}.nq").read_bytes())
            continue
        except OSError:
            pass
        try:
            nodes = (folder / f"{count}.nodes").read_text(encoding="utf-8")
        except OSError:
            return None
        only_added = False
        touched.update(line for line in nodes.splitlines() if line)
    if only_added:
        return Change(added=b"".join(added))
    import pyoxigraph as ox  # only here: a reader that never follows an update need not load it

    for quad in ox.parse(b"".join(added), format=ox.RdfFormat.N_QUADS):
        touched.update(term.value for term in (quad.subject, quad.object) if isinstance(term, ox.NamedNode))
    return Change(touched=frozenset(touched))


def _record(path: Path, count: int, added: bytes | None, touched: frozenset[str] | None) -> None:
    """Leave (or, for a write with no record, remove) the record of the write that makes the count ``count``."""
    folder = changes_path(path)
    nodes = None if added is not None or touched is None else "".join(f"{iri}\n" for iri in sorted(touched)).encode()
    records = {"nq": added, "nodes": nodes}
    if all(record is None for record in records.values()) and not folder.exists():
        return
    folder.mkdir(exist_ok=True)
    for kind, record in records.items():
        target = folder / f"{count}.{kind}"
        if record is None:
            target.unlink(missing_ok=True)
        else:
            fresh = folder / f".{count}.{kind}.{os.getpid()}"
            fresh.write_bytes(record)
            os.replace(fresh, target)
        (folder / f"{count - KEEP_CHANGES}.{kind}").unlink(missing_ok=True)
