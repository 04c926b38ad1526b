"""``aikg supply`` and ``aikg capacity``: who supplies what to whom, and how many GPUs each asset held when."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.table import Table

from graph.commands.options import ListFormat, StoreOption
from graph.commands.listing import names, page_line, slugs, source_slugs, table_limit, write_csv, write_json
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
    count, page = deals(kg, found.get("--supplier"), found.get("--customer"), found.get("--asset"),
                        table_limit(limit, fmt, SUPPLY_PAGE), offset)
    if fmt is ListFormat.json:
        write_json({"filters": {"supplier": found.get("--supplier"), "customer": found.get("--customer"), "asset": found.get("--asset")},
                    "count": count, "offset": offset, "deals": page})
    elif fmt is ListFormat.csv:
        write_csv(DEAL_COLUMNS, ({**d, "suppliers": slugs(d["suppliers"]), "customers": slugs(d["customers"]),
                                  "product": slugs(d["product"]), "for_assets": slugs(d["for_assets"]),
                                  "sources": source_slugs(d["sources"])} for d in page))
    else:
        rows = [(names(d["suppliers"]), names(d["customers"]), names(d["product"]),
                 f"{d['quantity']:,}" if d.get("quantity") is not None else "", names(d["for_assets"]), d["status"] or "",
                 d["date"] or "", source_slugs(d["sources"], "\n")) for d in page]
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
    count, page = observations(kg, found.get("ASSET"), table_limit(limit, fmt, SUPPLY_PAGE), offset)
    if fmt is ListFormat.json:
        write_json({"asset": found.get("ASSET"), "count": count, "offset": offset, "capacity": page})
    elif fmt is ListFormat.csv:
        write_csv(CAPACITY_COLUMNS, ({**c, "asset": c["asset"]["slug"] if c["asset"] else "",
                                      "sources": source_slugs(c["sources"])} for c in page))
    else:
        rows = [((c["asset"] or {}).get("name", ""), f"{c['gpu_count']:,}" if c.get("gpu_count") is not None else "",
                 c["date"] or "", c["phase"] or "", c["status"] or "", source_slugs(c["sources"], "\n")) for c in page]
        _table(("asset", "GPUs", "date", "phase", "status", "source"), rows, (1,), "observation", count, offset)


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
    out.print(page_line(offset, len(rows), count, noun), highlight=False)

