"""Bulk loads run under mimalloc when the system has it (Debian's ``libmimalloc2.0``).

The engine's bulk loader sorts the keys of every index as millions of small buffers and frees
them after. Under the C library's allocator a third of the CPU of loading a million quads went to
``malloc`` and ``free`` (perf); under mimalloc the same load, with its derivation, takes 15-20%
less time. A process picks its allocator when it starts (``LD_PRELOAD``), so ``aikg load`` starts
itself again under mimalloc before it reads anything. ``AIKG_ALLOCATOR=system`` keeps the C
library's; a system without mimalloc runs as it is.
"""

from __future__ import annotations

import ctypes.util
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

SWITCH = "AIKG_ALLOCATOR"
"""The environment variable that turns mimalloc off (``system``)."""


def library() -> str | None:
    """The file name of the system's mimalloc (``libmimalloc.so.2``), or None: none installed, ``AIKG_ALLOCATOR=system``,
    or not Linux (``LD_PRELOAD`` is the dynamic loader's of Linux)."""
    if os.environ.get(SWITCH, "").strip().lower() == "system" or not sys.platform.startswith("linux"):
        return None
    return ctypes.util.find_library("mimalloc")


def environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """``env`` (default: this process's) with mimalloc preloaded, if the system has it; else unchanged."""
    env = dict(os.environ if env is None else env)
    found = library()
    if found:
        env["LD_PRELOAD"] = _preloading(found, env.get("LD_PRELOAD"))
    return env


def _preloading(found: str, preload: str | None) -> str:
    """The value of ``LD_PRELOAD`` that adds the library ``found`` in front of ``preload`` (unchanged if it is there)."""
    preloaded = (preload or "").replace(":", " ").split()
    return preload if preload and found in preloaded else " ".join([found, *preloaded])


def restart_under_mimalloc() -> None:
    """Run this process's command again under mimalloc (the same arguments and process id), unless it runs under it already.

    Returns only if it does not restart: no mimalloc, turned off, or already preloaded.
    """
    env = environment()
    if env.get("LD_PRELOAD") == os.environ.get("LD_PRELOAD"):
        return
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], env)
    except OSError:  # the interpreter cannot be started again: go on under the allocator it has
        return


@contextmanager
def for_new_processes() -> Iterator[str | None]:
    """Processes started inside the block run under mimalloc (if the system has it); yields its file name or None."""
    before, found = os.environ.get("LD_PRELOAD"), library()  # found once: looking it up runs ldconfig
    if found:
        os.environ["LD_PRELOAD"] = _preloading(found, before)
    try:
        yield found
    finally:
        if before is None:
            os.environ.pop("LD_PRELOAD", None)
        else:
            os.environ["LD_PRELOAD"] = before
