"""Keep the derived edges in step with the facts across a crash.

A change to a live store is two steps: the change itself (one Oxigraph transaction, so all
or nothing) and re-deriving graph ``aik:derived`` from the rules. A process killed between
the two would leave shortcut edges that disagree with the facts. So a writer leaves a marker
beside the store before it starts and removes it when the derived edges are written; whoever
opens the store next (``aikg serve`` on start) or writes it next (an update, an ingest) finds
the marker and derives again first: a later change's own end would otherwise clear the marker,
and its derived edges, brought in step node by node, would not cover the change cut short.
"""

from __future__ import annotations

import os
from pathlib import Path

from graph import write_lock
from graph.store import MEMORY, Store, is_remote, open_store, resolve_location


def marker_path(location: str | os.PathLike[str] | None) -> Path | None:
    """Where the marker of a store lives (beside its link, so it outlives generations); None in memory or remote.

    A SPARQL server has no folder of ours to mark: a change cut short there is repaired by the next update or build.
    """
    where = resolve_location(location)
    if where == MEMORY or is_remote(where):
        return None
    path = Path(where)
    return path.parent / f".{path.name}.change-pending"


def begin_change(location: str | os.PathLike[str] | None) -> Path | None:
    """Leave the marker, durably, before a change to the store; returns it for :func:`end_change`."""
    marker = marker_path(location)
    if marker is None:
        return None
    with open(marker, "w", encoding="utf-8") as handle:
        handle.write(f"pid {os.getpid()}: derived edges may lag the facts until this file is gone\n")
        handle.flush()
        os.fsync(handle.fileno())
    return marker


def end_change(marker: Path | None) -> None:
    """Remove the marker once the change and its derived edges are on disk."""
    if marker is not None:
        marker.unlink(missing_ok=True)


def recover(location: str | os.PathLike[str] | None) -> bool:
    """If a change was interrupted, derive the shortcut edges again; True if it did."""
    marker = marker_path(location)
    if marker is None or not marker.exists():
        return False
    with write_lock.holding(location, "aikg serve repairing the derived edges", write_lock.SWAP_WAIT):
        store = open_store(location)
        try:
            return repair(store)
        finally:
            store.close()


def repair(store: Store) -> bool:
    """:func:`recover` on a store already open read-write (a writer that replaces one stopped mid-change)."""
    marker = marker_path(store.location)
    if marker is None or not marker.exists():
        return False
    from graph.build import rederive  # build imports the store; keep this module light

    rederive(store)
    store.flush()
    end_change(marker)
    return True
