"""The network projection is made in the background: a request that needs it waits a while, then
is told to come back (503, Retry-After) while the projection goes on being made."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from live_server import live_server
from synthetic import synthetic_store

from api import projection
from api.errors import ProtocolError
from graph import analysis
from graph.store import open_store


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store whose projection takes about a second to make: far longer than the waits below."""
    return synthetic_store(tmp_path_factory.mktemp("projection"), 100_000, seed=4)


def test_a_request_waits_then_is_told_to_come_back_while_the_projection_is_made(big_store: Path, monkeypatch) -> None:
    monkeypatch.setitem(projection.WAIT, "seconds", 0.01)
    store = open_store(big_store, read_only=True)
    try:
        with pytest.raises(ProtocolError) as refused:
            projection.cached_projection(store)
        assert refused.value.status == 503 and refused.value.headers["Retry-After"] == "10"
        assert "still being made" in str(refused.value)
        monkeypatch.setitem(projection.WAIT, "seconds", 120)
        made = projection.cached_projection(store)  # the same thread's work, not a second projection
        assert projection.cached_projection(store) is made
        fresh = analysis.project(store)
    finally:
        store.close()
    assert made.number_of_nodes() == fresh.number_of_nodes() > 1000
    assert made.number_of_edges() == fresh.number_of_edges()


def test_served_paths_answer_503_until_the_projection_is_made_then_200(big_store: Path) -> None:
    # A deadline of 0.2 s: requests wait 0.1 s for the projection, far less than it takes.
    with live_server(big_store, deadline="0.2") as base, httpx.Client(base_url=base, timeout=30) as client:
        hub = client.get("/funding/leaders", params={"limit": 1}).json()["leaders"][0]["slug"]
        first = client.get(f"/entities/{hub}/neighbors")
        assert first.status_code == 503 and first.headers["retry-after"] == "10", first.text
        assert "still being made" in first.json()["detail"]
        assert client.get("/health").json()["status"] == "ok"
        answered = None
        for _ in range(600):
            response = client.get(f"/entities/{hub}/neighbors")
            if response.status_code == 200:
                answered = response.json()
                break
            assert response.status_code == 503, response.text
            time.sleep(0.2)
        assert answered is not None and len(answered["nodes"]) > 10


def test_a_projection_a_newer_one_replaces_stops_at_its_next_step(big_store: Path, monkeypatch) -> None:
    """A worker that opened the store again after a write begins a projection of it: the one begun for the store
    before stops before reading the edges (14 s of 20 at a million triples) instead of taking a core for nothing."""
    import threading

    from api.workers import store_cache

    gate, edges_read = threading.Event(), []
    read_nodes, read_edges = analysis._read_nodes, analysis._read_edges
    monkeypatch.setattr(analysis, "_read_nodes", lambda *a, **k: (gate.wait(60), read_nodes(*a, **k))[1])
    monkeypatch.setattr(analysis, "_read_edges", lambda *a, **k: (edges_read.append(1), read_edges(*a, **k))[1])
    monkeypatch.setitem(projection.WAIT, "seconds", 0.01)
    stale, current = open_store(big_store, read_only=True), open_store(big_store, read_only=True)
    try:
        with pytest.raises(ProtocolError):
            projection.cached_projection(stale)  # begun, and held at its first step
        abandoned = store_cache(stale)[projection._MAKING]
        with pytest.raises(ProtocolError):
            projection.cached_projection(current)  # the store opened again: a newer projection begun
        gate.set()
        assert abandoned.done.wait(60) and isinstance(abandoned.error, analysis.Abandoned)
        monkeypatch.setitem(projection.WAIT, "seconds", 120)
        with pytest.raises(ProtocolError) as told:  # a request still on the stale store is told to ask again
            projection.cached_projection(stale)
        assert told.value.status == 503 and told.value.headers["Retry-After"] == "1" and "changed" in str(told.value)
        made = projection.cached_projection(current)
        assert edges_read == [1], "only the projection still wanted read the edges"
        fresh = analysis.project(current)
    finally:
        stale.close()
        current.close()
    assert (made.number_of_nodes(), made.number_of_edges()) == (fresh.number_of_nodes(), fresh.number_of_edges())
