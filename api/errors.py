"""Every failure as an HTTP answer with a message that names the parameter or the rule broken.

``/sparql`` answers errors in ``text/plain`` (what SPARQL clients print); the REST API in
JSON, ``{"detail": ...}``, as FastAPI does for its own 422s.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from api.negotiation import NotAcceptable
from api.workers import DeadlineExceeded
from graph.query_guard import GuardError
from graph.store import StoreError
from graph.write_lock import RETRY_AFTER, StoreBusy


class ProtocolError(Exception):
    """An HTTP error with its status, message and optional headers."""

    def __init__(self, status: int, message: str, *, allow: str | None = None, authenticate: bool = False,
                 retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers: dict[str, str] = {}
        if retry_after is not None:
            self.headers["Retry-After"] = str(retry_after)
        if allow:
            self.headers["Allow"] = allow
        if authenticate:
            self.headers["WWW-Authenticate"] = 'Bearer realm="aikg"'

    def __reduce__(self):  # raised in query workers too; keep status and headers across the pipe
        return (ProtocolError, (self.status, str(self)), {"headers": self.headers})


class ResultTooLarge(ValueError):
    """A serialised result passed the server's size limit."""


def install(app: FastAPI) -> None:
    """Register the handlers that turn our exceptions into answers."""
    statuses: dict[type[BaseException], int] = {
        GuardError: 400, SyntaxError: 400, NotAcceptable: 406, ResultTooLarge: 413,
        DeadlineExceeded: 503, StoreError: 503,
    }
    for exc_type, status in statuses.items():
        app.add_exception_handler(exc_type, _handler(status))
    app.add_exception_handler(ProtocolError, _protocol_error)
    app.add_exception_handler(StoreBusy, _busy)


def document(app: FastAPI) -> None:
    """Say in the OpenAPI document that a 422's ``detail`` is FastAPI's list or, from our own checks, a message."""
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        error = schema.get("components", {}).get("schemas", {}).get("HTTPValidationError", {})
        if "detail" in error.get("properties", {}):
            error["properties"]["detail"] = {"title": "Detail", "anyOf": [error["properties"]["detail"], {"type": "string"}]}
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def answer(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """An error answer in the style of the path: plain text under /sparql, JSON elsewhere."""
    if request.url.path.startswith("/sparql"):
        return PlainTextResponse(message + "\n", status_code=status, headers=headers)
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


async def _busy(request: Request, exc: Exception) -> Response:
    """A write refused while another writer (a build, a load) holds the store: 503, and when to try again."""
    return answer(request, 503, str(exc), {"Retry-After": str(RETRY_AFTER)})


def _handler(status: int):
    async def handle(request: Request, exc: Exception) -> Response:
        prefix = "SPARQL syntax error: " if isinstance(exc, SyntaxError) else ""
        return answer(request, status, prefix + str(exc))

    return handle


async def _protocol_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProtocolError)
    return answer(request, exc.status, str(exc), exc.headers)
