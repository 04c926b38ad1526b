"""One writer of a store at a time, across processes: a build or a load, which swaps in a new
generation, and the writes made in place (through the server, ``aikg ingest``) wait for each
other instead of one silently undoing the other."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from live_server import REPO, running_server
from synthetic import synthetic_file

from graph import write_lock
from graph.build import build_store
from graph.store import StoreError, open_store

TOKEN = "lock-token"
WRITE = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
NOTE = ox.Quad(ox.NamedNode("https://w3id.org/aikg/id/xai"), ox.NamedNode("https://w3id.org/aikg/ontology#note"),
               ox.Literal("written while a load waited"), ox.NamedNode("https://w3id.org/aikg/source/lock-test"))


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    build_store(store=path)[0].close()
    return path


def hold_in_another_process(store: Path, what: str) -> subprocess.Popen:
    """A process that holds the store's write lock as ``what`` until its stdin closes."""
    code = ("import sys; from graph import write_lock\n"
            f"with write_lock.holding(sys.argv[1], {what!r}, 10):\n"
            "    print('held', flush=True); sys.stdin.read()\n")
    holder = subprocess.Popen([sys.executable, "-c", code, str(store)], cwd=REPO, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


def release(holder: subprocess.Popen) -> None:
    assert holder.stdin is not None
    holder.stdin.close()
    assert holder.wait(10) == 0


def refused_while_a_load_holds_the_lock(store: Path, write) -> None:
    """``write()`` waits for the lock another process holds as ``aikg load``, then is refused naming it."""
    holder = hold_in_another_process(store, "aikg load")
    try:
        with pytest.raises(write_lock.StoreBusy, match=r"aikg load \(pid \d+, since .*retry when it is done"):
            write()
    finally:
        release(holder)


def aikg_load(store: Path, facts: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "graph.cli", "load", str(facts), "--store", str(store), *options],
                          cwd=REPO, capture_output=True, text=True, timeout=120)


def assert_note_and_facts_kept(store: Path, facts: Path) -> None:
    reader = open_store(store, read_only=True)
    try:
        assert NOTE in set(reader.quads("https://w3id.org/aikg/source/lock-test"))
        assert set(ox.parse(path=str(facts), format=ox.RdfFormat.N_QUADS)) <= set(reader.quads())
    finally:
        reader.close()


def test_a_second_writer_waits_then_is_refused_naming_the_first(store: Path) -> None:
    holder = hold_in_another_process(store, "aikg load")
    try:
        started = time.monotonic()
        with pytest.raises(StoreError) as refused, write_lock.holding(store, "aikg ingest", 0.5):
            pass
        assert time.monotonic() - started >= 0.5
        message = str(refused.value)
        assert message.startswith(f"{store}: aikg load (pid {holder.pid}, since ")
        assert "retry when it is done (waited 0.5 s)" in message
    finally:
        release(holder)
    with write_lock.holding(store, "aikg ingest", 0):  # the holder gone, the lock is free at once
        pass


def test_the_lock_goes_with_a_holder_that_is_killed(store: Path) -> None:
    holder = hold_in_another_process(store, "aikg build")
    holder.kill()
    holder.wait(10)
    with write_lock.holding(store, "aikg ingest", 0):
        pass


def test_a_load_waits_for_a_write_in_progress_and_keeps_it(store: Path, tmp_path: Path) -> None:
    """Without the lock the load would copy the live store at once, and its swap would drop the write made meanwhile."""
    facts = synthetic_file(tmp_path, 2_000, seed=3)
    load = None
    with write_lock.holding(store, "a write through aikg serve", 0):
        load = subprocess.Popen([sys.executable, "-m", "graph.cli", "load", str(facts), "--store", str(store)],
                                cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)  # the load has started and waits
        assert load.poll() is None, load.communicate()
        live = open_store(store)
        live.add([NOTE])
        live.close()
    out, err = load.communicate(timeout=120)
    assert load.returncode == 0, err
    assert_note_and_facts_kept(store, facts)  # the write made before the load is kept


def test_an_update_through_the_server_is_refused_while_a_load_holds_the_store(store: Path) -> None:
    update = 'INSERT DATA { GRAPH src:lock-test { id:xai aik:note "sent during a load" } }'
    with running_server(store, token=TOKEN) as server:
        holder = hold_in_another_process(store, "aikg load")
        try:
            answers: list[httpx.Response] = []
            sender = threading.Thread(target=lambda: answers.append(
                httpx.post(server.base + "/sparql", content=update, headers=WRITE, timeout=60)))
            sender.start()
            time.sleep(0.5)
            health = httpx.get(server.base + "/health", timeout=5)  # the server answers while its write waits
            assert health.status_code == 200 and health.json()["status"] == "ok"
            sender.join(60)
            (refused,) = answers
            assert refused.status_code == 503 and refused.headers["retry-after"] == "10", refused.text
            assert "aikg load (pid" in refused.text and "retry when it is done" in refused.text
        finally:
            release(holder)
        done = httpx.post(server.base + "/sparql", content=update, headers=WRITE, timeout=60)
        assert done.status_code == 204, done.text
        asked = httpx.get(server.base + "/sparql", params={"query": 'ASK { id:xai aik:note "sent during a load" }'})
        assert asked.json()["boolean"] is True


def test_a_store_in_memory_or_on_a_server_has_no_lock_file(tmp_path: Path) -> None:
    assert write_lock.lock_path(":memory:") is None and write_lock.lock_path("sparql+http://127.0.0.1:9/q") is None
    assert write_lock.lock_path(tmp_path / "store") == tmp_path.resolve() / ".store.write-lock"
    assert write_lock.lock_path(os.path.relpath(tmp_path / "store")) == tmp_path.resolve() / ".store.write-lock"


def test_a_write_from_python_waits_for_another_writer_then_is_refused_naming_it(store: Path, monkeypatch) -> None:
    """graph.open_store hands out the live store; its writes take the lock like the server's and ``aikg ingest``'s."""
    monkeypatch.setattr(write_lock, "WRITE_WAIT", 0.5)
    live = open_store(store)
    refused_while_a_load_holds_the_lock(store, lambda: live.add([NOTE]))
    live.add([NOTE])  # the lock free again, the same handle writes
    assert NOTE in set(live.quads("https://w3id.org/aikg/source/lock-test"))
    live.close()


def test_a_load_is_refused_while_a_program_holds_the_store_read_write(store: Path, tmp_path: Path) -> None:
    """A copy of the store taken while another process holds it read-write can name files that process just compacted away."""
    live = open_store(store)
    facts = synthetic_file(tmp_path, 2_000, seed=4)
    refused = aikg_load(store, facts)
    assert refused.returncode == 1
    assert refused.stderr.strip() == (f"aikg: {store}: another process holds the store read-write (a program that opened "
                                      f"it with graph.open_store, say); a copy taken now could be inconsistent, so nothing was "
                                      f"changed: close it there (graph.open_graph holds a store read-write only while it "
                                      f"writes), then run this again")
    live.add([NOTE])  # the program's store is still the live one
    live.close()
    loaded = aikg_load(store, facts)
    assert loaded.returncode == 0, loaded.stderr
    assert_note_and_facts_kept(store, facts)


def test_deriving_again_from_python_holds_the_lock_from_the_rules_reads_to_the_write(store: Path, monkeypatch) -> None:
    from graph.build import rederive

    monkeypatch.setattr(write_lock, "WRITE_WAIT", 0.3)
    live = open_store(store)
    refused_while_a_load_holds_the_lock(store, lambda: rederive(live))
    assert rederive(live) > 0
    live.close()


def test_a_write_through_a_store_opened_before_a_swap_is_refused_not_lost(store: Path, tmp_path: Path) -> None:
    """A load that replaces the store does not copy it, so it goes ahead; the program's next write would go to the
    generation swapped out."""
    live = open_store(store)
    facts = synthetic_file(tmp_path, 2_000, seed=4)
    loaded = aikg_load(store, facts, "--replace")
    assert loaded.returncode == 0, loaded.stderr
    with pytest.raises(StoreError, match=r"the store was replaced \(by a build, a load or a compaction\) since it was "
                                         r"opened here; a write now would be lost, so it is refused: open the store again"):
        live.update(f"INSERT DATA {{ GRAPH <{NOTE.graph_name.value}> {{ {NOTE.subject} {NOTE.predicate} {NOTE.object} }} }}")
    live.close()
    again = open_store(store)
    again.add([NOTE])
    again.close()
    assert_note_and_facts_kept(store, facts)


def test_threads_of_one_process_share_the_lock_and_the_last_one_out_lets_go(store: Path) -> None:
    entered, leave = threading.Event(), threading.Event()

    def second() -> None:
        with write_lock.holding(store, "a second thread", 0):  # held by this process: shared, no wait
            entered.set()
            leave.wait(10)

    with write_lock.holding(store, "the first thread", 0):
        thread = threading.Thread(target=second)
        thread.start()
        assert entered.wait(5)
    checker = [sys.executable, "-c", "import sys; from graph import write_lock\n"
               "with write_lock.holding(sys.argv[1], 'checker', 0): pass", str(store)]
    busy = subprocess.run(checker, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert busy.returncode != 0 and "a second thread" not in busy.stderr and "the first thread (pid" in busy.stderr
    leave.set()
    thread.join(10)
    free = subprocess.run(checker, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert free.returncode == 0, free.stderr


def test_the_reading_commands_open_the_store_read_only(store: Path, tmp_path: Path) -> None:
    """aikg query, card, stats and the exports only read: held read-write for an export's minutes, the store would
    keep a load from copying it and the server's writes out."""
    from graph.cli import _open

    reader = _open(str(store))
    try:
        assert reader.read_only
        loaded = aikg_load(store, synthetic_file(tmp_path, 2_000, seed=7))
        assert loaded.returncode == 0, loaded.stderr
    finally:
        reader.close()
    writer = _open(str(store), read_only=False)
    assert not writer.read_only
    writer.close()
