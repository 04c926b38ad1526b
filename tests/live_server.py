"""A real aikg server for tests: uvicorn in a subprocess on a free port, over a store on disk."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


def w3c_dir() -> Path:
    """The W3C SPARQL 1.1 test data: ``AIKG_W3C_DIR``, else ``../shared/w3c-sparql11`` beside the repository."""
    found = Path(os.environ.get("AIKG_W3C_DIR") or REPO.parent / "shared" / "w3c-sparql11")
    if not (found / "protocol" / "manifest.ttl").is_file():
        raise FileNotFoundError(f"{found}: no W3C SPARQL 1.1 tests here; set AIKG_W3C_DIR to their folder")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def live_server(store: Path | str, *, token: str | None = None, **settings: str) -> Iterator[str]:
    """Serve ``store`` (a path or ``:memory:``) until the block ends; yields the base URL.

    ``settings`` become AIKG_* variables; the server's log is shown if it fails to start.
    """
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIKG_")}
    env.update({"AIKG_STORE": str(store), "PYTHONPATH": str(REPO) + os.pathsep + env.get("PYTHONPATH", "")})
    if token:
        env["AIKG_TOKEN"] = token
    env.update({f"AIKG_{k.upper()}": str(v) for k, v in settings.items()})
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.app:app_from_env", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base, process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _wait(base: str, process: subprocess.Popen, log) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read().decode(errors='replace')}")
        try:
            if httpx.get(base + "/health", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not answer /health within 90 s")
