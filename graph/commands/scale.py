"""``aikg synth``, ``aikg load``, ``aikg compact``, ``aikg ingest`` and ``aikg update``: make a large graph, bulk-load
RDF files, merge a store's sorted files for reads, add one fact file, apply a SPARQL Update."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from graph.commands.options import STORE_DEFAULT

if TYPE_CHECKING:
    from graph.ingest import IngestPreview
    from graph.store import Store

SYNTH_EXIT = "Exit codes: 0 written; 1 the file could not be written; 2 a bad option."
LOAD_EXIT = "Exit codes: 0 loaded; 1 the work failed (I/O, store locked, disk full, the server refused or did not answer); 2 bad input (missing file, unknown format, a syntax error: file and line are named, the store is unchanged)."
COMPACT_EXIT = "Exit codes: 0 compacted; 1 the work failed (no store, a store on a SPARQL server, another writer holding the store, I/O, disk full: the live store is then unchanged)."
INGEST_EXIT = "Exit codes: 0 added (with --dry-run: it would be added); 1 the work failed (no store, store locked, I/O); 2 an invalid fact file or one that clashes with the store (nothing changed)."
UPDATE_EXIT = "Exit codes: 0 applied; 1 the work failed (no store, store locked, I/O, the server refused or did not answer); 2 an update that does not parse or that the engine refuses (nothing changed)."

StoreOption = Annotated[
    Optional[str],
    typer.Option("--store", help=f"Store directory, or a SPARQL server as sparql+http://HOST:PORT/PATH (compact: a directory only). {STORE_DEFAULT}"),
]


def synth(
    triples: Annotated[int, typer.Option("--triples", help="About how many triples to write (the last source document may add a few more).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The N-Quads file to write (.nq).")],
    seed: Annotated[int, typer.Option("--seed", help="The same seed and size give the same bytes.")] = 0,
) -> None:
    """Write a synthetic AI-infrastructure graph in aikg's vocabulary as N-Quads, one named graph per source document.

    Hyperscalers and chipmakers with very high degree, a long tail of start-ups, power-law
    investor portfolios, equity and debt in several currencies, supply deals with GPU counts,
    data centers observed as they grow, people with roles. Load it with `aikg load`.
    """
    from graph.cli import _progress, fail
    from graph.synth import write_nquads

    if triples < 1:
        fail(f"--triples {triples}: give a positive number", 2)
    try:
        with _progress() as progress, open(output, "w", encoding="utf-8", newline="\n") as handle:
            task = progress.add_task(f"write {output.name}", total=triples)
            written = write_nquads(handle, triples, seed, progress=lambda n: progress.update(task, completed=n))
    except OSError as exc:
        fail(f"{output}: {exc.strerror or exc}", 1)
    typer.echo(f"Wrote {written:,} triples to {output} (seed {seed}).")


COMPACT_HINT_QUADS = 100_000
"""From how many quads loaded ``aikg load`` (without ``--compact``) says that ``aikg compact`` would quicken reads."""


def load(
    files: Annotated[list[Path], typer.Argument(help="RDF files: .nq, .trig (named graphs kept), .ttl, .nt (into one graph per file).")],
    store: StoreOption = None,
    replace: Annotated[bool, typer.Option("--replace", help="Start from an empty store (the ontology only) instead of adding to the current graph.")] = False,
    graph: Annotated[Optional[str], typer.Option("--graph", help="Named graph (an IRI) for the triples of .ttl/.nt files; default: a source named after each file.")] = None,
    compact: Annotated[bool, typer.Option("--compact", help="Merge the sorted files the load wrote before the swap: for a store that will mostly be read (a million quads: 2-hop queries 2.7x and aggregates 1.8x quicker, for a load 40% longer and 1.8x the disk). A store on disk only.")] = False,
) -> None:
    """Bulk-load RDF files onto the store, derive the shortcut edges, and swap the result in atomically.

    On a SPARQL server (--store sparql+http://...) the files are parsed first, then sent graph by graph and the edges derived there: no transaction spans the requests, and running the load again after a failure completes it.

    Nothing runs SHACL here (it takes minutes per million triples): check files with `aikg validate` or make them with `aikg synth`.

    The load runs under mimalloc when the system has it (Debian's libmimalloc2.0), 15-20% quicker than under the C library's allocator; AIKG_ALLOCATOR=system keeps the latter.
    """
    from graph.bulk_load import LoadError, load_files
    from graph.cli import _progress, fail
    from graph.store import StoreError, is_remote

    try:
        with _progress() as progress:
            task = progress.add_task("load", total=None)
            report = load_files(files, store=store, replace=replace, graph=graph, compact=compact,
                                step=lambda s: progress.update(task, description=s))
    except LoadError as exc:
        fail(exc.errors, 2)
    except (StoreError, OSError) as exc:
        fail(str(exc), 1)
    rate = report.loaded / report.load_seconds if report.load_seconds else 0
    typer.echo(
        f"Loaded {report.loaded:,} quads from {len(report.quads_per_file)} file(s) in {report.load_seconds:.1f} s "
        f"({rate:,.0f} a second); derived {report.derived:,} triples in {report.derive_seconds:.1f} s; "
        + (f"compacted in {report.compact_seconds:.1f} s; " if report.compact_seconds is not None else "")
        + f"{report.total:,} quads in {report.location}."
    )
    if report.compact_seconds is None and report.loaded >= COMPACT_HINT_QUADS and not is_remote(report.location):
        typer.echo("Reads look through the sorted files of each bulk load until they are merged: `aikg compact` "
                   "(or `aikg load --compact`) makes 2-hop queries up to 2.7x quicker, for 1.8x the disk.")


def compact(store: StoreOption = None) -> None:
    """Merge the live store's sorted files into one set per index, in a new generation swapped in atomically.

    For a store loaded without `aikg load --compact`, or grown by many ingests and updates: every read looks through each set of sorted files until they are merged (a million triples as loaded: 2-hop queries 2.7x and aggregates 1.9x slower). The merged store takes more disk (1.8x at a million triples). A server serving the store takes the compacted one up after the swap, keeping its projection and cards (the quads are the same); writes wait for it.
    """
    from graph.cli import _progress, fail
    from graph.compaction import compact_live
    from graph.store import StoreError

    try:
        with _progress() as progress:
            task = progress.add_task("compact", total=None)
            report = compact_live(store, step=lambda s: progress.update(task, description=s))
    except (StoreError, OSError) as exc:
        fail(str(exc), 1)
    typer.echo(f"Compacted {report.location} in {report.seconds:.1f} s: {report.mb_before:,.0f} MB -> {report.mb_after:,.0f} MB on disk.")


def ingest(
    file: Annotated[Path, typer.Argument(help="One fact file (YAML) for a source document not yet in the store; - reads it "
                                               "from stdin (aikg extract article.txt | aikg ingest - --dry-run).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check the file against the store and say what it would add "
                                          "(new entities, events, links, relations other sources report already); write nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="With --dry-run: print what it would add as JSON.")] = False,
    store: StoreOption = None,
) -> None:
    """Add one fact file to the built store in one transaction, with its derived edges; nothing changes if it is invalid.

    A server serving the store answers with the new facts from its next request on (or send the file to its POST /ingest).
    """
    from graph.build import BuildError
    from graph.cli import _open, fail
    from graph.ingest import ingest as ingest_file
    from graph.ingest import preview
    from graph.store import StoreError

    if as_json and not dry_run:
        fail("--json goes with --dry-run", 2)
    content = sys.stdin.buffer.read() if str(file) == "-" else None  # errors then name the file "<stdin>"
    name = "<stdin>" if content is not None else file
    if dry_run:
        try:
            _print_preview(preview(_open(store), name, content=content), as_json)
        except BuildError as exc:
            fail(exc.errors + ["the ingest would be refused"], 2)
        except (StoreError, OSError) as exc:
            fail(str(exc), 1)
        return
    try:
        with _held_for_writing(store, "aikg ingest", "POST /ingest to the server that holds it") as target:
            report = ingest_file(target, name, content=content)
    except BuildError as exc:
        fail(exc.errors + ["ingest refused; the store was not changed"], 2)
    except (StoreError, OSError) as exc:
        fail(str(exc), 1)
    typer.echo(
        f"Added {report.source}: {report.quads:,} quads and {report.derived_added:,} derived triples "
        f"in {report.seconds:.2f} s."
    )


def _print_preview(seen: IngestPreview, as_json: bool) -> None:
    """``aikg ingest --dry-run``'s answer: what the file would add, one line a kind."""
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(seen), ensure_ascii=False, indent=2))
        return
    typer.echo(f"{seen.source} would add {seen.quads:,} quads and {seen.derived_added:,} derived triples (nothing written).")
    lines = [
        ("new entities", ", ".join(f"{slug} ({cls})" for slug, cls in seen.new_entities)),
        ("entities the store knows", ", ".join(seen.known_entities)),
        ("events", ", ".join(f"{n} {kind}" for kind, n in sorted(seen.events.items()))),
        ("new links", _statements(seen.new_links)),
        ("relations no source states yet", _statements(seen.relations_new)),
        ("relations other sources report", _statements(seen.relations_reported)),
    ]
    for title, text in lines:
        typer.echo(f"{title}: {text or 'none'}")


def _statements(items: list[tuple]) -> str:
    """Statements between entities as ``subject predicate object``, with the sources that state one already if given."""
    return "; ".join(" ".join(item[:3]) + (f" (also in {', '.join(item[3])})" if len(item) > 3 else "") for item in items)


def update(
    sparql: Annotated[Optional[str], typer.Argument(help="The SPARQL 1.1 Update (aikg's prefixes predeclared), or use -f.")] = None,
    file: Annotated[Optional[Path], typer.Option("-f", "--file", help="Read the update from a file (- for stdin).")] = None,
    store: StoreOption = None,
) -> None:
    """Apply a SPARQL 1.1 Update in one transaction, with the derived edges brought in step, as the server's POST /sparql does.

    A server serving the store answers with the change from its next request on.
    """

    from graph.cli import _read, fail, syntax_error
    from graph.store import StoreError
    from graph.updates import apply_update

    if (sparql is None) == (file is None):
        fail("give an update or -f FILE, not both or neither", 2)
    if file is not None:
        sparql = sys.stdin.read() if str(file) == "-" else _read(file)
    try:
        with _held_for_writing(store, "aikg update", "POST the update to the server that holds it") as target:
            applied = apply_update(target, sparql)  # type: ignore[arg-type]
    except typer.Exit:  # from fail() above: a RuntimeError too, already told
        raise
    except SyntaxError as exc:
        fail(syntax_error("bad update", exc, file) + " (nothing changed)", 2)
    except RuntimeError as exc:
        fail(f"the update was not applied: {exc} (nothing changed)", 2)
    except (StoreError, OSError) as exc:
        fail(str(exc), 1)
    typer.echo(f"Applied; {applied.derived:,} derived triples changed.")


@contextmanager
def _held_for_writing(store: str | None, writer: str, elsewhere: str) -> Iterator[Store]:
    """The store for one write from the command line: its write lock held (as ``writer``), opened read-write; exit 1
    if another process holds it read-write (``elsewhere``: where the write could go instead)."""
    from graph import write_lock
    from graph.cli import _open, fail

    with write_lock.holding(store, writer, write_lock.WRITE_WAIT):
        target = _open(store, read_only=False)
        if target.read_only:
            fail(f"{target.location}: another process is writing the store; retry, or {elsewhere}", 1)
        try:
            yield target
        finally:
            target.close()
