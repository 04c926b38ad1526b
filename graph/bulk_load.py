"""Bulk-load RDF files (N-Quads, TriG, Turtle, N-Triples) into the store, atomically, with the derived edges.

Like a build, a load fills a new generation of the store and swaps it in only when complete:
the new generation starts as a checkpoint of the live store (hard links, so seconds even at
millions of triples), the engine's bulk loader parses the files into it, the shortcut edges
are derived again, and one ``rename`` makes it live. A file that does not parse stops the load
with its name and line, and the live store is untouched.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from graph.build import Step, derive, ontology_quads
from graph.quads import source_iri
from graph.store import MEMORY, Generation, resolve_location

FORMATS = {
    ".nq": ox.RdfFormat.N_QUADS, ".nquads": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG,
    ".ttl": ox.RdfFormat.TURTLE, ".turtle": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES,
}
"""The file suffixes ``aikg load`` reads, and their formats."""
TRIPLE_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES)


class LoadError(Exception):
    """A file cannot be loaded (missing, unknown format, bad syntax); ``errors`` holds one line per problem."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class LoadReport:
    """What a load did, and how long each part took."""

    location: str
    quads_per_file: dict[str, int] = field(default_factory=dict)
    derived: int = 0
    total: int = 0
    load_seconds: float = 0.0
    derive_seconds: float = 0.0

    @property
    def loaded(self) -> int:
        return sum(self.quads_per_file.values())


def graph_for(path: Path) -> str:
    """The named graph a triple file goes to: a source document named after the file (``deals-2025.ttl`` → ``src:deals-2025``)."""
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "loaded"
    return source_iri(slug).value


def check_files(files: Iterable[str | os.PathLike[str]]) -> list[tuple[Path, ox.RdfFormat]]:
    """Each file with its format; raise :class:`LoadError` naming every missing file and unknown suffix."""
    found, errors = [], []
    for name in files:
        path = Path(name)
        fmt = FORMATS.get(path.suffix.lower())
        if fmt is None:
            errors.append(f"{path}: unknown RDF format {path.suffix or '(no suffix)'!r}; use one of {', '.join(FORMATS)}")
        elif not path.is_file():
            errors.append(f"{path}: no such file")
        else:
            found.append((path, fmt))
    if not found and not errors:
        errors.append("no files to load")
    if errors:
        raise LoadError(errors)
    return found


def load_files(
    files: Iterable[str | os.PathLike[str]],
    *,
    store: str | os.PathLike[str] | None = None,
    replace: bool = False,
    graph: str | None = None,
    step: Step | None = None,
) -> LoadReport:
    """Load ``files`` onto the store (or, with ``replace``, into a fresh one holding only the ontology) and swap it in.

    Triple formats go to ``graph`` if given, else to a graph named after each file. Raises
    :class:`LoadError` for bad input (the store is then unchanged) and StoreError/OSError for I/O.
    """
    step = step or (lambda _: None)
    checked = check_files(files)
    if graph is not None:
        try:
            ox.NamedNode(graph)
        except ValueError as exc:
            raise LoadError([f"--graph {graph!r} is not an absolute IRI ({exc})"]) from None
    where = resolve_location(store)
    if where == MEMORY:
        raise LoadError(["aikg load writes a store on disk; give --store PATH (not :memory:)"])
    live = Path(where)
    copy = live.exists() and not replace
    step("copy the live store" if copy else "start a new store")
    generation = Generation(live, copy_live=copy)
    try:
        target = generation.store
        report = LoadReport(location=str(live))
        if not copy:
            target.add(ontology_quads())
        started = time.perf_counter()
        for path, fmt in checked:
            step(f"load {path.name}")
            before = len(target)
            try:
                target.bulk_load(path, fmt, graph=(graph or graph_for(path)) if fmt in TRIPLE_FORMATS else None)
            except SyntaxError as exc:
                line = f":{exc.lineno}" if exc.lineno else ""
                raise LoadError([f"{path}{line}: {exc.msg} (nothing was loaded; the store is unchanged)"]) from None
            report.quads_per_file[str(path)] = len(target) - before
        report.load_seconds = time.perf_counter() - started
        step("derive shortcut edges")
        started = time.perf_counter()
        report.derived = derive(target)
        target.flush()
        report.derive_seconds = time.perf_counter() - started
        report.total = len(target)
        step("swap the new store in")
        generation.commit()
    except BaseException:
        generation.abandon()
        raise
    return report

