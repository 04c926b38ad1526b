"""Bulk-load RDF files (N-Quads, TriG, Turtle, N-Triples) into the store, atomically, with the derived edges.

Like a build, a load fills a new generation of the store and swaps it in only when complete:
the new generation starts as a checkpoint of the live store (hard links, so seconds even at
millions of triples), the engine's bulk loader parses the files into it, the shortcut edges
are derived again, and one ``rename`` makes it live. A file that does not parse stops the load
with its name and line, and the live store is untouched. On a SPARQL server (``sparql+http://``)
the files are parsed first and then sent; see :func:`_load_remote`.

The engine parses and writes without the GIL, so a big N-Quads or N-Triples file (one statement
a line) loads as several byte ranges cut at line ends, one thread each, up to the size at which
the engine keeps the cores busy by itself (see :data:`BATCHES_A_PART`); the rules of the
derivation run in parallel threads too.

Each of those bulk loads leaves its own set of sorted files over the same keys, which every
read then looks through; ``compact`` merges them before the swap, for a store that will mostly
be read (a load 40% longer and 1.8x the disk, for reads up to 2.7x quicker; see
:meth:`graph.store.Store.compact`).
"""

from __future__ import annotations

import io
import mmap
import os
import re
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from graph.build import Step, derive, derived_now, ontology_quads, start_rules, write_derived
from graph.quads import source_iri
from graph.store import BULK_THREADS, MEMORY, Generation, Store, is_remote, open_store, resolve_location
from ontology import ONTOLOGY_IRI

FORMATS = {
    ".nq": ox.RdfFormat.N_QUADS, ".nquads": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG,
    ".ttl": ox.RdfFormat.TURTLE, ".turtle": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES,
}
"""The file suffixes ``aikg load`` reads, and their formats."""
TRIPLE_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES)
LINE_FORMATS = (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES)
"""The formats with one statement a line, which a load may cut into parts at line ends."""
SPLIT_BYTES = 8 << 20
"""A file of a line format bigger than this loads in parallel parts (smaller ones are not worth the threads)."""
ENGINE_BATCH = 1_000_000
"""How many statements the engine's bulk loader parses before it sorts and writes them, on a thread of its own."""
BATCHES_A_PART = 2
"""A file loads in parts only while each part holds at most this many engine batches.

A file of one batch is parsed, then written, on one core; of a few, its one parsing thread
leaves the other cores idle much of the time: parts keep them busy (three million triples in
15-18 s as two parts, 19-21 s whole). A file of many keeps them busy by itself, and in parts it
only holds more batches in memory at once: at ten million triples the same speed whole, in
1.9 GB where two parts took 3.3 GB.
"""
_BLOCK = 8 << 20
_SAMPLE = 1 << 20
_BLANK_NODE = re.compile(rb"_:")


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
    compact_seconds: float | None = None
    """How long the compaction took; None when the load did not compact."""

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
    compact: bool = False,
    step: Step | None = None,
) -> LoadReport:
    """Load ``files`` onto the store (or, with ``replace``, into a fresh one holding only the ontology) and swap it in.

    Triple formats go to ``graph`` if given, else to a graph named after each file. With
    ``compact`` the new generation is compacted before the swap (see :meth:`Store.compact`):
    a store that will mostly be read. Raises :class:`LoadError` for bad input (the store is
    then unchanged) and StoreError/OSError for I/O.
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
        raise LoadError(["aikg load writes a store on disk or a SPARQL server; give --store PATH or URL (not :memory:)"])
    if is_remote(where):
        if compact:
            raise LoadError(["--compact compacts a store on disk; a SPARQL server keeps its own storage (nothing was sent)"])
        return _load_remote(str(where), checked, replace, graph, step)
    live = Path(where)
    step("copy the live store" if live.exists() and not replace else "start a new store")
    with Generation(live, writer="aikg load", copy_live=not replace) as generation:
        copy, target = generation.copied, generation.store
        report = LoadReport(location=str(live))
        # A new store's ontology is loaded in the same pass as the first file (see load_file's ``with_quads``).
        ontology = b"" if copy else ox.serialize(ontology_quads(), format=ox.RdfFormat.N_QUADS)
        started = time.perf_counter()
        stored = len(set(ontology.splitlines())) if ontology else len(target)  # the quads not of the files
        for i, (path, fmt) in enumerate(checked, 1):
            step(f"load {path.name}")
            load_file(target, path, fmt, (graph or graph_for(path)) if fmt in TRIPLE_FORMATS else None,
                      with_quads=ontology if i == 1 else b"")
            if i < len(checked):  # the last file's quads are counted beside the rules, below
                now = len(target)
                report.quads_per_file[str(path)] = now - stored
                stored = now
        report.load_seconds = time.perf_counter() - started
        step("derive shortcut edges")
        started = time.perf_counter()
        with ThreadPoolExecutor(BULK_THREADS) as pool:
            # Counting is a scan of the whole store, and a copied store (or a loaded dump) holds
            # derived edges already: both are read while the rules read, not after them. The count
            # holds the GIL for its whole scan (0.2-0.3 s at a million quads), so it queues behind
            # the rules: started first, it would keep them from starting until it was done.
            rules = start_rules(target, pool)
            derived_before, counted = pool.submit(derived_now, target), pool.submit(len, target)
            ntriples = [rule.result() for rule in rules]
            now, before = counted.result(), derived_before.result()
        report.quads_per_file[str(checked[-1][0])] = now - stored
        report.derived = write_derived(target, ntriples, before)  # only what is new; what no rule derives now goes
        target.flush()
        report.derive_seconds = time.perf_counter() - started
        report.total = now - len(before) + report.derived
        if compact:
            step("compact the store for reads")
            started = time.perf_counter()
            target.compact()
            report.compact_seconds = time.perf_counter() - started
        step("swap the new store in")
        generation.commit()
    return report


def _load_remote(location: str, checked: list[tuple[Path, ox.RdfFormat]], replace: bool, graph: str | None,
                 step: Step) -> LoadReport:
    """Load onto a SPARQL server: every file is parsed here first, so bad syntax stops the load before the
    server is touched; then the quads go to the server and the derived edges are brought up to date.

    With ``replace`` the server's graphs become the ontology, the files and their derived edges,
    derived here (as ``aikg build`` does on a server); else the quads are added graph by graph and
    the rules run over everything the server then holds (read into memory, as after an update
    that is not of data). There is no transaction across
    requests: a failure while sending leaves the graphs sent so far, and running the load again
    completes it (adding a triple twice changes nothing).
    """
    parsed = Store(ox.Store(), MEMORY)
    report = LoadReport(location=location)
    started = time.perf_counter()
    for path, fmt in checked:
        step(f"read {path.name}")
        before = len(parsed)
        load_file(parsed, path, fmt, (graph or graph_for(path)) if fmt in TRIPLE_FORMATS else None)
        report.quads_per_file[str(path)] = len(parsed) - before
        if parsed.holds_default_graph():
            raise LoadError([f"{path}: statements outside any named graph, which a store on a SPARQL server cannot keep "
                             f"(it holds named graphs only); give them a graph (nothing was sent)"])
    remote = open_store(location)
    try:
        if replace or ONTOLOGY_IRI not in remote.graphs():
            parsed.add(ontology_quads())
        if replace:
            step("derive shortcut edges")
            derived_at = time.perf_counter()
            report.derived = derive(parsed)
            report.derive_seconds = time.perf_counter() - derived_at
            remote.replace_all(parsed.quads(), step)  # type: ignore[attr-defined]
            report.load_seconds = time.perf_counter() - started - report.derive_seconds
        else:
            _send(remote, parsed, location, step)
            report.load_seconds = time.perf_counter() - started
            step("derive shortcut edges over the server's graph")
            derived_at = time.perf_counter()
            report.derived = derive(remote)
            report.derive_seconds = time.perf_counter() - derived_at
        report.total = len(remote)
    finally:
        remote.close()
    return report


SEND_QUADS = 50_000
"""About how many quads a remote load hands the server's store at a time (whole graphs), between progress reports."""


def _send(remote: Store, parsed: Store, location: str, step: Step) -> None:
    """Add the parsed quads to the server a few whole graphs at a time (each graph, and the blank nodes
    in it, in one call of ``add``), reporting progress between them."""
    total, sent, chunk = len(parsed), 0, []

    def flush() -> None:
        nonlocal sent, chunk
        step(f"send quads {sent + 1:,}–{sent + len(chunk):,} of {total:,} to {location}")
        remote.add(chunk)
        sent, chunk = sent + len(chunk), []

    for name in parsed.graphs():
        chunk += parsed.quads(name)
        if len(chunk) >= SEND_QUADS:
            flush()
    if chunk:
        flush()


def load_file(target: Store, path: Path, fmt: ox.RdfFormat, graph: str | None, *, with_quads: bytes = b"") -> None:
    """Bulk-load one file, in parallel parts if it is big enough; raise :class:`LoadError` naming the line of bad syntax.

    ``with_quads``: N-Quads the engine wrote (a new store's ontology) to load with the file. The
    engine ingests each bulk load into RocksDB as sorted files, and a third set of them over the
    same keys makes RocksDB compact in the background (measured: 2 s of CPU at a million quads,
    taken from the rules that run next); so a file of N-Quads cut in two parts takes them in
    its first part, and any other file after a load of its own.
    """
    parts = file_parts(path, BULK_THREADS) if fmt in LINE_FORMATS else [(0, path.stat().st_size)]
    if with_quads and (len(parts) == 1 or fmt != ox.RdfFormat.N_QUADS):
        target.bulk_load(with_quads, ox.RdfFormat.N_QUADS, engine_output=True)
        with_quads = b""
    if len(parts) == 1:
        try:
            target.bulk_load(path, fmt, graph)
        except SyntaxError as exc:
            raise _syntax_error(path, exc, 0) from None
        return
    with ThreadPoolExecutor(len(parts)) as pool:  # leaving the block waits for every part, failed or not
        futures = [pool.submit(_load_part, target, path, start, end, fmt, graph, with_quads if i == 0 else b"")
                   for i, (start, end) in enumerate(parts)]
    for (start, _), future in zip(parts, futures):
        error = future.exception()
        if isinstance(error, SyntaxError):  # the first bad part in the file is the one a single load would name
            before = _lines_before(path, start) if start else -with_quads.count(b"\n")
            raise _syntax_error(path, error, before) from None
        if error is not None:
            raise error


def file_parts(path: Path, parts: int) -> list[tuple[int, int]]:
    """Byte ranges of ``path`` cut at line ends, at most ``parts`` of them; one if the file is small, has blank
    nodes, or holds more statements than ``parts`` would in :data:`BATCHES_A_PART` engine batches each.

    Each part is parsed on its own and the engine gives blank nodes fresh names per parse, so
    a blank node used on both sides of a cut would become two nodes: such files load whole.
    """
    size = path.stat().st_size
    if (parts < 2 or size <= SPLIT_BYTES or _lines_about(path, size) > parts * BATCHES_A_PART * ENGINE_BATCH
            or _mentions_blank_nodes(path)):
        return [(0, size)]
    cuts = [0]
    with path.open("rb") as file:
        for i in range(1, parts):
            file.seek(max(cuts[-1], size * i // parts))
            file.readline()
            if file.tell() >= size:
                break
            cuts.append(file.tell())
    cuts.append(size)
    return list(zip(cuts, cuts[1:]))


def _lines_about(path: Path, size: int) -> int:
    """About how many lines the file holds, from those in a megabyte read at four places (one statement a line)."""
    lines = read = 0
    with path.open("rb") as file:
        for i in range(4):
            file.seek(size * i // 4)
            block = file.read(_SAMPLE // 4)
            lines, read = lines + block.count(b"\n"), read + len(block)
    return lines * size // max(1, read)


def _mentions_blank_nodes(path: Path) -> bool:
    """Whether ``_:`` occurs anywhere in the file (in a line format, every blank node is written so)."""
    if path.stat().st_size == 0:
        return False
    with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
        # Mapped, the file is searched where it lies in the page cache, not copied block by block (0.03 s
        # for 220 MB, not 0.15); a one-byte search is several times quicker than a two-byte one, and many
        # files have no ``_`` at all.
        return data.find(b"_") >= 0 and _BLANK_NODE.search(data) is not None


def _load_part(target: Store, path: Path, start: int, end: int, fmt: ox.RdfFormat, graph: str | None,
               first: bytes) -> None:
    with _FilePart(path, start, end, first) as part:
        target.bulk_load(io.BufferedReader(part, _BLOCK), fmt, graph)


class _FilePart(io.RawIOBase):
    """Bytes ``start`` to ``end`` of a file, read as a file of their own, after the bytes ``first``."""

    def __init__(self, path: Path, start: int, end: int, first: bytes = b"") -> None:
        super().__init__()
        self._file = path.open("rb", buffering=0)
        self._file.seek(start)
        self._left = end - start
        self._first = memoryview(first)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._first:
            taken = self._first[: len(buffer)]
            memoryview(buffer)[: len(taken)] = taken
            self._first = self._first[len(taken):]
            return len(taken)
        read = self._file.readinto(memoryview(buffer)[: min(len(buffer), self._left)]) or 0
        self._left -= read
        return read

    def close(self) -> None:
        self._file.close()
        super().close()


def _lines_before(path: Path, offset: int) -> int:
    """How many lines of the file end before byte ``offset``."""
    lines = 0
    with path.open("rb", buffering=0) as file:
        while offset > 0 and (block := file.read(min(_BLOCK, offset))):
            lines += block.count(b"\n")
            offset -= len(block)
    return lines


def _syntax_error(path: Path, exc: SyntaxError, lines_before: int) -> LoadError:
    """The error for bad syntax in a part of ``path`` that starts after ``lines_before`` lines, with the line in the whole file."""
    message = re.sub(r"\bline (\d+)", lambda m: f"line {int(m.group(1)) + lines_before}", exc.msg)
    line = f":{exc.lineno + lines_before}" if exc.lineno else ""
    return LoadError([f"{path}{line}: {message} (nothing was loaded; the store is unchanged)"])
