"""Fact files → validated quads → derived edges → a store, swapped in atomically.

Validation runs in two passes: the fact-file models (pydantic, with file, line and field
path), then the SHACL shapes of the ontology over the whole graph. Any problem stops the
build before the live store is touched.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from graph import shacl
from graph.facts import (
    Entity,
    FactError,
    FactFileError,
    LoadedFile,
    fact_files,
    field_path,
    load_fact_file,
    referenced_slugs,
)
from graph.quads import entity_iri, entity_quads, fact_file_quads, source_iri
from graph.store import BULK_THREADS, MEMORY, Generation, Store, is_remote, open_store, resolve_location
from ontology import DERIVED_GRAPH, ONTOLOGY_FILE, ONTOLOGY_IRI, rule_files

BUNDLED_DATA = Path(__file__).resolve().parent / "data"
"""The curated fact files that ship with aikg."""

Step = Callable[[str], None]


class BuildError(Exception):
    """The input is invalid; ``errors`` holds one line per problem."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class BuildReport:
    """What a build produced."""

    location: str
    entities: int
    events: int
    relations: int
    derived: int
    triples_per_source: dict[str, int] = field(default_factory=dict)
    total: int = 0


@dataclass
class Dataset:
    """Validated facts ready to store: the quads and the counts a summary shows."""

    quads: list[ox.Quad]
    files: list[LoadedFile]
    entities: dict[str, Entity]


def input_files(data: Iterable[str | Path] = (), bundled: bool = True) -> list[Path]:
    """The fact files a build reads: the bundled ones (unless ``bundled`` is false), then each given folder or file."""
    files = fact_files(BUNDLED_DATA) if bundled else []
    for folder in data:
        path = Path(folder)
        if not path.exists():
            raise BuildError([f"{path}: no such file or folder"])
        found = fact_files(path)
        if not found:
            raise BuildError([f"{path}: no fact files (*.yaml, *.yml) here"])
        files += found
    return files


def prepare(files: list[Path], step: Step | None = None) -> Dataset:
    """Load, cross-check and SHACL-validate fact files; raise :class:`BuildError` listing every problem."""
    step = step or (lambda _: None)
    loaded: list[LoadedFile] = []
    errors: list[FactError] = []
    for path in files:
        step(f"read {path.name}")
        try:
            loaded.append(load_fact_file(path))
        except FactFileError as exc:
            errors += exc.errors
    if errors:
        raise BuildError([str(e) for e in errors])
    entities, cross_errors = _merge_entities(loaded)
    if cross_errors:
        raise BuildError([str(e) for e in cross_errors])
    names = {slug: e.name.en for slug, e in entities.items()}
    quads = ontology_quads() + list(entity_quads(entities.values()))
    for lf in loaded:
        quads += fact_file_quads(lf.facts, names)
    step("check the SHACL shapes")
    violations = shacl.validate(quads, _locator(loaded))
    if violations:
        raise BuildError(violations)
    return Dataset(quads, loaded, entities)


def build_store(
    data: Iterable[str | Path] = (),
    *,
    bundled: bool = True,
    store: str | Path | None = None,
    step: Step | None = None,
) -> tuple[Store, BuildReport]:
    """Build the graph from fact files into ``store`` (a path, ``:memory:``, or the default path).

    On disk the new graph is written beside the live one and swapped in only when complete. A
    SPARQL server gets the graph made and checked in memory first, then written graph by graph
    (see :meth:`graph.remote_store.RemoteStore.replace_all` for what readers see meanwhile).
    """
    step = step or (lambda _: None)
    dataset = prepare(input_files(data, bundled), step)
    where = resolve_location(store)
    if where == MEMORY:
        target = Store(ox.Store(), MEMORY)
        _fill(target, dataset.quads, step)
        return target, _report(target, dataset)
    if is_remote(where):
        return _build_remote(str(where), dataset, step)
    with Generation(Path(where), writer="aikg build") as generation:
        _fill(generation.store, dataset.quads, step)
        report = _report(generation.store, dataset)
        report.location = str(where)
        step("swap the new store in")
        generation.commit()
    return open_store(where), report


def _build_remote(location: str, dataset: Dataset, step: Step) -> tuple[Store, BuildReport]:
    # Derivation runs on the local engine too, so the edges are the ones the embedded store would hold.
    made = Store(ox.Store(), MEMORY)
    _fill(made, dataset.quads, step)
    report = _report(made, dataset)
    report.location = location
    remote = open_store(location)
    remote.replace_all(made.quads(), step)  # type: ignore[attr-defined]
    remote.check_default_graph()  # type: ignore[attr-defined]  # written, but unreadable to aikg without the union
    return remote, report


def derive(store: Store) -> int:
    """Recompute graph ``aik:derived`` from the rules in one transaction; return how many triples it now holds.

    For a new store or a server's; a live local store is quicker to bring up to date with
    :func:`rederive`, a generation not live yet with :func:`derived_ntriples` and :func:`write_derived`.
    """
    derived = ox.NamedNode(DERIVED_GRAPH)
    with store.writing("deriving the shortcut edges"):  # what the rules read is what their output replaces
        triples = derived_triples(store)
        store.replace_graph(DERIVED_GRAPH, (ox.Quad(t.subject, t.predicate, t.object, derived) for t in triples))
    return len(triples)


def derived_triples(store: Store) -> set[ox.Triple]:
    """What the rules derive from the facts now in ``store`` (graph ``aik:derived`` should hold exactly this).

    Each rule reads every graph but ``aik:derived`` (its own ``FILTER``), so derived edges never
    feed on themselves and the rules may run while the graph holds their last output.
    """
    triples: set[ox.Triple] = set()
    if is_remote(store.location):
        # The rules run on a local copy: servers differ in the SPARQL they accept (Virtuoso refuses rule 40's open path).
        local = Store(ox.Store(), MEMORY)
        local.add(store.quads())
        store = local
    for rule in rule_files():
        triples.update(store.query(rule.read_text(encoding="utf-8")))
    return triples


def derived_ntriples(store: Store) -> list[bytes]:
    """What each rule derives from a local ``store``, as N-Triples written by the engine; the rules run in parallel threads."""
    with ThreadPoolExecutor(BULK_THREADS) as pool:
        return [rule.result() for rule in start_rules(store, pool)]


def start_rules(store: Store, pool: Executor) -> list[Future[bytes]]:
    """Start every rule over a local ``store`` on ``pool``; each future gives what its rule derives, as N-Triples.

    The engine runs the queries without the GIL, one core each. Other reads of the store can
    be queued on the same pool behind them, so they run as threads come free rather than
    holding back the rules' start (see :func:`graph.bulk_load.load_files`).
    """
    return [pool.submit(store.construct_ntriples, rule.read_text(encoding="utf-8")) for rule in rule_files()]


def derived_now(store: Store) -> set[bytes]:
    """The triples graph ``aik:derived`` of a local store holds, as N-Triples lines."""
    written = store.construct_ntriples(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?s ?p ?o }} }}")
    return ntriples_lines([written])


def rederive(store: Store) -> int:
    """Bring graph ``aik:derived`` of a live store in step with its facts, writing only the difference in one transaction.

    Returns how many triples the graph holds. After a small change (an update of a few triples)
    the rules and the comparison are what it costs, not rewriting every derived triple: 1.6 s
    instead of 8 at a million triples. Derived triples about blank nodes cannot be named in a
    ``DELETE DATA``, so a difference with any goes through :func:`derive`; so does a server's store.
    """
    return rederive_difference(store)[0]


def rederive_difference(store: Store) -> tuple[int, set[bytes] | None, set[bytes] | None]:
    """:func:`rederive`, also returning the N-Triples lines it deleted and inserted (None, None: it rewrote the graph whole)."""
    if is_remote(store.location):
        return derive(store), None, None
    with store.writing("deriving the shortcut edges"):  # no other writer between the rules' reads and the difference
        with ThreadPoolExecutor(BULK_THREADS) as pool:  # what the graph holds is read as a thread comes free from the rules
            rules = start_rules(store, pool)
            held = pool.submit(derived_now, store)
            now, before = ntriples_lines(rule.result() for rule in rules), held.result()
        gone, new = before - now, now - before
        if any(b"_:" in line for line in (*gone, *new)):
            return derive(store), None, None
        if gone or new:
            store.update(changing_derived(gone, new))  # one update: one transaction
    return len(now), gone, new


def write_derived(store: Store, ntriples: Iterable[bytes], before: set[bytes] | None = None) -> int:
    """Write the rules' N-Triples to graph ``aik:derived`` in bulk, in parallel parts; return how many distinct triples they hold.

    ``before``: what the graph holds now (:func:`derived_now`), so only the new lines are
    written and those no rule derives any more are deleted. Not transactional: only for a
    generation that is not live yet. Every rule has run before this writes, so no rule reads
    another's output. The distinct lines are counted here (the engine writes a triple one way
    only), which spares a scan of the graph.
    """
    lines, before = ntriples_lines(ntriples), before or set()
    gone = before - lines
    if any(b"_:" in line for line in gone):
        store.replace_graph(DERIVED_GRAPH, ())
        before, gone = set(), set()
    if gone:
        store.update(changing_derived(gone, set()))
    written = b"".join(line + b"\n" for line in lines - before)
    with ThreadPoolExecutor(BULK_THREADS) as pool:
        list(pool.map(lambda part: _bulk_write_derived(store, part), _line_parts(written, BULK_THREADS)))
    return len(lines)


def ntriples_lines(ntriples: Iterable[bytes]) -> set[bytes]:
    """The distinct non-empty lines of N-Triples documents."""
    lines: set[bytes] = set()
    for document in ntriples:
        lines.update(document.splitlines())
    lines.discard(b"")
    return lines


def changing_derived(gone: set[bytes], new: set[bytes]) -> str:
    """The SPARQL Update that deletes the N-Triples lines ``gone`` from graph ``aik:derived`` and inserts ``new``.

    N-Triples without blank nodes is a subset of SPARQL's syntax for triples, so the lines go in as they are.
    """
    operations = []
    for verb, lines in (("DELETE", gone), ("INSERT", new)):
        if lines:
            triples = "\n".join(line.decode("utf-8") for line in lines)
            operations.append(f"{verb} DATA {{ GRAPH <{DERIVED_GRAPH}> {{ {triples} }} }}")
    return " ;\n".join(operations)


def _bulk_write_derived(store: Store, ntriples: bytes) -> None:
    if b"_:" in ntriples:
        # The bulk loader gives blank nodes fresh names; parsed here, they keep the store's own.
        derived = ox.NamedNode(DERIVED_GRAPH)
        store.bulk_add(ox.Quad(q.subject, q.predicate, q.object, derived) for q in ox.parse(ntriples, ox.RdfFormat.N_TRIPLES))
    else:
        store.bulk_load(ntriples, ox.RdfFormat.N_TRIPLES, graph=DERIVED_GRAPH, engine_output=True)


def _line_parts(data: bytes, parts: int) -> list[bytes]:
    """``data`` cut at line ends into at most ``parts`` pieces of about the same size."""
    cuts = [0]
    for i in range(1, parts):
        end = data.find(b"\n", max(cuts[-1], len(data) * i // parts))
        if end < 0:
            break
        cuts.append(end + 1)
    cuts.append(len(data))
    return [data[a:b] for a, b in zip(cuts, cuts[1:]) if b > a]


def ontology_quads() -> list[ox.Quad]:
    """The OWL ontology, in its own named graph so rules and queries can read the class tree."""
    g = ox.NamedNode(ONTOLOGY_IRI)
    return [ox.Quad(t.subject, t.predicate, t.object, g) for t in ox.parse(path=str(ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE)]


def _fill(target: Store, quads: list[ox.Quad], step: Step) -> None:
    step(f"write {len(quads):,} quads")
    target.add(quads)
    step("derive shortcut edges")
    derive(target)
    target.flush()


def _report(store: Store, dataset: Dataset) -> BuildReport:
    per_graph = Counter(q.graph_name.value for q in store.quads() if isinstance(q.graph_name, ox.NamedNode))
    per_source = {lf.facts.source.slug: per_graph[source_iri(lf.facts.source.slug).value] for lf in dataset.files}
    return BuildReport(
        location=str(store.location),
        entities=len(dataset.entities),
        events=sum(len(lf.facts.events) for lf in dataset.files),
        relations=sum(len(lf.facts.relations) for lf in dataset.files),
        derived=per_graph[DERIVED_GRAPH],
        triples_per_source=per_source,
        total=len(store),
    )


def _merge_entities(loaded: list[LoadedFile]) -> tuple[dict[str, Entity], list[FactError]]:
    """One entity per slug across all files; the same slug with another class or English name is an error."""
    entities: dict[str, Entity] = {}
    first_seen: dict[str, str] = {}
    errors: list[FactError] = []
    sources: dict[str, str] = {}
    event_ids: dict[str, str] = {}
    for lf in loaded:
        name = str(lf.path)
        src = lf.facts.source.slug
        if src in sources:
            errors.append(FactError(name, lf.line_of(("source", "slug")), "source.slug", f"source {src!r} is already defined in {sources[src]}"))
        sources[src] = name
        for i, e in enumerate(lf.facts.entities):
            where = f"{name}:{lf.line_of(('entities', i))}"
            known = entities.get(e.slug)
            if known is None:
                entities[e.slug], first_seen[e.slug] = e, where
                continue
            for attr in ("class_", "name"):
                if getattr(known, attr) != getattr(e, attr) and not (attr == "name" and known.name.en == e.name.en):
                    field_name = "class" if attr == "class_" else "name"
                    errors.append(FactError(name, lf.line_of(("entities", i, field_name)), f"entities[{i}].{field_name}",
                                            f"{e.slug!r} conflicts with its definition at {first_seen[e.slug]}"))
                    break
            else:
                entities[e.slug] = _merged(known, e)
        for i, ev in enumerate(lf.facts.events):
            if ev.id in event_ids:
                errors.append(FactError(name, lf.line_of(("events", i, "id")), f"events[{i}].id", f"event {ev.id!r} is already defined in {event_ids[ev.id]}"))
            event_ids[ev.id] = name
    for slug in set(entities) & set(event_ids):
        errors.append(FactError(event_ids[slug], None, "events", f"{slug!r} names both an entity and an event"))
    for lf in loaded:
        for loc, slug in referenced_slugs(lf.facts):
            if slug not in entities:
                errors.append(FactError(str(lf.path), lf.line_of(loc), field_path(loc), f"{slug!r} is not an entity in any fact file"))
    return entities, errors


def _merged(a: Entity, b: Entity) -> Entity:
    """The union of what two files say of one entity (names in more languages, more aliases)."""
    aliases = list(dict.fromkeys([*a.aliases, *b.aliases]))
    return a.model_copy(update={
        "aliases": aliases,
        "name": a.name if a.name.ja else b.name,
        "wikidata": a.wikidata or b.wikidata,
        "description": a.description or b.description,
    })


def _locator(loaded: list[LoadedFile]) -> Callable[[str], str]:
    """Map a focus node IRI to ``file:line: field`` for SHACL messages."""
    places: dict[str, str] = {}
    for lf in loaded:
        name = str(lf.path)
        places[source_iri(lf.facts.source.slug).value] = f"{name}:{lf.line_of(('source',))}: source"
        for i, e in enumerate(lf.facts.entities):
            places.setdefault(entity_iri(e.slug).value, f"{name}:{lf.line_of(('entities', i))}: entities[{i}]")
        for i, ev in enumerate(lf.facts.events):
            places[entity_iri(ev.id).value] = f"{name}:{lf.line_of(('events', i))}: events[{i}]"

    def locate(iri: str) -> str:
        # Money nodes (``<event>#amount-usd``) are reported at their event.
        return places.get(iri) or places.get(iri.split("#")[0]) or iri

    return locate

