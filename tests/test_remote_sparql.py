"""The SPARQL endpoint's own tests (tests/test_api_sparql.py), run over a server whose store is Virtuoso.

Two of them state what the embedded engine does and are restated here for a server: a syntax
error carries the server's own message, and a result over the size limit is refused once the
server has sent it within the deadline (a result the server cannot send in time is a 503 first).
"""

from __future__ import annotations

import httpx
import pyoxigraph as ox
import pytest

from graph.store import open_store
from tests.live_server import live_server
from tests.test_api_sparql import *  # noqa: F403  (the tests themselves, collected here a second time)
from tests.test_api_sparql import FACTS, TOKEN
from tests.virtuoso import Virtuoso, running_virtuoso

# Its assertion of one round for xAI depends on running before the update test (it fails on the embedded store
# too when run after it); the deadline on a server is tested in test_remote_store.py with a runaway query instead.
del test_a_query_past_its_deadline_is_stopped_while_others_are_answered  # noqa: F821


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Virtuoso:
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        open_store(server.location).replace_all(ox.parse(FACTS.encode(), format=ox.RdfFormat.TRIG))  # type: ignore[attr-defined]
        yield server


@pytest.fixture(scope="module")
def location(virtuoso: Virtuoso) -> str:
    """The store with Virtuoso's own per-query limit at the API's deadline, so runaway queries stop there too."""
    return virtuoso.location + "&timeout=2000"


@pytest.fixture(scope="module")
def base(location: str) -> str:  # replaces the module's fixture of the same name
    with live_server(location, token=TOKEN, deadline="2", max_body="20000", max_result="100000") as url:
        assert httpx.get(url + "/health").json()["store"] == location
        yield url


@pytest.fixture(scope="module")
def read_only(location: str) -> str:  # replaces the module's fixture of the same name
    with live_server(location) as url:
        yield url


def test_syntax_errors_point_at_the_users_text_not_our_prefixes(base: str) -> None:
    response = httpx.get(base + "/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.startswith("SPARQL syntax error: Virtuoso 37000 Error SP030: SPARQL compiler, line 1: ")


def test_a_result_over_the_limit_is_refused_clearly(base: str) -> None:
    # Every quad on the server, Virtuoso's own graphs included: thousands of rows, sent at once, over 100,000 bytes.
    response = httpx.get(base + "/sparql", params={"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"})
    assert response.status_code == 413
    assert "100,000 bytes" in response.text and "LIMIT" in response.text
