"""The SPARQL endpoint's own tests (tests/test_api_sparql.py), run over a server whose store is Virtuoso, then Fuseki.

Two of them state what the embedded engine does and are restated here for a server: a syntax
error carries the server's own message (Fuseki's column, like the embedded engine's, counted
in the user's text), and a result over the size limit is refused once the server has sent it
within the deadline (a result the server cannot send in time is a 503 first): on Virtuoso the
query asks for every quad it holds, its own graphs included.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest

from graph.store import open_store
from tests.live_server import live_server
from tests.sparql_servers import SERVERS, Server, started
from tests.test_api_sparql import *  # noqa: F403  (the tests themselves, collected here a second time)
from tests.test_api_sparql import FACTS, TOKEN

# Its assertion of one round for xAI depends on running before the update test (it fails on the embedded store
# too when run after it); the deadline on a server is tested in test_remote_store.py with a runaway query instead.
del test_a_query_past_its_deadline_is_stopped_while_others_are_answered  # noqa: F821

SYNTAX_ERRORS = {
    "virtuoso": "SPARQL syntax error: Virtuoso 37000 Error SP030: SPARQL compiler, line 1: ",
    "fuseki": 'SPARQL syntax error: Parse error: Encountered " "}" "} "" at line 1, column 24.',
}
"""What ``SELECT * WHERE { ?s ?p }`` gets from each server through the endpoint (the embedded store: ``error at 1:25``)."""
OVER_THE_LIMIT = {
    "virtuoso": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
    "fuseki": "SELECT * WHERE { " + " ".join(f"VALUES ?v{i} {{ {' '.join(str(n) for n in range(50))} }}" for i in range(3)) + " }",
}
"""A query whose result passes 100,000 bytes and which each server answers within the deadline."""


@pytest.fixture(scope="module", params=SERVERS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with started(request, tmp_path_factory) as running:
        open_store(running.location).replace_all(ox.parse(FACTS.encode(), format=ox.RdfFormat.TRIG))  # type: ignore[attr-defined]
        yield running


@pytest.fixture(scope="module")
def location(server: Server) -> str:
    """The store with the server's own per-query limit at the API's deadline, so runaway queries stop there too."""
    return server.time_limited(server.location, 2)


@pytest.fixture(scope="module")
def base(location: str) -> Iterator[str]:  # replaces the module's fixture of the same name
    with live_server(location, token=TOKEN, deadline="2", max_body="20000", max_result="100000") as url:
        assert httpx.get(url + "/health").json()["store"] == location
        yield url


@pytest.fixture(scope="module")
def read_only(location: str) -> Iterator[str]:  # replaces the module's fixture of the same name
    with live_server(location) as url:
        yield url


def test_syntax_errors_point_at_the_users_text_not_our_prefixes(server: Server, base: str) -> None:
    response = httpx.get(base + "/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.startswith(SYNTAX_ERRORS[server.kind])


def test_a_result_over_the_limit_is_refused_clearly(server: Server, base: str) -> None:
    response = httpx.get(base + "/sparql", params={"query": OVER_THE_LIMIT[server.kind]})
    assert response.status_code == 413
    assert "100,000 bytes" in response.text and "LIMIT" in response.text
