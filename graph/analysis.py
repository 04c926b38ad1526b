"""The graph as networkx: a projection of entities, events and their links, and the algorithms run on it.

Nodes are slugs. Each node has ``kind`` (``entity`` or ``event``), ``cls`` (its most specific
class), ``name`` and ``name_ja``. Each edge has ``predicate``, ``derived`` (True for the
shortcut edges) and ``sources`` (the IRIs of the documents that report it; for a derived
edge, those of the events it summarises, listed in ``events``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from itertools import islice
from typing import Any

import networkx as nx

from graph.cards import local, slug_of
from graph.quads import ENTITIES_GRAPH
from graph.store import Store
from ontology import DERIVED_GRAPH, ID, ONTOLOGY_IRI, sparql_prologue

# Which event roles justify each derived shortcut edge: (role of the edge's start, role of its end).
SHORTCUT_ROLES = {
    "fundedBy": ("recipient", ("investor", "leadInvestor")),
    "suppliesTo": ("supplier", ("customer",)),
    "arrangedFinancingFor": ("arranger", ("recipient",)),
}


def project(store: Store) -> nx.MultiDiGraph:
    """Read the store into a directed multigraph of entities and events."""
    graph = nx.MultiDiGraph()
    for row in store.select(
        sparql_prologue()
        + f"""SELECT ?n ?cls ?en ?ja WHERE {{
            GRAPH <{ENTITIES_GRAPH}> {{ ?n a ?cls OPTIONAL {{ ?n rdfs:label ?en FILTER(LANG(?en) = "en") }}
                                       OPTIONAL {{ ?n rdfs:label ?ja FILTER(LANG(?ja) = "ja") }} }} }}"""
    ):
        graph.add_node(slug_of(row["n"]), kind="entity", cls=local(row["cls"]), name=row.get("en") or slug_of(row["n"]), name_ja=row.get("ja"))
    for row in store.select(
        sparql_prologue()
        + """SELECT ?e ?cls ?label ?doc WHERE { GRAPH ?g { ?e prov:wasDerivedFrom ?doc ; a ?cls
               OPTIONAL { ?e rdfs:label ?label } } }"""
    ):
        slug = slug_of(row["e"])
        if slug not in graph:
            graph.add_node(slug, kind="event", cls=local(row["cls"]), name=row.get("label") or slug, name_ja=None, sources=[])
        graph.nodes[slug]["sources"].append(row["doc"])
    edge_sources: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    excluded = ", ".join(f"<{g}>" for g in (ENTITIES_GRAPH, ONTOLOGY_IRI))
    for row in store.select(
        f"""SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
            FILTER(?g NOT IN ({excluded}) && STRSTARTS(STR(?o), "{ID}") && STRSTARTS(STR(?s), "{ID}")
                   && !CONTAINS(STR(?o), "#")) }}"""
    ):
        s, o = slug_of(row["s"]), slug_of(row["o"])
        if s in graph and o in graph:
            edge_sources[(s, o, local(row["p"]))].append(row["g"])
    for (s, o, p), graphs in edge_sources.items():
        derived = DERIVED_GRAPH in graphs
        graph.add_edge(s, o, key=p, predicate=p, derived=derived, sources=sorted(set(g for g in graphs if g != DERIVED_GRAPH)))
    _attach_events_to_shortcuts(graph)
    return graph


def facts_only(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The projection without the derived shortcut edges (events shown as nodes)."""
    return graph.edge_subgraph([(u, v, k) for u, v, k, d in graph.edges(keys=True, data=True) if not d["derived"]])


def collapsed(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Entities only, linked by plain relations and the derived shortcut edges."""
    return graph.subgraph([n for n, d in graph.nodes(data=True) if d["kind"] == "entity"])


def shortest_paths(graph: nx.MultiDiGraph, source: str, target: str, max_hops: int = 6, limit: int = 20) -> list[list[dict[str, Any]]]:
    """All shortest paths between two nodes, ignoring edge direction, each step with its edge data.

    Raises ``KeyError`` for an unknown node; returns ``[]`` when no path is within ``max_hops``.
    """
    for node in (source, target):
        if node not in graph:
            raise KeyError(node)
    # A view, not a copy: copying a million-triple projection took seconds a call. The length
    # comes from a search from both ends; the paths from a search cut off at that length.
    undirected = graph.to_undirected(as_view=True)
    try:
        hops = len(nx.bidirectional_shortest_path(undirected, source, target)) - 1
    except nx.NetworkXNoPath:
        return []
    if hops > max_hops:
        return []
    pred = nx.predecessor(undirected, source, cutoff=hops)
    paths = list(islice(_paths_back(pred, source, target), limit))
    return [[_step(graph, a, b) for a, b in zip(path, path[1:])] for path in paths]


def _paths_back(pred: dict[str, list[str]], source: str, target: str) -> Iterator[list[str]]:
    """Every path from ``source`` to ``target`` along the shortest-path predecessors ``pred``."""
    if target == source:
        yield [source]
        return
    for before in dict.fromkeys(pred.get(target, ())):  # a multigraph lists a neighbour once per edge
        for path in _paths_back(pred, source, before):
            yield [*path, target]


def neighbourhood(graph: nx.MultiDiGraph, slug: str, depth: int = 1) -> nx.MultiDiGraph:
    """The subgraph within ``depth`` hops of a node, either direction. Raises ``KeyError`` for an unknown node."""
    if slug not in graph:
        raise KeyError(slug)
    near = nx.single_source_shortest_path_length(graph.to_undirected(as_view=True), slug, cutoff=depth)
    return graph.subgraph(near)


def centrality(graph: nx.MultiDiGraph, top: int = 10) -> list[tuple[str, float]]:
    """The most central entities by PageRank over the entity graph."""
    ranks = nx.pagerank(nx.DiGraph(collapsed(graph)))
    return sorted(ranks.items(), key=lambda kv: kv[1], reverse=True)[:top]


def _step(graph: nx.MultiDiGraph, a: str, b: str) -> dict[str, Any]:
    forward = graph.get_edge_data(a, b) or {}
    data = forward or graph.get_edge_data(b, a) or {}
    # Prefer a fact edge over a derived shortcut when both connect the same two nodes.
    key = sorted(data, key=lambda k: (data[k]["derived"], k))[0]
    edge = data[key]
    return {
        "from": a, "to": b, "predicate": edge["predicate"], "direction": "forward" if forward else "backward",
        "derived": edge["derived"], "sources": edge["sources"], "events": edge.get("events", []),
    }


def _attach_events_to_shortcuts(graph: nx.MultiDiGraph) -> None:
    """Give each derived shortcut edge the events it summarises and their sources."""
    # One pass over the events' role edges, so a hub with thousands of rounds stays linear.
    roles: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for event, target, role in graph.edges(keys=True):
        if graph.nodes[event]["kind"] == "event":
            roles[event][role].add(target)
    summarised: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for event, by_role in roles.items():
        for shortcut, (start_role, end_roles) in SHORTCUT_ROLES.items():
            ends = set().union(*(by_role.get(r, set()) for r in end_roles))
            for start in by_role.get(start_role, ()):
                for end in ends:
                    summarised[(start, end, shortcut)].add(event)
    for u, v, key, data in graph.edges(keys=True, data=True):
        if not data["derived"] or key not in SHORTCUT_ROLES:
            continue
        events = summarised.get((u, v, key), set())
        data["events"] = sorted(events)
        data["sources"] = sorted({s for e in events for s in graph.nodes[e].get("sources", [])})
