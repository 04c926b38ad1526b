"""Crashes lose nothing: kill -9 during an update, a killed query worker, a full disk during a build.

Each test uses a real server (its own process group, so kill -9 takes the query workers too)
and checks on restart that the store holds the whole change or none of it, that the derived
shortcut edges are exactly what the rules give for the facts, and that the server starts.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pyoxigraph as ox
import pytest
from live_server import REPO, running_server

from graph import recovery
from graph.build import build_store, derived_triples
from graph.store import open_store
from ontology import DERIVED_GRAPH

TOKEN = "crash-token"
WRITE = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
BULK = 150_000  # triples in the update that gets killed: long enough to be cut in the middle
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(
    f"VALUES ?v{i} {{ {' '.join(str(n) for n in range(100))} }}" for i in range(4)) + " }"


def _bulk_update(n: int) -> str:
    """One update: a funding round for xAI (so the derived edges change) and ``n`` filler triples."""
    graph = f"https://w3id.org/aikg/source/crash-{n}"
    lines = [f"<https://w3id.org/aikg/id/crash-row-{i}> <https://w3id.org/aikg/ontology#note> \"row {i}\" ."
             for i in range(n)]
    return (f"INSERT DATA {{ GRAPH <{graph}> {{\n"
            "<https://w3id.org/aikg/id/crash-round> a <https://w3id.org/aikg/ontology#FundingRound> ;"
            " <https://w3id.org/aikg/ontology#recipient> <https://w3id.org/aikg/id/xai> ;"
            " <https://w3id.org/aikg/ontology#investor> <https://w3id.org/aikg/id/nvidia> .\n"
            + "\n".join(lines) + "\n} }")


def _assert_consistent(store_path: Path) -> int:
    """The derived graph is exactly what the rules give for the facts; returns the crash graph's size."""
    store = open_store(store_path, read_only=True)
    try:
        derived = {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads(DERIVED_GRAPH)}
        assert derived == derived_triples(store), "the derived edges disagree with the facts"
        return sum(1 for _ in store.quads(f"https://w3id.org/aikg/source/crash-{BULK}"))
    finally:
        store.close()


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    build_store(store=path)[0].close()
    return path


@pytest.mark.parametrize(("phase", "delay"), [
    ("upload", 0.3),  # while the body arrives: nothing may change
    # After the writer left its marker: the change then takes about 3 s here (parse, one
    # transaction, the derived edges), so these land early, late, and around the commit.
    ("write", 0.0), ("write", 1.5), ("write", 2.6), ("write", 3.1),
])
def test_kill_9_during_an_update_leaves_all_or_nothing(store: Path, phase: str, delay: float) -> None:
    update = _bulk_update(BULK).encode()
    marker = recovery.marker_path(store)
    with running_server(store, token=TOKEN, max_body=str(len(update) + 1), max_query="0", deadline="120",
                        workers="1") as server:
        sender = threading.Thread(target=lambda: _post_ignoring_errors(server.base + "/sparql", update), daemon=True)
        sender.start()
        if phase == "write":  # the writer leaves its marker just before the change starts
            started = time.monotonic()
            while not marker.exists() and time.monotonic() - started < 60:
                time.sleep(0.01)
            assert marker.exists()
        time.sleep(delay)
        server.kill_hard()
        sender.join(30)
    with running_server(store, token=TOKEN) as server:  # the server starts on what the crash left
        assert httpx.get(server.base + "/health").json()["status"] == "ok"
        funded = httpx.get(server.base + "/sparql", params={
            "query": "ASK { GRAPH aik:derived { id:xai aik:fundedBy id:nvidia } }"}).json()["boolean"]
    stored = _assert_consistent(store)
    print(f"killed in {phase} +{delay} s: {stored} triples of the update stored")
    assert stored in (0, BULK + 3), f"{stored} of {BULK + 3} triples: a half-applied update"
    assert funded is (stored > 0)
    assert not marker.exists()


def _post_ignoring_errors(url: str, body: bytes) -> None:
    try:
        httpx.post(url, content=body, headers=WRITE, timeout=120)
    except httpx.HTTPError:
        pass  # the server was killed under us: that is the point


def test_a_change_cut_short_before_its_derived_edges_is_completed_on_the_next_start(store: Path) -> None:
    # What a kill between the two steps leaves: the facts changed, the derived edges not yet.
    marker = recovery.begin_change(store)
    writable = open_store(store)
    writable.update(_bulk_update(10))
    writable.close()
    with pytest.raises(AssertionError, match="disagree"):
        _assert_consistent(store)
    with running_server(store) as server:
        funded = httpx.get(server.base + "/sparql", params={
            "query": "ASK { GRAPH aik:derived { id:xai aik:fundedBy id:nvidia } }"}).json()["boolean"]
    assert funded is True
    _assert_consistent(store)
    assert not marker.exists()


def test_a_killed_query_worker_costs_one_query_a_503(store: Path) -> None:
    with running_server(store, workers="1", deadline="60") as server:
        result: dict[str, httpx.Response] = {}
        slow = threading.Thread(target=lambda: result.setdefault(
            "slow", httpx.get(server.base + "/sparql", params={"query": SLOW}, timeout=60)))
        slow.start()
        time.sleep(1.0)
        workers = [p for p in psutil.Process(server.process.pid).children(recursive=True)
                   if "spawn_main" in " ".join(p.cmdline())]
        assert len(workers) == 1
        workers[0].send_signal(signal.SIGKILL)
        slow.join(30)
        answer = result["slow"]
        assert answer.status_code == 503 and "worker stopped" in answer.text
        # The next queries are answered by a fresh worker.
        for _ in range(3):
            ask = httpx.get(server.base + "/sparql", params={"query": "ASK { id:xai ?p ?o }"}, timeout=60)
            assert ask.status_code == 200 and ask.json()["boolean"] is True
        assert server.process.poll() is None


@pytest.fixture()
def small_disk(tmp_path: Path) -> Iterator[tuple[Path, dict]]:
    """A 6 MB tmpfs when this user may mount one; else a folder with a file-size limit for the build."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(disk)],
                             capture_output=True).returncode == 0
    try:
        yield disk, {} if mounted else {"preexec_fn": _small_files}
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(disk)], check=False)


def _small_files() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


def test_a_full_disk_during_a_build_fails_clearly_and_the_old_store_keeps_serving(small_disk) -> None:
    disk, limit = small_disk
    live = disk / "store"
    build_store(store=live)[0].close()
    before = os.readlink(live)
    with running_server(live, workers="1") as server:
        quads = httpx.get(server.base + "/health").json()["quads"]
        if not limit:  # fill the tmpfs to the last block
            filler = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)
            try:
                while os.write(filler, b"\0" * 4096):
                    pass
            except OSError:
                pass
            finally:
                os.close(filler)
        build = subprocess.run([sys.executable, "-c", "from graph.cli import main; main()", "build", "--store", str(live)],
                               cwd=REPO, capture_output=True, text=True, timeout=300, **limit)
        assert build.returncode == 1, build.stderr
        assert "Traceback" not in build.stderr
        problems = build.stderr.strip().splitlines()
        assert len(problems) == 1 and ("No space left on device" in problems[0] or "too large" in problems[0].lower())
        assert os.readlink(live) == before
        generations = [p.name for p in (disk / "store.generations").iterdir()]
        assert generations == [Path(before).name], "the failed build left a half-made generation behind"
        health = httpx.get(server.base + "/health").json()
        assert health["status"] == "ok" and health["quads"] == quads
        card = httpx.get(server.base + "/entities/xai")
        assert card.status_code == 200 and card.json()["slug"] == "xai"
    (disk / "filler").unlink(missing_ok=True)


@pytest.mark.parametrize("delay", [0.0, 0.1, 0.3])  # the write and swap take about 0.3 s here
def test_kill_9_during_a_build_leaves_the_previous_store_serving(store: Path, delay: float) -> None:
    before = os.readlink(store)
    generations = store.parent / "store.generations"
    build = subprocess.Popen([sys.executable, "-c", "from graph.cli import main; main()", "build", "--store", str(store)],
                             cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    started = time.monotonic()
    while len(list(generations.iterdir())) < 2 and build.poll() is None and time.monotonic() - started < 120:
        time.sleep(0.01)  # the build writes its new generation beside the live one
    time.sleep(delay)
    try:
        os.killpg(build.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    build.wait(30)
    after = os.readlink(store)
    print(f"killed +{delay} s into writing: the live store is {'the new' if after != before else 'the previous'} one")
    assert (generations / Path(after).name).is_dir()
    _assert_consistent(store)
    with running_server(store) as server:
        health = httpx.get(server.base + "/health").json()
        assert health["status"] == "ok" and health["quads"] > 800
        assert httpx.get(server.base + "/entities/xai").json()["slug"] == "xai"
