"""The SPARQL servers the remote-store suites run against, each started on loopback with a database of its own.

Virtuoso Open Source (tests/virtuoso.py, from Debian) and Apache Jena Fuseki (tests/fuseki.py,
from Maven Central): two engines built in different ways (Virtuoso on a SQL database, Fuseki
on Jena's TDB2), so what passes on both depends on SPARQL 1.1 and the Graph Store Protocol,
not on one engine's habits. Each suite's server fixture is parametrized over :data:`SERVERS`;
a test of one engine's own behaviour names it
(``@pytest.mark.parametrize("server", ["virtuoso"], indirect=True)``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.fuseki import Fuseki, running_fuseki
from tests.virtuoso import Virtuoso, running_virtuoso

SERVERS = ("virtuoso", "fuseki")
Server = Virtuoso | Fuseki


@contextmanager
def running(kind: str, folder: Path) -> Iterator[Server]:
    """Start the server ``kind`` (one of :data:`SERVERS`) on a fresh database in ``folder``."""
    start = {"virtuoso": running_virtuoso, "fuseki": running_fuseki}[kind]
    with start(folder) as server:
        yield server


@contextmanager
def started(request: pytest.FixtureRequest, factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The server a parametrized fixture asks for (``request.param``), in a temporary folder of its own."""
    with running(request.param, factory.mktemp(request.param)) as server:
        yield server
