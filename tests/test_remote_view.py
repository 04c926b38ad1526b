"""The graph view's own tests (tests/test_view.py), run over Virtuoso: the page from Python, the CLI and the server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import graph
from graph.remote_store import RemoteStore
from tests.live_server import live_server
from tests.test_view import *  # noqa: F403  (the tests themselves, collected here a second time)
from tests.virtuoso import Virtuoso, running_virtuoso


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


@pytest.fixture(scope="module")
def kg(virtuoso: Virtuoso) -> graph.Store:  # replaces the module's fixture of the same name
    store = graph.open_graph(virtuoso.location)  # builds the bundled facts into the empty server
    assert isinstance(store, RemoteStore) and store.location == virtuoso.location
    return store


@pytest.fixture(scope="module")
def base(kg: graph.Store) -> Iterator[str]:  # replaces the module's fixture of the same name
    with live_server(str(kg.location)) as url:
        yield url
