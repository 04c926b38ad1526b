"""Compact a live store: its sorted files merged in a new generation, swapped in atomically.

What ``aikg load --compact`` does before its swap, for a store that is already live: one made by
a load without it, or grown by many ingests and updates (each adds sorted files of its own,
and every read looks through all of them; see :meth:`graph.store.Store.compact`). The copy is a
checkpoint (hard links), the merge writes the new files beside the old ones, and one ``rename``
makes them live, so readers (a server's workers) keep reading the old generation until they
reopen; the store's write lock keeps writes out meanwhile.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from graph.build import Step
from graph.store import MEMORY, Generation, StoreError, is_remote, resolve_location


@dataclass
class CompactReport:
    """What a compaction took, and the store's size on disk before and after (MB)."""

    location: str
    seconds: float
    mb_before: float
    mb_after: float


def compact_live(location: str | os.PathLike[str] | None, step: Step | None = None) -> CompactReport:
    """Compact the store at ``location`` into a new generation and swap it in; StoreError if it cannot be."""
    step = step or (lambda _: None)
    where = resolve_location(location)
    if where == MEMORY or is_remote(where):
        raise StoreError(f"{where}: only a store on disk can be compacted (a SPARQL server keeps its own storage)")
    live = Path(where)
    if not live.exists():
        raise StoreError(f"{live}: no store here yet; run `aikg build` first")
    step("copy the live store")
    with Generation(live, writer="aikg compact", copy_live=True) as generation:
        before = _megabytes(live)
        step("compact the store for reads")
        started = time.perf_counter()
        generation.store.compact()
        seconds = time.perf_counter() - started
        step("swap the compacted store in")
        generation.commit(same_content=True)  # a server serving the store keeps its projection and cards
    return CompactReport(str(live), seconds, before, _megabytes(live))


def _megabytes(store: Path) -> float:
    """The size of the files of a store's live generation."""
    return sum(f.stat().st_size for f in os.scandir(os.path.realpath(store)) if f.is_file()) / 2**20
