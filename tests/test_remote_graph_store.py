"""The Graph Store Protocol's own tests (tests/test_graph_store.py), run unchanged over a server whose store is Virtuoso, then Fuseki."""

from __future__ import annotations

import httpx
import pytest

from graph.build import build_store
from tests.live_server import live_server
from tests.sparql_servers import SERVERS, started
from tests.test_graph_store import *  # noqa: F403  (the tests themselves, collected here a second time)
from tests.test_graph_store import TOKEN

# That test starts an embedded store of its own: run once, in tests/test_graph_store.py.
del test_a_graph_or_store_past_the_result_limit_is_a_413  # noqa: F821


@pytest.fixture(scope="module", params=SERVERS)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> httpx.Client:  # replaces the module's fixture
    with started(request, tmp_path_factory) as server:
        build_store(store=server.location)[0].close()
        with live_server(server.location, token=TOKEN) as base, httpx.Client(base_url=base, timeout=30) as client:
            assert client.get("/health").json()["store"] == server.location
            yield client
