"""``GET /sources`` and ``/sources/{slug}``: the documents the graph is built from and what each reported."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from api import negotiation
from api.errors import ProtocolError
from api.reading import read
from graph.sources import UnknownSource, document, documents
from graph.store import Store
from ontology import SOURCE

router = APIRouter(tags=["sources"])


@router.get(
    "/sources",
    summary="The source documents",
    responses={200: {"content": {"application/json": {"example": {"total": 1, "limit": 50, "offset": 0, "items": [{
        "slug": "fastview-2025-07-xai-raises-12b", "iri": "https://w3id.org/aikg/source/fastview-2025-07-xai-raises-12b",
        "title": "「AIの波に乗り遅れるな!」…", "publisher": "fastview", "published": "2025-07", "language": "ja",
        "facts": 180}]}}}}},
)
async def list_sources(
    request: Request,
    limit: int = Query(50, ge=1, le=500, description="Items per page"),
    offset: int = Query(0, ge=0, description="Items to skip"),
) -> dict[str, Any]:
    """Each document with its title, publisher, date, language and how many triples its graph holds."""
    return await read(request, documents, limit, offset)


@router.get(
    "/sources/{slug}",
    summary="One source document and the facts it reported",
    responses={
        200: {"content": {"application/json": {"example": {
            "slug": "fastview-2025-07-xai-raises-12b", "title": "…", "cites": [], "events": [], "relations": [],
            "cited_for": []}},
            "application/trig": {"example": "<https://w3id.org/aikg/source/fastview-2025-07-xai-raises-12b> { ... }"}}},
        404: {"description": "Unknown source"},
    },
)
async def get_source(
    request: Request,
    slug: str = Path(description="The source's slug", examples=["fastview-2025-07-xai-raises-12b"], pattern=r"^[a-z0-9-]+$"),
) -> Any:
    """Its metadata, the documents it cites, and the events and relations it reported; its named graph as RDF."""
    fmt = negotiation.choose(request.headers.get("accept"), (negotiation.JSON, *negotiation.GRAPH))
    if fmt.oxigraph is None:
        return await read(request, source, slug)
    body = await read(request, graph_of, slug, fmt.media_type)
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})


def source(store: Store, slug: str) -> dict[str, Any]:
    """The document's metadata and what it reported, or ProtocolError 404."""
    try:
        return document(store, slug)
    except UnknownSource:
        raise ProtocolError(404, f"slug: no source {slug!r}; GET /sources lists them") from None


def graph_of(store: Store, slug: str, media_type: str) -> bytes:
    """Everything the document reported: its named graph, in a triple or quad format."""
    iri = str(SOURCE) + slug
    if not store.ask(f"ASK {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}"):  # not the list of every graph: 0.3 s at 19,000 sources
        raise ProtocolError(404, f"slug: no source graph {slug!r}; GET /sources lists them")
    return negotiation.write_quads(store.quads(iri), next(f for f in negotiation.GRAPH if f.media_type == media_type))  # type: ignore[return-value]
