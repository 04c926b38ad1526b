"""``GET /supply``: supply deals (who supplies what to whom, for which asset) and capacity over time."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from api.reading import read
from graph.cards import describe_events, slug_of
from graph.store import Store
from ontology import ID, sparql_prologue

router = APIRouter(tags=["supply"])
_SLUG = r"^[a-z0-9-]+$"


SUPPLY_PAGE = 100
"""How many deals, and how many capacity observations, ``GET /supply`` describes unless asked for more: a
million-triple store holds some 11,000 of each, a millisecond or so each to describe."""


def supply(store: Store, supplier: str | None, customer: str | None, asset: str | None,
           limit: int | None = None, offset: int = 0) -> dict[str, Any]:
    """Deals matching the filters, and the GPU counts observed at ``asset`` (or every asset) by date:
    ``limit`` of each from ``offset`` (every one without a limit), with how many match."""
    filters = []
    if supplier:
        filters.append(f"?deal aik:supplier <{ID}{supplier}> .")
    if customer:
        filters.append(f"?deal aik:customer <{ID}{customer}> .")
    if asset:
        filters.append(f"?deal aik:forAsset <{ID}{asset}> .")
    # One row a node with what the order needs, so only the page is described in full.
    deals = store.select(sparql_prologue() + f"""SELECT ?deal (MAX(STR(?start)) AS ?date) WHERE {{
        ?deal a aik:SupplyDeal . {' '.join(filters)} OPTIONAL {{ ?deal aik:dateStart ?start }} }} GROUP BY ?deal""")
    # An observation of no named asset is listed too when no asset is asked for (first, as before).
    observed = f"?obs aik:asset <{ID}{asset}> . BIND(<{ID}{asset}> AS ?at)" if asset else "OPTIONAL { ?obs aik:asset ?at }"
    capacity = store.select(sparql_prologue() + f"""SELECT ?obs (MIN(?at) AS ?asset) (MAX(STR(?start)) AS ?date)
        (MAX(?gpus) AS ?count) WHERE {{ ?obs a aik:CapacityObservation . {observed}
        OPTIONAL {{ ?obs aik:dateStart ?start }} OPTIONAL {{ ?obs aik:gpuCount ?gpus }} }} GROUP BY ?obs""")
    deals.sort(key=lambda row: (row.get("date") or "", slug_of(row["deal"])))
    capacity.sort(key=lambda row: (slug_of(row.get("asset", "")), row.get("date") or "", row.get("count") or 0, slug_of(row["obs"])))
    end = None if limit is None else offset + limit
    deal_page = describe_events(store, [row["deal"] for row in deals[offset:end]])
    capacity_page = describe_events(store, [row["obs"] for row in capacity[offset:end]])
    return {
        "filters": {"supplier": supplier, "customer": customer, "asset": asset},
        "deals_count": len(deals),
        "capacity_count": len(capacity),
        "limit": limit,
        "offset": offset,
        "deals": [_deal(d) for d in deal_page.values()],
        "capacity": [_observation(c) for c in capacity_page.values()],
    }


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


def _deal(e: dict[str, Any]) -> dict[str, Any]:
    p = e["participants"]
    return {"id": e["id"], "label": e["label"], "suppliers": p.get("supplier", []), "customers": p.get("customer", []),
            "product": p.get("product", []), "quantity": e.get("quantity"), "for_assets": p.get("forAsset", []),
            "status": e.get("status"), "date": e.get("date"), "sources": e["sources"]}


def _observation(e: dict[str, Any]) -> dict[str, Any]:
    asset = (e["participants"].get("asset") or [None])[0]
    return {"id": e["id"], "label": e["label"], "asset": asset, "gpu_count": e.get("gpu_count"),
            "date": e.get("date"), "phase": e.get("phase"), "status": e.get("status"), "sources": e["sources"]}
