"""A real Apache Jena Fuseki for tests: a TDB2 database in a temporary folder, on a loopback port.

The server is Fuseki's own command run from the Maven project in tests/fuseki/ (the first run
downloads Jena from Maven Central into ~/.m2, about 40 MB). One dataset, ``/aikg``, with its
query, update and Graph Store endpoints apart, as a Fuseki administrator would set it up for
aikg: the default graph of a query is the union of the named graphs
(``tdb2:unionDefaultGraph``), and a query stops at the server's own limit.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from tests.live_server import free_port
from tests.maven import classpath
from tests.sparql_process import SparqlServer, stopped_at_exit, wait_until_answering, with_param

PROJECT = Path(__file__).resolve().parent / "fuseki"
QUERY_LIMIT_MS = 15_000
"""How long Fuseki lets a query run (``arq:queryTimeout``), as ``MaxQueryExecutionTime`` does Virtuoso's."""

CONFIG = """\
PREFIX fuseki: <http://jena.apache.org/fuseki#>
PREFIX tdb2:   <http://jena.apache.org/2016/tdb#>
PREFIX ja:     <http://jena.hpl.hp.com/2005/11/Assembler#>
PREFIX rdf:    <http://www.w3.org/1999/02/22-rdf-syntax-ns#>

[] rdf:type fuseki:Server ;
    ja:context [ ja:cxtName "arq:queryTimeout" ; ja:cxtValue "{limit}" ] .

<#service> rdf:type fuseki:Service ;
    fuseki:name "aikg" ;
    fuseki:endpoint [ fuseki:operation fuseki:query ; fuseki:name "sparql" ] ;
    fuseki:endpoint [ fuseki:operation fuseki:update ; fuseki:name "update" ] ;
    fuseki:endpoint [ fuseki:operation fuseki:gsp-rw ; fuseki:name "data" ] ;
    fuseki:dataset <#dataset> .

<#dataset> rdf:type tdb2:DatasetTDB2 ;
    tdb2:location "{db}" ;
    tdb2:unionDefaultGraph {union} .
"""


@dataclass
class Fuseki(SparqlServer):
    """A running Fuseki: its dataset's query endpoint (updates go to ``/aikg/update``) and its port."""

    kind: ClassVar[str] = "fuseki"
    graph_store: ClassVar[str] = "/aikg/data"

    port: int

    @property
    def update_only_location(self) -> str:
        """The ``AIKG_STORE`` value that writes by SPARQL Update alone, as on a server without a graph store."""
        return with_param("sparql+" + self.endpoint, "update", "/aikg/update")

    def time_limited(self, location: str, seconds: float) -> str:
        """``location`` with Fuseki's per-request time limit (``timeout=``, in whole seconds: it ignores ``0.5``;
        past it, HTTP 503)."""
        return with_param(location, "timeout", str(max(1, math.ceil(seconds))))


def available() -> bool:
    """Whether Java and Maven are here to run Fuseki."""
    return shutil.which("java") is not None and shutil.which("mvn") is not None


@contextmanager
def running_fuseki(folder: Path, *, union: bool = True) -> Iterator[Fuseki]:
    """Start Fuseki on a fresh database in ``folder``; stop it when the block ends.

    ``union``: the default graph is the union of the named graphs, as aikg needs (False: a
    dataset left as Fuseki makes it, whose default graph is a graph of its own).
    """
    if not available():
        raise RuntimeError("java and mvn are needed to run Fuseki (tests/fuseki/pom.xml)")
    jars = classpath(PROJECT, [PROJECT / "pom.xml"])
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = folder / "config.ttl"
    config.write_text(CONFIG.format(db=folder / "db", limit=QUERY_LIMIT_MS, union=str(union).lower()), encoding="utf-8")
    log = open(folder / "fuseki.log", "wb")
    process = subprocess.Popen(
        ["java", "-Xmx512m", "-cp", jars, "org.apache.jena.fuseki.main.cmds.FusekiMainCmd",
         "--localhost", "--port", str(port), "--config", str(config)],
        cwd=folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    server = Fuseki(f"http://127.0.0.1:{port}/aikg/sparql", folder, process, port)
    with stopped_at_exit(process, log):
        wait_until_answering(server, folder / "fuseki.log")
        yield server
