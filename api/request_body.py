"""The body of a write or POST request: its media type and charset, and its bytes within the server's limit."""

from __future__ import annotations

from fastapi import Request

from api.errors import ProtocolError


GUARDED_WRITE_ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "No token, or a wrong one"},
    403: {"description": "The server is read-only (no AIKG_TOKEN configured)"},
    413: {"description": "Body larger than the server's limit"},
}
"""The OpenAPI answers every route behind the update token that reads a body shares."""


def require_utf8(charset: str | None, what: str = "the body") -> None:
    """415 unless the declared charset is UTF-8 (or none is declared)."""
    if charset not in (None, "utf-8", "utf8"):
        raise ProtocolError(415, f"charset={charset} is not supported: send {what} in UTF-8")


def content_type(request: Request) -> tuple[str | None, str | None]:
    """The media type (lower case) and the charset parameter of Content-Type; (None, None) without one."""
    header = request.headers.get("content-type")
    if not header:
        return None, None
    media_type, *parameters = (part.strip() for part in header.split(";"))
    charset = None
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media_type.lower(), charset


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, or 413 as soon as it (or its declared length) passes ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ProtocolError(413, f"the request body is {int(declared):,} bytes; this server accepts at most {limit:,}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ProtocolError(413, f"the request body is larger than this server's limit of {limit:,} bytes")
    return bytes(body)
