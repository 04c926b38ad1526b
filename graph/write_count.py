"""How many in-place writes a store on disk has taken: how a reader in another process learns the store changed.

A build, a load or a compaction swaps in a new generation, and a reader sees that from the
store's link. An in-place write (an update or an ingest, from the server, ``aikg ingest`` or a
Python program) leaves the link as it was, and a read-only handle opened before it does not
see it. So every in-place write counts itself in a small file beside the store's link
(``.STORE.writes``), while it holds the write lock; the server's query workers read the count
before each task and open the store again when it moved.

The count only ever changes under the write lock, and it is replaced whole (a new file renamed
over the old), so a reader never sees half of one. A missing file counts 0.
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


def count_write(location: str | os.PathLike[str] | None) -> None:
    """Count one more in-place write; the caller holds the store's write lock and has committed the write.

    A count that cannot be written is logged, not raised: the write itself stands, and only
    readers in other processes miss it until they open the store again.
    """
    path = count_path(location)
    if path is None:
        return
    fresh = path.with_name(f"{path.name}.{os.getpid()}")
    try:
        with _counting:
            fresh.write_bytes(b"%d\n" % (read(path) + 1))
            os.replace(fresh, path)
    except OSError as exc:
        _log.warning("aikg: %s: the write was made, but its count could not be written (%s); "
                     "a server serving the store sees it after its next write or restart", path, exc)
