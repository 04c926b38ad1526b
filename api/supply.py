"""``GET /supply``: supply deals (who supplies what to whom, for which asset) and capacity over time."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from api.reading import read
from graph.supply_deals import SUPPLY_PAGE, supply

router = APIRouter(tags=["supply"])
_SLUG = r"^[a-z0-9-]+$"


@router.get(
    "/supply",
    summary="Supply deals and capacity over time",
    responses={200: {"content": {"application/json": {"example": {
        "filters": {"supplier": "nvidia", "customer": None, "asset": None},
        "deals_count": 1, "capacity_count": 1, "limit": 100, "offset": 0,
        "deals": [{"id": "nvidia-gpus-for-colossus", "suppliers": [{"slug": "nvidia", "name": "Nvidia"}],
                   "customers": [{"slug": "xai", "name": "xAI"}], "product": [], "quantity": None,
                   "for_assets": [], "status": "Reported", "date": "2025", "sources": []}],
        "capacity": [{"id": "colossus-gpus-2024", "asset": {"slug": "colossus", "name": "Colossus"},
                      "gpu_count": 200000, "date": "2025", "phase": None, "sources": []}],
    }}}}},
)
async def get_supply(
    request: Request,
    supplier: str | None = Query(None, description="Slug of the supplier", examples=["nvidia"], pattern=_SLUG),
    customer: str | None = Query(None, description="Slug of the customer", examples=["xai"], pattern=_SLUG),
    asset: str | None = Query(None, description="Slug of the asset supplied or observed", examples=["colossus"], pattern=_SLUG),
    limit: int = Query(SUPPLY_PAGE, ge=1, le=1000, description="How many deals, and how many observations, to list"),
    offset: int = Query(0, ge=0, description="How many of each to skip: the next page starts at offset + limit"),
) -> dict[str, Any]:
    """Who supplies what to whom, and how many GPUs each data center held when.

    Deals by date, observations by asset and date; ``deals_count`` and ``capacity_count`` say how many match.
    """
    return await read(request, supply, supplier, customer, asset, limit, offset)
