"""How the commands that list records (``aikg funding``, ``supply``, ``capacity``, ``sources``) write them: a page of a
table and the line that says where the next starts, CSV and JSON on stdout, entities and documents by slug."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable
from typing import Any

from graph.commands.options import ListFormat
from graph.quads import source_slug_of


def table_limit(limit: int | None, fmt: ListFormat, page: int) -> int | None:
    """How many records to describe: ``limit`` if given, else ``page`` for a table and every one for CSV and JSON."""
    return page if limit is None and fmt is ListFormat.table else limit


def page_line(offset: int, shown: int, total: int, noun: str) -> str:
    """Which records a table showed and where the next page starts: ``1–50 of 19,322 sources; `--offset 50` for the next``."""
    if total == 1 and shown:
        return f"1 {noun}"
    if not shown:
        return f"none from {offset + 1:,} of {total:,} {noun}s"
    more = f"; `--offset {offset + shown}` for the next" if offset + shown < total else ""
    return f"{offset + 1:,}–{offset + shown:,} of {total:,} {noun}s{more}"


def write_json(found: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(found, ensure_ascii=False, indent=2) + "\n")


def write_csv(columns: tuple[str, ...], rows: Iterable[dict[str, Any]]) -> None:
    """``rows`` as CSV on stdout under ``columns`` (other keys are left out, None is an empty cell)."""
    writer = csv.DictWriter(sys.stdout, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})


def slugs(entities: list[dict[str, str]]) -> str:
    """Entities in a CSV cell: their slugs joined by ``; ``."""
    return "; ".join(e["slug"] for e in entities)


def names(entities: list[dict[str, str]]) -> str:
    """Entities in a table cell: their names (else slugs) joined by ``, ``."""
    return ", ".join(e["name"] or e["slug"] for e in entities)


def source_slugs(documents: list[dict[str, Any]], joiner: str = "; ") -> str:
    """Documents (``{"iri": ...}``) by slug: joined by ``; `` in a CSV cell, by ``joiner`` (a new line) in a table."""
    return joiner.join(source_slug_of(d["iri"]) for d in documents)


def event_amount(event: dict[str, Any], joiner: str = ", ") -> str:
    """What an event (as :func:`graph.cards.describe_events` gives it) counts, in a table cell: its GPUs, else every
    figure as reported (``USD 12,000,000,000, JPY 1,765,400,000,000``)."""
    if event.get("gpu_count"):
        return f"{event['gpu_count']:,} GPUs"
    return joiner.join(f"{a['currency']} {a['value']:,}" for a in event["amounts"])
