"""Every limit hit over a real server, each with a clear answer, and the service normal straight after."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from live_server import live_server

from graph import recovery
from graph.build import build_store

# 100^4 rows to count: far longer than the deadline of 2 s.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(
    f"VALUES ?v{i} {{ {' '.join(str(n) for n in range(100))} }}" for i in range(4)) + " }"
NORMAL = {"query": "SELECT ?name WHERE { id:xai rdfs:label ?name } ORDER BY ?name"}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> str:
    store = tmp_path_factory.mktemp("limits") / "store"
    build_store(store=store)[0].close()
    with live_server(store, token="t", deadline="2", workers="2", max_body="5000", max_query="2000",
                     max_rows="10", max_result="200000", max_per_client="2") as url:
        yield url


def answers_normally(base: str) -> None:
    """The seed graph answers a query, an entity card and the health check as usual."""
    rows = httpx.get(base + "/sparql", params=NORMAL, timeout=30).json()["results"]["bindings"]
    assert {r["name"]["value"] for r in rows} >= {"xAI"}
    assert httpx.get(base + "/entities/xai", timeout=30).json()["slug"] == "xai"
    assert httpx.get(base + "/health", timeout=30).json()["status"] == "ok"


def test_a_body_over_the_limit_is_413(base: str) -> None:
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 6000
    answer = httpx.post(base + "/sparql", content=big, headers={"Content-Type": "application/sparql-query"})
    assert answer.status_code == 413 and "5,000" in answer.text
    answers_normally(base)


def test_a_query_over_the_length_limit_is_413(base: str) -> None:
    long_query = "SELECT * WHERE { ?s ?p ?o } " + "#" * 2500
    answer = httpx.get(base + "/sparql", params={"query": long_query})
    assert answer.status_code == 413
    assert "2,0" in answer.text and "at most 2,000" in answer.text and "AIKG_MAX_QUERY" in answer.text
    update = httpx.post(base + "/sparql", data={"update": "INSERT DATA { <urn:a> <urn:b> 'x' } #" + "x" * 2500},
                        headers={"Authorization": "Bearer t"})
    assert update.status_code == 413 and "update" in update.text
    answers_normally(base)


def test_a_result_over_the_row_limit_is_413(base: str) -> None:
    eleven = "SELECT ?n WHERE { VALUES ?n { " + " ".join(map(str, range(11))) + " } }"
    for accept in ("application/sparql-results+json", "text/csv", "application/sparql-results+xml"):
        answer = httpx.get(base + "/sparql", params={"query": eleven}, headers={"Accept": accept})
        assert answer.status_code == 413, accept
        assert "more than 10 rows" in answer.text and "LIMIT" in answer.text
    ten = eleven.replace(" 10 }", " }")
    rows = httpx.get(base + "/sparql", params={"query": ten}).json()["results"]["bindings"]
    assert [int(r["n"]["value"]) for r in rows] == list(range(10))
    answers_normally(base)


def test_a_query_past_the_deadline_is_503_and_the_next_is_answered(base: str) -> None:
    started = time.monotonic()
    answer = httpx.get(base + "/sparql", params={"query": SLOW}, timeout=60)
    assert answer.status_code == 503 and "deadline of 2 s" in answer.text
    assert time.monotonic() - started < 15
    answers_normally(base)


def test_a_write_has_a_deadline_of_its_own_and_past_it_nothing_changes(tmp_path) -> None:
    store = tmp_path / "store"
    build_store(store=store)[0].close()
    slow_update = "INSERT { GRAPH src:slow { id:xai rdfs:comment ?n } } WHERE { " + SLOW.replace("SELECT", "{ SELECT", 1) + " } }"
    with live_server(store, token="t", deadline="60", write_deadline="1") as url:
        started = time.monotonic()
        answer = httpx.post(url + "/sparql", data={"update": slow_update}, headers={"Authorization": "Bearer t"}, timeout=60)
        assert answer.status_code == 503 and "deadline of 1 s" in answer.text, answer.text
        assert time.monotonic() - started < 15
        # The writer that took over has already brought the derived edges in step: no repair is left pending.
        assert not recovery.marker_path(store).exists()
        ask = {"query": "ASK { GRAPH src:slow { ?s ?p ?o } }"}
        assert httpx.get(url + "/sparql", params=ask, timeout=30).json()["boolean"] is False
        answers_normally(url)
        quick = httpx.post(url + "/sparql", data={"update": "INSERT DATA { GRAPH src:quick { id:xai rdfs:comment 'quick' } }"},
                           headers={"Authorization": "Bearer t"}, timeout=60)
        assert quick.status_code == 204, quick.text


@pytest.fixture(scope="module")
def busy_base(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A server whose two workers stay busy for 8 s: the requests made while they are must all be made in that time,
    which a deadline of 2 s did not always leave on a loaded machine (the slow queries ended before the probe)."""
    store = tmp_path_factory.mktemp("busy") / "store"
    build_store(store=store)[0].close()
    with live_server(store, deadline="8", workers="2", max_per_client="2") as url:
        yield url


# 100^5 rows to count: far longer than the deadline of 8 s (100^4 takes about 6 s on its own).
SLOWER = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(
    f"VALUES ?v{i} {{ {' '.join(str(n) for n in range(100))} }}" for i in range(5)) + " }"


def test_a_client_with_too_many_requests_running_gets_429_with_retry_after(busy_base: str) -> None:
    base = busy_base
    with ThreadPoolExecutor(2) as pool:
        running = [pool.submit(httpx.get, base + "/sparql", params={"query": SLOWER}, timeout=60) for _ in range(2)]
        _wait_until_both_workers_are_busy(base)
        third = httpx.get(base + "/sparql", params=NORMAL)
        rest = httpx.get(base + "/entities/xai")
        # A liveness probe is never counted against the client, and never waits for the busy workers.
        probe = httpx.get(base + "/health", timeout=30)
        assert probe.status_code == 200 and probe.json()["quads_current"] is False
        assert probe.json()["quads"] > 0  # the last count read, while the workers are busy
        finished = [f.result() for f in running]
    assert third.status_code == 429 and third.headers["retry-after"] == "1"
    assert "2 requests running" in third.text and "AIKG_MAX_PER_CLIENT" in third.text
    assert rest.status_code == 429 and "retry after 1 s" in rest.json()["detail"]
    assert [f.status_code for f in finished] == [503, 503]
    answers_normally(base)


def _wait_until_both_workers_are_busy(base: str) -> None:
    """Return once the two slow queries hold both query workers: /health then answers at once
    with the last count it knows, marked not current, because no worker is free to count."""
    give_up = time.monotonic() + 20
    while time.monotonic() < give_up:
        health = httpx.get(base + "/health", timeout=5)
        assert health.status_code == 200
        if not health.json()["quads_current"]:
            return
        time.sleep(0.05)
    raise AssertionError("the slow queries never occupied both workers")
