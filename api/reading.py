"""Run a read task for a request on the app's executor, under the configured deadline."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from api.workers import Task


async def read(request: Request, task: Task, *args: Any) -> Any:
    """``task(store, *args)`` in a query worker; DeadlineExceeded past the server's deadline."""
    state = request.app.state
    return await state.executor.read(task, *args, deadline=state.config.deadline)
