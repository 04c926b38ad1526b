"""Run a read task for a request on the app's executor, under the configured deadline."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from fastapi import Request

from api.workers import Task


async def read(request: Request, task: Task, *args: Any) -> Any:
    """``task(store, *args)`` in a query worker; DeadlineExceeded past the server's deadline."""
    state = request.app.state
    return await state.executor.read(task, *args, deadline=state.config.deadline)


async def read_cached(request: Request, task: Task, *args: Any, keep: int = 4096) -> Any:
    """Like :func:`read`, but the answer is kept in the server process for as long as the graph does not change.

    For tasks whose answers are immutable (bytes) and asked again and again, such as entity
    cards: a hit costs no trip to a worker. The ``keep`` most recently used answers are kept;
    any write, build or load (the executor's ``version()``) makes them stale.
    """
    state = request.app.state
    cache: OrderedDict[tuple[Any, ...], tuple[Any, Any]] | None = getattr(state, "read_cache", None)
    if cache is None:
        cache = state.read_cache = OrderedDict()
    key, version = (task.__module__, task.__qualname__, *args), state.executor.version()
    hit = cache.get(key)
    if hit is not None and hit[0] == version:
        cache.move_to_end(key)
        return hit[1]
    value = await read(request, task, *args)
    cache[key] = (version, value)
    cache.move_to_end(key)
    if len(cache) > keep:
        cache.popitem(last=False)
    return value
