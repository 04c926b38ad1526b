"""``aikg path``: how two entities are connected, every step with the documents that report it."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from graph.commands.options import StoreOption

EXIT_CODES = ("Exit codes: 0 answered (no path within --max-hops included: it says so, and --json gives "
              "\"count\": 0); 1 the work failed (no store); 2 invalid input (an unknown or ambiguous entity, a bad option).")

LISTED = 5
"""How many events and sources the table lists for one step (a shortcut between two hubs can stand for hundreds); ``--json`` gives all."""
MAX_HOPS = 10
"""The longest path ``aikg path`` looks for, as ``GET /paths`` allows."""


def path(
    start: Annotated[str, typer.Argument(metavar="FROM", help="Where the paths start: a slug (antonio-gracias), an IRI, or a name or alias (\"Antonio Gracias\").")],
    end: Annotated[str, typer.Argument(metavar="TO", help="Where they end, given the same way (nvidia).")],
    max_hops: Annotated[int, typer.Option("--max-hops", min=1, max=MAX_HOPS, help="The longest path to report.")] = 6,
    as_json: Annotated[bool, typer.Option("--json", help="Print the paths as JSON, as GET /paths gives them.")] = False,
    store: StoreOption = None,
) -> None:
    """Print every shortest path between two entities, either direction, each step with its sources.

    A step along a shortcut edge (funded by, supplies to, arranged financing for) names the events it stands for. The graph's projection is read into memory first: instant for the bundled facts, about 20 s at a million triples the first time, then kept beside the store and read back in a second or two while the store is unchanged.
    """
    from graph import analysis
    from graph.cli import _open, _progress, entity_slugs, fail, out
    from graph.projection_cache import projection, writes_before_opening

    writes = writes_before_opening(store)
    kg = _open(store)
    slugs = list(entity_slugs(kg, {"FROM": start, "TO": end}).values())
    with _progress() as progress:
        task = progress.add_task("read the graph", total=None)
        graph = projection(kg, writes, step=lambda doing: progress.update(task, description=doing))
        progress.update(task, description="search the paths")
        try:
            found = analysis.paths_between(graph, slugs[0], slugs[1], max_hops)
        except KeyError as exc:  # an entity without a name or a class is left out of the projection
            fail(f"{exc.args[0]!r} is an entity the graph's projection leaves out (it has no class or name)", 2)
    if as_json:
        out.print_json(json.dumps(found, ensure_ascii=False))
        return
    print_paths(found, graph.nodes(data="name"))


def print_paths(found: dict[str, Any], names: Any) -> None:
    """The paths of :func:`graph.analysis.paths_between` as one table, a step a row, a section a path."""
    from graph.analysis import MOST_PATHS
    from graph.cli import out
    from graph.quads import source_slug_of

    start, end = (names[found[key]] or found[key] for key in ("from", "to"))
    if not found["count"]:
        out.print(f"No path of at most {_hops(found['max_hops'])} between {start} and {end}.", highlight=False)
        return
    if not found["hops"]:
        out.print(f"{start} and {end} are the same entity.", highlight=False)
        return
    some = f"{found['count']} shortest paths" if found["count"] > 1 else "One shortest path"
    table = Table("path", "step", highlight=False, title_justify="left",
                  title=f"{some} of {_hops(found['hops'])} from {start} to {end}")
    table.add_column("events", overflow="fold")
    table.add_column("source", overflow="fold")
    for number, steps in enumerate(found["paths"], 1):
        for i, step in enumerate(steps):
            table.add_row(str(number) if i == 0 else "", step_text(step), _listed(step["events"]),
                          _listed([source_slug_of(iri) for iri in step["sources"]]), end_section=i == len(steps) - 1)
    out.print(table)
    if found["count"] == MOST_PATHS:
        out.print(f"(the first {MOST_PATHS} in the order of their entities' slugs; there may be more)", highlight=False)


def step_text(step: dict[str, Any]) -> str:
    """One step read in the direction its edge points: ``Valor Equity Partners ←fundedBy— xAI`` when xAI is funded by Valor."""
    here, there = step["from_name"] or step["from"], step["to_name"] or step["to"]
    if step["direction"] == "forward":
        return f"{here} —{step['predicate']}→ {there}"
    return f"{here} ←{step['predicate']}— {there}"


def _hops(n: int) -> str:
    return "1 hop" if n == 1 else f"{n} hops"


def _listed(items: list[str]) -> str:
    """The first :data:`LISTED` items, a line each, and how many more there are."""
    more = f"\n… {len(items) - LISTED:,} more" if len(items) > LISTED else ""
    return "\n".join(items[:LISTED]) + more
