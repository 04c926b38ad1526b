"""The projection kept beside a store on disk: read back while the store is unchanged, made afresh after a write,
a load or an upgrade, never trusted when damaged; and the commands that use it answer from the store as it is now."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from test_api_rest import NOTE  # a fact file of one relation, the same the API tests ingest

from graph import analysis, projection_cache
from graph.build import build_store
from graph.store import open_store
from graph.updates import apply_update


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    location = tmp_path / "store"
    build_store(store=location)[0].close()
    return location


def _projection(location: Path) -> nx.MultiDiGraph:
    writes = projection_cache.writes_before_opening(location)
    kg = open_store(location, read_only=True)
    try:
        return projection_cache.projection(kg, writes)
    finally:
        kg.close()


def _never(*_: object, **__: object) -> nx.MultiDiGraph:
    raise AssertionError("the store was projected again")


def test_an_unchanged_store_is_read_back_not_projected(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = _projection(store)
    kept = projection_cache.path_of(store)
    assert kept is not None and kept.exists() and kept.parent == store.parent
    assert json.loads(kept.read_bytes().split(b"\n", 1)[0])["writes"] == 0
    monkeypatch.setattr(analysis, "project", _never)
    again = _projection(store)
    assert nx.utils.graphs_equal(again, made) and again.edges["xai", "valor-equity-partners", "fundedBy"]["events"]


def test_a_write_makes_the_next_projection_afresh_with_what_it_wrote(store: Path) -> None:
    assert not _projection(store).has_edge("jensen-huang", "tesla")
    writer = open_store(store)
    try:
        apply_update(writer, "INSERT DATA { GRAPH <https://w3id.org/aikg/source/note> { id:jensen-huang aik:associateOf id:tesla } }")
    finally:
        writer.close()
    assert _projection(store).has_edge("jensen-huang", "tesla", "associateOf")
    assert json.loads(projection_cache.path_of(store).read_bytes().split(b"\n", 1)[0])["writes"] >= 1


def test_a_new_generation_and_a_damaged_file_are_projected_afresh(store: Path, tmp_path: Path) -> None:
    first = _projection(store)
    (tmp_path / "facts").mkdir()
    (tmp_path / "facts" / "note.yaml").write_text(NOTE, encoding="utf-8")
    build_store([tmp_path / "facts"], store=store)[0].close()  # a build swaps in a new generation
    rebuilt = _projection(store)
    assert rebuilt.has_edge("jensen-huang", "tesla") and not first.has_edge("jensen-huang", "tesla")
    kept = projection_cache.path_of(store)
    header = kept.read_bytes().split(b"\n", 1)[0]
    kept.write_bytes(header + b"\nnot a pickle")
    assert nx.utils.graphs_equal(_projection(store), rebuilt)


def test_a_projection_that_cannot_be_kept_is_still_answered(store: Path) -> None:
    kept = projection_cache.path_of(store)
    kept.mkdir()  # the file's name taken by a folder: keeping it fails as a read-only disk would
    assert "xai" in _projection(store) and kept.is_dir()
    assert [p.name for p in store.parent.iterdir() if p.name.startswith(kept.name + ".")] == []  # no half-written file left


def test_aikg_path_answers_from_the_store_as_it_is_after_an_update(store: Path) -> None:
    def aikg(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "graph.cli", *args, "--store", str(store)], capture_output=True, text=True)

    before = json.loads(aikg("path", "jensen-huang", "tesla", "--json").stdout)
    assert before["hops"] > 1 and projection_cache.path_of(store).exists()
    update = aikg("update", "INSERT DATA { GRAPH <https://w3id.org/aikg/source/note> { id:jensen-huang aik:associateOf id:tesla } }")
    assert update.returncode == 0, update.stderr
    after = json.loads(aikg("path", "jensen-huang", "tesla", "--json").stdout)
    assert after["hops"] == 1 and after["paths"][0][0]["sources"] == ["https://w3id.org/aikg/source/note"]


def test_aikg_view_keeps_the_projection_and_details_and_draws_the_store_as_it_is_after_an_update(store: Path, tmp_path: Path) -> None:
    page = tmp_path / "view.html"

    def view() -> dict:
        done = subprocess.run([sys.executable, "-m", "graph.cli", "view", "--focus", "jensen-huang", "--depth", "1",
                               "-o", str(page), "--store", str(store)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        data = page.read_text(encoding="utf-8").split('id="aikg-data">', 1)[1].split("</script>", 1)[0]
        return json.loads(data)

    first = view()
    assert "tesla" not in {n["id"] for n in first["nodes"]} and "Jen-Hsun Huang" not in first["info"]["jensen-huang"]["aliases"]
    kept = [projection_cache.path_of(store, what) for what in projection_cache.KEPT]
    assert all(path.exists() for path in kept)
    made = [path.stat().st_mtime_ns for path in kept]
    assert view() == first
    assert [path.stat().st_mtime_ns for path in kept] == made  # read back, not made and kept again
    writer = open_store(store)
    try:
        apply_update(writer, "INSERT DATA { GRAPH <https://w3id.org/aikg/source/note> { id:jensen-huang aik:associateOf id:tesla } "
                             "GRAPH aik:entities { id:jensen-huang skos:altLabel \"Jen-Hsun Huang\" } }")
    finally:
        writer.close()
    after = view()
    assert "tesla" in {n["id"] for n in after["nodes"]} and "Jen-Hsun Huang" in after["info"]["jensen-huang"]["aliases"]
    assert all(path.stat().st_mtime_ns != before for path, before in zip(kept, made))


def test_a_server_reads_the_projection_a_command_kept_and_keeps_none_itself(store: Path) -> None:
    import httpx
    from live_server import live_server

    _projection(store)
    kept = projection_cache.path_of(store)
    made = kept.stat().st_ino
    with live_server(store, token="t0ken") as base, httpx.Client(base_url=base, timeout=60) as client:
        assert client.get("/paths", params={"from": "xai", "to": "nvidia"}).json()["hops"] == 1
        update = "INSERT DATA { GRAPH <https://w3id.org/aikg/source/note> { id:jensen-huang aik:associateOf id:tesla } }"
        assert client.post("/sparql", data={"update": update}, headers={"Authorization": "Bearer t0ken"}).status_code == 204
        assert client.get("/paths", params={"from": "jensen-huang", "to": "tesla"}).json()["hops"] == 1  # followed in memory
    with live_server(store) as base, httpx.Client(base_url=base, timeout=60) as client:
        # The kept projection is of the store before the update: this server's workers project the store afresh.
        assert client.get("/paths", params={"from": "jensen-huang", "to": "tesla"}).json()["hops"] == 1
    assert kept.stat().st_ino == made and json.loads(kept.read_bytes().split(b"\n", 1)[0])["writes"] == 0


def test_a_servers_worker_takes_the_kept_projection_when_it_is_of_the_store_it_opened(
        store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from api import projection
    from api.workers import _reopen

    made = _projection(store)
    monkeypatch.setattr(analysis, "project", _never)
    opened, _ = _reopen(str(store), None, None, (0, projection_cache.writes_before_opening(store)))
    try:
        assert nx.utils.graphs_equal(projection.cached_projection(opened), made)
    finally:
        opened.close()




def test_a_servers_worker_takes_the_kept_view_details_and_keeps_none_itself(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from api import view_routes
    from api.workers import _reopen
    from graph.view import details
    from graph.view.selection import ViewOptions

    writes = projection_cache.writes_before_opening(store)
    kg = open_store(store, read_only=True)
    try:
        made = projection_cache.view_details(kg, writes)
    finally:
        kg.close()
    kept = projection_cache.path_of(store, "view-details")
    assert kept.exists() and made.events
    monkeypatch.setattr(details, "read_details", _never)
    monkeypatch.setattr(view_routes, "read_details", _never)
    opened, _ = _reopen(str(store), None, None, (0, writes))
    try:
        html = view_routes.page(opened, ViewOptions(focus="xai", depth=1))
    finally:
        opened.close()
    assert "Valor Equity Partners" in html

    kept.unlink()  # not kept: the worker reads the store, and leaves no file of its own
    monkeypatch.undo()
    opened, _ = _reopen(str(store), None, None, (0, writes))
    try:
        assert "Valor Equity Partners" in view_routes.page(opened, ViewOptions(focus="xai", depth=1))
    finally:
        opened.close()
    assert not kept.exists()
