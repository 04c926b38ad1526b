"""Where the graph lives: one interface over an embedded Oxigraph store, on disk or in memory.

A ``sparql+http(s)://`` location opens the same interface over a SPARQL 1.1 server instead
(:mod:`graph.remote_store`).

A store on disk is a directory managed in generations: ``PATH`` is a symbolic link to
``PATH.generations/<id>``; a build fills a new generation and swaps the link in one
``rename``, so readers see the old graph or the new one, never half of one.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import pyoxigraph as ox
from platformdirs import user_data_dir

MEMORY = ":memory:"
BULK_THREADS = max(1, min(os.cpu_count() or 1, 4))
"""How many bulk loads or rule queries run at once: the engine does most of that work without the GIL, one core each."""
XSD = "http://www.w3.org/2001/XMLSchema#"
_STRING = XSD + "string"
_INTEGER_TYPES = {XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "negativeInteger", "nonPositiveInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
)}


T = TypeVar("T")


class StoreError(Exception):
    """The store could not be opened, read or written."""


_ENGINE_FILE = re.compile(r"/(\d+\.(sst|log|blob)|MANIFEST-\d+)\b")
"""A file the engine replaces as it writes: a sorted file or a blob file (gone after a compaction),
a write-ahead log (gone after a flush) or a manifest (gone when a new one starts)."""


def vanished_file(exc: BaseException) -> bool:
    """Whether a read (or the open of a read-only handle) failed on an engine file that is gone: a
    read-only handle opens its files as it needs them, and reads the write-ahead logs as it opens,
    while a process holding the store read-write may have just flushed or compacted one away. The
    data is whole; a handle opened now reads the files that replaced it."""
    text = str(exc)
    return "No such file or directory" in text and _ENGINE_FILE.search(text) is not None


READ_RETRY_SECONDS = 2.0
"""How long a read runs again, on a fresh handle each time, while files vanish under it, before
that is an error: a writer that compacts often can remove a file under several reads in a row
(measured: up to eight, under a compaction every hundred writes)."""


def read_again_if_vanished(reading: Callable[[], T], afresh: Callable[[], None]) -> T:
    """Run ``reading()``; if a file vanished under it (:func:`vanished_file`), call ``afresh()`` (so the next
    run opens a fresh handle), wait a moment and run it again, for up to :data:`READ_RETRY_SECONDS`."""
    give_up = time.monotonic() + READ_RETRY_SECONDS
    attempt = 0
    while True:
        attempt += 1
        try:
            return reading()
        except Exception as exc:
            if not vanished_file(exc) or time.monotonic() >= give_up:
                raise
            afresh()
            time.sleep(min(0.02 * attempt, 0.2))


def is_remote(location: object) -> bool:
    """Whether ``location`` names a SPARQL 1.1 server (``sparql+http://...``) rather than a path."""
    return str(location).startswith(("sparql+http://", "sparql+https://"))


def default_location() -> Path:
    """``$AIKG_HOME/store`` if AIKG_HOME is set, else ``store`` in the XDG data directory."""
    home = os.environ.get("AIKG_HOME")
    return Path(home) / "store" if home else Path(user_data_dir("aikg")) / "store"


def resolve_location(location: str | os.PathLike[str] | None) -> str | Path:
    """The store location a user meant: ``:memory:``, a SPARQL server URL, a path, or the default path."""
    if location is None or str(location) == "":
        env = os.environ.get("AIKG_STORE")
        return resolve_location(env) if env else default_location()
    if str(location) == MEMORY or is_remote(location):
        return str(location)
    return Path(location).expanduser()


@dataclass
class CountedWrite:
    """The writes of a :meth:`Store.counted_once` block: how many, and what to record of them (set by the block)."""

    writes: int = 0
    added: list[ox.Quad] | None = field(default_factory=list)
    """The quads the writes added, while adding is all they did (None once one did more, or left them unlisted)."""
    touched: frozenset[str] | None = None
    """The IRIs of every node the writes changed, when the block knows them."""

    def note(self, added: Iterable[ox.Quad] | None) -> None:
        """One more write in the block; ``added`` as :meth:`Store._count_write` takes it."""
        self.writes += 1
        if self.added is not None and isinstance(added, (list, tuple)):
            self.added.extend(added)
        else:
            self.added = None

    def recorded(self) -> tuple[list[ox.Quad] | None, frozenset[str] | None]:
        """What to record: the nodes touched if known, else the quads added if that is all the writes did."""
        return (None, self.touched) if self.touched is not None else (self.added, None)


class Store:
    """A quad store that answers SPARQL 1.1; the default graph of a query is the union of all graphs.

    A live store on disk opened read-write (:func:`open_store`) takes the store's write lock
    (:mod:`graph.write_lock`) for each write, so a write never lands while a build, a load or a
    compaction copies the store to swap in a new generation; a write after such a swap is
    refused (it would go to the generation swapped out): open the store again. Each write is
    counted beside the store (:mod:`graph.write_count`), so a server serving it takes the write up.
    """

    _generation: str | None = None
    """For a live store on disk: the generation its link pointed to when it was opened (see :attr:`generation`)."""

    def __init__(self, engine: ox.Store, location: str | Path, read_only: bool = False, *, generation: str | None = None) -> None:
        """``generation``: the directory ``engine`` has open, when ``location`` is the live link of a store on disk."""
        self._engine = engine
        self.location = location
        self.read_only = read_only
        self._generation = generation

    @property
    def generation(self) -> str | None:
        """The directory the engine has open, for a live store on disk opened by :func:`open_store`; else None."""
        return self._generation

    # -- reading -----------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
        prefixes: dict[str, str] | None = None,
        own_default_graph: bool = False,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a SPARQL query natively; without a dataset the default graph is the union of all graphs.

        ``prefixes`` are declared for the query without adding lines to it, so the line
        numbers of a syntax error are the user's own. ``own_default_graph``: the store's own default
        graph instead of the union, as the ``WHERE`` of an update reads it. Raises SyntaxError for a
        query that does not parse.
        """
        kwargs: dict[str, Any] = {"base_iri": base_iri, "prefixes": prefixes}
        if default_graph is not None or named_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph or []]
            if named_graphs is not None:
                kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        elif not own_default_graph:
            kwargs["use_default_graph_as_union"] = True
        try:
            return self._engine.query(sparql, **kwargs)
        except OSError as exc:
            raise StoreError(f"{self.location}: {exc}") from exc

    def select(self, sparql: str, **dataset: Any) -> list[dict[str, Any]]:
        """Run a SELECT query and return one dict per row, RDF terms turned into Python values."""
        result = self.query(sparql, **dataset)
        if not isinstance(result, ox.QuerySolutions):
            raise TypeError("select() needs a SELECT query")
        names = tuple(v.value for v in result.variables)
        # A row iterates its values in the order of the variables: one pass, no lookup by name. IRIs, the
        # commonest values, are read inline (a plain loop, not a comprehension: 6 % of a point lookup).
        rows, iri, convert = [], ox.NamedNode, to_python
        for row in result:
            values = {}
            for name, term in zip(names, row):
                if term is not None:
                    values[name] = term.value if type(term) is iri else convert(term)
            rows.append(values)
        return rows

    def construct_ntriples(self, sparql: str, **dataset: Any) -> bytes:
        """Run a CONSTRUCT query and return its triples as N-Triples, written by the engine without Python objects.

        Much of the work runs without the GIL, so queries from several threads overlap.
        """
        result = self.query(sparql, **dataset)
        if not isinstance(result, ox.QueryTriples):
            raise TypeError("construct_ntriples() needs a CONSTRUCT query")
        return result.serialize(format=ox.RdfFormat.N_TRIPLES)  # type: ignore[return-value]

    def ask(self, sparql: str, **dataset: Any) -> bool:
        """Run an ASK query."""
        return bool(self.query(sparql, **dataset))

    def graphs(self) -> list[str]:
        """The names of the named graphs, sorted."""
        return sorted(g.value for g in self._engine.named_graphs() if isinstance(g, ox.NamedNode))

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Every quad, or those of one named graph."""
        name = ox.NamedNode(graph) if graph else None
        return self._engine.quads_for_pattern(None, None, None, name)

    def __len__(self) -> int:
        return len(self._engine)

    def holds_default_graph(self) -> bool:
        """Whether any quad of this local store is in the default graph, the one without a name."""
        return next(iter(self._engine.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None

    def graph_len(self, graph: str) -> int:
        """How many triples the named graph holds (counted by the engine: quicker than the whole store's length)."""
        (row,) = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ox.NamedNode(graph).value}> {{ ?s ?p ?o }} }}")
        return int(row["n"])

    def dump(self, output: Any, fmt: ox.RdfFormat, graph: str | None = None) -> None:
        """Serialise the dataset (quad formats) or one graph (triple formats) to a path or binary file."""
        if graph is not None:
            self._engine.dump(output, fmt, from_graph=ox.NamedNode(graph))
        elif fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
            self._engine.dump(output, fmt)
        else:
            self._engine.dump(output, fmt, from_graph=ox.DefaultGraph())

    # -- writing -----------------------------------------------------------------------------

    @contextmanager
    def writing(self, what: str = "a Python program writing through graph.Store") -> Iterator[None]:
        """Hold the store's write lock for several writes (reads in between see no other writer's change).

        Each write takes the lock by itself; this keeps it across a read and the write that
        depends on it. Raises :class:`graph.write_lock.StoreBusy` after a few seconds if another
        process holds it, StoreError if the live store was replaced since this one was opened.
        Nothing to hold for a store in memory, on a SPARQL server or in a generation being made.
        """
        if self._generation is None or self.read_only:
            yield
            return
        from graph import write_lock  # it builds on this module

        with write_lock.holding(self.location, what, write_lock.WRITE_WAIT):
            if os.path.realpath(self.location) != self._generation:
                raise StoreError(f"{self.location}: the store was replaced (by a build, a load or a compaction) since it "
                                 f"was opened here; a write now would be lost, so it is refused: open the store again")
            yield

    def update(self, sparql: str, *, base_iri: str | None = None, prefixes: dict[str, str] | None = None) -> None:
        """Run a SPARQL 1.1 Update in one transaction. Raises SyntaxError for a bad update."""
        self._writable()
        with self.writing():
            self._engine.update(sparql, base_iri=base_iri, prefixes=prefixes)
            self._count_write()

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one transaction."""
        self._writable()
        with self.writing():
            self._engine.extend(quads)
            self._count_write(quads)

    def bulk_load(
        self, source: str | os.PathLike[str] | bytes | BinaryIO, fmt: ox.RdfFormat, graph: str | None = None,
        *, engine_output: bool = False,
    ) -> None:
        """Parse an RDF file (a path, the document's bytes or a binary file) into the store as fast as the engine can.

        Not transactional: use it on a new generation. The engine parses and writes without
        holding the GIL, so loads from several threads run in parallel. Triples of a triple
        format go to the named graph ``graph``; blank nodes get fresh names on each call.
        Raises SyntaxError naming the line. ``engine_output``: the bytes were serialised by the
        engine itself, so its IRI and language-tag checks are skipped (15% quicker); never for
        a user's file.
        """
        self._writable()
        to_graph = ox.NamedNode(graph) if graph else None
        with self.writing():
            if isinstance(source, (str, os.PathLike)):
                self._engine.bulk_load(path=source, format=fmt, to_graph=to_graph, lenient=engine_output)
            else:
                self._engine.bulk_load(source, format=fmt, to_graph=to_graph, lenient=engine_output)
            self._count_write()

    def bulk_add(self, quads: Iterable[ox.Quad]) -> None:
        """Add many quads fast, without holding them all in memory (not transactional)."""
        self._writable()
        with self.writing():
            self._engine.bulk_extend(quads)
            self._count_write()

    def replace_graph(self, graph: str, quads: Iterable[ox.Quad]) -> None:
        """Replace the contents of one named graph."""
        self._writable()
        with self.writing():
            self._engine.remove_graph(ox.NamedNode(graph))
            self._engine.extend(quads)
            self._count_write()

    def compact(self) -> None:
        """Rewrite the store's sorted files as one set per index (RocksDB's compaction of every key range).

        Each bulk load adds a set of sorted files over the same keys, and every read looks
        through all of them until RocksDB merges them; a read-only handle (a server's workers) never
        does. A million quads loaded in parts: 2-hop queries 2.7x and aggregates 1.8x quicker after
        it, which takes 2.3-3.5 s and leaves 1.8x the disk (the engine's options leave the first
        levels, where the merged files go, uncompressed)."""
        self._writable()
        with self.writing():
            self._engine.optimize()

    def flush(self) -> None:
        """Make every write durable on disk."""
        if self.location != MEMORY and not self.read_only:
            self._engine.flush()

    def close(self) -> None:
        """Release the store; further calls fail."""
        self.flush()
        self._engine = None  # type: ignore[assignment]

    def read(self, reading: Callable[[], T]) -> T:
        """Run ``reading()``, a read that gathers its whole answer from this store.

        A store shared with other writers (:class:`graph.shared_store.SharedStore`) runs it again on
        a fresh handle if a writer's compaction removed a file under it (:func:`vanished_file`).
        """
        return reading()

    @contextmanager
    def counted_once(self) -> Iterator[CountedWrite]:
        """Count the writes of this thread in the block as one write, recorded with what the block sets on the
        :class:`CountedWrite` it gives (else with the quads added, when adding is all they did).

        Readers in other processes then take them up together, never the facts of an update
        without its derived edges, and follow what the record says rather than making their caches
        afresh. Blocks nest (the outermost counts). A block left by an exception counts the writes
        it made with no record.
        """
        holding = self._held_counts()
        thread = threading.get_ident()
        if thread in holding:
            yield holding[thread]
            return
        counted = holding[thread] = CountedWrite()
        failed = False
        try:
            yield counted
        except BaseException:
            failed = True
            raise
        finally:
            del holding[thread]
            if counted.writes:
                self._record_count(*((None, None) if failed else counted.recorded()))

    def _held_counts(self) -> dict[int, CountedWrite]:
        """The blocks of :meth:`counted_once` open on this store, by thread."""
        return self.__dict__.setdefault("_counting", {})  # made on first use: a remote store does not run Store.__init__

    def _count_write(self, added: Iterable[ox.Quad] | None = None) -> None:
        """Count a write to a live store on disk, so readers in other processes open it again (:mod:`graph.write_count`).

        ``added``: the quads the write added, when that is all it did; recorded (up to
        :data:`graph.write_count.RECORD_QUADS`, and only as a list or tuple, which can be read twice)
        so that readers bring their caches in step rather than make them afresh. Inside
        :meth:`counted_once` the write is only noted, and counted when the block ends.
        """
        held = self._held_counts().get(threading.get_ident())
        if held is not None:
            held.note(added)
        else:
            self._record_count(added, None)

    def _record_count(self, added: Iterable[ox.Quad] | None, touched: frozenset[str] | None) -> None:
        """Count one write of a live store on disk, with its record: the quads it added, else the nodes it touched."""
        if self._generation is None or self.read_only:
            return
        from graph.write_count import RECORD_QUADS, count_write  # it builds on this module

        record = None
        if isinstance(added, (list, tuple)) and len(added) <= RECORD_QUADS:
            record = ox.serialize(added, format=ox.RdfFormat.N_QUADS)
        count_write(self.location, record, touched if record is None else None)

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.location}: opened read-only")


def open_store(location: str | os.PathLike[str] | None = None, *, read_only: bool = False) -> Store:
    """Open the store at ``location`` (a path, ``:memory:``, a ``sparql+http(s)://`` server, or None for the default).

    A path that another process holds read-write is opened read-only instead. The engine opens the
    generation the link points to, not the link: it names its files by the path it was given, so a
    handle opened through the link would, once a load swapped the link, read (and write, and
    compact) the new generation's files as its own.
    """
    where = resolve_location(location)
    if where == MEMORY:
        return Store(ox.Store(), MEMORY)
    if is_remote(where):
        from graph.remote_store import RemoteStore  # it builds on this module

        return RemoteStore(str(where), read_only=read_only)
    path = Path(where)
    if not path.exists():
        raise StoreError(f"{path}: no store here yet; run `aikg build` first")
    real = os.path.realpath(path)
    if read_only:
        return Store(_open_read_only(real, path), path, read_only=True, generation=real)
    try:
        return Store(ox.Store(real), path, generation=real)
    except OSError as exc:
        if "lock" not in str(exc).lower():
            raise StoreError(f"{path}: {exc}") from exc
        return Store(_open_read_only(real, path), path, read_only=True, generation=real)


def open_read_write(real: str, location: str | os.PathLike[str], refused: str) -> ox.Store:
    """The engine on the generation ``real`` of the store at ``location``, read-write; StoreError if another
    process holds it so, saying what that means here (``refused``)."""
    try:
        return ox.Store(real)
    except OSError as exc:
        if "lock" not in str(exc).lower():
            raise StoreError(f"{location}: {exc}") from exc
        raise StoreError(f"{location}: another process holds the store read-write (a program that opened it with "
                         f"graph.open_store, say); {refused}") from None


def _open_read_only(real: str, path: Path) -> ox.Store:
    try:
        return ox.Store.read_only(real)
    except OSError as exc:
        raise StoreError(f"{path}: {exc}") from exc


class Generation:
    """A new store directory beside the live one, made under the store's write lock; :meth:`commit` swaps it in atomically.

    Use it as a context manager: leaving the block without a commit, or by an exception, throws the
    new generation away; either way the lock goes. From the copy of the live store to the swap, a
    write to the live store would be lost, so the lock (:mod:`graph.write_lock`) keeps writers out.
    """

    def __init__(self, live: Path, *, writer: str, copy_live: bool = False) -> None:
        """``writer``: what writes (named to a writer that finds the lock held); ``copy_live``: start from a copy of
        the live store (a checkpoint, hard links on one file system) instead of empty."""
        if str(live).startswith(("sparql+http:", "sparql+https:")):  # a server's URL taken for a path: never make it a folder
            raise StoreError(f"{live}: a store on a SPARQL server has no generations on disk; this command needs a store directory")
        from graph import write_lock  # it builds on this module

        self._lock = ExitStack()
        self._lock.enter_context(write_lock.holding(live, writer, write_lock.SWAP_WAIT))
        self._committed = False
        try:
            self.live = live
            self.root = live.parent / f"{live.name}.generations"
            self.root.mkdir(parents=True, exist_ok=True)
            self.path = self.root / f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns()}"
            self.copied = copy_live and live.exists()  # looked at under the lock: a build may have made it meanwhile
            self._source = os.path.realpath(live) if self.copied else None
            try:
                if self.copied:
                    _checkpoint(live, self._source, self.path)
                self.store = Store(ox.Store(str(self.path)), self.path)
            except OSError:
                shutil.rmtree(self.path, ignore_errors=True)  # a full disk must not leave a half-made directory
                raise
        except BaseException:
            self._lock.close()
            raise

    def __enter__(self) -> "Generation":
        return self

    def __exit__(self, *_: object) -> None:
        try:
            if not self._committed:  # once swapped in, the new generation is the live store, whatever failed after
                self.abandon()
        finally:
            self._lock.close()

    def commit(self, *, same_content: bool = False) -> None:
        """Flush the new generation and point the live link at it; generations before the previous one go.

        ``same_content``: the new generation holds the very quads of the one it copied (a
        compaction); it says so in a file of its own (:data:`SAME_CONTENT`), so readers keep
        what they made from the old one (a server's projection: minutes at ten million triples).
        """
        self.store.close()
        if same_content:
            if self._source is None:
                raise ValueError("only a generation copied from the live store can hold the same content")
            # The origin, not the generation copied: the chain is one step long, so it holds when
            # the generations between are removed (two are kept).
            origin = os.path.basename(content_origin(self._source))
            (self.path / SAME_CONTENT).write_text(origin + "\n", encoding="utf-8")
        if self.live.exists() and not self.live.is_symlink():
            # A plain directory from an earlier layout becomes a generation so it can be swapped out.
            self.live.rename(self.root / "adopted")
        link = self.live.parent / f".{self.live.name}.link-{os.getpid()}"
        if link.is_symlink():
            link.unlink()
        link.symlink_to(self.path.relative_to(self.live.parent))
        os.replace(link, self.live)
        self._committed = True
        self._remove_old()

    def abandon(self) -> None:
        """Throw the new generation away; the live store is untouched."""
        self.store._engine = None  # type: ignore[assignment]
        shutil.rmtree(self.path, ignore_errors=True)

    def _remove_old(self, keep: int = 2) -> None:
        # The previous generation stays: a server may still be reading it until it reopens.
        generations = sorted(self.root.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in generations[keep:]:
            if old != self.path:
                shutil.rmtree(old, ignore_errors=True)


SAME_CONTENT = "aikg-same-content-as"
"""A file in a generation made by a compaction: the name of the first generation that held the same quads
(the one the first of a run of compactions started from).
The engine leaves files it does not know alone, and does not copy them into a checkpoint."""


def content_origin(generation: str | os.PathLike[str]) -> str:
    """The earliest generation, by path, whose quads ``generation`` holds unchanged: itself unless compactions made it.

    Two generations with the same origin hold the same quads but for writes made in place, which
    are counted apart (:mod:`graph.write_count`). Generations removed since are named, not read.
    """
    path = Path(generation)
    for _ in range(64):  # a chain of compactions; the bound only guards against a hand-made loop
        try:
            name = (path / SAME_CONTENT).read_text(encoding="utf-8").strip()
        except OSError:
            break
        if not name or "/" in name:
            break
        path = path.parent / name
    return str(path)


def _checkpoint(live: Path, generation: str, to: Path) -> None:
    """Copy the live store (its link, and the ``generation`` it points to) to ``to`` (hard links where it can),
    through a read-write handle of its own.

    A copy taken through a read-only handle while another process holds the store read-write can
    name sorted files that process's compactions have just deleted: a generation that fails to
    open. Holding the store read-write here makes sure no one else does.
    """
    source = open_read_write(generation, live, "a copy taken now could be inconsistent, so nothing was changed: close "
                             "it there (graph.open_graph holds a store read-write only while it writes), then run this again")
    try:
        source.backup(str(to))
    finally:
        del source


def iri_values(iris: Iterable[str]) -> str:
    """IRIs as the terms of a SPARQL ``VALUES`` block (``<a> <b>``), each checked as an IRI (ValueError if not)."""
    return " ".join(f"<{ox.NamedNode(iri).value}>" for iri in iris)


def to_python(term: Any) -> Any:
    """An RDF term as a plain Python value: IRIs and strings as str, numbers as int or Decimal."""
    if isinstance(term, ox.NamedNode):  # the commonest term first
        return term.value
    if isinstance(term, ox.Literal):
        if term.language:
            return term.value
        dt = term.datatype.value
        if dt == _STRING:
            return term.value
        if dt in _INTEGER_TYPES:
            return int(term.value)
        if dt == XSD + "decimal":
            return Decimal(term.value)
        if dt in (XSD + "double", XSD + "float"):
            return float(term.value)
        if dt == XSD + "boolean":
            return term.value in ("true", "1")
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)
