"""``aikg central``: the most central entities of the graph, by PageRank over the entities and their links."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from graph.commands.options import StoreOption

EXIT_CODES = "Exit codes: 0 listed; 1 the work failed (no store); 2 invalid input (an unknown class, a bad option)."


def central(
    top: Annotated[int, typer.Option("--top", min=1, max=1000, help="How many entities, most central first.")] = 20,
    types: Annotated[list[str], typer.Option("--types", help="Keep only these classes and their subclasses (comma-separated or repeated), e.g. InvestmentFirm or Company,Bank; the ranks stay those over the whole graph.")] = [],
    as_json: Annotated[bool, typer.Option("--json", help="Print them as JSON, as GET /centrality gives them.")] = False,
    store: StoreOption = None,
) -> None:
    """List the most central entities: PageRank over the entities, each link read both ways.

    A plain relation weighs 1 and a shortcut edge (funded by, supplies to, arranged financing for) as many events as it stands for, so a hub ranks high, and so does a firm tied to hubs. The graph's projection is read into memory first: instant for the bundled facts, about 20 s at a million triples the first time, then kept beside the store and read back in a second or two while the store is unchanged.
    """
    from graph import analysis
    from graph.cli import _open, _progress, fail, out
    from graph.projection_cache import projection, writes_before_opening
    from graph.view.command import split_types

    writes = writes_before_opening(store)
    kg = _open(store)
    wanted = split_types(types)
    with _progress() as progress:
        task = progress.add_task("read the graph", total=None)
        graph = projection(kg, writes, step=lambda doing: progress.update(task, description=doing))
        progress.update(task, description="rank the entities")
        try:
            found = analysis.centrality(graph, top, wanted)
        except analysis.UnknownClass as exc:
            fail(f"--types: {exc}", 2)
    if as_json:
        out.print_json(json.dumps({"top": top, "types": list(wanted), "entities": found}, ensure_ascii=False))
        return
    title = f"The {len(found)} most central" + (f" of {', '.join(wanted)}" if wanted else " entities")
    table = Table("", "entity", "class", "score", "links", title=title, highlight=False)
    table.add_column("slug", overflow="fold")
    for column in (0, 3, 4):
        table.columns[column].justify = "right"
    for rank, entity in enumerate(found, 1):
        table.add_row(str(rank), entity["name"] or "", entity["cls"], f"{entity['score']:.4f}", f"{entity['links']:,}", entity["slug"])
    out.print(table)
