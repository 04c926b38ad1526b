"""``/health``: a liveness answer that a busy server still gives at once.

The number of quads needs a read of the store, and every read goes through the query workers,
which slow queries may all be holding. So the count is refreshed by at most one read at a time
and a probe waits for it only briefly: when the workers are busy, /health answers with the last
count it knows and says it is not current, instead of queueing behind the slow queries.
"""

from __future__ import annotations

import asyncio
from typing import Any

from api.workers import DeadlineExceeded

WAIT_S = 1.0
"""How long a probe waits for a fresh count before answering with the last one."""


class QuadCount:
    """The store's size, as fresh as the workers allow."""

    def __init__(self, executor: Any, deadline: float, wait: float = WAIT_S) -> None:
        self._executor = executor
        self._deadline = deadline
        self._wait = wait
        self._refresh: asyncio.Future[int] | None = None
        self.last: int | None = None

    async def current(self) -> tuple[int | None, bool]:
        """``(quads, current)``: the count, and whether it was read just now.

        The first probe waits for its count (a server that just started has idle workers).

        Raises what the store raises when it cannot be read at all (a broken store is not
        healthy); a read that only waited for busy workers is not an error.
        """
        if self._refresh is None or self._refresh.done():
            self._refresh = asyncio.ensure_future(self._executor.read(_count, deadline=self._deadline))
            self._refresh.add_done_callback(_retrieve)
        try:
            # Until one count is known there is nothing better to answer with: wait for it.
            wait = None if self.last is None else self._wait
            self.last = await asyncio.wait_for(asyncio.shield(self._refresh), wait)
        except (asyncio.TimeoutError, DeadlineExceeded):
            return self.last, False
        return self.last, True


def _count(store: Any) -> int:
    return len(store)


def _retrieve(future: asyncio.Future[int]) -> None:
    """Mark a refresh's failure as seen: the next probe starts a new one and reports its own."""
    if not future.cancelled():
        future.exception()
