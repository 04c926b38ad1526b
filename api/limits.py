"""Limits that keep one client from taking the service: requests in flight per client, query
length, and rows in a result.

Each limit answers with a status a client can act on: 429 with ``Retry-After`` when a client
has too many requests running, 413 when a query or a result is larger than the server takes.
The body and result-size limits live with the SPARQL endpoint (``api/sparql_protocol.py``).
"""

from __future__ import annotations

import json
from collections import Counter

from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import ProtocolError, ResultTooLarge

RETRY_AFTER_SECONDS = 1
UNLIMITED_PATHS = ("/health", "/static/", "/static-offline-docs/")
"""Cheap paths that never count against a client (liveness probes, page assets)."""


class TooManyRows(ResultTooLarge):
    """A result has more rows than the server returns."""


def check_query_length(text: str, limit: int, kind: str = "query") -> None:
    """Raise a 413 ProtocolError if ``text`` is longer than ``limit`` characters (0: no limit)."""
    if limit and len(text) > limit:
        raise ProtocolError(
            413, f"the {kind} is {len(text):,} characters long; this server accepts at most {limit:,} (AIKG_MAX_QUERY)"
        )


class SizedSink:
    """A binary sink that refuses to grow past ``limit`` bytes (ResultTooLarge, a 413, with ``message``)."""

    def __init__(self, limit: int, message: str = "") -> None:
        self.limit = limit
        self.buffer = bytearray()
        self.message = message or f"the result is larger than this server's limit of {limit:,} bytes; add LIMIT or narrow the query"

    def write(self, data: bytes) -> int:
        self.buffer += data
        if len(self.buffer) > self.limit:
            raise ResultTooLarge(self.message)
        return len(data)

    def flush(self) -> None:
        return None


class RowCounter(SizedSink):
    """A binary sink for tab-separated results that refuses more than ``rows`` rows or ``max_bytes`` bytes.

    SPARQL TSV writes one line per row (newlines inside literals are escaped), so counting
    lines counts rows, and the query stops as soon as it passes the limit.
    """

    def __init__(self, rows: int, max_bytes: int) -> None:
        super().__init__(max_bytes)
        self.rows = rows
        self._lines = 0

    def write(self, data: bytes) -> int:
        super().write(data)
        self._lines += data.count(b"\n")
        if self._lines - 1 > self.rows:  # the first line is the header
            raise TooManyRows(
                f"the result has more than {self.rows:,} rows, this server's limit (AIKG_MAX_ROWS);"
                " add LIMIT or narrow the query"
            )
        return len(data)


class PerClientConcurrency:
    """ASGI middleware: at most ``limit`` requests in flight per client address; the next gets 429.

    The client is the peer address of the connection. Behind a reverse proxy every request
    comes from the proxy, so set the limit there instead (or to 0 here, which disables it).
    """

    def __init__(self, app: ASGIApp, limit: int = 8) -> None:
        self.app = app
        self.limit = limit
        self.running: Counter[str] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.limit or scope["path"].startswith(UNLIMITED_PATHS):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        if self.running[client] >= self.limit:
            await _too_many(scope, send, self.limit)
            return
        self.running[client] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.running[client] -= 1
            if not self.running[client]:
                del self.running[client]


async def _too_many(scope: Scope, send: Send, limit: int) -> None:
    message = (
        f"this client already has {limit} requests running, the most this server runs at once for one client"
        f" (AIKG_MAX_PER_CLIENT); retry after {RETRY_AFTER_SECONDS} s"
    )
    if scope["path"].startswith("/sparql"):
        body, media_type = (message + "\n").encode(), b"text/plain; charset=utf-8"
    else:
        body, media_type = json.dumps({"detail": message}).encode(), b"application/json"
    await send({"type": "http.response.start", "status": 429, "headers": [
        (b"content-type", media_type), (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
    ]})
    await send({"type": "http.response.body", "body": body})
