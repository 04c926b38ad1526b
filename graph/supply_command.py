"""``aikg supply`` and ``aikg capacity``: who supplies what to whom, and how many GPUs each asset held when."""

from __future__ import annotations

import csv
import json
import sys
from typing import Annotated, Any, Optional

import typer
from rich.table import Table

from graph.command_options import ListFormat, StoreOption
from graph.supply_deals import SUPPLY_PAGE

SUPPLY_EXIT = "Exit codes: 0 listed (none matching included); 1 the work failed (no store); 2 invalid input (an unknown or ambiguous entity, a bad option)."
CAPACITY_EXIT = SUPPLY_EXIT
LimitOption = Annotated[Optional[int], typer.Option("--limit", min=1, help=f"How many to list. Default: {SUPPLY_PAGE} in the table, all in CSV and JSON.")]
OffsetOption = Annotated[int, typer.Option("--offset", min=0, help="How many to skip.")]
FormatOption = Annotated[ListFormat, typer.Option("--format", help="table; csv (a row each, for a spreadsheet); json.")]

DEAL_COLUMNS = ("id", "label", "suppliers", "customers", "product", "quantity", "for_assets", "status", "date", "sources")
"""The columns of ``aikg supply --format csv``: lists joined by ``; ``, entities and sources by slug."""
CAPACITY_COLUMNS = ("id", "label", "asset", "gpu_count", "date", "phase", "status", "sources")
"""The columns of ``aikg capacity --format csv``."""


def supply(
    supplier: Annotated[Optional[str], typer.Option("--supplier", help="Only deals this entity supplies: a slug, IRI or name (nvidia).")] = None,
    customer: Annotated[Optional[str], typer.Option("--customer", help="Only deals this entity is the customer of.")] = None,
    asset: Annotated[Optional[str], typer.Option("--asset", help="Only deals for this asset (colossus).")] = None,
    limit: LimitOption = None,
    offset: OffsetOption = 0,
    fmt: FormatOption = ListFormat.table,
    store: StoreOption = None,
) -> None:
    """List supply deals by date: supplier, customer, product and quantity, the asset they are for, status and sources."""
    from graph.cli import _open, entity_slugs
    from graph.supply_deals import deals

    kg = _open(store)
    found = entity_slugs(kg, {"--supplier": supplier, "--customer": customer, "--asset": asset})
    count, page = deals(kg, found.get("--supplier"), found.get("--customer"), found.get("--asset"), _limit(limit, fmt), offset)
    if fmt is ListFormat.json:
        _json({"filters": {"supplier": found.get("--supplier"), "customer": found.get("--customer"), "asset": found.get("--asset")},
               "count": count, "offset": offset, "deals": page})
    elif fmt is ListFormat.csv:
        _csv(DEAL_COLUMNS, ({**d, "suppliers": _slugs(d["suppliers"]), "customers": _slugs(d["customers"]),
                             "product": _slugs(d["product"]), "for_assets": _slugs(d["for_assets"])} for d in page))
    else:
        rows = [(_names(d["suppliers"]), _names(d["customers"]), _names(d["product"]),
                 f"{d['quantity']:,}" if d.get("quantity") is not None else "", _names(d["for_assets"]), d["status"] or "",
                 d["date"] or "", _sources(d)) for d in page]
        _table(("supplier", "customer", "product", "quantity", "for", "status", "date", "source"), rows, (3,),
               "deal", count, offset)


def capacity(
    asset: Annotated[Optional[str], typer.Argument(help="The asset (colossus, \"Colossus 2\"); every asset if left out.")] = None,
    limit: LimitOption = None,
    offset: OffsetOption = 0,
    fmt: FormatOption = ListFormat.table,
    store: StoreOption = None,
) -> None:
    """List how many GPUs each asset held when, by asset and date (or phase), with the sources."""
    from graph.cli import _open, entity_slugs
    from graph.supply_deals import capacity as observations

    kg = _open(store)
    found = entity_slugs(kg, {"ASSET": asset})
    count, page = observations(kg, found.get("ASSET"), _limit(limit, fmt), offset)
    if fmt is ListFormat.json:
        _json({"asset": found.get("ASSET"), "count": count, "offset": offset, "capacity": page})
    elif fmt is ListFormat.csv:
        _csv(CAPACITY_COLUMNS, ({**c, "asset": c["asset"]["slug"] if c["asset"] else ""} for c in page))
    else:
        rows = [((c["asset"] or {}).get("name", ""), f"{c['gpu_count']:,}" if c.get("gpu_count") is not None else "",
                 c["date"] or "", c["phase"] or "", c["status"] or "", _sources(c)) for c in page]
        _table(("asset", "GPUs", "date", "phase", "status", "source"), rows, (1,), "observation", count, offset)


def _limit(limit: int | None, fmt: ListFormat) -> int | None:
    return SUPPLY_PAGE if limit is None and fmt is ListFormat.table else limit


def _json(found: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(found, ensure_ascii=False, indent=2) + "\n")


def _csv(columns: tuple[str, ...], records: Any) -> None:
    from graph.quads import source_slug_of

    writer = csv.DictWriter(sys.stdout, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({**{k: "" if v is None else v for k, v in record.items()},
                         "sources": "; ".join(source_slug_of(s["iri"]) for s in record["sources"])})


def _table(columns: tuple[str, ...], rows: list[tuple[str, ...]], right: tuple[int, ...], noun: str, count: int, offset: int) -> None:
    from graph.cli import out

    if not count:
        out.print(f"No {noun} matches.")
        return
    table = Table(*columns, highlight=False)
    for i, column in enumerate(table.columns):
        column.overflow = "fold"
        if i in right:
            column.justify, column.no_wrap = "right", True
    for row in rows:
        table.add_row(*row)
    out.print(table)
    if count == 1 and rows:
        out.print(f"1 {noun}", highlight=False)
        return
    more = f"; `--offset {offset + len(rows)}` for the next" if offset + len(rows) < count else ""
    shown = f"{offset + 1:,}–{offset + len(rows):,}" if rows else f"none from {offset + 1:,}"
    out.print(f"{shown} of {count:,} {noun}s{more}", highlight=False)


def _slugs(entities: list[dict[str, str]]) -> str:
    return "; ".join(e["slug"] for e in entities)


def _names(entities: list[dict[str, str]]) -> str:
    return ", ".join(e["name"] or e["slug"] for e in entities)


def _sources(record: dict[str, Any]) -> str:
    from graph.quads import source_slug_of

    return "\n".join(source_slug_of(s["iri"]) for s in record["sources"])
