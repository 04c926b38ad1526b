"""``GET /funding``: funding rounds with amounts, lead, arranger, status and sources, and their totals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Query, Request

from api.reading import read
from graph import funding_totals
from graph.funding_rounds import ROUNDS_PAGE, Instrument, Status, rounds

router = APIRouter(tags=["funding"])


@router.get(
    "/funding",
    summary="Funding rounds and their totals",
    responses={200: {"content": {"application/json": {"example": {
        "filters": {"recipient": "xai"}, "count": 1, "limit": 100, "offset": 0,
        "rounds": [{"id": "xai-2025-debt-12b", "recipient": {"slug": "xai", "name": "xAI"}, "amount_usd": 12000000000,
                    "amounts": [{"value": 12000000000, "currency": "USD"}], "instruments": ["Debt"],
                    "status": "InNegotiation", "lead": [], "investors": [], "arrangers": [],
                    "date": "2025-07", "sources": []}],
        "totals": {"usd": 12000000000, "by_instrument": {"Debt": 12000000000}, "by_status": {"InNegotiation": 12000000000}},
    }}}}},
)
async def get_funding(
    request: Request,
    recipient: str | None = Query(None, description="Slug of the entity funded", examples=["xai"], pattern=r"^[a-z0-9-]+$"),
    investor: str | None = Query(None, description="Slug of an investor or lead investor", examples=["valor-equity-partners"],
                                 pattern=r"^[a-z0-9-]+$"),
    instrument: Instrument | None = Query(None, description="Equity, Debt, SecuredBond or Loan"),
    status: Status | None = Query(None, description="Reported, InNegotiation or Completed"),
    since: dt.date | None = Query(None, description="Rounds dated on or after (YYYY-MM-DD)", examples=["2025-01-01"]),
    until: dt.date | None = Query(None, description="Rounds dated on or before (YYYY-MM-DD)", examples=["2025-12-31"]),
    limit: int = Query(ROUNDS_PAGE, ge=1, le=1000, description="How many rounds to list, largest first (the totals count all that match)"),
    offset: int = Query(0, ge=0, description="How many of the largest to skip: the next page starts at offset + limit"),
) -> dict[str, Any]:
    """Each round with its amounts as reported (USD, JPY) and in USD, lead, arranger, status and sources.

    ``count`` and ``totals`` are of every round that matches; ``rounds`` lists ``limit`` of them from ``offset``.
    """
    return await read(request, rounds, recipient, investor, instrument, status, since, until, limit, offset)


@router.get(
    "/funding/leaders",
    summary="Who raised the most, or took part in the most money",
    responses={200: {"content": {"application/json": {"example": {
        "by": "recipient", "limit": 20,
        "leaders": [{"slug": "xai", "iri": "https://w3id.org/aikg/id/xai", "name": "xAI", "total_usd": 22000000000, "rounds": 3}],
    }}}}},
)
async def get_funding_leaders(
    request: Request,
    by: funding_totals.By = Query("recipient", description="recipient: totals raised; investor: totals of the rounds "
                                                           "an investor or lead investor took part in (each round in full)"),
    limit: int = Query(20, ge=1, le=1000, description="How many entities, largest total first"),
) -> dict[str, Any]:
    """USD totals over the funding rounds that have a USD amount, largest first, with the number of rounds."""
    return {"by": by, "limit": limit, "leaders": await read(request, funding_totals.leaders, by, limit)}
