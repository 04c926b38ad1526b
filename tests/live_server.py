"""A real aikg server for tests: uvicorn in a subprocess on a free port, over a store on disk."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


@dataclass
class Server:
    """A running server: its base URL and its process (the leader of its own process group)."""

    base: str
    process: subprocess.Popen

    def kill_hard(self) -> None:
        """kill -9 the server and its query workers at once, as a crash or the OOM killer would."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(10)


@contextmanager
def live_server(store: Path | str, *, token: str | None = None, **settings: str) -> Iterator[str]:
    """Serve ``store`` (a path or ``:memory:``) until the block ends; yields the base URL.

    ``settings`` become AIKG_* variables; the server's log is shown if it fails to start.
    """
    with running_server(store, token=token, **settings) as server:
        yield server.base


@contextmanager
def running_server(store: Path | str, *, token: str | None = None, **settings: str) -> Iterator[Server]:
    """Like :func:`live_server`, yielding the :class:`Server` so a test can kill it."""
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
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base, process, log)
        yield Server(base, process)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        try:
            os.killpg(process.pid, signal.SIGKILL)  # query workers left behind by a crash
        except (ProcessLookupError, PermissionError):
            pass
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
