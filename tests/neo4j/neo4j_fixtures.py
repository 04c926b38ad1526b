"""A real Neo4j 5 Community for the export tests, started from the Maven project beside this file.

The first run downloads Neo4j's artifacts from Maven Central into ~/.m2 (about 200 MB);
later runs build offline. The server runs in-process in one JVM per session (Bolt on a free
loopback port, auth disabled); ``neo4j_db`` hands each test an empty database.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from neo4j import Driver, GraphDatabase

from tests.maven import maven_package

HERE = Path(__file__).resolve().parent
SERVER_CLASSPATH = HERE / "target" / "classpath.txt"
SHELL_CLASSPATH = HERE / "cypher-shell" / "target" / "classpath.txt"
START_TIMEOUT_S = 240


def _build() -> None:
    sources = [HERE / "pom.xml", *(HERE / "src").rglob("*.java")]
    if not SERVER_CLASSPATH.exists() or SERVER_CLASSPATH.stat().st_mtime < max(p.stat().st_mtime for p in sources):
        maven_package(HERE)
    if not SHELL_CLASSPATH.exists() or SHELL_CLASSPATH.stat().st_mtime < (HERE / "cypher-shell" / "pom.xml").stat().st_mtime:
        maven_package(HERE / "cypher-shell")


class RunningNeo4j:
    """A Neo4j JVM started by :func:`start_neo4j`; ``uri`` is its Bolt address."""

    def __init__(self, process: subprocess.Popen[str], uri: str) -> None:
        self.process = process
        self.uri = uri

    def driver(self) -> Driver:
        return GraphDatabase.driver(self.uri, auth=("neo4j", "unused"))

    def stop(self) -> None:
        # Closing stdin is the server's signal to shut down cleanly.
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            self.process.wait(timeout=30)


@contextmanager
def start_neo4j(workdir: Path, *import_args: str, cwd: Path | None = None) -> Iterator[RunningNeo4j]:
    """Start Neo4j in ``workdir``; with ``import_args``, first run ``neo4j-admin <import_args>`` in ``cwd``."""
    _build()
    classpath = f"{HERE / 'target' / 'classes'}{os.pathsep}{SERVER_CLASSPATH.read_text().strip()}"
    command = ["java", "-Xmx1g", "-cp", classpath, "aikg.neo4j.TestNeo4j", str(workdir)]
    if import_args:
        command += ["import", *import_args]
    log = (workdir.parent / f"{workdir.name}.log").open("w")
    process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=log, text=True)
    ready: list[str] = []
    reader = threading.Thread(target=lambda: ready.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(START_TIMEOUT_S)
    if not ready or not ready[0].startswith("BOLT "):
        process.kill()
        log.close()
        raise RuntimeError(f"Neo4j did not start; see {log.name}:\n"
                           + Path(log.name).read_text()[-3000:])
    server = RunningNeo4j(process, ready[0].split()[1].rstrip("/"))
    try:
        yield server
    finally:
        server.stop()
        log.close()


def run_cypher_shell(uri: str, script: Path) -> subprocess.CompletedProcess[str]:
    """Run ``cypher-shell -f script`` (the Maven Central build of cypher-shell) against ``uri``."""
    _build()
    command = ["java", "-cp", SHELL_CLASSPATH.read_text().strip(), "org.neo4j.shell.Main",
               "-a", uri, "-u", "neo4j", "-p", "unused", "--fail-fast", "-f", str(script)]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


def import_args_from(command_file: Path) -> list[str]:
    """The arguments of the ``neo4j-admin`` command written in an export's command file."""
    line = next(l for l in command_file.read_text().splitlines() if l.startswith("neo4j-admin "))
    return shlex.split(line)[1:]


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNeo4j]:
    with start_neo4j(tmp_path_factory.mktemp("neo4j") / "server") as server:
        yield server


@pytest.fixture(scope="session")
def _session_driver(neo4j_server: RunningNeo4j) -> Iterator[Driver]:
    driver = neo4j_server.driver()
    yield driver
    driver.close()


@pytest.fixture()
def neo4j_db(_session_driver: Driver) -> Driver:
    """A driver on an empty database: no nodes, constraints or indexes left by an earlier test."""
    wipe(_session_driver)
    return _session_driver


def wipe(driver: Driver) -> None:
    with driver.session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    for record in driver.execute_query("SHOW CONSTRAINTS YIELD name").records:
        driver.execute_query(f"DROP CONSTRAINT `{record['name']}`")
    for record in driver.execute_query("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'").records:
        driver.execute_query(f"DROP INDEX `{record['name']}`")

