"""Add one fact file to a built store in one transaction, in time proportional to the file.

The file is checked as a build would check it (the fact-file model, then the SHACL shapes),
and against what the store already holds: its source must be new, its event ids unused,
every slug it refers to known to the file or the store, and an entity it declares again must
keep its class and English name. Any problem stops the ingest before the store is touched.

The shortcut edges are derived for the new facts alone: the rules run over the file's quads
and the ontology. That is exact because an event lives whole in the file that reports it, so
no rule joins a new fact with an old one; a derived type the file now states outright leaves
graph ``aik:derived``, as a full derivation would have it.

:func:`preview` runs the same checks and works out the same writes without making them, and
says what the file would add (``aikg ingest --dry-run``, ``POST /ingest/preview``).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from graph import recovery, shacl
from graph.build import BuildError, Step, _locator, derived_triples, ontology_quads
from graph.facts import FactError, FactFileError, LoadedFile, field_path, load_fact_file, referenced_slugs
from graph.quads import ENTITIES_GRAPH, RDF_TYPE, RDFS_LABEL, entity_iri, entity_quads, fact_file_quads, source_iri, source_slug_of
from graph.store import MEMORY, Store
from ontology import AIK, DERIVED_GRAPH, ID, SOURCE


@dataclass
class IngestReport:
    """What an ingest added, and how long it took."""

    source: str
    quads: int
    derived_added: int
    derived_removed: int
    seconds: float
    added: list[ox.Quad] = field(default_factory=list, repr=False)
    """The quads written (facts, declared entities, derived edges): what a cached projection needs to follow."""


def ingest(store: Store, path: str | os.PathLike[str], step: Step | None = None, *, content: bytes | None = None) -> IngestReport:
    """Validate the fact file at ``path`` and add it, with its derived edges, to ``store`` in one transaction.

    ``content``: the file's bytes when it is not on disk (``path`` then only names it in errors).
    Raises :class:`BuildError` (one line per problem; nothing changed) for an invalid file.
    """
    step = step or (lambda _: None)
    started = time.perf_counter()
    loaded = _load(path, content, step)
    # The checks read what the write then depends on (the source is new, the event ids unused): no other
    # writer between them (the store's write lock; nothing to hold for a store in memory or on a server).
    with store.writing("graph.ingest"):
        recovery.repair(store)  # a change cut short by a crash first: this ingest's end would clear its marker
        plan = _plan(store, loaded, step)
        new, added, removed = plan.new, plan.derived_added, plan.derived_removed
        step(f"write {len(new) + len(added):,} quads")
        marker = recovery.begin_change(store.location) if isinstance(store.location, Path) else None  # a store on disk
        try:
            store.add(new + added)  # one transaction: the facts and their derived edges, or nothing
            if removed:  # rare (a derived type the file now states); the marker covers a crash in between
                store.update("DELETE DATA { GRAPH <%s> { %s } }" % (DERIVED_GRAPH, " ".join(f"{q.subject} {q.predicate} {q.object} ." for q in removed)))
            store.flush()
        finally:
            recovery.end_change(marker)
    return IngestReport(loaded.facts.source.slug, len(new), len(added), len(removed), time.perf_counter() - started, new + added)


@dataclass
class IngestPreview:
    """What an ingest of a fact file would add to the store, read without writing (``aikg ingest --dry-run``)."""

    source: str
    quads: int
    derived_added: int
    new_entities: list[tuple[str, str]]
    """(slug, class) of the entities the file declares that the store does not know."""
    known_entities: list[str]
    """The slugs the file declares or refers to that the store knows already."""
    events: dict[str, int]
    """How many events of each type the file reports."""
    new_links: list[tuple[str, str, str]]
    """(subject, predicate, object) of the shortcut edges between entities (funded by, supplies to, ...) the graph
    does not hold yet."""
    relations_new: list[tuple[str, str, str]]
    """The file's relations between entities no source in the store states."""
    relations_reported: list[tuple[str, str, str, list[str]]]
    """The file's relations some sources in the store state already, with those sources' slugs."""


def preview(store: Store, path: str | os.PathLike[str], *, content: bytes | None = None) -> IngestPreview:
    """Check the fact file at ``path`` as :func:`ingest` does and say what it would add, writing nothing.

    Raises :class:`BuildError` for a file the ingest would refuse. Needs no write lock: the
    store may be open read-only, beside a server that holds it.
    """
    loaded = _load(path, content, lambda _: None)
    plan = _plan(store, loaded, lambda _: None)
    facts = loaded.facts
    relations = [ox.Triple(entity_iri(r.subject), ox.NamedNode(str(AIK) + r.predicate), entity_iri(r.object))
                 for r in facts.relations]
    held = _graphs_holding(store, relations)
    reported = {t: sorted(source_slug_of(g) for g in held.get(t, ()) if g.startswith(str(SOURCE))) for t in relations}
    events_named = {entity_iri(ev.id) for ev in facts.events}
    return IngestPreview(
        source=facts.source.slug, quads=len(plan.new), derived_added=len(plan.derived_added),
        new_entities=[(e.slug, e.class_) for e in facts.entities if e.slug not in plan.known],
        known_entities=sorted(plan.known),
        events=dict(Counter(ev.type for ev in facts.events)),
        new_links=sorted(_names(q) for q in plan.derived_added if q.predicate != RDF_TYPE and q.subject not in events_named),
        relations_new=[_names(t) for t in relations if not reported[t]],
        relations_reported=[(*_names(t), reported[t]) for t in relations if reported[t]],
    )


@dataclass
class _Plan:
    known: dict[str, tuple[str, str, set[tuple[str, str]]]]
    new: list[ox.Quad]
    """The file's quads the store does not state yet."""
    derived_added: list[ox.Quad]
    derived_removed: list[ox.Quad]


def _load(path: str | os.PathLike[str], content: bytes | None, step: Step) -> LoadedFile:
    step(f"read {Path(path).name}")
    try:
        return load_fact_file(path, content)
    except FactFileError as exc:
        raise BuildError([str(e) for e in exc.errors]) from None


def _plan(store: Store, loaded: LoadedFile, step: Step) -> _Plan:
    """Check ``loaded`` against the store and the shapes (BuildError, one line per problem) and work out what it writes."""
    step("check it against the store")
    known = _known_entities(store, loaded)
    errors = _conflicts(store, loaded, known)
    if errors:
        raise BuildError([str(e) for e in errors])
    names = {slug: en for slug, (_, en, _) in known.items()}
    names.update({e.slug: e.name.en for e in loaded.facts.entities})
    declared = list(entity_quads(loaded.facts.entities))
    facts = list(fact_file_quads(loaded.facts, names))
    step("check the SHACL shapes")
    violations = shacl.validate(declared + facts, _locator([loaded]))
    if violations:
        raise BuildError(violations)
    new = [q for q in declared if not _already_said(q, known)] + facts
    added, removed = _derived_change(store, new)
    return _Plan(known, new, added, removed)


def _names(statement: ox.Quad | ox.Triple) -> tuple[str, str, str]:
    """A statement between entities as (subject slug, predicate's local name, object slug)."""
    return (statement.subject.value[len(str(ID)):], statement.predicate.value[len(str(AIK)):],
            statement.object.value[len(str(ID)):])


# -- checks against the store ------------------------------------------------------------------

def _known_entities(store: Store, loaded: LoadedFile) -> dict[str, tuple[str, str, set[tuple[str, str]]]]:
    """For each slug the file declares or refers to that the store knows: (class, English name, (predicate, language) pairs stated)."""
    slugs = {e.slug for e in loaded.facts.entities} | {slug for _, slug in referenced_slugs(loaded.facts)}
    if not slugs:
        return {}
    values = " ".join(f"<{entity_iri(s).value}>" for s in sorted(slugs))
    rows = store.select(
        f"""SELECT ?s ?p ?o (LANG(?o) AS ?lang) WHERE {{ VALUES ?s {{ {values} }}
            GRAPH <{ENTITIES_GRAPH}> {{ ?s ?p ?o }} }}"""
    )
    known: dict[str, tuple[str, str, set[tuple[str, str]]]] = {}
    for row in rows:
        slug = row["s"][len(str(ID)):]
        cls, en, said = known.get(slug, ("", "", set()))
        if row["p"].endswith("#type"):
            cls = row["o"][len(str(AIK)):]
        elif row["p"] == RDFS_LABEL.value and row.get("lang") == "en":
            en = row["o"]
        said.add((row["p"], row.get("lang", "")))
        known[slug] = (cls, en, said)
    return known


def _conflicts(store: Store, loaded: LoadedFile, known: dict) -> list[FactError]:
    facts, name = loaded.facts, str(loaded.path)
    errors: list[FactError] = []

    def err(loc: tuple[str | int, ...], message: str) -> None:
        errors.append(FactError(name, loaded.line_of(loc), field_path(loc), message))

    if store.ask(f"ASK {{ GRAPH <{source_iri(facts.source.slug).value}> {{ ?s ?p ?o }} }}"):
        err(("source", "slug"), f"source {facts.source.slug!r} is already in the store (ingest adds new documents; rebuild to change one)")
    for i, e in enumerate(facts.entities):
        if e.slug in known:
            cls, en, _ = known[e.slug]
            if cls and cls != e.class_:
                err(("entities", i, "class"), f"{e.slug!r} is a {cls} in the store, not a {e.class_}")
            elif en and en != e.name.en:
                err(("entities", i, "name"), f"{e.slug!r} is named {en!r} in the store, not {e.name.en!r}")
    declared = {e.slug for e in facts.entities}
    for loc, slug in referenced_slugs(facts):
        if slug not in declared and slug not in known:
            err(loc, f"{slug!r} is not an entity in this file or in the store")
    if facts.events:
        values = " ".join(f"<{entity_iri(ev.id).value}>" for ev in facts.events)
        used = {r["e"][len(str(ID)):] for r in store.select(
            f"SELECT DISTINCT ?e WHERE {{ VALUES ?e {{ {values} }} {{ GRAPH ?g {{ ?e ?p ?o }} }} UNION {{ GRAPH ?g {{ ?x ?q ?e }} }} }}"
        )}
        for i, ev in enumerate(facts.events):
            if ev.id in used:
                err(("events", i, "id"), f"{ev.id!r} is already used in the store")
    return errors


def _already_said(quad: ox.Quad, known: dict) -> bool:
    """A label or Wikidata ID of a known entity the store already states in that language: keep the store's."""
    slug = quad.subject.value[len(str(ID)):]
    if slug not in known or quad.predicate.value.endswith("#type"):
        return False
    lang = quad.object.language if isinstance(quad.object, ox.Literal) else None
    if quad.predicate == RDFS_LABEL or quad.predicate.value == str(AIK) + "wikidataId":
        return (quad.predicate.value, lang or "") in known[slug][2]
    return False


def _derived_change(store: Store, new: list[ox.Quad]) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """Derived quads to add for the new facts, and derived quads the new facts now state outright."""
    derived = ox.NamedNode(DERIVED_GRAPH)
    scratch = Store(ox.Store(), MEMORY)
    scratch.add([*new, *ontology_quads()])
    candidates = derived_triples(scratch)
    held = _graphs_holding(store, list(candidates) + [ox.Triple(q.subject, q.predicate, q.object) for q in new])
    added = [
        ox.Quad(t.subject, t.predicate, t.object, derived) for t in candidates
        if not held.get(t)  # already derived, or stated by a source: nothing to add
    ]
    removed = [
        ox.Quad(q.subject, q.predicate, q.object, derived) for q in new
        if DERIVED_GRAPH in held.get(ox.Triple(q.subject, q.predicate, q.object), ())
    ]
    return added, removed


def _graphs_holding(store: Store, triples: list[ox.Triple], batch: int = 500) -> dict[ox.Triple, set[str]]:
    """Which graphs of the store hold each triple (absent: none), a few hundred triples a query."""
    held: dict[ox.Triple, set[str]] = {}
    for start in range(0, len(triples), batch):
        rows = " ".join(f"({t.subject} {t.predicate} {t.object})" for t in triples[start:start + batch])
        result = store.query(f"SELECT ?s ?p ?o ?g WHERE {{ VALUES (?s ?p ?o) {{ {rows} }} GRAPH ?g {{ ?s ?p ?o }} }}")
        for row in result:
            held.setdefault(ox.Triple(row["s"], row["p"], row["o"]), set()).add(row["g"].value)
    return held
