"""The graph view's own tests (tests/test_view.py), run over Virtuoso, then Fuseki: the page from Python, the CLI and the server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import graph
from graph.remote_store import RemoteStore
from tests.live_server import live_server
from tests.sparql_servers import SERVERS, Server, started
from tests.test_view import *  # noqa: F403  (the tests themselves, collected here a second time)


@pytest.fixture(scope="module", params=SERVERS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with started(request, tmp_path_factory) as running:
        yield running


@pytest.fixture(scope="module")
def kg(server: Server) -> graph.Store:  # replaces the module's fixture of the same name
    store = graph.open_graph(server.location)  # builds the bundled facts into the empty server
    assert isinstance(store, RemoteStore) and store.location == server.location
    return store


@pytest.fixture(scope="module")
def base(kg: graph.Store) -> Iterator[str]:  # replaces the module's fixture of the same name
    with live_server(str(kg.location)) as url:
        yield url
