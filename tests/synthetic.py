"""Synthetic graphs for tests: an N-Quads file from ``aikg synth``'s generator, and a store loaded from one."""

from __future__ import annotations

from pathlib import Path

from graph.build import build_store
from graph.bulk_load import load_files
from graph.synth import write_nquads


def synthetic_file(folder: Path, triples: int, seed: int) -> Path:
    """``folder/synthetic.nq``: about ``triples`` triples of the synthetic world ``seed``."""
    path = folder / "synthetic.nq"
    with open(path, "w", encoding="utf-8") as handle:
        write_nquads(handle, triples, seed=seed)
    return path


def synthetic_store(folder: Path, triples: int, seed: int, *, bundled: bool = False) -> Path:
    """``folder/store``: the synthetic graph loaded (onto the bundled graph if ``bundled``), derived edges included."""
    location = folder / "store"
    if bundled:
        build_store(store=location)[0].close()
    load_files([synthetic_file(folder, triples, seed)], store=location, replace=not bundled)
    return location
