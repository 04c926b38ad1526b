"""``aikg funding``: funding rounds matching filters, largest first, with their totals, as a table, CSV or JSON."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Any, Optional

import typer
from rich.table import Table

from graph.commands.options import ListFormat as Format, StoreOption
from graph.funding_rounds import ROUNDS_PAGE
from graph.commands.listing import slugs, source_slugs, table_limit, write_csv, write_json

EXIT_CODES = "Exit codes: 0 listed (none matching included); 1 the work failed (no store); 2 invalid input (an unknown or ambiguous entity, a bad option)."

CSV_COLUMNS = ("id", "label", "recipient", "amount_usd", "amounts", "instruments", "status", "date", "lead", "investors",
               "arrangers", "for_assets", "purpose", "sources", "reported_by")
"""The columns of ``aikg funding --format csv``: one round a row, lists joined by ``; ``, entities and sources by slug."""


class Instrument(str, Enum):
    Equity = "Equity"
    Debt = "Debt"
    SecuredBond = "SecuredBond"
    Loan = "Loan"


class Status(str, Enum):
    Reported = "Reported"
    InNegotiation = "InNegotiation"
    Completed = "Completed"


def funding(
    recipient: Annotated[Optional[str], typer.Option("--recipient", help="Only rounds raised by this entity: a slug, IRI or name (xai, \"xAI\").")] = None,
    investor: Annotated[Optional[str], typer.Option("--investor", help="Only rounds this entity invested in or led.")] = None,
    instrument: Annotated[Optional[Instrument], typer.Option("--instrument", help="Only rounds in this instrument.")] = None,
    status: Annotated[Optional[Status], typer.Option("--status", help="Only rounds of this status.")] = None,
    since: Annotated[Optional[dt.datetime], typer.Option("--since", formats=["%Y-%m-%d"], help="Only rounds dated on or after (YYYY-MM-DD; a round dated by month or year counts if its period reaches it).")] = None,
    until: Annotated[Optional[dt.datetime], typer.Option("--until", formats=["%Y-%m-%d"], help="Only rounds dated on or before (YYYY-MM-DD).")] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help=f"How many rounds, largest first. Default: {ROUNDS_PAGE} in the table, all in CSV and JSON; the totals count every round that matches.")] = None,
    offset: Annotated[int, typer.Option("--offset", min=0, help="How many of the largest to skip.")] = 0,
    fmt: Annotated[Format, typer.Option("--format", help="table; csv (one round a row, for a spreadsheet); json (as GET /funding gives it).")] = Format.table,
    store: StoreOption = None,
) -> None:
    """List funding rounds, largest first, with the USD totals of every round that matches.

    Each round with its amount in USD and as reported, instruments, status, date, who took part and the sources; the totals by instrument and by status.
    """
    from graph.cli import _open, _progress, entity_slugs
    from graph.funding_rounds import rounds

    kg = _open(store)
    entities = entity_slugs(kg, {"--recipient": recipient, "--investor": investor})
    with _progress() as progress:
        progress.add_task("describe the rounds", total=None)
        found = rounds(kg, entities.get("--recipient"), entities.get("--investor"), instrument and instrument.value,
                       status and status.value, since and since.date(), until and until.date(),
                       table_limit(limit, fmt, ROUNDS_PAGE), offset)
    if fmt is Format.json:
        write_json(found)
    elif fmt is Format.csv:
        write_csv(CSV_COLUMNS, (csv_row(r) for r in found["rounds"]))
    else:
        print_rounds(found)


def csv_row(r: dict[str, Any]) -> dict[str, Any]:
    """A round as a row of :data:`CSV_COLUMNS`."""
    return {
        **r, "recipient": slugs([r["recipient"]] if r["recipient"] else []),
        "amounts": "; ".join(f"{a['currency']} {a['value']}" for a in r["amounts"]), "instruments": "; ".join(r["instruments"]),
        "lead": slugs(r["lead"]), "investors": slugs(r["investors"]), "arrangers": slugs(r["arrangers"]),
        "for_assets": slugs(r["for_assets"]), "sources": source_slugs(r["sources"]),
        "reported_by": source_slugs(r["reported_by"]),
    }


def print_rounds(found: dict[str, Any]) -> None:
    """The rounds as a table, and the totals of all that match."""
    from graph.cli import out

    if not found["count"]:
        out.print("No round matches.")
        return
    table = Table(highlight=False)
    table.add_column("raised by", overflow="fold")
    table.add_column("USD", justify="right", no_wrap=True)
    table.add_column("instrument")
    table.add_column("status", no_wrap=True)
    table.add_column("date", no_wrap=True)
    table.add_column("with", overflow="fold")
    table.add_column("source", overflow="fold")
    for r in found["rounds"]:
        who = [f"{role}: {', '.join(p['name'] for p in r[role])}" for role in ("lead", "investors", "arrangers") if r[role]]
        table.add_row((r["recipient"] or {}).get("name", ""), f"{r['amount_usd']:,}" if r["amount_usd"] is not None else "",
                      ", ".join(r["instruments"]), r["status"] or "", r["date"] or "", "\n".join(who),
                      source_slugs(r["sources"], "\n"))
    out.print(table)
    totals, shown = found["totals"], len(found["rounds"])
    by = "; ".join(f"{k} {v:,}" for k, v in totals["by_instrument"].items())
    matched = "1 round matches" if found["count"] == 1 else f"{found['count']:,} rounds match"
    out.print(f"{matched}: USD {totals['usd']:,} in all" + (f" ({by})" if by else ""), highlight=False)
    if shown < found["count"]:
        first = found["offset"] + 1
        more = f"; `--offset {found['offset'] + shown}` for the next" if found["offset"] + shown < found["count"] else ""
        out.print(f"listed: {first:,}–{found['offset'] + shown:,}, largest first{more}" if shown else
                  f"none listed from {first:,}", highlight=False)

