"""The property graph as GraphML, for networkx and Gephi: the same nodes and relationships as the Neo4j export."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import networkx as nx

from graph.export.neo4j_mapping import PropertyGraph


def to_networkx(graph: PropertyGraph) -> nx.MultiDiGraph:
    """A MultiDiGraph keyed by uri; ``labels`` is ``:A:B`` as Neo4j writes it, lists are JSON text."""
    g = nx.MultiDiGraph()
    for node in graph.nodes:
        g.add_node(node.uri, labels=":" + ":".join(node.labels), **_plain(node.properties))
    for rel in graph.relationships:
        g.add_edge(rel.start, rel.end, key=f"{rel.type} {rel.properties.get('via', '')}".strip(),
                   label=rel.type, **_plain(rel.properties))
    return g


def export_graphml(graph: PropertyGraph, path: str | Path) -> tuple[int, int]:
    """Write ``path``; return the numbers of nodes and edges."""
    g = to_networkx(graph)
    nx.write_graphml(g, str(path), named_key_ids=True)
    return g.number_of_nodes(), g.number_of_edges()


def _plain(props: dict[str, Any]) -> dict[str, Any]:
    # GraphML has no lists or dates: lists become JSON text, dates ISO 8601.
    out = {}
    for key, value in props.items():
        if isinstance(value, list):
            value = json.dumps([v.isoformat() if isinstance(v, dt.date) else v for v in value], ensure_ascii=False)
        elif isinstance(value, dt.date):
            value = value.isoformat()
        out[key] = value
    return out
