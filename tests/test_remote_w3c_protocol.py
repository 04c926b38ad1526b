"""The W3C SPARQL 1.1 Protocol tests (tests/test_w3c_protocol.py), run unchanged over a server whose store is Virtuoso, then Fuseki."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.live_server import live_server
from tests.sparql_servers import SERVERS, started
from tests.test_w3c_protocol import *  # noqa: F403  (the tests themselves, collected here a second time)
from tests.test_w3c_protocol import TOKEN


@pytest.fixture(scope="module", params=SERVERS)
def endpoint(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # replaces the module's fixture
    with started(request, tmp_path_factory) as server, live_server(server.location, token=TOKEN) as base:
        assert httpx.get(base + "/health").json()["store"] == server.location
        yield base + "/sparql"
