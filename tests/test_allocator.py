"""``aikg load`` runs under mimalloc when the system has it (tests/run.sh installs Debian's libmimalloc2.0),
and under the C library's allocator with ``AIKG_ALLOCATOR=system``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from synthetic import synthetic_file

from graph import allocator
from graph.store import open_store

AIKG = Path(sys.executable).parent / "aikg"


@pytest.fixture
def mimalloc(monkeypatch) -> str:
    monkeypatch.delenv(allocator.SWITCH, raising=False)
    found = allocator.library()
    assert found, "mimalloc is not installed: install Debian's libmimalloc2.0 (tests/run.sh does)"
    return found


def run_aikg(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The ``aikg`` console script, as a user runs it, with mimalloc's start-up messages on and nothing preloaded."""
    clean = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", allocator.SWITCH)}
    return subprocess.run([str(AIKG), *args], capture_output=True, text=True, env={**clean, "MIMALLOC_VERBOSE": "1", **env})


def run_load(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``aikg load`` of a small synthetic file."""
    path = synthetic_file(tmp_path, 2_000, seed=3)
    return run_aikg("load", str(path), "--store", str(tmp_path / "store"), **env)


def test_aikg_load_starts_itself_again_under_mimalloc(mimalloc, tmp_path):
    assert AIKG.is_file(), f"the console script is installed beside {sys.executable}"
    done = run_load(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "mimalloc: option" in done.stderr and "Loaded " in done.stdout
    assert len(open_store(tmp_path / "store", read_only=True)) > 2_000


def test_aikg_allocator_system_keeps_the_c_librarys(mimalloc, tmp_path):
    done = run_load(tmp_path, AIKG_ALLOCATOR="system")
    assert done.returncode == 0, done.stderr
    assert "mimalloc" not in done.stderr and "Loaded " in done.stdout


def test_other_commands_are_not_restarted(mimalloc, tmp_path):
    done = run_aikg("validate")
    assert done.returncode == 0, done.stderr
    assert "mimalloc" not in done.stderr


def test_the_environment_preloads_mimalloc_once_before_what_is_preloaded_already(mimalloc, monkeypatch):
    env = allocator.environment({"LD_PRELOAD": "libother.so", "HOME": "/x"})
    assert env == {"LD_PRELOAD": f"{mimalloc} libother.so", "HOME": "/x"}
    assert allocator.environment(env) == env
    monkeypatch.setenv(allocator.SWITCH, "system")
    assert allocator.environment({"HOME": "/x"}) == {"HOME": "/x"}


def test_processes_started_in_the_block_run_under_mimalloc(mimalloc, monkeypatch):
    monkeypatch.delenv("LD_PRELOAD", raising=False)
    with allocator.for_new_processes() as found:
        maps = subprocess.run([sys.executable, "-c", "print(open('/proc/self/maps').read())"], capture_output=True, text=True).stdout
    assert found == mimalloc and "libmimalloc" in maps
    assert "LD_PRELOAD" not in os.environ
