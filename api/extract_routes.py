"""``POST /extract``: an article in, its candidate fact file out (as ``aikg extract --json`` writes it).

Behind the update token, like SPARQL Update: proposing facts is the first step of writing the
graph, and reading a long article costs the server real work.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.errors import ProtocolError
from api.reading import read
from api.request_body import GUARDED_WRITE_ERRORS, content_type, read_body, require_utf8
from graph.extract.extractor import LANGUAGES, extract_article
from graph.extract.entities import known_from_store

router = APIRouter(tags=["extract"])

OPTIONS = ("lang", "published", "title", "publisher", "url")
_EXAMPLE_TEXT = "Acme AI said on Tuesday it had raised $2 billion in debt led by Harbor Peak Capital."
_EXAMPLE_ANSWER = {
    "facts": {
        "source": {"slug": "example-news-2025-07-23-1a2b3c4d", "headline": "Acme AI raises $2 billion", "publisher": "example-news",
                   "language": "en", "published": "2025-07-23", "cites": []},
        "entities": [{"slug": "acme-ai", "class": "Company", "name": {"en": "Acme AI"}, "new": True}],
        "relations": [],
        "events": [{"id": "acme-ai-funding-usd-2b", "type": "FundingRound", "recipient": "acme-ai",
                    "lead_investors": ["harbor-peak-capital"], "amount_usd": 2000000000, "instruments": ["Debt"],
                    "status": "Completed", "confidence": 0.8,
                    "evidence": {"sentence": _EXAMPLE_TEXT, "start": 0, "end": len(_EXAMPLE_TEXT)}}],
    },
    "warnings": [],
}


@router.post(
    "/extract",
    summary="Propose the facts of a news article as a fact file to review (needs the update token)",
    openapi_extra={
        "parameters": [
            {"name": "lang", "in": "query", "required": False, "schema": {"type": "string", "enum": list(LANGUAGES)},
             "description": "text/plain bodies: auto, ja or en"},
            {"name": "published", "in": "query", "required": False, "schema": {"type": "string"},
             "description": "text/plain bodies: publication date (YYYY-MM-DD, YYYY-MM, YYYY), anchors relative dates"},
            {"name": "title", "in": "query", "required": False, "schema": {"type": "string"}},
            {"name": "publisher", "in": "query", "required": False, "schema": {"type": "string"}},
            {"name": "url", "in": "query", "required": False, "schema": {"type": "string"}},
        ],
        "requestBody": {"required": True, "content": {
            "application/json": {"schema": {"type": "object", "required": ["text"], "properties": {
                "text": {"type": "string"}, "lang": {"type": "string", "enum": list(LANGUAGES)},
                "published": {"type": "string"}, "title": {"type": "string"}, "publisher": {"type": "string"},
                "url": {"type": "string"}}},
                "example": {"text": _EXAMPLE_TEXT, "published": "2025-07-23", "publisher": "example-news"}},
            "text/plain": {"schema": {"type": "string"}, "example": _EXAMPLE_TEXT},
        }},
    },
    responses={
        200: {"description": "The candidate fact file (`facts`, exactly what `aikg extract --json` writes) and warnings",
              "content": {"application/json": {"schema": {"type": "object", "required": ["facts", "warnings"], "properties": {
                  "facts": {"type": "object"}, "warnings": {"type": "array", "items": {"type": "string"}}}},
                  "example": _EXAMPLE_ANSWER}}},
        400: {"description": "Body or option not valid (not JSON, no text, a bad date or language)"},
        **GUARDED_WRITE_ERRORS,
        415: {"description": "Content-Type is neither application/json nor text/plain"},
    },
)
async def extract(request: Request) -> JSONResponse:
    """Read the article in the body (JSON ``{"text": ..., options}`` or the text itself) and propose its facts:
    entities (known by slug, new ones marked), relations and events, each with a confidence and its sentence."""
    config = request.app.state.config
    config.authorize(request.headers.get("authorization"))
    media_type, charset = content_type(request)
    body = await read_body(request, config.max_body_bytes)
    require_utf8(charset)
    text, options = _parse(media_type, body, dict(request.query_params))
    known = await read(request, known_from_store)
    try:
        extraction = await anyio.to_thread.run_sync(lambda: extract_article(text, known=known or None, **options))
    except ValueError as exc:
        raise ProtocolError(400, " ".join(str(exc).split())) from None
    return JSONResponse({"facts": json.loads(json.dumps(extraction.facts, default=str)), "warnings": extraction.warnings})


def _parse(media_type: str | None, body: bytes, query: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """The article text and the options, from a JSON body or a text body with query parameters."""
    if media_type == "application/json":
        try:
            data = json.loads(body.decode("utf-8", "surrogatepass"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ProtocolError(400, f"the body is not JSON: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise ProtocolError(400, 'the JSON body needs "text": the article as a string')
        source = data
    elif media_type == "text/plain":
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError(400, f"the body is not valid UTF-8 (byte {exc.start})") from None
        source = {**query, "text": text}
    else:
        raise ProtocolError(415, f"Content-Type {media_type or 'none'} is not accepted: use application/json or text/plain")
    options: dict[str, Any] = {}
    for name in OPTIONS:
        value = source.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ProtocolError(400, f"{name!r} must be a string")
        options[name] = _clean(value)
    if options.get("lang", "auto") not in LANGUAGES:
        raise ProtocolError(400, f"lang {options['lang']!r}: choose auto, ja or en")
    return _clean(source["text"]), options


def _clean(text: str) -> str:
    """Text that encodes as UTF-8 (a lone surrogate from JSON becomes U+FFFD)."""
    return text.encode("utf-8", "replace").decode("utf-8")
