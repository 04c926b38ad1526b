"""A real Virtuoso Open Source for tests: its own database in a temporary folder, on loopback ports.

``virtuoso-t`` runs in the foreground from a ``virtuoso.ini`` written here (no system
service, no shared database); the SPARQL user gets the right to update, so the plain
``/sparql`` endpoint reads and writes like any SPARQL 1.1 server.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from tests.live_server import free_port
from tests.sparql_process import SparqlServer, stopped_at_exit, wait_until_answering, with_param

VIRTUOSO = "virtuoso-t"
ISQL = "isql-vt"  # Debian's name for Virtuoso's isql (plain ``isql`` is unixODBC's)
DBA_PASSWORD = "dba"  # a fresh database's dba password; the server listens on loopback only

INI = """\
[Database]
DatabaseFile    = {db}/virtuoso.db
ErrorLogFile    = {db}/virtuoso.log
LockFile        = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel   = 7
FileExtend      = 200
Striping        = 0
TempStorage     = TempDatabase

[TempDatabase]
DatabaseFile    = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
Striping        = 0

[Parameters]
ServerPort           = 127.0.0.1:{sql_port}
DisableUnixSocket    = 1
CheckpointInterval   = 60
CaseMode             = 2
DirsAllowed          = .
NumberOfBuffers      = 10000
MaxDirtyBuffers      = 6000
ThreadsPerQuery      = 2
MaxQueryMem          = 500M

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {db}
ServerThreads        = 10
MaxClientConnections = 10
Charset              = UTF-8
EnabledGzipContent   = 0

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 15
"""


@dataclass
class Virtuoso(SparqlServer):
    """A running Virtuoso: its SPARQL endpoint and the ports it holds."""

    kind: ClassVar[str] = "virtuoso"
    graph_store: ClassVar[str] = "/sparql-graph-crud"

    http_port: int
    sql_port: int

    def time_limited(self, location: str, seconds: float) -> str:
        """``location`` with Virtuoso's own per-query time limit (``timeout=``, in milliseconds), read on every query."""
        return with_param(location, "timeout", str(round(seconds * 1000)))

    def isql(self, *statements: str) -> str:
        """Run SQL statements as dba through Virtuoso's isql; returns its output."""
        script = "".join(s.rstrip(";") + ";\n" for s in statements)
        run = subprocess.run(
            [ISQL, f"127.0.0.1:{self.sql_port}", "dba", DBA_PASSWORD],
            input=script, capture_output=True, text=True, timeout=60,
        )
        if run.returncode != 0 or "*** Error" in run.stdout:
            raise RuntimeError(f"isql failed: {run.stdout}{run.stderr}")
        return run.stdout


def available() -> bool:
    """Whether Virtuoso Open Source is installed here (tests/run.sh installs it)."""
    return shutil.which(VIRTUOSO) is not None and shutil.which(ISQL) is not None


@contextmanager
def running_virtuoso(folder: Path) -> Iterator[Virtuoso]:
    """Start Virtuoso on a fresh database in ``folder``; stop it when the block ends."""
    if not available():
        raise RuntimeError(f"{VIRTUOSO} and {ISQL} are needed: apt-get install virtuoso-opensource")
    folder.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(INI.format(db=folder, http_port=http_port, sql_port=sql_port), encoding="utf-8")
    log = open(folder / "stdout.log", "wb")
    process = subprocess.Popen(
        [VIRTUOSO, "+foreground", "+configfile", str(ini)],
        cwd=folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    server = Virtuoso(f"http://127.0.0.1:{http_port}/sparql", folder, process, http_port, sql_port)
    with stopped_at_exit(process, log):  # Virtuoso checkpoints and exits on TERM
        wait_until_answering(server, folder / "stdout.log")
        server.isql("GRANT SPARQL_UPDATE TO \"SPARQL\"")
        yield server
