"""One writer of a store on disk at a time, across processes: a lock file beside the store.

RocksDB's own lock keeps two processes from holding one store read-write, but a build or a
load writes a new generation beside the live store and swaps it in: a write made to the live
store meanwhile (an update or an ingest through the server, ``aikg ingest``) would be dropped
by the swap. So every writer takes this lock first: every new generation for its whole life
(:class:`graph.store.Generation`: builds, loads, compactions), in-place writes for theirs, and a writer that finds it held waits a little, then gives up
naming who holds it. The lock is ``flock(2)`` on ``.STORE.write-lock`` beside the store's link
(so it outlives generations); the kernel releases it when its process ends, however it ends.

The lock orders processes. Within one process it is taken once and shared by every block that
asks for it, from any thread: a write through the server takes it, then writes through a
:class:`graph.store.Store` that asks for it again on each call.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from graph.store import MEMORY, StoreError, is_remote, resolve_location

SWAP_WAIT = 30.0
"""Seconds a build or a load waits for a write in progress (a write through the server takes seconds at most)."""
WRITE_WAIT = 5.0
"""Seconds an in-place write waits for another writer before it is refused (a load holds the lock for minutes)."""
RETRY_AFTER = 10
"""Seconds a refused write is told to wait before it tries again (HTTP ``Retry-After``)."""
_POLL = 0.05
_held: dict[Path, list[int]] = {}
"""The lock files this process holds: their descriptor and how many blocks hold each (the last one out lets go)."""
_holding = threading.Lock()


class StoreBusy(StoreError):
    """Another writer holds the store's write lock: try again later."""


def lock_path(location: str | os.PathLike[str] | None) -> Path | None:
    """The lock file of a store on disk (beside its link, in its real folder); None in memory or on a SPARQL server."""
    where = resolve_location(location)
    if where == MEMORY or is_remote(where):
        return None
    path = Path(os.path.abspath(where))
    return Path(os.path.realpath(path.parent)) / f".{path.name}.write-lock"


@contextmanager
def holding(location: str | os.PathLike[str] | None, what: str, wait: float) -> Iterator[None]:
    """Hold the store's write lock for the block; ``what`` is shown to writers that find it held.

    Waits up to ``wait`` seconds, then raises :class:`StoreBusy` naming the holder. Nothing to
    hold for a store in memory (one process) or on a SPARQL server (the server orders writes).
    """
    path = lock_path(location)
    if path is None:
        yield
        return
    _take(path, location, what, wait)
    try:
        yield
    finally:
        _let_go(path)


def _take(path: Path, location: str | os.PathLike[str] | None, what: str, wait: float) -> None:
    """Take the lock file's ``flock`` (or share it, if this process holds it), waiting up to ``wait`` seconds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline, fd = time.monotonic() + wait, None
    try:
        while True:
            with _holding:
                held = _held.get(path)
                if held is not None:
                    held[1] += 1
                    return
                if fd is None:
                    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    pass
                else:
                    os.ftruncate(fd, 0)
                    os.pwrite(fd, f"{what} (pid {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S')})".encode(), 0)
                    _held[path], fd = [fd, 1], None
                    return
            if time.monotonic() >= deadline:
                holder = os.pread(fd, 500, 0).decode("utf-8", "replace").strip() or "another process"
                raise StoreBusy(f"{resolve_location(location)}: {holder} is writing the store; "
                                f"retry when it is done (waited {wait:g} s)")
            time.sleep(_POLL)
    finally:
        if fd is not None:
            os.close(fd)


def _let_go(path: Path) -> None:
    with _holding:
        held = _held[path]
        held[1] -= 1
        if held[1]:
            return
        del _held[path]
    os.ftruncate(held[0], 0)
    fcntl.flock(held[0], fcntl.LOCK_UN)
    os.close(held[0])
