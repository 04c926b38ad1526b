"""Funding rounds: those matching filters, largest first, each described with its amounts, roles, status and
sources, and the USD totals of all that match (``aikg funding``, ``GET /funding``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any, Literal, get_args

from graph.cards import check_slugs, describe_events, local, slug_of
from graph.funding_totals import json_number
from graph.store import Store
from ontology import ID, sparql_prologue

Instrument = Literal["Equity", "Debt", "SecuredBond", "Loan"]
Status = Literal["Reported", "InNegotiation", "Completed"]


ROUNDS_PAGE = 100
"""How many rounds ``GET /funding`` and ``aikg funding``'s table describe unless asked for more: each costs a
millisecond or so to describe at a million triples, and a store of that size holds tens of thousands."""


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
    without a limit), with the USD totals of all that match, by instrument and by status.

    ``recipient`` and ``investor`` are slugs, ``instrument`` and ``status`` local names of the ontology's
    (ValueError for other text, which never reaches a query).
    """
    check_slugs(recipient=recipient, investor=investor)
    for name, value, kinds in (("instrument", instrument, Instrument), ("status", status, Status)):
        if value is not None and value not in get_args(kinds):
            raise ValueError(f"{name}: {value!r} is not one of {', '.join(get_args(kinds))}")
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

