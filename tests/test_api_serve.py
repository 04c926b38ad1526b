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
    for option in ("--host", "--port", "--store", "--workers", "--deadline"):
        assert option in result.stdout
