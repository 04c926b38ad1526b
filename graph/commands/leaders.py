"""``aikg leaders``: who raised the most, or took part in the most money, over the funding rounds in USD."""

from __future__ import annotations

import json
from enum import Enum
from typing import Annotated

import typer
from rich.table import Table

from graph.commands.options import StoreOption

EXIT_CODES = "Exit codes: 0 listed (none when no round has a USD amount); 1 the work failed (no store); 2 a bad option."


class Role(str, Enum):
    recipient = "recipient"
    investor = "investor"


def leaders(
    by: Annotated[Role, typer.Option("--by", help="recipient: the totals raised; investor: the totals of the rounds an investor or lead investor took part in (each round in full: sources seldom give each investor's share).")] = Role.recipient,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="How many entities, largest total first.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print them as JSON, as GET /funding/leaders gives them.")] = False,
    store: StoreOption = None,
) -> None:
    """List who raised the most, or took part in the most money: USD totals over the funding rounds, largest first.

    A round reported without a USD amount is left out, not converted.
    """
    from graph.cli import _open, out
    from graph.funding_totals import leaders as funding_leaders

    kg = _open(store)
    found = funding_leaders(kg, by.value, limit)
    if as_json:
        out.print_json(json.dumps({"by": by.value, "limit": limit, "leaders": found}, ensure_ascii=False))
        return
    title = "Raised the most" if by is Role.recipient else "Took part in the most money"
    table = Table("", "entity", title=f"{title} (USD totals of funding rounds)", highlight=False)
    table.add_column("slug", overflow="fold")
    table.add_column("USD")
    table.add_column("rounds")
    for rank, leader in enumerate(found, 1):
        table.add_row(str(rank), leader["name"] or "", leader["slug"], f"{leader['total_usd']:,}", f"{leader['rounds']:,}")
    for column in (0, 3, 4):
        table.columns[column].justify = "right"
    out.print(table)
