"""Run store work under a deadline in worker processes that can be killed.

pyoxigraph cannot interrupt a running query from inside the process, so every read runs in
one of a small pool of worker processes, each holding the store open read-only. A request
past its deadline kills its worker and a fresh one takes its place; the other workers keep
answering. Writes (SPARQL Update) are exclusive: the pool waits for running reads, every
worker closes the store, one worker opens it read-write, applies the update and closes it,
and readers reopen on their next task. A worker also reopens when a build swaps in a new
generation of the store (the store path then resolves to a new directory), and when another
process wrote the store in place (``aikg ingest``, a Python program): every in-place write
counts itself beside the store (:mod:`graph.write_count`), and a worker reads the count before
each task. The caches follow such a write when it recorded the quads it added (``aikg ingest``
does), and are made afresh after any other.

After an ingest (a write that only adds quads) each worker extends its networkx projection with
the quads written instead of dropping it; after an update of ``INSERT DATA`` and ``DELETE DATA``
it reads again only the nodes the update named; the view's details and the search index read
again what either names.
After any other write the caches are made afresh (the projection in the background: :mod:`api.projection`).

Tradeoffs: each worker costs a process and its own caches (labels, the networkx projection),
a killed query loses its worker's warm caches, and an update waits for the reads in flight
(at most one deadline). An in-memory store cannot be shared between processes, so it is
served by :class:`InlineExecutor`, in-process and without a deadline (for tests and demos).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing as mp
import os
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import anyio.to_thread
import pyoxigraph as ox

from graph import recovery, write_count, write_lock
from graph.store import (MEMORY, READ_RETRY_SECONDS, Store, StoreError, content_origin, open_store, read_again_if_vanished,
                         vanished_file)

_log = logging.getLogger("aikg")
Task = Callable[..., Any]
"""A picklable top-level function ``task(store, *args)``; its result must be picklable."""


class DeadlineExceeded(TimeoutError):
    """A request ran past its deadline; its worker was stopped."""


WRITES_AT_OPEN = "writes_at_open"
"""Where a worker notes, in the caches of a store it opened, the store's count of writes read just before opening it."""


def store_cache(store: Store) -> dict[str, Any]:
    """A dict that lives as long as this opened store; indexes derived from the graph go here."""
    return store.__dict__.setdefault("_api_cache", {})


@dataclass
class Written:
    """A write task's answer together with what it changed, when that is known.

    The readers then bring their cached projection in step with the change (milliseconds)
    instead of reading the whole store again (15 s at a million triples).
    """

    answer: Any
    added: bytes | None = None
    """The quads added, as N-Quads, when adding them is all the write did."""
    touched: frozenset[str] | None = None
    """Otherwise, the IRIs of every node whose quads the write added or removed (read again from the store)."""

    def named(self) -> frozenset[str] | None:
        """The IRIs the write's quads name (subjects and objects), if known: what a cache keyed by node reads again."""
        if self.touched is not None:
            return self.touched
        if self.added is None:
            return None
        return frozenset(term.value for q in ox.parse(self.added, format=ox.RdfFormat.N_QUADS)
                         for term in (q.subject, q.object) if isinstance(term, ox.NamedNode))


def _kept_caches(store: Store | None) -> dict[str, Any]:
    """What ``store``'s caches hold before a write, for the caches that can follow the write's change."""
    return dict(store_cache(store)) if store is not None else {}


def _follow(kept: dict[str, Any], change: Written | None, store: Store, shared: bool = False) -> None:
    """Carry the caches that can follow a known ``change`` over to the freshly opened ``store``."""
    from api import projection, rest_entities, view_routes  # they build on this module

    for follow in (projection.follow, view_routes.follow, rest_entities.follow):
        try:
            follow(kept, change, store, shared)
        except Exception as exc:  # noqa: BLE001 - that cache is made afresh on its next use; the write itself stands
            _log.warning("aikg: a cache could not follow the write (%s: %s); it is made afresh when next needed",
                         follow.__module__, exc)


class InlineExecutor:
    """Runs tasks in this process on one open store, with no deadline (in-memory stores)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = asyncio.Lock()
        self._writes = 0

    def version(self) -> tuple[Any, ...]:
        """Changes whenever the graph the reads see may have changed (after every write)."""
        return (self._writes,)

    async def read(self, task: Task, *args: Any, deadline: float | None = None) -> Any:
        return await self._call(deadline, task, *args)

    async def write(self, task: Task, *args: Any, deadline: float | None = None) -> Any:
        async with self._lock:
            kept, change = _kept_caches(self.store), None
            try:
                result = await self._call(deadline, task, *args)
                if isinstance(result, Written):
                    change, result = result, result.answer
                return result
            finally:
                self._writes += 1
                store_cache(self.store).clear()
                _follow(kept, change, self.store, shared=True)

    async def _call(self, deadline: float | None, task: Task, *args: Any) -> Any:
        return await anyio.to_thread.run_sync(task, self.store, *args)

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None


class RemoteExecutor(InlineExecutor):
    """Runs tasks in threads of this process on a remote store (a SPARQL server), under the deadline.

    The engine runs elsewhere, so nothing here needs killing: past its deadline a request
    answers 503 at once, and the store's HTTP timeout (the same deadline) ends the abandoned
    thread's wait. Other requests and ``/health`` run in threads of their own meanwhile.
    """

    async def _call(self, deadline: float | None, task: Task, *args: Any) -> Any:
        return await _within(deadline, task, self.store, *args)


async def _within(deadline: float | None, task: Task, *args: Any) -> Any:
    started = time.monotonic()
    try:
        with anyio.fail_after(deadline):
            return await anyio.to_thread.run_sync(task, *args, abandon_on_cancel=True)
    except TimeoutError:
        raise DeadlineExceeded(
            f"the request ran past its deadline of {deadline:g} s and was stopped"
            f" (after {time.monotonic() - started:.1f} s); narrow it or add LIMIT"
        ) from None


@dataclass
class _Worker:
    process: mp.process.BaseProcess
    conn: Connection


class WorkerPool:
    """A pool of worker processes over a store on disk; see the module docstring."""

    def __init__(self, location: str | os.PathLike[str], size: int = 2, projection_wait: float = 20.0) -> None:
        if str(location) == MEMORY:
            raise ValueError("a worker pool needs a store on disk; use InlineExecutor for :memory:")
        self.location = str(location)
        self.size = max(1, size)
        self.projection_wait = projection_wait
        self._ctx = mp.get_context("spawn")  # fork would copy the server's threads and locks
        self._generation = self._ctx.Value("q", 0, lock=False)  # writes are serialised by _write_lock
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._open_gate = asyncio.Event()
        self._write_lock = asyncio.Lock()
        self._workers: list[_Worker] = []
        self._origins: dict[str, str] = {}
        """For each generation the link has pointed to, the first with the same quads (see :func:`content_origin`)."""
        self._counted = write_count.count_path(self.location)
        """The file that counts the store's writes in place, by this server or another process."""

    async def start(self) -> None:
        """Start the workers and wait until each can answer."""
        for _ in range(self.size):
            worker = self._spawn()
            self._workers.append(worker)
        for worker in self._workers:
            await anyio.to_thread.run_sync(self._ping, worker)
            self._idle.put_nowait(worker)
        self._open_gate.set()

    async def close(self) -> None:
        """Stop every worker."""
        for worker in self._workers:
            try:
                worker.conn.send(None)
            except OSError:
                pass
        for worker in self._workers:
            await anyio.to_thread.run_sync(worker.process.join, 2)
            if worker.process.is_alive():
                worker.process.kill()
        self._workers.clear()

    def version(self) -> tuple[Any, ...]:
        """Changes whenever the graph the workers read may have changed: after a write through the
        pool or by another process, or when a build or load swaps in a new generation (the path
        resolves elsewhere; not after a compaction, whose generation holds the same quads)."""
        try:
            swapped_in = os.readlink(self.location)  # one system call: the store path is a link to its generation
        except OSError:
            swapped_in = self.location
        origin = self._origins.get(swapped_in)
        if origin is None:  # read once a generation
            origin = self._origins[swapped_in] = content_origin(os.path.join(os.path.dirname(self.location), swapped_in))
        return (origin, self._generation.value, write_count.read(self._counted))

    async def read(self, task: Task, *args: Any, deadline: float | None = None) -> Any:
        """Run ``task(store, *args)`` in a worker; raise DeadlineExceeded after ``deadline`` seconds."""
        await self._open_gate.wait()
        worker = await self._idle.get()
        try:
            return await self._run(worker, "read", task, args, deadline)
        finally:
            self._release(worker)

    async def write(self, task: Task, *args: Any, deadline: float | None = None) -> Any:
        """Run ``task(store, *args)`` with the store opened read-write, while no read runs."""
        async with self._write_lock:
            self._open_gate.clear()
            held = [await self._idle.get() for _ in range(self.size)]
            change, counted = None, (None, None)
            try:
                for worker in held[1:]:
                    await self._run(worker, "close", None, (), 10)
                try:
                    result, *counted = await self._run(held[0], "write", task, args, deadline)
                except DeadlineExceeded:
                    # The writer was killed: what it had not committed is gone, but a change it had
                    # committed may still lack its derived edges. Its fresh successor brings them in step;
                    # should that fail too, the marker stays and the next start repairs the store.
                    with contextlib.suppress(Exception):
                        await self._run(held[0], "write", recovery.repair, (), None)
                    raise
                if isinstance(result, Written):
                    change, result = result, result.answer
                return result
            finally:
                self._generation.value += 1
                for worker in held:
                    await self._reopen(worker, change, *counted)
                    self._release(worker)
                self._open_gate.set()

    # -- internals ---------------------------------------------------------------------------

    async def _reopen(self, worker: _Worker, change: Written | None, before: int | None, after: int | None) -> None:
        """After a write: the worker reopens the store, keeping its projection if the write's ``change`` is known.

        ``before`` and ``after``: the store's count of writes just before the write and just after
        it (:mod:`graph.write_count`); a worker whose caches were made before ``before`` missed
        another process's write, and makes them afresh.
        """
        if not worker.process.is_alive():
            return
        try:
            await self._run(worker, "reopen", None, (change, before, after), 300)
        except Exception:  # noqa: BLE001 - the worker then builds its caches afresh on its next read
            pass

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(
            target=_serve, args=(self.location, child, self._generation, self.projection_wait), daemon=True,
            name="aikg-query-worker",
        )
        process.start()
        child.close()
        return _Worker(process, parent)

    def _ping(self, worker: _Worker) -> None:
        worker.conn.send(("ping", None, ()))
        if not worker.conn.poll(60):
            raise StoreError("a query worker did not start within 60 s")
        status, value = worker.conn.recv()
        if status != "ok":
            raise value

    def _release(self, worker: _Worker) -> None:
        if not worker.process.is_alive():
            worker = self._replace(worker)
        self._idle.put_nowait(worker)

    def _replace(self, worker: _Worker) -> _Worker:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        # Refill the same slot so every reference to it (the pool list, the caller) sees the fresh process.
        fresh = self._spawn()
        worker.process, worker.conn = fresh.process, fresh.conn
        return worker

    async def _run(self, worker: _Worker, mode: str, task: Task | None, args: tuple, deadline: float | None) -> Any:
        started = time.monotonic()
        worker.conn.send((mode, task, args))
        ready = await anyio.to_thread.run_sync(worker.conn.poll, deadline)
        if not ready:
            self._replace(worker)
            raise DeadlineExceeded(
                f"the request ran past its deadline of {deadline:g} s and was stopped"
                f" (after {time.monotonic() - started:.1f} s); narrow it or add LIMIT"
            )
        try:
            status, value = worker.conn.recv()
        except (EOFError, OSError) as exc:
            self._replace(worker)
            raise StoreError(f"the query worker stopped unexpectedly: {exc}") from exc
        if status == "ok":
            return value
        raise value


def _reopen(location: str, store: Store | None, opened_as: tuple[str, int, int] | None,
            writes: tuple[int, int]) -> tuple[Store, tuple[str, int, int]]:
    """Open the live store read-only again; the caches of ``store`` go with it when no write came in
    between (``writes``: the pool's count and the store's, read before opening) and the new
    generation holds the same quads (a compaction swapped it in). When the writes in between were
    another process's and each left its record (the quads ``aikg ingest`` added, the nodes an update through
    ``graph.update`` touched; see :func:`graph.write_count.changes_since`), the caches follow them instead of
    being made afresh."""
    fresh = open_store(location, read_only=True)
    assert fresh.generation is not None
    if (store is not None and opened_as is not None
            and content_origin(opened_as[0]) == content_origin(fresh.generation)):
        if opened_as[1:] == writes:
            store_cache(fresh).update(store_cache(store))
        elif opened_as[1] == writes[0]:
            change = write_count.changes_since(write_count.count_path(location), opened_as[2], writes[1])
            if change is not None:
                _follow(_kept_caches(store), Written(None, added=change.added, touched=change.touched), fresh)
    store_cache(fresh)[WRITES_AT_OPEN] = writes[1]  # what the projection kept beside the store is checked against
    return fresh, (fresh.generation, *writes)


def _serve(location: str, conn: Connection, generation: Any, projection_wait: float) -> None:
    """The worker loop: receive (mode, task, args), answer ("ok", result) or ("error", exception)."""
    from api import projection

    projection.WAIT["seconds"] = projection_wait
    store: Store | None = None
    opened_as: tuple[str, int, int] | None = None
    """The generation ``store`` opened, and the pool's and the store's counts of writes read just before."""
    kept: dict[str, Any] = {}  # the caches from before a write, until it is known whether the write's change is known
    kept_at: int | None = None  # the store's count of writes when the caches kept were made
    counted = write_count.count_path(location)
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        mode, task, args = message
        try:
            if mode == "ping":
                result: Any = os.getpid()
            elif mode == "close":
                kept, kept_at = _kept_caches(store), opened_as[2] if opened_as else None
                store, opened_as, result = None, None, None
            elif mode == "write":
                if store is not None:
                    kept, kept_at = _kept_caches(store), opened_as[2] if opened_as else None
                store, opened_as = None, None
                with write_lock.holding(location, "a write through aikg serve", write_lock.WRITE_WAIT):
                    before = write_count.read(counted)
                    writable = open_store(location)
                    if writable.read_only:
                        raise StoreError(f"{location}: another process holds the store read-write; updates are refused")
                    try:
                        answer = task(writable, *args)
                    finally:
                        writable.close()
                    result = (answer, before, write_count.read(counted))
            elif mode == "reopen":
                change, before, after = args
                if kept and change is not None and kept_at == before:  # else another process wrote meanwhile
                    store = open_store(location, read_only=True)
                    opened_as = (store.generation, generation.value, after)
                    _follow(kept, change, store)
                    store_cache(store)[WRITES_AT_OPEN] = after
                kept, kept_at, result = {}, None, None
            else:
                stale = False  # another process compacted away a file under the handle: open a fresh one

                def read() -> Any:
                    nonlocal store, opened_as
                    current = (os.path.realpath(location), generation.value, write_count.read(counted))
                    if store is None or opened_as != current or stale:
                        # The caches go with it unless the counts of writes moved.
                        store, opened_as = _reopen(location, store, opened_as, current[1:])
                    return task(store, *args)

                def afresh() -> None:
                    nonlocal stale
                    stale = True

                try:
                    result = read_again_if_vanished(read, afresh)
                except Exception as exc:
                    if not vanished_file(exc):
                        raise
                    raise StoreError(f"{location}: another process is compacting the store, and it removed files "
                                     f"under every read for {READ_RETRY_SECONDS:g} s; retry") from exc
            reply: tuple[str, Any] = ("ok", result)
        except Exception as exc:  # every failure goes back to the request that caused it
            reply = ("error", exc)
        try:
            conn.send(reply)
        except (pickle.PicklingError, TypeError, AttributeError):
            conn.send(("error", RuntimeError(str(reply[1]))))
