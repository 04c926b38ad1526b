"""The property graph as Cypher: the statements every Neo4j format shares, and a script for ``cypher-shell -f``.

Constraints and indexes come first; then nodes and relationships in batches of
``UNWIND [...] AS row MERGE ...``, so running the script twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from graph.export.neo4j_mapping import RESOURCE_LABEL, PropertyGraph

BATCH_SIZE = 500
SCHEMA_STATEMENTS = (
    f"CREATE CONSTRAINT resource_uri IF NOT EXISTS FOR (n:{RESOURCE_LABEL}) REQUIRE n.uri IS UNIQUE",
    f"CREATE INDEX resource_slug IF NOT EXISTS FOR (n:{RESOURCE_LABEL}) ON (n.slug)",
    f"CREATE INDEX resource_name IF NOT EXISTS FOR (n:{RESOURCE_LABEL}) ON (n.name)",
)


def batches(graph: PropertyGraph, size: int = BATCH_SIZE) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """``(statement, rows)`` pairs: a statement reads its rows from ``$rows``; nodes come before relationships."""
    by_labels: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for node in graph.nodes:
        by_labels[node.labels].append({"uri": node.uri, "props": node.properties})
    for labels, rows in by_labels.items():
        extra = "".join(f":{name(label)}" for label in labels if label != RESOURCE_LABEL)
        statement = (f"UNWIND $rows AS row MERGE (n:{RESOURCE_LABEL} {{uri: row.uri}}) "
                     f"SET n = row.props" + (f", n{extra}" if extra else ""))
        yield from _chunks(statement, rows, size)
    by_type: dict[tuple[str, tuple[str, ...]], list[dict[str, Any]]] = defaultdict(list)
    for rel in graph.relationships:
        by_type[(rel.type, rel.key)].append({"start": rel.start, "end": rel.end, "props": rel.properties})
    for (kind, key), rows in by_type.items():
        merge_key = " {" + ", ".join(f"{name(k)}: row.props.{name(k)}" for k in key) + "}" if key else ""
        statement = (f"UNWIND $rows AS row MATCH (a:{RESOURCE_LABEL} {{uri: row.start}}) "
                     f"MATCH (b:{RESOURCE_LABEL} {{uri: row.end}}) "
                     f"MERGE (a)-[r:{name(kind)}{merge_key}]->(b) SET r = row.props")
        yield from _chunks(statement, rows, size)


def write_cypher(graph: PropertyGraph, out: TextIO, size: int = BATCH_SIZE) -> int:
    """Write the script to ``out``; return the number of statements."""
    out.write("// aikg graph for Neo4j 5: run with `cypher-shell -f FILE` on an empty or an existing database.\n")
    out.write("// Idempotent: every node and relationship is MERGEd on its key.\n")
    count = 0
    for statement in SCHEMA_STATEMENTS:
        out.write(statement + ";\n")
        count += 1
    for statement, rows in batches(graph, size):
        out.write(statement.replace("$rows", literal(rows), 1) + ";\n")
        count += 1
    return count


def export_cypher(graph: PropertyGraph, path: str | Path) -> int:
    """Write the script to ``path`` (UTF-8); return the number of statements."""
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        return write_cypher(graph, out)


def literal(value: Any) -> str:
    """A Cypher literal for a Python value: strings escaped, dates as ``date("…")``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "(0.0/0.0)"
        if math.isinf(value):
            return "(1.0/0.0)" if value > 0 else "(-1.0/0.0)"
        return repr(value)
    if isinstance(value, str):
        return '"' + _ESCAPE.sub(_escape, value) + '"'
    if isinstance(value, dt.datetime):
        return f'datetime("{value.isoformat()}")'
    if isinstance(value, dt.date):
        return f'date("{value.isoformat()}")'
    if isinstance(value, dict):
        return "{" + ", ".join(f"{name(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    raise TypeError(f"no Cypher literal for {type(value).__name__}")


def name(identifier: str) -> str:
    """A label, type or key as Cypher writes it: backquoted unless it is a plain identifier."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", identifier):
        return identifier
    return "`" + identifier.replace("`", "``") + "`"


_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f-\x9f\u2028\u2029]')
_NAMED = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or f"\\u{ord(char):04x}"


def _chunks(statement: str, rows: list[dict[str, Any]], size: int) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    for i in range(0, len(rows), size):
        yield statement, rows[i:i + size]
