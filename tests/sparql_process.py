"""What the tests' SPARQL servers (tests/virtuoso.py, tests/fuseki.py) share: their locations for aikg, the wait until
the server answers SPARQL, and the stop."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import httpx


def with_param(location: str, name: str, value: str) -> str:
    """``location`` with one more URL parameter."""
    return location + ("&" if "?" in location else "?") + f"{name}={value}"


@dataclass
class SparqlServer:
    """A running server: its query endpoint, its folder and process; each kind names its graph store and time limit."""

    kind: ClassVar[str]
    graph_store: ClassVar[str]
    """The server's Graph Store Protocol endpoint, relative to the query endpoint."""

    endpoint: str
    folder: Path
    process: subprocess.Popen

    @property
    def update_only_location(self) -> str:
        """The ``AIKG_STORE`` value that writes by SPARQL Update alone, as on a server without a graph store."""
        return "sparql+" + self.endpoint

    @property
    def location(self) -> str:
        """The ``AIKG_STORE`` value that points aikg at this server, writing through its graph store."""
        return with_param(self.update_only_location, "graphs", self.graph_store)

    def time_limited(self, location: str, seconds: float) -> str:
        """``location`` with the server's own per-query time limit of about ``seconds``."""
        raise NotImplementedError


@contextmanager
def stopped_at_exit(process: subprocess.Popen, log) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Stop ``process`` (TERM, then KILL after 30 s) and close its ``log`` when the block ends, however it ends."""
    try:
        yield
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        log.close()


def wait_until_answering(server: SparqlServer, log: Path, seconds: float = 120) -> None:
    """Return once ``ASK {}`` answers 200; raise with the end of ``log`` if the server exits or stays silent."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.kind} exited with {server.process.returncode}:\n"
                               + log.read_text(errors="replace")[-3000:])
        try:
            if httpx.get(server.endpoint, params={"query": "ASK {}"}, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{server.kind} did not answer SPARQL within {seconds:.0f} s")
