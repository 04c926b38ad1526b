"""Supply deals (who supplies what to whom, for which asset) and capacity over time (how many GPUs an asset held
when): ``aikg supply``, ``aikg capacity``, ``GET /supply``."""

from __future__ import annotations

from typing import Any

from graph.cards import check_slugs, describe_events, slug_of
from graph.store import Store
from ontology import ID, sparql_prologue

SUPPLY_PAGE = 100
"""How many deals, and how many capacity observations, ``GET /supply`` and the tables describe unless asked for
more: a million-triple store holds some 11,000 of each, a millisecond or so each to describe."""


def deals(store: Store, supplier: str | None = None, customer: str | None = None, asset: str | None = None,
          limit: int | None = None, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """How many deals match every filter (slugs), and ``limit`` of them from ``offset`` by date (all without a limit)."""
    check_slugs(supplier=supplier, customer=customer, asset=asset)
    filters = []
    if supplier:
        filters.append(f"?deal aik:supplier <{ID}{supplier}> .")
    if customer:
        filters.append(f"?deal aik:customer <{ID}{customer}> .")
    if asset:
        filters.append(f"?deal aik:forAsset <{ID}{asset}> .")
    # One row a node with what the order needs, so only the page is described in full.
    found = store.select(sparql_prologue() + f"""SELECT ?deal (MAX(STR(?start)) AS ?date) WHERE {{
        ?deal a aik:SupplyDeal . {' '.join(filters)} OPTIONAL {{ ?deal aik:dateStart ?start }} }} GROUP BY ?deal""")
    found.sort(key=lambda row: (row.get("date") or "", slug_of(row["deal"])))
    page = describe_events(store, [row["deal"] for row in found[offset:_end(limit, offset)]])
    return len(found), [_deal(d) for d in page.values()]


def capacity(store: Store, asset: str | None = None, limit: int | None = None,
             offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """How many capacity observations there are of ``asset`` (a slug; of every asset if None), and ``limit`` of
    them from ``offset`` by asset and date (all without a limit)."""
    check_slugs(asset=asset)
    # An observation of no named asset is listed too when no asset is asked for (first).
    observed = f"?obs aik:asset <{ID}{asset}> . BIND(<{ID}{asset}> AS ?at)" if asset else "OPTIONAL { ?obs aik:asset ?at }"
    found = store.select(sparql_prologue() + f"""SELECT ?obs (MIN(?at) AS ?asset) (MAX(STR(?start)) AS ?date)
        (MAX(?gpus) AS ?count) WHERE {{ ?obs a aik:CapacityObservation . {observed}
        OPTIONAL {{ ?obs aik:dateStart ?start }} OPTIONAL {{ ?obs aik:gpuCount ?gpus }} }} GROUP BY ?obs""")
    found.sort(key=lambda row: (slug_of(row.get("asset", "")), row.get("date") or "", row.get("count") or 0, slug_of(row["obs"])))
    page = describe_events(store, [row["obs"] for row in found[offset:_end(limit, offset)]])
    return len(found), [_observation(c) for c in page.values()]


def supply(store: Store, supplier: str | None, customer: str | None, asset: str | None,
           limit: int | None = None, offset: int = 0) -> dict[str, Any]:
    """Deals matching the filters, and the GPU counts observed at ``asset`` (or every asset) by date:
    ``limit`` of each from ``offset`` (every one without a limit), with how many match (``GET /supply``)."""
    deals_count, deal_page = deals(store, supplier, customer, asset, limit, offset)
    capacity_count, capacity_page = capacity(store, asset, limit, offset)
    return {
        "filters": {"supplier": supplier, "customer": customer, "asset": asset},
        "deals_count": deals_count,
        "capacity_count": capacity_count,
        "limit": limit,
        "offset": offset,
        "deals": deal_page,
        "capacity": capacity_page,
    }


def _end(limit: int | None, offset: int) -> int | None:
    return None if limit is None else offset + limit


def _deal(e: dict[str, Any]) -> dict[str, Any]:
    p = e["participants"]
    return {"id": e["id"], "label": e["label"], "suppliers": p.get("supplier", []), "customers": p.get("customer", []),
            "product": p.get("product", []), "quantity": e.get("quantity"), "for_assets": p.get("forAsset", []),
            "status": e.get("status"), "date": e.get("date"), "sources": e["sources"]}


def _observation(e: dict[str, Any]) -> dict[str, Any]:
    asset = (e["participants"].get("asset") or [None])[0]
    return {"id": e["id"], "label": e["label"], "asset": asset, "gpu_count": e.get("gpu_count"),
            "date": e.get("date"), "phase": e.get("phase"), "status": e.get("status"), "sources": e["sources"]}
