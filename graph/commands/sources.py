"""``aikg sources``: the documents the graph is built from, and what one of them reported."""

from __future__ import annotations

import json
from typing import Annotated, Any, Optional

import typer
from rich.table import Table

from graph.commands.options import StoreOption

EXIT_CODES = "Exit codes: 0 listed or shown; 1 the work failed (no store); 2 invalid input (a slug no source has, a bad option)."


def sources(
    slug: Annotated[Optional[str], typer.Argument(help="A source's slug (fastview-2025-07-xai-raises-12b) or IRI: show what it reported. Without it, list the sources.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many sources to list, by IRI.")] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0, help="How many to skip: the next page starts at offset + limit.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON, as GET /sources and GET /sources/{slug} give it.")] = False,
    store: StoreOption = None,
) -> None:
    """List the source documents, or show one: its metadata, what it cites, the events and relations it reported."""
    from graph.cli import _open, fail, out
    from graph.sources import UnknownSource, document, documents

    kg = _open(store)
    if slug is None:
        found = documents(kg, limit, offset)
    else:
        try:
            found = document(kg, slug)
        except UnknownSource as exc:
            fail(f"{exc}; `aikg sources` lists them", 2)
    if as_json:
        out.print_json(json.dumps(found, ensure_ascii=False, default=str))
    elif slug is None:
        print_list(found)
    else:
        print_document(found)


def print_list(found: dict[str, Any]) -> None:
    """A page of :func:`graph.sources.documents` as a table, and where the next page starts."""
    from graph.cli import out
    from graph.commands.listing import page_line

    table = Table("source", "title", "publisher", "published", "facts", highlight=False)
    table.columns[0].overflow = "fold"
    table.columns[4].justify = "right"
    for doc in found["items"]:
        table.add_row(doc["slug"], doc["title"] or "", doc["publisher"] or "", doc["published"] or "", f"{doc['facts']:,}")
    out.print(table)
    out.print(page_line(found["offset"], len(found["items"]), found["total"], "source"), highlight=False)


def print_document(doc: dict[str, Any]) -> None:
    """One source of :func:`graph.sources.document`: its metadata, citations, events and relations."""
    from graph.cli import out
    from graph.commands.listing import event_amount
    from graph.quads import source_slug_of

    out.print(f"[bold]{doc['title'] or doc['slug']}[/]", highlight=False)
    said = [doc["publisher"], doc["published"], doc["language"] and f"in {doc['language']}"]
    out.print("; ".join(x for x in said if x), highlight=False)
    out.print(doc["iri"], highlight=False)
    out.print(f"{doc['facts']:,} triples in its graph" if doc["facts"] else "cited by other sources; no graph of its own",
              highlight=False)
    if doc["cites"]:
        out.print(f"cites: {', '.join(source_slug_of(c) for c in doc['cites'])}", highlight=False)
    if doc["cited_for"]:
        out.print(f"cited for: {', '.join(doc['cited_for'])}", highlight=False)
    if doc["events"]:
        events = Table("event", "type", "who", "amount", "status", "date", title="Events it reported", highlight=False)
        for e in doc["events"]:
            events.add_row(e["label"], e["type"], _participants(e["participants"]), event_amount(e, "\n"), e.get("status", ""),
                           e.get("date", ""))
        out.print(events)
    if doc["relations"]:
        relations = Table("subject", "relation", "object", title="Relations it reported", highlight=False)
        for r in doc["relations"]:
            relations.add_row(r["subject"], r["predicate"], r["object"])
        out.print(relations)


def _participants(by_role: dict[str, list[dict[str, Any]]]) -> str:
    """``recipient: xAI`` a line per role."""
    return "\n".join(f"{role}: {', '.join(p['name'] or p['slug'] for p in who)}" for role, who in by_role.items())

