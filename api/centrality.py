"""``GET /centrality``: the most central entities of the graph, by PageRank over the projection."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from api.errors import ProtocolError
from api.projection import cached_projection, cached_ranking
from api.reading import read
from graph import analysis
from graph.store import Store
from graph.view.command import split_types

router = APIRouter(tags=["entities"])


def most_central(store: Store, top: int, types: list[str]) -> dict[str, Any]:
    """The ``top`` entities of ``types`` by PageRank; every entity's rank is kept with the store until the graph changes."""
    graph = cached_projection(store)
    try:
        found = analysis.centrality(graph, top, types, ranked=cached_ranking(store, graph))
    except analysis.UnknownClass as exc:
        raise ProtocolError(422, f"types: {exc}") from None
    return {"top": top, "types": types, "entities": found}


@router.get(
    "/centrality",
    summary="The most central entities (PageRank over the entities and their links)",
    responses={200: {"content": {"application/json": {"example": {"top": 2, "types": [], "entities": [
        {"slug": "xai", "name": "xAI", "cls": "Company", "score": 0.2077, "links": 9},
        {"slug": "elon-musk", "name": "Elon Musk", "cls": "Person", "score": 0.1176, "links": 5}]}}}},
               422: {"description": "An unknown class; the message names the known ones"}},
)
async def get_centrality(
    request: Request,
    top: int = Query(20, ge=1, le=1000, description="How many entities, most central first"),
    types: str = Query("", description="Comma-separated classes to keep (subclasses count); the ranks are over the whole graph",
                       examples=["InvestmentFirm", "Company,Bank"]),
) -> dict[str, Any]:
    """Each entity's PageRank over the entities alone, links read both ways, a shortcut edge weighing as many events
    as it stands for (scores add up to 1 over all entities), and how many entities it is linked to."""
    return await read(request, most_central, top, list(split_types([types])))
