"""``aikg serve``: the command users run, from an empty store to answering requests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from live_server import REPO, free_port


def test_serve_builds_an_empty_store_then_answers(tmp_path: Path) -> None:
    port = free_port()
    store = tmp_path / "store"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("AIKG_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-c", "from graph.cli import main; main()", "serve", "--port", str(port), "--store", str(store)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        health = None
        for _ in range(300):
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).json()
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read().decode()  # type: ignore[union-attr]
                time.sleep(0.2)
        assert health is not None and health["status"] == "ok" and health["quads"] > 500
        assert health["read_only"] is True
        assert store.exists()
        xai = httpx.get(f"http://127.0.0.1:{port}/entities/xai").json()
        assert xai["name"]["en"] == "xAI"
    finally:
        process.terminate()
        process.wait(15)


def test_serve_has_help() -> None:
    result = subprocess.run([sys.executable, "-c", "from graph.cli import main; main()", "serve", "--help"],
                            cwd=REPO, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0
    for option in ("--host", "--port", "--store", "--workers", "--deadline", "--write-deadline"):
        assert option in result.stdout


def test_served_cards_follow_updates_and_a_rebuild_of_the_store(tmp_path: Path) -> None:
    """Cards are kept in the server between requests; an update through the server, or a build that
    swaps in a new generation of the store underneath it, must show in the next card."""
    from live_server import live_server

    from graph.build import build_store

    location = tmp_path / "store"
    build_store(store=location)[0].close()
    with live_server(location, token="t0ken") as base:
        before = httpx.get(base + "/entities/xai").json()
        assert httpx.get(base + "/entities/xai").json() == before  # the second answer comes from the cache
        assert not any(r["predicate"] == "locatedIn" for r in before["relations_out"])
        update = """INSERT DATA { GRAPH <https://w3id.org/aikg/source/test-update> { id:xai aik:locatedIn id:memphis } }"""
        response = httpx.post(base + "/sparql", content=update.encode(), headers={
            "Content-Type": "application/sparql-update", "Authorization": "Bearer t0ken"}, timeout=60)
        assert response.status_code == 204, response.text
        updated = httpx.get(base + "/entities/xai").json()
        assert any(r["predicate"] == "locatedIn" and r["slug"] == "memphis" for r in updated["relations_out"]), updated
        rebuilt = subprocess.run([sys.executable, "-c", "from graph.cli import main; main()", "build", "--store", str(location)],
                                 cwd=REPO, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert httpx.get(base + "/entities/xai").json() == before  # the rebuild has only the bundled facts again
