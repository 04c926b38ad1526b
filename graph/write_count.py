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
N-Quads in ``.STORE.changes/COUNT.nq``, written before the count moves to COUNT; the last
:data:`KEEP_CHANGES` are kept. A reader whose caches were made at count M then brings them in
step with the quads added since (:func:`added_since`) instead of making them afresh: milliseconds
where reading a million-triple store again takes 15 s. A write that leaves no record (an update)
removes any record of its count first, so a record is only ever of the write that made its count.
"""

from __future__ import annotations

import logging
import os
import threading
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


def count_write(location: str | os.PathLike[str] | None, added: bytes | None = None) -> None:
    """Count one more in-place write; the caller holds the store's write lock and has committed the write.

    ``added``: the N-Quads the write added, when adding them is all it did (see the module docstring).
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
            _record(path, count, added)
            fresh.write_bytes(b"%d\n" % count)
            os.replace(fresh, path)
    except OSError as exc:
        _log.warning("aikg: %s: the write was made, but its count could not be written (%s); "
                     "a server serving the store sees it after its next write or restart", path, exc)


KEEP_CHANGES = 32
"""How many of the last writes keep their record of added quads (a reader further behind makes its caches afresh)."""
RECORD_QUADS = 10_000
"""A write that adds more quads than this leaves no record (readers make their caches afresh): a fact file adds
tens to hundreds, and the records on disk stay under some 64 MB however big the writes."""


def changes_path(count_file: Path) -> Path:
    """The folder of the records of added quads, beside the count."""
    return count_file.with_name(count_file.name.removesuffix(".writes") + ".changes")


def added_since(path: Path | None, since: int, now: int) -> bytes | None:
    """The N-Quads the writes after count ``since`` up to ``now`` added, if each of them only added quads
    and left its record; else None (what changed is not known)."""
    if path is None or not 0 <= since < now or now - since > KEEP_CHANGES:
        return None
    folder, added = changes_path(path), []
    for count in range(since + 1, now + 1):
        try:
            added.append((folder / f"{count}.nq").read_bytes())
        except OSError:
            return None
    return b"".join(added)


def _record(path: Path, count: int, added: bytes | None) -> None:
    """Leave (or, for a write with no record, remove) the record of the write that makes the count ``count``."""
    folder = changes_path(path)
    record = folder / f"{count}.nq"
    if added is None:
        record.unlink(missing_ok=True)
        return
    folder.mkdir(exist_ok=True)
    fresh = folder / f".{count}.nq.{os.getpid()}"
    fresh.write_bytes(added)
    os.replace(fresh, record)
    (folder / f"{count - KEEP_CHANGES}.nq").unlink(missing_ok=True)
