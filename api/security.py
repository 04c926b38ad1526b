"""Security headers on every answer, a Content-Security-Policy on HTML pages, and a CORS policy
that lets pages on other sites read the graph but never write to it.

The policy allows scripts, styles and connections from this server only. Our own pages keep
their code in ``/static`` files and their data in ``<script type="application/json">``
blocks, which browsers never execute. The documentation pages that FastAPI renders (Swagger
UI, ReDoc) carry small inline scripts fixed when the app starts; their hashes are added to
the policy of those pages alone, so no other inline script runs anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
"""The policy of every HTML page: nothing inline, nothing from another origin, never framed."""

HEADERS_ON_EVERY_ANSWER = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}
HEADERS_ON_PAGES = {
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}
CORS_METHODS = ("GET", "HEAD", "POST")
"""Methods other origins may use: reads, and SPARQL queries by POST. Writes need the
``Authorization`` header, which CORS never allows, so a page on another site cannot write."""
CORS_HEADERS = ("Accept", "Content-Type")

_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)


def install(app: FastAPI, fixed_pages: Iterable[str] = ()) -> None:
    """Add the CORS policy and the security headers to ``app``.

    ``fixed_pages`` are paths of HTML pages whose inline scripts do not depend on the request
    (the API documentation); only those get their inline scripts' hashes in the policy.
    """
    # Added last, so it runs first: the headers land on CORS answers too.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=list(CORS_METHODS),
        allow_headers=list(CORS_HEADERS),
        allow_credentials=False,
        expose_headers=["Retry-After", "Content-Type", "Vary"],
        max_age=600,
    )
    app.add_middleware(SecurityHeaders, fixed_pages=tuple(p for p in fixed_pages if p))


def policy_for(html: bytes = b"", trust_inline: bool = False) -> str:
    """The Content-Security-Policy for a page; with ``trust_inline`` its inline scripts' hashes join ``script-src``."""
    if not trust_inline:
        return CONTENT_SECURITY_POLICY
    hashes = [script_hash(body) for body in _INLINE_SCRIPT.findall(html) if body.strip()]
    policy = CONTENT_SECURITY_POLICY.replace("script-src 'self'", " ".join(["script-src 'self'", *hashes]))
    # ReDoc injects its styles and starts a search worker from a blob at run time; the
    # documentation pages alone may do that.
    return policy.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'") + "; worker-src 'self' blob:"


def script_hash(body: bytes) -> str:
    """The CSP source expression (``'sha256-…'``) that allows one inline script with this exact text."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"


class SecurityHeaders:
    """ASGI middleware: ``nosniff`` and ``no-referrer`` on every answer; CSP and framing rules on HTML."""

    def __init__(self, app: ASGIApp, fixed_pages: tuple[str, ...] = ()) -> None:
        self.app = app
        self.fixed_pages = set(fixed_pages)
        self._policies: dict[str, str] = {}  # fixed page → its policy, computed on first render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        fixed = path in self.fixed_pages
        held: list[Message] = []

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])]
                names = {k.decode().lower() for k, _ in headers}
                is_html = any(k.lower() == b"content-type" and v.lower().startswith(b"text/html") for k, v in headers)
                extra = dict(HEADERS_ON_EVERY_ANSWER)
                if is_html:
                    extra.update(HEADERS_ON_PAGES)
                headers += [(k.encode(), v.encode()) for k, v in extra.items() if k not in names]
                message = {**message, "headers": headers}
                if is_html and "content-security-policy" not in names:
                    if fixed:
                        held.append(message)  # the policy needs the page's body first
                        return
                    message["headers"].append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
            elif held:
                held.append(message)
                if message.get("more_body"):
                    return
                await self._send_fixed_page(path, held, send)
                return
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _send_fixed_page(self, path: str, held: list[Message], send: Send) -> None:
        start, *bodies = held
        body = b"".join(m.get("body", b"") for m in bodies)
        policy = self._policies.setdefault(path, policy_for(body, trust_inline=True))
        await send({**start, "headers": [*start["headers"], (b"content-security-policy", policy.encode())]})
        await send({"type": "http.response.body", "body": body})
