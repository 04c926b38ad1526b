"""graph.open_graph shares a store on disk with other writers: read-write only while it writes, and each
read sees what a load, a compaction, ``aikg ingest`` or the server wrote meanwhile."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from live_server import REPO, live_server
from synthetic import synthetic_file
from test_load_ingest import SERVED_FILE

import graph
from graph import write_count, write_lock
from graph.store import StoreError, open_store

SOURCE = "https://w3id.org/aikg/source/shared-test"
COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"


def note(text: str) -> str:
    return f'INSERT DATA {{ GRAPH <{SOURCE}> {{ <https://w3id.org/aikg/id/xai> <{COMMENT}> "{text}" }} }}'


def notes(kg: graph.Store) -> set[str]:
    return {q.object.value for q in kg.quads(SOURCE)}


def aikg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "graph.cli", *args], cwd=REPO, capture_output=True, text=True, timeout=300)


def in_another_process(code: str, store: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, str(store)], cwd=REPO, capture_output=True, text=True, timeout=120)


@pytest.fixture()
def kg(tmp_path: Path):
    shared = graph.open_graph(tmp_path / "store")  # built, then shared
    yield shared
    shared.close()


def test_open_graph_holds_the_store_read_write_only_while_it_writes(kg: graph.SharedStore) -> None:
    assert isinstance(kg, graph.SharedStore) and not kg.read_only
    store = Path(kg.location)
    writes = write_count.writes(store)
    kg.update(note("from the program"))
    assert notes(kg) == {"from the program"}, "a read after a write sees it"
    assert write_count.writes(store) == writes + 1
    # Nothing holds the store now: another process opens it read-write and writes.
    other = in_another_process(
        "import sys; from graph.store import open_store\n"
        "s = open_store(sys.argv[1]); assert not s.read_only, 'held read-write elsewhere'\n"
        f"s.update({note('from another process')!r}); s.close()\n", store)
    assert other.returncode == 0, other.stderr
    assert notes(kg) == {"from the program", "from another process"}, "the next read sees the other process's write"


def test_loads_compactions_and_ingests_go_on_while_a_program_has_the_store_open(kg: graph.SharedStore, tmp_path: Path) -> None:
    store, before = Path(kg.location), len(kg)
    first = kg.generation
    facts = synthetic_file(tmp_path, 2_000, seed=7)
    loaded = aikg("load", str(facts), "--store", str(store))
    assert loaded.returncode == 0, loaded.stderr
    grown = len(kg)
    assert grown > before + 1_500, "the program reads the generation the load swapped in"
    assert kg.generation != first
    compacted = aikg("compact", "--store", str(store))
    assert compacted.returncode == 0, compacted.stderr
    assert len(kg) == grown
    yaml = tmp_path / "nova.yaml"
    yaml.write_text(SERVED_FILE, encoding="utf-8")
    ingested = aikg("ingest", str(yaml), "--store", str(store))
    assert ingested.returncode == 0, ingested.stderr
    assert graph.entity_card(kg, "nova-compute")["events"][0]["id"] == "nova-compute-seed-2026"
    kg.update(note("after all that"))  # the write goes to the live generation, not the one first opened
    reread = open_store(store, read_only=True)
    try:
        assert notes(reread) == {"after all that"} and len(reread) == len(kg)
    finally:
        reread.close()


def test_the_server_writes_while_a_program_has_the_store_open_and_each_sees_the_other(kg: graph.SharedStore) -> None:
    query = {"query": f"SELECT ?c WHERE {{ GRAPH <{SOURCE}> {{ ?s ?p ?c }} }}"}
    headers = {"Authorization": "Bearer t", "Content-Type": "application/sparql-update"}
    with live_server(kg.location, token="t") as base:
        update = httpx.post(base + "/sparql", content=note("through the server"), headers=headers, timeout=60)
        assert update.status_code in (200, 204), update.text
        assert notes(kg) == {"through the server"}
        kg.update(note("from the program"))
        rows = httpx.get(base + "/sparql", params=query, headers={"Accept": "application/sparql-results+json"}).json()
        assert {row["c"]["value"] for row in rows["results"]["bindings"]} == {"through the server", "from the program"}


def test_a_write_while_another_process_holds_the_store_read_write_is_refused_and_changes_nothing(kg: graph.SharedStore) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from graph.store import open_store\n"
         "s = open_store(sys.argv[1]); assert not s.read_only; print('held', flush=True); sys.stdin.read()",
         str(kg.location)], cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(StoreError, match="another process holds the store read-write .*nothing was written"):
            kg.update(note("refused"))
        assert notes(kg) == set()
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(10)
    kg.update(note("once it let go"))
    assert notes(kg) == {"once it let go"}


def test_threads_writing_through_one_shared_store_all_land_and_the_lock_goes_after(kg: graph.SharedStore) -> None:
    errors: list[BaseException] = []

    def write(i: int) -> None:
        try:
            for j in range(5):
                with kg.writing("a test thread"):
                    kg.update(note(f"thread {i} write {j}"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert notes(kg) == {f"thread {i} write {j}" for i in range(4) for j in range(5)}
    lock = write_lock.lock_path(kg.location)
    assert lock is not None and lock not in write_lock._held, "the last block out let the lock go"
    assert kg._writer is None, "and closed the read-write handle"


def test_a_read_only_graph_follows_the_store_too_and_refuses_writes(tmp_path: Path) -> None:
    kg = graph.open_graph(tmp_path / "store", read_only=True)
    try:
        assert isinstance(kg, graph.SharedStore) and kg.read_only
        with pytest.raises(StoreError, match="opened read-only"):
            kg.update(note("refused"))
        writer = open_store(kg.location)
        assert not writer.read_only, "a reader holds nothing: a writer opens beside it"
        writer.update(note("from a writer"))
        writer.close()
        assert notes(kg) == {"from a writer"}
    finally:
        kg.close()
    memory = graph.open_graph(":memory:")
    assert type(memory) is graph.Store and len(memory) > 800, "a store in memory has one process: nothing to share"


def test_reads_go_on_while_another_process_writes_and_compacts_the_store(kg: graph.SharedStore) -> None:
    """Its read-only handle opens files as it needs them; a compaction elsewhere may remove one first."""
    from test_outside_writes import CHURNED, WRITE_AND_COMPACT

    writer = subprocess.Popen([sys.executable, "-c", WRITE_AND_COMPACT, str(kg.location), "1500"], cwd=REPO)
    reads, failures = 0, []
    while writer.poll() is None:
        try:
            len(kg)
            graph.query(kg, CHURNED)
            graph.entity_card(kg, "xai")
            reads += 1
        except Exception as exc:  # noqa: BLE001 - counted and reported below
            failures.append(f"{type(exc).__name__}: {exc}")
    assert writer.wait() == 0
    assert not failures, f"{len(failures)} of {reads + len(failures)} reads failed: {failures[:3]}"
    assert graph.query(kg, CHURNED) == [{"n": 1500}]


@pytest.mark.parametrize("message, vanished", [
    ("Corruption: IO error: No such file or directory: While open a file for random read: /s/000032.sst", True),
    # a read-only handle reads the write-ahead logs as it opens; a writer's flush deletes them
    ("/s: IO error: No such file or directory: While opening a file for sequentially reading: /g/1/000166.log: No such file", True),
    ("IO error: No such file or directory: While opening a file for sequentially reading: /g/1/MANIFEST-000012", True),
    ("IO error: No such file or directory: /home/me/facts.yaml", False),  # the user's file, not the engine's
    ("Corruption: block checksum mismatch in /g/1/000032.sst", False),
])
def test_a_file_the_engine_removed_is_told_from_other_failures(message: str, vanished: bool) -> None:
    assert graph.store.vanished_file(RuntimeError(message)) is vanished


def test_a_closed_shared_store_refuses_reads_and_writes(tmp_path: Path) -> None:
    kg = graph.open_graph(tmp_path / "store")
    kg.close()
    with pytest.raises(StoreError, match="closed"):
        len(kg)
    with pytest.raises(StoreError, match="closed"):
        kg.update(note("too late"))
    assert notes(open_store(tmp_path / "store", read_only=True)) == set()


def test_a_read_runs_again_while_files_vanish_and_gives_up_after_its_time(monkeypatch) -> None:
    gone = RuntimeError("IO error: No such file or directory: While open a file for random read: /s/000032.sst")
    failures, fresh = iter([gone, gone, gone]), []

    def flaky() -> str:
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return "read"

    assert graph.store.read_again_if_vanished(flaky, lambda: fresh.append(1)) == "read"
    assert len(fresh) == 3, "a fresh handle before every run after a vanished file"

    def always_gone() -> str:
        raise gone

    monkeypatch.setattr(graph.store, "READ_RETRY_SECONDS", 0.3)
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="000032.sst"):
        graph.store.read_again_if_vanished(always_gone, lambda: None)
    assert 0.3 <= time.monotonic() - started < 2, "gives up once its time is spent"

    def broken() -> str:
        raise RuntimeError("Corruption: block checksum mismatch in /s/000032.sst")

    with pytest.raises(RuntimeError, match="checksum"):
        graph.store.read_again_if_vanished(broken, lambda: fresh.append(1))
    assert len(fresh) == 3, "any other failure is raised at once"
