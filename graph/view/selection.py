"""Which nodes the view draws: the neighbourhood of a focus, filtered by class, date and amount, within a node cap."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

import networkx as nx

from graph import analysis
from graph.view.details import Details

EventMode = Literal["show", "collapse"]
SizeBy = Literal["links", "money", "importance"]
SIZES: tuple[SizeBy, ...] = ("links", "money", "importance")
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class SelectionError(ValueError):
    """An option the graph cannot satisfy (an unknown class, a malformed date); the message names the option."""


@dataclass(frozen=True)
class ViewOptions:
    """What to draw. Every field is also a CLI option of ``aikg view`` and a query parameter of ``GET /view``."""

    focus: str | None = None
    """Slug of the entity to centre on; None draws the whole graph."""
    depth: int = 2
    """Hops from the focus, in either direction."""
    types: tuple[str, ...] = ()
    """Keep only entities (and events) of these classes or their subclasses; the focus always stays."""
    since: str | None = None
    """Leave out events that ended before this date (YYYY, YYYY-MM or YYYY-MM-DD); undated events stay."""
    min_amount: float | None = None
    """Leave out events with a USD amount below this; events without an amount stay."""
    events: EventMode = "show"
    """Events as their own nodes (``show``) or folded into the shortcut edges (``collapse``); switchable in the page."""
    max_nodes: int = 500
    """The node cap: past it the view keeps the nodes nearest the focus and, among those, the best connected."""
    size: SizeBy = "links"
    """What a node's size shows when the page opens (switchable in the page): its links in the drawing, the money in
    and out of it, or its importance in the whole graph (PageRank, as ``aikg central`` ranks entities)."""

    def check(self) -> None:
        """Raise :class:`SelectionError` for a value no graph could satisfy."""
        if self.depth < 0:
            raise SelectionError(f"depth: must be 0 or more, not {self.depth}")
        if self.max_nodes < 1:
            raise SelectionError(f"max-nodes: must be 1 or more, not {self.max_nodes}")
        if self.since is not None and not DATE.match(self.since):
            raise SelectionError(f"since: {self.since!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
        if self.events not in ("show", "collapse"):
            raise SelectionError(f"events: choose show or collapse, not {self.events!r}")
        if self.size not in SIZES:
            raise SelectionError(f"size: choose {', '.join(SIZES)}, not {self.size!r}")
        if self.min_amount is not None and self.min_amount < 0:
            raise SelectionError(f"min-amount: must be 0 or more, not {self.min_amount}")


@dataclass
class Selection:
    """The subgraph to draw and what was left out of it."""

    graph: nx.MultiDiGraph
    options: ViewOptions
    candidates: int
    """Nodes that passed the filters (and the depth) before the cap."""
    left_out: Counter[str] = field(default_factory=Counter)
    """Nodes the cap dropped, by class."""
    filtered_out: int = 0
    """Nodes the class, date and amount filters dropped."""
    importance: dict[str, tuple[int, float]] = field(default_factory=dict)
    """Each drawn entity's place and PageRank score among all the entities of the graph (1 the most central)."""
    ranked: int = 0
    """How many entities the graph holds, all ranked."""

    def note(self) -> str:
        """One sentence for the page on what is drawn and what is not."""
        where = f"within {self.options.depth} hop(s) of {self.options.focus}" if self.options.focus else "in the graph"
        text = f"{len(self.graph):,} of {self.candidates:,} nodes {where}"
        if self.left_out:
            classes = ", ".join(f"{n:,} {cls}" for cls, n in self.left_out.most_common(5))
            text += (f"; the node cap ({self.options.max_nodes:,}) left out {sum(self.left_out.values()):,} "
                     f"farther or less connected nodes ({classes}{', …' if len(self.left_out) > 5 else ''})")
        if self.filtered_out:
            text += f"; {self.filtered_out:,} nodes did not pass the filters"
        return text + "."


def select(graph: nx.MultiDiGraph, details: Details, options: ViewOptions,
           ranked: list[dict[str, Any]] | None = None) -> Selection:
    """Apply the filters, then the depth around the focus, then the node cap. Raises KeyError for an unknown focus.

    ``ranked``: :func:`graph.analysis.ranking` of ``graph`` if already made (a server keeps it until the
    graph changes); else it is made here (0.9 s at a million triples), so that each drawn entity carries
    its place in the whole graph, whatever the drawing leaves out.
    """
    options.check()
    if options.focus is not None and (options.focus not in graph or graph.nodes[options.focus]["kind"] != "entity"):
        raise KeyError(options.focus)
    filtered = _filtered(graph, details, options) if options.types or options.since or options.min_amount is not None else graph
    filtered_out = len(graph) - len(filtered)
    if options.focus is not None:
        distance = nx.single_source_shortest_path_length(filtered.to_undirected(as_view=True), options.focus, cutoff=options.depth)
    else:
        distance = dict.fromkeys(filtered, 0)
    degree = dict(filtered.degree())
    order = sorted(distance, key=lambda n: (distance[n], -degree[n], n))
    kept, cut = order[: options.max_nodes], order[options.max_nodes :]
    # Nodes in their rank, edges sorted: the page is the same however the projection was made (fresh, or changed in place).
    chosen = nx.MultiDiGraph()
    chosen.add_nodes_from((n, filtered.nodes[n]) for n in kept)
    chosen.add_edges_from(sorted(filtered.subgraph(kept).edges(keys=True, data=True), key=lambda e: e[:3]))
    everyone = analysis.ranking(graph) if ranked is None else ranked
    return Selection(
        graph=chosen,
        options=options,
        candidates=len(order),
        left_out=Counter(filtered.nodes[n]["cls"] for n in cut),
        filtered_out=filtered_out,
        importance={e["slug"]: (place, e["score"]) for place, e in enumerate(everyone, 1) if e["slug"] in chosen},
        ranked=len(everyone),
    )


def _filtered(graph: nx.MultiDiGraph, details: Details, options: ViewOptions) -> nx.MultiDiGraph:
    """The graph without the nodes the filters drop, and without shortcut edges whose events all went."""
    entity_types, event_types = _split_types(graph, details, options.types)
    keep = [n for n, d in graph.nodes(data=True) if n == options.focus or _passes(n, d, details, options, entity_types, event_types)]
    kept = graph.subgraph(keep)
    dropped_events = {n for n, d in graph.nodes(data=True) if d["kind"] == "event" and n not in kept}
    edges = [
        (u, v, k) for u, v, k, d in kept.edges(keys=True, data=True)
        if not (d.get("events") and all(e in dropped_events for e in d["events"]))
    ]
    filtered = nx.MultiDiGraph(kept.edge_subgraph(edges)) if edges else nx.MultiDiGraph()
    filtered.add_nodes_from((n, graph.nodes[n]) for n in keep if graph.nodes[n]["kind"] == "entity" or filtered.has_node(n))
    return filtered


def _split_types(graph: nx.MultiDiGraph, details: Details, types: tuple[str, ...]) -> tuple[set[str], set[str]]:
    if not types:
        return set(), set()
    known = {d["cls"] for _, d in graph.nodes(data=True)}
    known |= {s for cls in known for s in details.classes_of(cls)}
    unknown = [t for t in types if t not in known]
    if unknown:
        raise SelectionError(f"types: unknown class {', '.join(map(repr, unknown))}; known: {', '.join(sorted(known))}")
    event_classes = {t for t in types if "Event" in details.classes_of(t) or t == "CapacityObservation"}
    return set(types) - event_classes, event_classes


def _passes(node: str, data: dict, details: Details, options: ViewOptions, entity_types: set[str], event_types: set[str]) -> bool:
    classes = details.classes_of(data["cls"])
    if data["kind"] == "entity":
        return not entity_types or bool(classes & entity_types)
    if event_types and not classes & event_types:
        return False
    event = details.events.get(node, {})
    if options.min_amount is not None and event.get("amount_usd") is not None and event["amount_usd"] < options.min_amount:
        return False
    end = event.get("date_end") or event.get("date")
    if options.since is not None and end and DATE.match(end) and end < options.since[: len(end)]:
        return False
    return True
