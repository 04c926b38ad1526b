"""Load an aikg store into a fresh Neo4j through each export format, as a user would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from neo4j import Driver

from graph.export.neo4j_bolt import load_bolt
from graph.export.neo4j_csv import COMMAND_FILE, export_csv
from graph.export.neo4j_cypher import export_cypher
from graph.export.neo4j_mapping import PropertyGraph
from neo4j_fixtures import RunningNeo4j, import_args_from, run_cypher_shell, start_neo4j

FORMATS = ("cypher", "csv", "bolt")


def load_cypher(graph: PropertyGraph, server: RunningNeo4j, tmp: Path) -> None:
    script = tmp / "graph.cypher"
    export_cypher(graph, script)
    done = run_cypher_shell(server.uri, script)
    assert done.returncode == 0, done.stderr[-2000:]


@contextmanager
def loaded(fmt: str, graph: PropertyGraph, server: RunningNeo4j, driver: Driver, tmp: Path) -> Iterator[Driver]:
    """A driver on a database that holds ``graph``, loaded through ``fmt`` (``driver`` is empty)."""
    if fmt == "cypher":
        load_cypher(graph, server, tmp)
        yield driver
    elif fmt == "bolt":
        load_bolt(graph, server.uri, "neo4j", "unused")
        yield driver
    else:
        directory = tmp / "csv"
        export_csv(graph, directory)
        # The import runs the exact command written in the command file, in that directory.
        with start_neo4j(tmp / "imported", *import_args_from(directory / COMMAND_FILE), cwd=directory) as imported:
            with imported.driver() as imported_driver:
                yield imported_driver
