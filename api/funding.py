"""``GET /funding``: funding rounds with amounts, lead, arranger, status and sources, and their totals."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter, Query, Request

from api.reading import read
from graph import funding_totals
from graph.funding_totals import json_number
from graph.cards import describe_events, local, slug_of
from graph.store import Store
from ontology import ID, sparql_prologue

router = APIRouter(tags=["funding"])

Instrument = Literal["Equity", "Debt", "SecuredBond", "Loan"]
Status = Literal["Reported", "InNegotiation", "Completed"]


ROUNDS_PAGE = 100
"""How many rounds ``GET /funding`` describes unless asked for more: each costs a millisecond or so to
describe at a million triples, and a store of that size holds tens of thousands."""


def rounds(
    store: Store,
    recipient: str | None = None,
    investor: str | None = None,
    instrument: str | None = None,
    status: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> dict[str, Any]:
    """The rounds that match every filter, largest first (``limit`` of them from ``offset``; every one
    without a limit), with the USD totals of all that match, by instrument and by status."""
    filters = []
    if recipient:
        filters.append(f"?round aik:recipient <{ID}{recipient}> .")
    if investor:
        filters.append(f"{{ ?round aik:investor <{ID}{investor}> }} UNION {{ ?round aik:leadInvestor <{ID}{investor}> }}")
    if instrument:
        filters.append(f"?round aik:instrument aik:{instrument} .")
    if status:
        filters.append(f"?round aik:status aik:{status} .")
    # A round dated only by month or year counts if any part of its period falls in the range.
    if since:
        filters.append(f'?round aik:dateEnd ?end FILTER(?end >= "{since.isoformat()}"^^xsd:date)')
    if until:
        filters.append(f'?round aik:dateStart ?start FILTER(?start <= "{until.isoformat()}"^^xsd:date)')
    # One row a round with what the totals need, so only the rounds of the page are described in full.
    found = store.select(
        sparql_prologue()
        + f"""SELECT ?round (SAMPLE(?amount) AS ?usd) (GROUP_CONCAT(DISTINCT STR(?inst); SEPARATOR=" ") AS ?instruments) (MAX(?state) AS ?status)
        WHERE {{
            ?round a aik:FundingRound . OPTIONAL {{ ?round aik:amountUSD ?amount }} {' '.join(filters)}
            OPTIONAL {{ ?round aik:instrument ?inst }} OPTIONAL {{ ?round aik:status ?state }}
        }} GROUP BY ?round"""
    )
    found.sort(key=lambda row: (-(row.get("usd") or 0), slug_of(row["round"])))
    by_instrument: dict[str, Decimal] = defaultdict(Decimal)
    by_status: dict[str, Decimal] = defaultdict(Decimal)
    for row in found:
        usd = Decimal(str(row.get("usd") or 0))
        # A round in several instruments (secured bonds and loans) counts once, under their joint name.
        by_instrument["+".join(sorted({local(i) for i in row.get("instruments", "").split()})) or "unspecified"] += usd
        by_status[local(row["status"]) if row.get("status") else "unspecified"] += usd
    page = found[offset:] if limit is None else found[offset:offset + limit]
    described = describe_events(store, [row["round"] for row in page])
    return {
        "filters": {"recipient": recipient, "investor": investor, "instrument": instrument, "status": status,
                    "since": since.isoformat() if since else None, "until": until.isoformat() if until else None},
        "count": len(found),
        "limit": limit,
        "offset": offset,
        "rounds": [_round(described[row["round"]], row.get("usd")) for row in page],
        "totals": {
            "usd": json_number(sum(by_status.values(), Decimal(0))),
            "by_instrument": {k: json_number(v) for k, v in sorted(by_instrument.items())},
            "by_status": {k: json_number(v) for k, v in sorted(by_status.items())},
        },
    }


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


def _round(event: dict[str, Any], usd: Decimal | None) -> dict[str, Any]:
    people = event["participants"]
    recipient = (people.get("recipient") or [None])[0]
    return {
        "id": event["id"], "iri": event["iri"], "label": event["label"], "recipient": recipient,
        "amount_usd": json_number(usd) if usd is not None else None, "amounts": event["amounts"], "instruments": event["instruments"],
        "status": event.get("status"), "lead": people.get("leadInvestor", []), "investors": people.get("investor", []),
        "arrangers": people.get("arranger", []), "for_assets": people.get("forAsset", []),
        "date": event.get("date"), "purpose": event.get("purpose"), "sources": event["sources"],
        "reported_by": event["reported_by"],
    }

