"""``aikg view``: write the interactive graph view to one HTML file."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Optional

import typer

from graph.commands.options import StoreOption

from graph.view.selection import EventMode, SelectionError, ViewOptions

EXIT_CODES = "Exit codes: 0 written; 1 the work failed (no store, cannot write); 2 invalid input (unknown slug or class, bad option)."


def split_types(values: list[str]) -> tuple[str, ...]:
    """``--types Company,Bank --types Person`` → ``("Company", "Bank", "Person")``."""
    return tuple(t.strip() for v in values for t in v.split(",") if t.strip())


def view(
    output: Annotated[Path, typer.Option("-o", "--output", help="The HTML file to write.")] = Path("graph.html"),
    focus: Annotated[Optional[str], typer.Option("--focus", help="The entity to centre on: its slug (xai), IRI or name (\"Elon Musk\"); default: the whole graph.")] = None,
    depth: Annotated[int, typer.Option("--depth", help="Hops around the focus, either direction.")] = 2,
    types: Annotated[list[str], typer.Option("--types", help="Keep only these classes and their subclasses (comma-separated or repeated), e.g. Organization,Person,FundingRound.")] = [],
    since: Annotated[Optional[str], typer.Option("--since", help="Leave out events that ended before this date (YYYY, YYYY-MM, YYYY-MM-DD).")] = None,
    min_amount: Annotated[Optional[float], typer.Option("--min-amount", help="Leave out events under this many US dollars.")] = None,
    events: Annotated[str, typer.Option("--events", help="show: events as nodes; collapse: folded into funded-by, supplies-to, arranged-financing-for edges. Switchable in the page.")] = "show",
    max_nodes: Annotated[int, typer.Option("--max-nodes", help="Node cap; past it the nearest and best-connected nodes are kept and the page says what was left out.")] = 500,
    size: Annotated[str, typer.Option("--size", help="What node size shows when the page opens: links (in the drawing), money (in and out) or importance (PageRank over the whole graph, as aikg central ranks). Switchable in the page.")] = "links",
    store: StoreOption = None,
) -> None:
    """Write an interactive, offline graph view (one HTML file: search, class filter, cards, event switch, node sizes).

    The graph's projection and the events' details are kept beside the store (as aikg path and aikg central keep the projection), so a second view of an unchanged store skips reading them.
    """
    from graph.cards import AmbiguousName, UnknownEntity, closest_slugs, find_entity
    from graph.collector import collector_paused
    from graph.cli import _open, _progress, fail
    from graph.projection_cache import projection, view_details, writes_before_opening
    from graph.view import make_selection
    from graph.view.render import render_html

    if events not in ("show", "collapse"):
        fail(f"--events {events!r}: choose show or collapse", 2)
    options = ViewOptions(focus=focus, depth=depth, types=split_types(types), since=since, min_amount=min_amount,
                          events=_mode(events), max_nodes=max_nodes, size=size)  # type: ignore[arg-type]  # checked next
    try:
        options.check()
    except SelectionError as exc:
        fail(f"--{exc}", 2)
    writes = writes_before_opening(store)
    kg = _open(store)
    if focus is not None:
        try:
            options = dataclasses.replace(options, focus=find_entity(kg, focus))
        except (UnknownEntity, AmbiguousName) as exc:
            fail(f"--focus: {exc}", 2)
    with _progress() as progress, collector_paused():
        task = progress.add_task("read the graph", total=3)
        try:
            graph = projection(kg, writes, step=lambda doing: progress.update(task, description=doing))
            progress.update(task, advance=1, description="read the events and sources")
            details = view_details(kg, writes, step=lambda doing: progress.update(task, description=doing))
            selection, details = make_selection(kg, options, graph, details)
        except KeyError:
            suggestions = closest_slugs(kg, focus or "")
            fail(f"--focus: no entity {focus!r}" + (f"; did you mean {', '.join(suggestions)}?" if suggestions else ""), 2)
        except SelectionError as exc:
            fail(f"--{exc}", 2)
        progress.update(task, advance=1, description="draw")
        page = render_html(selection, details, title=f"aikg: around {options.focus}" if options.focus else "aikg: the graph")
        try:
            output.write_text(page, encoding="utf-8")
        except OSError as exc:
            fail(f"{output}: {exc.strerror or exc}", 1)
        progress.update(task, advance=1)
    typer.echo(selection.note())
    typer.echo(f"Wrote {output} ({len(selection.graph):,} nodes, {selection.graph.number_of_edges():,} edges).")


view.__doc__ = f"{view.__doc__}\n\n{EXIT_CODES}"


def _mode(events: str) -> EventMode:
    return "collapse" if events == "collapse" else "show"
