"""The property graph as neo4j-admin import CSV files, with the command that loads them.

Nodes and relationships are grouped by the shape of their properties, one file per group, so
every column of a file has one type and every row fills it (a whole amount stays a ``long``
while a fractional one in another file is a ``double``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shlex
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from graph.export.neo4j_mapping import PropertyGraph

COMMAND_FILE = "import-command.txt"
_ARRAY_DELIMITERS = (";", "|", "¦", "␟", "‖", "⁞")


def csv_files(graph: PropertyGraph) -> tuple[dict[str, str], str]:
    """The CSV files as ``{name: text}`` and the ``neo4j-admin`` command that imports them."""
    delimiter = _array_delimiter(graph)
    files: dict[str, str] = {}
    node_groups: dict[tuple, list[list[str]]] = defaultdict(list)
    for node in graph.nodes:
        items = [(k, v) for k, v in node.properties.items() if k != "uri"]
        header = ("uri:ID", ":LABEL", *(f"{k}{_type(v)}" for k, v in items))
        node_groups[header].append([node.uri, delimiter.join(node.labels), *(_cell(v, delimiter) for _, v in items)])
    rel_groups: dict[tuple, list[list[str]]] = defaultdict(list)
    for rel in graph.relationships:
        items = list(rel.properties.items())
        header = (":START_ID", ":END_ID", ":TYPE", *(f"{k}{_type(v)}" for k, v in items))
        rel_groups[header].append([rel.start, rel.end, rel.type, *(_cell(v, delimiter) for _, v in items)])
    # The database name goes first: --nodes and --relationships take several values each.
    args = ["neo4j-admin", "database", "import", "full", "neo4j", "--overwrite-destination",
            "--multiline-fields=true", f"--array-delimiter={delimiter}"]
    for kind, groups in (("nodes", node_groups), ("relationships", rel_groups)):
        for i, (header, rows) in enumerate(sorted(groups.items(), key=lambda g: g[0]), 1):
            file_name = f"{kind}-{i:03d}.csv"
            files[file_name] = _render(header, rows)
            args.append(f"--{kind}={file_name}")
    command = " ".join(shlex.quote(a) for a in args)
    files[COMMAND_FILE] = (
        "# Import these files into an empty Neo4j 5 database named neo4j (stop the server first);\n"
        "# run the command in this directory, then start Neo4j. --overwrite-destination replaces\n"
        "# whatever that database held.\n" + command + "\n"
    )
    return files, command


def export_csv(graph: PropertyGraph, directory: str | Path) -> list[Path]:
    """Write the CSV files and the command file into ``directory``; return their paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    files, _ = csv_files(graph)
    paths = []
    for file_name, text in files.items():
        path = directory / file_name
        path.write_text(text, encoding="utf-8", newline="")
        paths.append(path)
    return paths


def csv_zip(graph: PropertyGraph) -> bytes:
    """The CSV files and the command file as one zip archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file_name, text in csv_files(graph)[0].items():
            archive.writestr(file_name, text)
    return buffer.getvalue()


_SCALAR_TYPES = {str: "", bool: ":boolean", int: ":long", float: ":double", dt.datetime: ":datetime", dt.date: ":date"}


def _type(value: Any) -> str:
    """The neo4j-admin header type of a property value (looked up by exact type first: it runs per cell)."""
    known = _SCALAR_TYPES.get(type(value))
    if known is not None:
        return known
    if isinstance(value, list):
        return _type(value[0]) + "[]" if _type(value[0]) else ":string[]"
    if isinstance(value, bool):
        return ":boolean"
    if isinstance(value, int):
        return ":long"
    if isinstance(value, float):
        return ":double"
    if isinstance(value, dt.datetime):
        return ":datetime"
    if isinstance(value, dt.date):
        return ":date"
    return ""


def _cell(value: Any, delimiter: str) -> str:
    if type(value) is str:
        return value
    if type(value) is int:
        return str(value)
    if isinstance(value, list):
        return delimiter.join(_cell(v, delimiter) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "NaN" if value != value else ("Infinity" if value == float("inf") else
                                             "-Infinity" if value == float("-inf") else repr(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _render(header: tuple[str, ...], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _array_delimiter(graph: PropertyGraph) -> str:
    """``;`` as neo4j-admin expects, unless a list element holds one: then a character none holds."""
    elements = [str(element)
                for props in [n.properties for n in graph.nodes] + [r.properties for r in graph.relationships]
                for value in props.values() if isinstance(value, list) for element in value]
    used = "\n".join(elements)
    for candidate in _ARRAY_DELIMITERS:
        if candidate not in used:
            return candidate
    raise ValueError("every candidate array delimiter occurs inside a list value")
