"""``POST /ingest``: add one fact file (YAML) to the served graph, as ``aikg ingest`` does; ``POST /ingest/preview``:
say what it would add, as ``aikg ingest --dry-run`` does.

A write, so it needs the update token exactly as SPARQL Update does, and it runs through the
single writer of the query workers: reads pause, one worker applies the file in one
transaction with its derived edges, and every worker reopens the store: it extends its
networkx projection with the quads the file added, and makes its other caches afresh.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.errors import ProtocolError
from api.reading import read
from api.request_body import GUARDED_WRITE_ERRORS, content_type, read_body, require_utf8
from api.workers import Written
from graph.build import BuildError
from graph.store import Store

router = APIRouter(tags=["ingest"])

MEDIA_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain")
_NAME = "request body"
_EXAMPLE = """source: {slug: example-2026-01-acme, headline: "Acme raises USD 1 billion", publisher: example-news,
         language: en, published: 2026-01-14}
entities:
  - {slug: acme-ai, class: Company, name: {en: Acme AI}}
  - {slug: example-news, class: MediaOrganization, name: {en: Example News}}
  - {slug: big-fund, class: InvestmentFirm, name: {en: Big Fund}}
events:
  - {id: acme-series-b-2026, type: FundingRound, recipient: acme-ai, lead_investors: [big-fund],
     amount_usd: 1000000000, instruments: [Equity], status: Completed, date: 2026-01}
"""


def run_ingest(store: Store, body: bytes) -> Written:
    """Ingest the fact file in ``body`` (in the writing worker); a problem is a 400 naming its line, and nothing changes."""
    from graph.ingest import ingest

    try:
        # Read from the body itself: a file in a temporary folder would stay behind if the worker were killed at its deadline.
        report = ingest(store, _NAME, content=body)
    except BuildError as exc:
        raise ProtocolError(400, "\n".join([*exc.errors, "ingest refused; the store was not changed"])) from None
    # The workers extend their networkx projection with the quads written instead of reading the store again.
    answer = {f.name: getattr(report, f.name) for f in fields(report) if f.name != "added"}
    return Written(answer, ox.serialize(report.added, format=ox.RdfFormat.N_QUADS))


def preview_ingest(store: Store, body: bytes) -> dict[str, Any]:
    """What ingesting the fact file in ``body`` would add (in a query worker); a problem is a 400 naming its line."""
    from graph.ingest import preview

    try:
        return asdict(preview(store, _NAME, content=body))
    except BuildError as exc:
        raise ProtocolError(400, "\n".join([*exc.errors, "the ingest would be refused"])) from None


async def _fact_file(request: Request) -> bytes:
    media_type, charset = content_type(request)
    if media_type not in MEDIA_TYPES:
        raise ProtocolError(415, f"Content-Type {media_type or 'none'} is not accepted: send the fact file as application/yaml")
    require_utf8(charset, "the fact file")
    return await read_body(request, request.app.state.config.max_body_bytes)


_BODY = {"requestBody": {"required": True, "content": {
    media: {"schema": {"type": "string"}, "example": _EXAMPLE} for media in MEDIA_TYPES[:1] + ("text/plain",)
}}}


@router.post(
    "/ingest/preview",
    summary="What a fact file (YAML) would add to the graph: new entities, events, links; nothing is written (needs the update token)",
    openapi_extra=_BODY,
    responses={
        200: {"description": "What the ingest would add: the quads and derived triples, the entities new and known, the events "
                             "by type, the shortcut edges new to the graph, the file's relations that no source or some sources "
                             "in the graph state",
              "content": {"application/json": {"example": {
                  "source": "example-2026-01-acme", "quads": 31, "derived_added": 9,
                  "new_entities": [["acme-ai", "Company"]], "known_entities": [], "events": {"FundingRound": 1},
                  "new_links": [["acme-ai", "fundedBy", "big-fund"]], "relations_new": [], "relations_reported": []}}}},
        400: {"description": "A fact file the ingest would refuse; one line per problem, naming the line of the body"},
        **GUARDED_WRITE_ERRORS,
        415: {"description": "Content-Type is not YAML (application/yaml, text/yaml) or text/plain"},
        503: {"description": "The check passed the deadline and was stopped"},
    },
)
async def preview_fact_file(request: Request) -> dict[str, Any]:
    """Check the fact file in the body as `POST /ingest` would and say what it would add; nothing changes.

    It needs the update token as `POST /ingest` and `POST /extract` do: the three make the way a
    new article reaches the graph, and the checks cost a worker's time as a write would.
    """
    request.app.state.config.authorize(request.headers.get("authorization"))
    return await read(request, preview_ingest, await _fact_file(request))


@router.post(
    "/ingest",
    summary="Add one fact file (YAML) to the graph in one transaction (needs the update token)",
    openapi_extra=_BODY,
    responses={
        200: {"description": "Added: the source, the quads and derived triples written, the seconds it took",
              "content": {"application/json": {"example": {"source": "example-2026-01-acme", "quads": 31,
                                                            "derived_added": 9, "derived_removed": 0, "seconds": 0.08}}}},
        400: {"description": "Not a valid fact file, or one that clashes with the graph (its source or event ids already there, "
                             "an unknown slug); one line per problem, naming the line of the body; nothing changed"},
        **GUARDED_WRITE_ERRORS,
        415: {"description": "Content-Type is not YAML (application/yaml, text/yaml) or text/plain"},
        503: {"description": "The write passed the deadline and was stopped"},
    },
)
async def ingest_fact_file(request: Request) -> JSONResponse:
    """Validate the fact file in the body as `aikg ingest` does and add it with its derived edges, or change nothing."""
    config = request.app.state.config
    config.authorize(request.headers.get("authorization"))
    body = await _fact_file(request)
    report = await request.app.state.executor.write(run_ingest, body, deadline=config.write_deadline)
    return JSONResponse(report)
