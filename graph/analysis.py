"""The graph as networkx: a projection of entities, events and their links, and the algorithms run on it.

Nodes are slugs. Each node has ``kind`` (``entity`` or ``event``), ``cls`` (its most specific
class), ``name`` and ``name_ja``. Each edge has ``predicate``, ``derived`` (True for the
shortcut edges) and ``sources`` (the IRIs of the documents that report it; for a derived
edge, those of the events it summarises, listed in ``events``).
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

import networkx as nx
import pyoxigraph as ox

from graph.cards import local, slug_of
from graph.collector import collector_paused
from graph.quads import ENTITIES_GRAPH
from graph.store import Store, iri_values
from ontology import DERIVED_GRAPH, ID, ONTOLOGY_FILE, ONTOLOGY_IRI, sparql_prologue

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_DERIVED_FROM = "http://www.w3.org/ns/prov#wasDerivedFrom"
_SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"

# Which event roles justify each derived shortcut edge: (role of the edge's start, role of its end).
SHORTCUT_ROLES = {
    "fundedBy": ("recipient", ("investor", "leadInvestor")),
    "suppliesTo": ("supplier", ("customer",)),
    "arrangedFinancingFor": ("arranger", ("recipient",)),
}


class Abandoned(Exception):
    """A projection stopped between its steps: it was no longer wanted (see :func:`project`)."""


def project(store: Store, *, wanted: Callable[[], bool] | None = None,
            step: Callable[[str], None] | None = None) -> nx.MultiDiGraph:
    """Read the store into a directed multigraph of entities and events.

    ``wanted``: asked before each step (the nodes, the edges, the events attached to shortcut
    edges: 1.8, 7.3 and 1.2 s at a million triples); once it answers False the projection stops
    with :class:`Abandoned`, as a server's worker does when a write has made it stale.
    ``step``: told what each step reads as it starts (a progress bar's description). The garbage
    collector is paused throughout: its passes over the growing graph took a sixth of the time.
    """
    graph = nx.MultiDiGraph()
    steps = (("nodes", "read the entities and events", lambda: _read_nodes(graph, store)),
             ("edges", "read the relations", lambda: _read_edges(graph, store)),
             ("events", "attach events to the shortcut edges", lambda: _attach_events_to_shortcuts(graph)))
    with collector_paused():
        for name, doing, run in steps:
            if wanted is not None and not wanted():
                raise Abandoned(f"the projection was no longer wanted before its {name}")
            if step is not None:
                step(doing)
            run()
    return graph


def reproject(graph: nx.MultiDiGraph, store: Store, iris: Iterable[str]) -> None:
    """Read again, in place, what the store says of the nodes named ``iris``, as :func:`project` would read it.

    For a write whose quads are known (an update of ``INSERT DATA`` and ``DELETE DATA``): ``iris``
    are the subjects and objects of every quad it names and of every derived edge it changed.
    So an edge that changed joins two nodes named, and only those edges are read again, with
    every edge at a node that joins the projection; a node the store no longer describes
    leaves it; the events behind the shortcut edges that changed, or that an event named stands
    behind, before or after, are found again. The work is in proportion to those nodes and
    edges, not to the degree of the nodes named (a hub keeps its thousands of other edges),
    where a new projection reads the whole store.
    """
    slugs = {slug_of(iri): iri for iri in iris}
    with collector_paused():
        # A shortcut edge whose events change runs between the roles of an event named here, before or after.
        supported = {edge for slug in slugs if _is_event(graph, slug) for edge in _shortcuts_between(graph, _roles(graph, slug))}
        joining = _read_nodes_again(graph, store, slugs)
        # Edges join nodes of ours only: a class named (the object of rdf:type) would read every node of that class.
        ours = sorted(slug for slug, iri in slugs.items() if iri.startswith(str(ID)) and slug in graph)
        kept, new = [s for s in ours if s not in joining], [s for s in ours if s in joining]
        graph.remove_edges_from([(u, v, k) for u in kept for v in kept if graph.has_edge(u, v) for k in list(graph[u][v])])
        read = _read_edges(graph, store, between=iri_values(slugs[s] for s in kept)) if kept else set()
        if new:  # a node that joins brings every edge it has with the projection, those with the nodes kept among them
            read |= _read_edges(graph, store, iri_values(slugs[s] for s in new))
        supported |= {edge for slug in slugs if _is_event(graph, slug) for edge in _shortcuts_between(graph, _roles(graph, slug))}
        _attach_events_to_shortcuts(graph, {(u, v, k) for u, v, k in supported | read
                                            if k in SHORTCUT_ROLES and graph.has_edge(u, v, k)})


def _read_nodes_again(graph: nx.MultiDiGraph, store: Store, slugs: dict[str, str]) -> set[str]:
    """Read the nodes ``slugs`` names (slug to IRI) again, keeping the edges of those still described; return
    those that join the projection."""
    again = nx.MultiDiGraph()
    _read_nodes(again, store, iri_values(sorted(slugs.values())))
    graph.remove_nodes_from([slug for slug in slugs if slug in graph and slug not in again])
    joining = set()
    for slug, data in again.nodes(data=True):
        if slug in graph:
            graph.nodes[slug].clear()
        else:
            graph.add_node(slug)
            joining.add(slug)
        graph.nodes[slug].update(data)
    return joining


def _read_nodes(graph: nx.MultiDiGraph, store: Store, values: str | None = None) -> None:
    """Add the entities and events the store describes; ``values``: only those named (IRIs in SPARQL, space-separated)."""
    # Inside the GRAPH pattern: the engine joins a VALUES there first, where outside it it reads every node before.
    only_entities = f"VALUES ?n {{ {values} }}" if values is not None else ""
    only_events = f"VALUES ?e {{ {values} }}" if values is not None else ""
    added = set()
    for row in store.select(
        sparql_prologue()
        + f"""SELECT ?n ?cls ?en ?ja WHERE {{
            GRAPH <{ENTITIES_GRAPH}> {{ {only_entities} ?n a ?cls OPTIONAL {{ ?n rdfs:label ?en FILTER(LANG(?en) = "en") }}
                                       OPTIONAL {{ ?n rdfs:label ?ja FILTER(LANG(?ja) = "ja") }} }} }}"""
    ):
        slug = slug_of(row["n"])
        known = graph.nodes[slug] if slug in graph else {}
        graph.add_node(slug, kind="entity", cls=most_specific({known.get("cls"), local(row["cls"])}),
                       name=_one_name(known.get("name"), row.get("en")), name_ja=_one_name(known.get("name_ja"), row.get("ja")))
        added.add(slug)
    for slug in added:
        graph.nodes[slug]["name"] = graph.nodes[slug]["name"] or slug
    for row in store.select(
        sparql_prologue()
        + f"""SELECT ?e ?cls ?label ?doc WHERE {{ GRAPH ?g {{ {only_events} ?e prov:wasDerivedFrom ?doc ; a ?cls
               OPTIONAL {{ ?e rdfs:label ?label }} }} }}"""
    ):
        slug = slug_of(row["e"])
        if slug not in graph:
            graph.add_node(slug, kind="event", cls=local(row["cls"]), name=row.get("label") or slug, name_ja=None, sources=[])
        node = graph.nodes[slug]
        node["cls"] = most_specific({node["cls"], local(row["cls"])})
        if row["doc"] not in node["sources"]:
            node["sources"].append(row["doc"])


def _read_edges(graph: nx.MultiDiGraph, store: Store, values: str | None = None, *,
                between: str | None = None) -> set[tuple[str, str, str]]:
    """Add the edges the store holds between nodes of ``graph``; return them (start, end, predicate).

    ``values``: only those at the nodes named (IRIs in SPARQL, space-separated); ``between``: only those
    from one node named to another.
    """
    excluded = ", ".join(f"<{g}>" for g in (ENTITIES_GRAPH, ONTOLOGY_IRI))
    pattern = "GRAPH ?g { ?s ?p ?o }"
    if values is not None:  # an edge from one named node to another comes from both sides: counted once below
        pattern = f"{{ GRAPH ?g {{ VALUES ?s {{ {values} }} ?s ?p ?o }} }} UNION {{ GRAPH ?g {{ VALUES ?o {{ {values} }} ?s ?p ?o }} }}"
    elif between is not None:
        pattern = f"GRAPH ?g {{ VALUES ?s {{ {between} }} VALUES ?o {{ {between} }} ?s ?p ?o }}"
    edge_sources: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for row in store.select(
        f"""SELECT ?s ?p ?o ?g WHERE {{ {pattern}
            FILTER(?g NOT IN ({excluded}) && STRSTARTS(STR(?o), "{ID}") && STRSTARTS(STR(?s), "{ID}")
                   && !CONTAINS(STR(?o), "#")) }}"""
    ):
        s, o = slug_of(row["s"]), slug_of(row["o"])
        if s in graph and o in graph:
            edge_sources[(s, o, local(row["p"]))].add(row["g"])
    for (s, o, p), graphs in edge_sources.items():
        derived = DERIVED_GRAPH in graphs
        graph.add_edge(s, o, key=p, predicate=p, derived=derived, sources=sorted(g for g in graphs if g != DERIVED_GRAPH))
    return set(edge_sources)


def extend(graph: nx.MultiDiGraph, quads: Iterable[ox.Quad]) -> None:
    """Add to a projection, in place, what ``quads`` newly state, as :func:`project` would read them.

    For a write that only adds (an ingest: its facts, the entities it declares and its derived
    edges): the work is in proportion to the quads, where a new projection reads the whole store.
    Edges are kept between nodes the projection has, as :func:`project` keeps them.
    """
    quads = list(quads)
    entities, events = _said_of_nodes(quads)
    _add_nodes(graph, entities, events)
    shortcuts = _add_edges(graph, quads) | _shortcuts_of(graph, events)
    for start, end, shortcut in shortcuts:  # the events behind each shortcut edge touched, and their sources
        data = graph.edges[start, end, shortcut]
        if data["derived"]:
            behind = _events_behind(graph, start, end, shortcut)
            data["events"] = sorted(behind)
            data["sources"] = sorted({s for e in behind for s in graph.nodes[e].get("sources", [])})


def _said_of_nodes(quads: list[ox.Quad]) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """What ``quads`` say of entities (classes, names) and of events (classes, label, reporting documents)."""
    entities: dict[str, dict[str, Any]] = defaultdict(dict)
    events: dict[str, dict[str, Any]] = defaultdict(lambda: {"classes": set(), "label": None, "docs": []})
    for q in quads:
        s, p, o, g = q.subject.value, q.predicate.value, q.object, q.graph_name
        if not isinstance(g, ox.NamedNode):
            continue
        if g.value == ENTITIES_GRAPH:
            if p == _RDF_TYPE:
                entities[s].setdefault("classes", set()).add(local(o.value))
            elif p == _RDFS_LABEL and isinstance(o, ox.Literal) and o.language in ("en", "ja"):
                entities[s][o.language] = _one_name(entities[s].get(o.language), o.value)
        elif p == _DERIVED_FROM:
            events[s]["docs"].append(o.value)
    for q in quads:  # the class and label of each event, from the graph that reports it
        s = q.subject.value
        if s in events and isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value != ENTITIES_GRAPH:
            if q.predicate.value == _RDF_TYPE:
                events[s]["classes"].add(local(q.object.value))
            elif q.predicate.value == _RDFS_LABEL:
                events[s]["label"] = q.object.value
    return entities, events


def _add_nodes(graph: nx.MultiDiGraph, entities: dict[str, dict[str, Any]], events: dict[str, dict[str, Any]]) -> None:
    """Add the new entities and events; merge what is said anew of known ones (classes, names, sources)."""
    for iri, said in entities.items():
        slug = slug_of(iri)
        if slug in graph:
            node = graph.nodes[slug]
            node["cls"] = most_specific({node["cls"], *said.get("classes", ())})
            node["name"] = _one_name(None if node["name"] == slug else node["name"], said.get("en")) or slug
            node["name_ja"] = _one_name(node.get("name_ja"), said.get("ja"))
        elif said.get("classes"):
            graph.add_node(slug, kind="entity", cls=most_specific(said["classes"]), name=said.get("en") or slug, name_ja=said.get("ja"))
    for iri, said in events.items():
        slug = slug_of(iri)
        if slug not in graph and said["classes"]:
            graph.add_node(slug, kind="event", cls=most_specific(said["classes"]), name=said["label"] or slug, name_ja=None, sources=[])
        elif slug in graph:
            graph.nodes[slug]["cls"] = most_specific({graph.nodes[slug]["cls"], *said["classes"]})
        if slug in graph:
            sources = graph.nodes[slug].setdefault("sources", [])
            sources.extend(d for d in dict.fromkeys(said["docs"]) if d not in sources)


def _add_edges(graph: nx.MultiDiGraph, quads: list[ox.Quad]) -> set[tuple[str, str, str]]:
    """Add the edges ``quads`` state between nodes of the projection; return the derived shortcut edges among them."""
    shortcuts: set[tuple[str, str, str]] = set()
    ids, skipped = str(ID), (ENTITIES_GRAPH, ONTOLOGY_IRI)
    for q in quads:
        g, o = q.graph_name, q.object.value
        if not isinstance(g, ox.NamedNode) or g.value in skipped or not isinstance(q.object, ox.NamedNode):
            continue
        if not (o.startswith(ids) and q.subject.value.startswith(ids)) or "#" in o:
            continue
        s, o, p = slug_of(q.subject.value), slug_of(o), local(q.predicate.value)
        if s not in graph or o not in graph:
            continue
        derived = g.value == DERIVED_GRAPH
        data = graph.get_edge_data(s, o, key=p)
        if data is None:
            graph.add_edge(s, o, key=p, predicate=p, derived=derived, sources=[] if derived else [g.value])
        else:
            data["derived"] = data["derived"] or derived
            if not derived:
                data["sources"] = sorted({*data["sources"], g.value})
        if derived and p in SHORTCUT_ROLES:
            shortcuts.add((s, o, p))
    return shortcuts


def _shortcuts_of(graph: nx.MultiDiGraph, events: dict[str, dict[str, Any]]) -> set[tuple[str, str, str]]:
    """The shortcut edges the new ``events`` stand behind, including ones that were there already."""
    return {edge for iri in events if slug_of(iri) in graph for edge in _shortcuts_between(graph, _roles(graph, slug_of(iri)))}


def _is_event(graph: nx.MultiDiGraph, slug: str) -> bool:
    return slug in graph and graph.nodes[slug]["kind"] == "event"


def _roles(graph: nx.MultiDiGraph, event: str) -> dict[str, set[str]]:
    """The nodes an event's role edges point at, by role."""
    roles: dict[str, set[str]] = defaultdict(set)
    for _, target, role in graph.out_edges(event, keys=True):
        roles[role].add(target)
    return roles


def _shortcuts_between(graph: nx.MultiDiGraph, roles: dict[str, set[str]]) -> set[tuple[str, str, str]]:
    """The shortcut edges the projection holds between an event's roles (those the event may stand behind)."""
    shortcuts: set[tuple[str, str, str]] = set()
    for shortcut, (start_role, end_roles) in SHORTCUT_ROLES.items():
        for start in roles.get(start_role, ()):
            for end in set().union(*(roles.get(r, set()) for r in end_roles)):
                if graph.has_edge(start, end, key=shortcut):
                    shortcuts.add((start, end, shortcut))
    return shortcuts


@lru_cache(maxsize=1)
def _ancestors() -> dict[str, frozenset[str]]:
    """Each class of the ontology (local name) and every class above it."""
    parents: dict[str, set[str]] = defaultdict(set)
    for t in ox.parse(path=str(ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE):
        if t.predicate.value == _SUBCLASS_OF and isinstance(t.object, ox.NamedNode):
            parents[local(t.subject.value)].add(local(t.object.value))

    def above(c: str) -> frozenset[str]:
        seen: set[str] = set()
        todo = list(parents[c])
        while todo:
            parent = todo.pop()
            if parent not in seen:
                seen.add(parent)
                todo.extend(parents.get(parent, ()))
        return frozenset(seen)

    return {c: above(c) for c in parents}


def most_specific(classes: Iterable[str | None]) -> str:
    """Of a node's classes, the one no other is below; the first in code-point order if several are."""
    found = {c for c in classes if c}
    lowest = {c for c in found if not any(c in _ancestors().get(other, ()) for other in found if other != c)}
    return min(lowest or found)


def _one_name(known: str | None, other: str | None) -> str | None:
    """Of two labels in one language, the one a projection shows: the first in code-point order, whatever order they come in."""
    return min(n for n in (known, other) if n) if known or other else None


def _events_behind(graph: nx.MultiDiGraph, start: str, end: str, shortcut: str) -> set[str]:
    """The events a derived shortcut edge summarises: those with ``start`` and ``end`` in the shortcut's roles."""
    start_role, end_roles = SHORTCUT_ROLES[shortcut]
    return {e for e, _, role in graph.in_edges(start, keys=True)
            if role == start_role and graph.nodes[e]["kind"] == "event" and any(graph.has_edge(e, end, key=r) for r in end_roles)}


def facts_only(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The projection without the derived shortcut edges (events shown as nodes)."""
    return graph.edge_subgraph([(u, v, k) for u, v, k, d in graph.edges(keys=True, data=True) if not d["derived"]])


def collapsed(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Entities only, linked by plain relations and the derived shortcut edges."""
    return graph.subgraph([n for n, d in graph.nodes(data=True) if d["kind"] == "entity"])


MOST_PATHS = 20
"""How many shortest paths :func:`shortest_paths` lists unless told (two hubs can be joined by thousands)."""


def shortest_paths(graph: nx.MultiDiGraph, source: str, target: str, max_hops: int = 6,
                   limit: int = MOST_PATHS) -> list[list[dict[str, Any]]]:
    """All shortest paths between two nodes (up to ``limit``, in the order of their nodes' slugs), ignoring edge
    direction, each step with its edge data.

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


def paths_between(graph: nx.MultiDiGraph, source: str, target: str, max_hops: int = 6) -> dict[str, Any]:
    """:func:`shortest_paths` as ``GET /paths`` and ``aikg path`` report them: each step with the names of its ends,
    and how many hops and paths were found (``hops`` None when none is within ``max_hops``).

    Raises ``KeyError`` naming an unknown node.
    """
    found = shortest_paths(graph, source, target, max_hops=max_hops)
    names = graph.nodes(data="name")
    for path in found:
        for step in path:
            step["from_name"], step["to_name"] = names[step["from"]], names[step["to"]]
    return {"from": source, "to": target, "max_hops": max_hops, "hops": len(found[0]) if found else None,
            "count": len(found), "paths": found}


def _paths_back(pred: dict[str, list[str]], source: str, target: str) -> Iterator[list[str]]:
    """Every path from ``source`` to ``target`` along the shortest-path predecessors ``pred``."""
    if target == source:
        yield [source]
        return
    # A multigraph lists a neighbour once per edge; sorted, the paths come in one order however the graph was made.
    for before in sorted(set(pred.get(target, ()))):
        for path in _paths_back(pred, source, before):
            yield [*path, target]


def neighbourhood(graph: nx.MultiDiGraph, slug: str, depth: int = 1) -> nx.MultiDiGraph:
    """The subgraph within ``depth`` hops of a node, either direction. Raises ``KeyError`` for an unknown node."""
    if slug not in graph:
        raise KeyError(slug)
    near = nx.single_source_shortest_path_length(graph.to_undirected(as_view=True), slug, cutoff=depth)
    return graph.subgraph(near)


class UnknownClass(ValueError):
    """A class that no entity of the graph has, nor is above one that does."""


def centrality(graph: nx.MultiDiGraph, top: int = 20, classes: Iterable[str] = (),
               ranked: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The ``top`` most central entities (of ``classes`` and their subclasses, if given), most central first.

    ``ranked``: :func:`ranking` of ``graph`` if already made (a server keeps it until the graph
    changes). Raises :class:`UnknownClass` naming the classes the entities have (and those above them).
    """
    wanted = set(classes)
    ranked = ranking(graph) if ranked is None else ranked
    if not wanted:
        return ranked[:top]
    known = {e["cls"] for e in ranked}
    known |= {above for cls in known for above in _ancestors().get(cls, ())}
    if wanted - known:
        raise UnknownClass(f"unknown class {', '.join(map(repr, sorted(wanted - known)))}; known: {', '.join(sorted(known))}")
    return list(islice((e for e in ranked if e["cls"] in wanted or wanted & _ancestors().get(e["cls"], frozenset())), top))


def ranking(graph: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Every entity by PageRank, most central first (ties by slug).

    PageRank over the entities alone, each link read both ways: a plain relation weighs 1, a
    shortcut edge the number of events it stands for (a firm in forty rounds with one investor
    is that much closer to it). So a hub ranks high, and so does a firm tied to hubs. Each item:
    ``slug``, ``name``, ``cls``, ``score`` (the scores of all entities add up to 1) and ``links``
    (how many other entities it is linked to). 0.9 s at a million triples.
    """
    with collector_paused():
        # The nodes in sorted order: PageRank's sums then run in one order (its matrix is in node order; the
        # edges' order does not matter), so a projection extended after a write ranks to the last digit as one
        # made afresh, whose nodes were added in another order.
        entities = nx.Graph()
        entities.add_nodes_from(sorted(n for n, kind in graph.nodes(data="kind") if kind == "entity"))
        weights: dict[tuple[str, str], int] = defaultdict(int)
        for u, v, data in graph.edges(data=True):
            if u != v and u in entities and v in entities:
                weights[(u, v) if u < v else (v, u)] += len(data.get("events") or ()) or 1
        entities.add_weighted_edges_from((u, v, w) for (u, v), w in weights.items())
        if not len(entities):
            return []
        ranks = nx.pagerank(entities, weight="weight")
        nodes = graph.nodes
        return [{"slug": n, "name": nodes[n].get("name"), "cls": nodes[n]["cls"], "score": ranks[n], "links": entities.degree(n)}
                for n in sorted(entities, key=lambda n: (-ranks[n], n))]


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


def _attach_events_to_shortcuts(graph: nx.MultiDiGraph, only: set[tuple[str, str, str]] | None = None) -> None:
    """Give each derived shortcut edge (or those in ``only``) the events it summarises and their sources."""
    # One pass over the events' role edges, so a hub with thousands of rounds stays linear; for
    # ``only``, over the role edges of the events that point at the edges' starts.
    events = None if only is None else {e for start in {start for start, _, _ in only} for e in graph.predecessors(start)}
    role_edges = graph.edges(keys=True) if events is None else graph.out_edges(events, keys=True)
    roles: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for event, target, role in role_edges:
        if graph.nodes[event]["kind"] == "event":
            roles[event][role].add(target)
    summarised: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for event, by_role in roles.items():
        for shortcut, (start_role, end_roles) in SHORTCUT_ROLES.items():
            ends = set().union(*(by_role.get(r, set()) for r in end_roles))
            for start in by_role.get(start_role, ()):
                for end in ends:
                    summarised[(start, end, shortcut)].add(event)
    edges = graph.edges(keys=True, data=True) if only is None else ((u, v, k, graph.edges[u, v, k]) for u, v, k in only)
    for u, v, key, data in edges:
        if not data["derived"] or key not in SHORTCUT_ROLES:
            continue
        events = summarised.get((u, v, key), set())
        data["events"] = sorted(events)
        data["sources"] = sorted({s for e in events for s in graph.nodes[e].get("sources", [])})
