"""The ``aikg`` command line: build, query, show, validate and export the graph.

Exit codes: 0 success, 1 the work failed (no store, I/O, a server unreachable),
2 invalid input (a fact file, a query, an option). Errors go to stderr, one line each.
"""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import pyoxigraph as ox
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from graph import open_graph
from graph.build import BuildError, build_store, input_files, prepare
from graph.cards import AmbiguousName, UnknownEntity, entity_card, find_entity
from graph.commands.options import StoreOption
from graph.export.rdf import RDF_FORMATS, export_rdf
from graph.commands.listing import event_amount
from graph.quads import source_slug_of
from graph.stats import graph_stats
from graph.store import MEMORY, StoreError, open_store, resolve_location

EXIT_CODES = "Exit codes: 0 success; 1 the work failed (no store, I/O error); 2 invalid input (fact file, query, option)."

app = typer.Typer(
    name="aikg",
    help=f"The knowledge graph of AI infrastructure: who funds, lends to, supplies, owns and builds AI compute.\n\n{EXIT_CODES}",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
export_app = typer.Typer(help=f"Write the graph in other formats.\n\n{EXIT_CODES}", no_args_is_help=True)
app.add_typer(export_app, name="export")

out = Console()
err = Console(stderr=True, highlight=False, soft_wrap=True)

def main() -> None:
    """Run the command line (the ``aikg`` console script starts in :func:`graph.launch.main`)."""
    try:
        app()
    except StoreError as exc:  # a SPARQL server can fail in the middle of any command: unreachable, refusing
        err.print(f"aikg: {exc}", markup=False)
        sys.exit(1)
    finally:
        # The command is done (its stores closed, its files written): the interpreter's last collection
        # would walk every object still alive, a projection at a million triples among them, to find
        # no garbage (1.5 s of `aikg central` there, 3.8 s in all); frozen, they are left out of it.
        gc.freeze()


def fail(lines: list[str] | str, code: int) -> None:
    """Print each problem on its own stderr line and exit with ``code``."""
    for line in [lines] if isinstance(lines, str) else lines:
        err.print(f"aikg: {line}", markup=False)
    raise typer.Exit(code)


@app.command()
def build(
    data: Annotated[list[Path], typer.Option("--data", help="A folder (or file) of fact files to add; repeatable.")] = [],
    no_bundled: Annotated[bool, typer.Option("--no-bundled", help="Leave out the curated facts that ship with aikg.")] = False,
    store: StoreOption = None,
) -> None:
    """Validate the fact files and build the graph into the store, swapping it in only if all is well."""
    try:
        with _progress() as progress:
            task = progress.add_task("build", total=None)
            _, report = build_store(data, bundled=not no_bundled, store=store, step=lambda s: progress.update(task, description=s))
    except BuildError as exc:
        fail(exc.errors + ["build refused; the store was not changed"], 2)
    except (StoreError, OSError) as exc:
        fail(str(exc), 1)
    table = Table(title=f"Built {report.location}")
    table.add_column("source")
    table.add_column("triples", justify="right")
    for source, count in report.triples_per_source.items():
        table.add_row(source, f"{count:,}")
    out.print(table)
    out.print(
        f"{report.entities} entities, {report.events} events, {report.relations} relations, "
        f"{report.derived} derived triples, {report.total:,} quads in all."
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    store: StoreOption = None,
    workers: Annotated[Optional[int], typer.Option("--workers", help="Query worker processes (default $AIKG_WORKERS or 2).")] = None,
    deadline: Annotated[Optional[float], typer.Option("--deadline", help="Seconds a query may run (default $AIKG_DEADLINE or 30).")] = None,
    write_deadline: Annotated[Optional[float], typer.Option(
        "--write-deadline", help="Seconds an update or ingest may run, re-derivation included (default $AIKG_WRITE_DEADLINE or 120).")] = None,
    access_log: Annotated[bool, typer.Option("--access-log/--no-access-log",
                                             help="Log one line per request on stderr.")] = True,
) -> None:
    """Serve SPARQL 1.1 at /sparql, the REST API and the query page; builds the bundled graph into an empty store.

    Updates need AIKG_TOKEN; AIKG_ALLOW allow-lists SERVICE/LOAD/FROM targets; see the README's HTTP API section.
    """
    from api.app import ServiceConfig, serve as run_server

    try:
        run_server(store, host=host, port=port, config=ServiceConfig.from_env(workers=workers, deadline=deadline, write_deadline=write_deadline),
                   access_log=access_log)
    except BuildError as exc:
        fail(exc.errors + ["could not build the bundled graph into the empty store"], 2)
    except (StoreError, OSError) as exc:
        fail(str(exc), 1)


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Fact files or folders to check (with the bundled facts, which they may refer to).")] = [],
    no_bundled: Annotated[bool, typer.Option("--no-bundled", help="Check the files on their own.")] = False,
) -> None:
    """Check fact files as a build would, without writing anything."""
    try:
        dataset = prepare(input_files(files, bundled=not no_bundled))
    except BuildError as exc:
        fail(exc.errors, 2)
    out.print(f"{len(dataset.files)} fact file(s) valid: {len(dataset.entities)} entities, {len(dataset.quads):,} quads.")


@app.command()
def query(
    sparql: Annotated[Optional[str], typer.Argument(help="The SPARQL 1.1 query (or use -f).")] = None,
    file: Annotated[Optional[Path], typer.Option("-f", "--file", help="Read the query from a file (- for stdin).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json, xml, csv, tsv (SELECT/ASK); table, turtle, ntriples, rdfxml (CONSTRUCT/DESCRIBE).")] = "table",
    store: StoreOption = None,
) -> None:
    """Run a SPARQL query; the default graph is the union of all source graphs."""
    if (sparql is None) == (file is None):
        fail("give a query or -f FILE, not both or neither", 2)
    if file is not None:
        sparql = sys.stdin.read() if str(file) == "-" else _read(file)
    if fmt != "table" and fmt not in RESULT_FORMATS and fmt not in CONSTRUCT_FORMATS:
        fail(f"--format {fmt!r}: choose table, {', '.join(RESULT_FORMATS)}, {', '.join(CONSTRUCT_FORMATS)}", 2)
    if not (sparql or "").strip():
        fail(f"bad query: {file or 'the query'} is empty", 2)
    from ontology import PREFIXES

    s = _open(store)
    try:
        result = s.query(sparql, prefixes=dict(PREFIXES))  # type: ignore[arg-type]
    except SyntaxError as exc:
        fail(syntax_error("bad query", exc, file), 2)
    _print_result(result, fmt)


SHOWN_EVENTS = 50
"""How many of an entity's newest events ``aikg show`` lists in its table unless told (a hub takes part in thousands)."""


@app.command()
def show(
    entity: Annotated[str, typer.Argument(help="The entity: its slug (xai, elon-musk), IRI or a name or alias of it (\"Elon Musk\", case and width folded).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the card as JSON.")] = False,
    events: Annotated[Optional[int], typer.Option("--events", min=0, help=f"List the N newest events (0: all). Default: {SHOWN_EVENTS} in the table, all with --json; `events_total` counts them all.")] = None,
    store: StoreOption = None,
) -> None:
    """Print an entity card: names, classes, relations and events, each with its source."""
    kg = _open(store)
    most = events if events is not None else (0 if as_json else SHOWN_EVENTS)
    try:
        card = entity_card(kg, find_entity(kg, entity), most_events=most or None)
    except (UnknownEntity, AmbiguousName) as exc:
        fail(str(exc), 2)
    if as_json:
        out.print_json(json.dumps(card, ensure_ascii=False, default=str))
        return
    _print_card(card)


@app.command()
def stats(store: StoreOption = None, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Count what the store holds: quads, graphs, entities by class, events by type, sources."""
    numbers = graph_stats(_open(store))
    if as_json:
        out.print_json(json.dumps(numbers))
        return
    out.print(f"[bold]{numbers['quads']:,}[/] quads in {numbers['graphs']:,} named graphs; {numbers['sources']:,} source documents")
    for title, key in (("entities by class", "entities"), ("events by type", "events")):
        table = Table(title=title)
        table.add_column("class")
        table.add_column("count", justify="right")
        for name, count in numbers[key].items():
            table.add_row(name, f"{count:,}")
        out.print(table)


@export_app.command("rdf")
def export_rdf_command(
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
    fmt: Annotated[str, typer.Option("--format", help=f"One of: {', '.join(RDF_FORMATS)}. TriG and N-Quads keep the named graphs.")] = "trig",
    store: StoreOption = None,
) -> None:
    """Write the whole graph as RDF."""
    if fmt not in RDF_FORMATS:
        fail(f"--format {fmt!r}: choose one of {', '.join(RDF_FORMATS)}", 2)
    try:
        count = export_rdf(_open(store), output, fmt)
    except OSError as exc:
        fail(f"{output}: {exc.strerror or exc}", 1)
    out.print(f"Wrote {count:,} quads to {output} ({fmt}).")


# -- Neo4j and GraphML exports -----------------------------------------------------------------

neo4j_formats = ("cypher", "csv", "bolt")


@export_app.command("neo4j")
def export_neo4j_command(
    fmt: Annotated[str, typer.Option("--format", help="cypher: a script for cypher-shell -f; csv: neo4j-admin import files; bolt: load a running Neo4j.")] = "cypher",
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="The .cypher file (cypher) or the directory (csv).")] = None,
    uri: Annotated[str, typer.Option("--uri", help="Bolt URI of the running Neo4j (bolt).")] = "bolt://localhost:7687",
    user: Annotated[str, typer.Option("--user", help="Neo4j user (bolt).")] = "neo4j",
    password: Annotated[str, typer.Option("--password", envvar="NEO4J_PASSWORD", help="Neo4j password (bolt); or $NEO4J_PASSWORD.")] = "",
    database: Annotated[Optional[str], typer.Option("--database", help="Target database (bolt); default: the server's default.")] = None,
    store: StoreOption = None,
) -> None:
    """Export the graph to Neo4j: every entity, event and source a node, every relation a relationship."""
    from graph.export.neo4j_bolt import BoltError, load_bolt
    from graph.export.neo4j_csv import COMMAND_FILE, export_csv
    from graph.export.neo4j_cypher import export_cypher
    from graph.export.neo4j_mapping import property_graph

    if fmt not in neo4j_formats:
        fail(f"--format {fmt!r}: choose one of {', '.join(neo4j_formats)}", 2)
    if fmt != "bolt" and output is None:
        fail(f"--format {fmt} needs -o/--output", 2)
    graph = property_graph(_open(store))
    try:
        if fmt == "cypher":
            count = export_cypher(graph, output)
            out.print(f"Wrote {count:,} statements ({len(graph.nodes):,} nodes, {len(graph.relationships):,} relationships) to {output}.")
        elif fmt == "csv":
            paths = export_csv(graph, output)
            out.print(f"Wrote {len(paths) - 1} CSV files to {output}; the import command is in {output / COMMAND_FILE}.")
        else:
            with _progress() as progress:
                task = progress.add_task(f"load {uri}", total=len(graph.nodes) + len(graph.relationships))
                load_bolt(graph, uri, user, password, database, progress=lambda done, _: progress.update(task, completed=done))
            out.print(f"Loaded {len(graph.nodes):,} nodes and {len(graph.relationships):,} relationships into {uri}.")
    except BoltError as exc:
        fail(str(exc), 1)
    except OSError as exc:
        fail(f"{output}: {exc.strerror or exc}", 1)
    for line in graph.report():
        err.print(f"not mapped one-to-one: {line}", markup=False)


@export_app.command("graphml")
def export_graphml_command(
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
    store: StoreOption = None,
) -> None:
    """Write the graph as GraphML (networkx, Gephi), with the same nodes and relationships as the Neo4j export."""
    from graph.export.graphml import export_graphml
    from graph.export.neo4j_mapping import property_graph

    try:
        nodes, edges = export_graphml(property_graph(_open(store)), output)
    except OSError as exc:
        fail(f"{output}: {exc.strerror or exc}", 1)
    out.print(f"Wrote {nodes:,} nodes and {edges:,} edges to {output}.")


def _open(store: str | None, *, read_only: bool = True):
    """Open the store, read-only unless the command writes: a reader holding it read-write would keep the
    server's writes out and a load or a compaction from copying it. ``:memory:`` is the bundled facts,
    built in memory (an empty store would have nothing to read)."""
    try:
        if resolve_location(store) == MEMORY:
            return open_graph(MEMORY)
        return open_store(store, read_only=read_only)
    except StoreError as exc:
        fail(str(exc), 1)


def entity_slugs(kg, given: dict[str, str | None]) -> dict[str, str]:
    """The slug of each entity given (by slug, IRI, name or alias), keyed as given (by the option or argument
    that named it); those given as None are left out. Exits 2 naming the option of one unknown or ambiguous."""
    found = {}
    for option, text in given.items():
        if text is not None:
            try:
                found[option] = find_entity(kg, text)
            except (UnknownEntity, AmbiguousName) as exc:
                fail(f"{option}: {exc}", 2)
    return found


def syntax_error(what: str, exc: SyntaxError, file: Path | None) -> str:
    """One stderr line for a query or update that does not parse: the file it came from, if any, and the parser's
    position and message (its list of what it expected runs over several lines)."""
    where = f"{file}: " if file is not None and str(file) != "-" else ""
    return f"{where}{what}: {' '.join(str(exc).split())}"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: {getattr(exc, 'strerror', None) or exc}", 2)
        raise


def _progress() -> Progress:
    """A progress bar on stderr, shown only where a person watches a terminal."""
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                    console=err, transient=True, disable=not err.is_terminal)


RESULT_FORMATS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                  "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
"""``aikg query --format`` for the answers of SELECT and ASK."""
CONSTRUCT_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "rdfxml": ox.RdfFormat.RDF_XML}
"""``aikg query --format`` for the triples of CONSTRUCT and DESCRIBE (``table`` prints them as Turtle)."""


def _print_result(result, fmt: str) -> None:
    if isinstance(result, ox.QueryTriples):
        if fmt not in CONSTRUCT_FORMATS and fmt != "table":
            fail(f"--format {fmt}: a CONSTRUCT or DESCRIBE gives triples; use {', '.join(CONSTRUCT_FORMATS)}", 2)
        sys.stdout.write(ox.serialize(result, format=CONSTRUCT_FORMATS.get(fmt, ox.RdfFormat.TURTLE)).decode())
        return
    if fmt in CONSTRUCT_FORMATS:
        fail(f"--format {fmt} needs a CONSTRUCT or DESCRIBE query", 2)
    if fmt != "table":
        text = result.serialize(format=RESULT_FORMATS[fmt]).decode()
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    if isinstance(result, ox.QueryBoolean):
        out.print("true" if bool(result) else "false")
        return
    names = [v.value for v in result.variables]
    table = Table(*names)
    rows = 0
    for row in result:
        table.add_row(*[_cell(row[n]) for n in names])
        rows += 1
    out.print(table)
    out.print(f"{rows} row(s)")


def _cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value + (f"@{term.language}" if term.language else "")
    return term.value if isinstance(term, ox.NamedNode) else str(term)


def _print_card(card: dict) -> None:
    names = " / ".join(dict.fromkeys(card["name"][lang] for lang in ("en", "ja") if card["name"].get(lang)))  # once if the same
    out.print(f"[bold]{names}[/]  ({', '.join(card['classes'])})  {card['iri']}", highlight=False)
    if card["aliases"]:
        out.print(f"also: {', '.join(card['aliases'])}", highlight=False)
    for lang, text in card["description"].items():
        out.print(f"{text}", highlight=False)
    table = Table("relation", "with", "source", title="Relations")
    for r in card["relations_out"]:
        table.add_row(r["predicate"], f"→ {r['name']}", source_slug_of(r["source"]["iri"]))
    for r in card["relations_in"]:
        table.add_row(r["predicate"], f"← {r['name']}", source_slug_of(r["source"]["iri"]))
    out.print(table)
    events = Table("event", "role", "amount", "status", "date", "source", title="Events")
    for e in card["events"]:
        sources = [source_slug_of(s["iri"]) for s in e["sources"]] + [f"via {s['title']}" for s in e["reported_by"]]
        events.add_row(e["label"], ", ".join(e["roles"]), event_amount(e), e.get("status", ""), e.get("date", ""), "\n".join(sources))
    out.print(events)
    if card["events_total"] > len(card["events"]):
        out.print(f"the {len(card['events']):,} newest of {card['events_total']:,} events; `--events 0` lists them all", highlight=False)


# -- the graph view ----------------------------------------------------------------------------

from graph.view.command import view as view_command  # noqa: E402  (it reads fail/_open from this module when run)

app.command("view")(view_command)

# -- how two entities are connected ----------------------------------------------------------------

from graph.commands.path import EXIT_CODES as PATH_EXIT, path as path_command  # noqa: E402  (it reads fail/_open from this module when run)

app.command("path", epilog=PATH_EXIT)(path_command)

# -- the most central entities -------------------------------------------------------------------

from graph.commands.central import EXIT_CODES as CENTRAL_EXIT, central as central_command  # noqa: E402

app.command("central", epilog=CENTRAL_EXIT)(central_command)

# -- funding rounds -----------------------------------------------------------------------------

from graph.commands.funding import EXIT_CODES as FUNDING_EXIT, funding as funding_command  # noqa: E402

app.command("funding", epilog=FUNDING_EXIT)(funding_command)

# -- supply deals and capacity ------------------------------------------------------------------

from graph.commands import supply as supply_command  # noqa: E402

app.command("supply", epilog=supply_command.SUPPLY_EXIT)(supply_command.supply)
app.command("capacity", epilog=supply_command.CAPACITY_EXIT)(supply_command.capacity)

# -- who raised the most ------------------------------------------------------------------------

from graph.commands.leaders import EXIT_CODES as LEADERS_EXIT, leaders as leaders_command  # noqa: E402

app.command("leaders", epilog=LEADERS_EXIT)(leaders_command)

# -- the source documents ----------------------------------------------------------------------

from graph.commands.sources import EXIT_CODES as SOURCES_EXIT, sources as sources_command  # noqa: E402

app.command("sources", epilog=SOURCES_EXIT)(sources_command)

# -- extracting facts from an article -------------------------------------------------------------

from graph.extract.command import extract as extract_command  # noqa: E402  (the extractor is imported when run)

app.command("extract")(extract_command)

# -- scale: a synthetic graph, bulk loads, one fact file at a time --------------------------------

from graph.commands import scale as scale_commands  # noqa: E402

app.command("synth", epilog=scale_commands.SYNTH_EXIT)(scale_commands.synth)
app.command("load", epilog=scale_commands.LOAD_EXIT)(scale_commands.load)
app.command("ingest", epilog=scale_commands.INGEST_EXIT)(scale_commands.ingest)
app.command("update", epilog=scale_commands.UPDATE_EXIT)(scale_commands.update)
app.command("compact", epilog=scale_commands.COMPACT_EXIT)(scale_commands.compact)


if __name__ == "__main__":
    main()
