"""``GET /supply``: supply deals (who supplies what to whom, for which asset) and capacity over time."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from api.reading import read
from graph.cards import describe_events
from graph.store import Store
from ontology import ID, sparql_prologue

router = APIRouter(tags=["supply"])
_SLUG = r"^[a-z0-9-]+$"


def supply(store: Store, supplier: str | None, customer: str | None, asset: str | None) -> dict[str, Any]:
    """Deals matching the filters, and the GPU counts observed at ``asset`` (or every asset) by date."""
    filters = []
    if supplier:
        filters.append(f"?deal aik:supplier <{ID}{supplier}> .")
    if customer:
        filters.append(f"?deal aik:customer <{ID}{customer}> .")
    if asset:
        filters.append(f"?deal aik:forAsset <{ID}{asset}> .")
    deals = list(describe_events(store, [r["deal"] for r in store.select(
        sparql_prologue() + f"SELECT DISTINCT ?deal WHERE {{ ?deal a aik:SupplyDeal . {' '.join(filters)} }}"
    )]).values())
    observed = f"?obs aik:asset <{ID}{asset}> ." if asset else ""
    capacity = list(describe_events(store, [r["obs"] for r in store.select(
        sparql_prologue() + f"SELECT DISTINCT ?obs WHERE {{ ?obs a aik:CapacityObservation . {observed} }}"
    )]).values())
    deals.sort(key=lambda e: (e.get("date_start") or "", e["id"]))
    capacity.sort(key=lambda e: (e["participants"].get("asset", [{}])[0].get("slug", ""), e.get("date_start") or "",
                                 e.get("gpu_count") or 0))
    return {
        "filters": {"supplier": supplier, "customer": customer, "asset": asset},
        "deals": [_deal(d) for d in deals],
        "capacity": [_observation(c) for c in capacity],
    }


@router.get(
    "/supply",
    summary="Supply deals and capacity over time",
    responses={200: {"content": {"application/json": {"example": {
        "filters": {"supplier": "nvidia", "customer": None, "asset": None},
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
) -> dict[str, Any]:
    """Who supplies what to whom, and how many GPUs each data center held when."""
    return await read(request, supply, supplier, customer, asset)


def _deal(e: dict[str, Any]) -> dict[str, Any]:
    p = e["participants"]
    return {"id": e["id"], "label": e["label"], "suppliers": p.get("supplier", []), "customers": p.get("customer", []),
            "product": p.get("product", []), "quantity": e.get("quantity"), "for_assets": p.get("forAsset", []),
            "status": e.get("status"), "date": e.get("date"), "sources": e["sources"]}


def _observation(e: dict[str, Any]) -> dict[str, Any]:
    asset = (e["participants"].get("asset") or [None])[0]
    return {"id": e["id"], "label": e["label"], "asset": asset, "gpu_count": e.get("gpu_count"),
            "date": e.get("date"), "phase": e.get("phase"), "status": e.get("status"), "sources": e["sources"]}
