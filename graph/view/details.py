"""What the view says about nodes and edges beyond the projection: event figures, sources, aliases, classes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from graph.cards import local, slug_of
from graph.collector import collector_paused
from graph.quads import ENTITIES_GRAPH
from graph.store import Store, iri_values
from ontology import AIK, DERIVED_GRAPH, ID, ONTOLOGY_IRI, PREFIXES, PROV, sparql_prologue

_ID = str(ID)
STATUS_WORDS = {"Reported": "reported", "InNegotiation": "in negotiation", "Completed": "completed"}
INSTRUMENT_WORDS = {"Equity": "equity", "Debt": "debt", "SecuredBond": "secured bond", "Loan": "loan"}


@dataclass
class Details:
    """Event facts, source documents, aliases and the class hierarchy, read from the store in a few queries."""

    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    superclasses: dict[str, set[str]] = field(default_factory=dict)

    def classes_of(self, cls: str) -> set[str]:
        """The class and every class above it (``Bank`` → ``{Bank, Organization, Agent}``)."""
        return {cls} | self.superclasses.get(cls, set())


def read_details(store: Store) -> Details:
    """Read everything the page shows besides names and links, whatever the size of the graph.

    With the garbage collector paused: the rows and records are many small objects and no garbage,
    and its passes over them took 1.2-1.5 s of 8.5 at a million triples."""
    details = Details()
    with collector_paused():
        _read_events(store, details)
        _read_sources(store, details)
    _read_aliases(store, details)
    _read_superclasses(store, details)
    return details


def read_details_again(details: Details, store: Store, iris: Iterable[str]) -> None:
    """Read again, in place, what ``details`` says of the events, source documents and entities named ``iris``.

    For a write whose quads are known (an ingest, an update of ``INSERT DATA`` and ``DELETE
    DATA``): ``iris`` are the subjects and objects of its quads. What the store no longer says
    goes; the work is in proportion to the nodes named, where :func:`read_details` reads every
    event of the store (7 s at a million triples).
    """
    named = sorted(set(iris))
    if not named:
        return
    values = iri_values(named)
    slugs = {slug_of(iri) for iri in named}
    for slug in slugs:
        details.events.pop(slug, None)
        details.aliases.pop(slug, None)
    # A document's publisher is shown by name: a publisher named here renames its documents.
    published = [row["doc"] for row in store.select(
        sparql_prologue() + f"SELECT DISTINCT ?doc WHERE {{ GRAPH ?g {{ VALUES ?by {{ {values} }} ?doc schema:publisher ?by }} }}")]
    documents = sorted({*named, *published})
    for doc in documents:
        details.sources.pop(doc, None)
    _read_events(store, details, values)
    _read_sources(store, details, iri_values(documents))
    _read_aliases(store, details, values)
    if any(iri.startswith(str(AIK)) for iri in named):  # a class of the ontology: its place in the tree may have moved
        _read_superclasses(store, details)


def _read_sources(store: Store, details: Details, values: str | None = None) -> None:
    only = f"VALUES ?doc {{ {values} }}" if values is not None else ""
    for row in store.select(
        sparql_prologue()
        + f"""SELECT ?doc ?title ?pub ?date WHERE {{ {only} ?doc a aik:SourceDocument
               OPTIONAL {{ ?doc rdfs:label ?title }} OPTIONAL {{ ?doc schema:publisher/rdfs:label ?pub FILTER(LANG(?pub) = "en") }}
               OPTIONAL {{ ?doc schema:datePublished ?date }} }}"""
    ):
        details.sources.setdefault(row["doc"], {"title": row.get("title"), "publisher": row.get("pub"), "published": _text(row.get("date"))})


def _read_aliases(store: Store, details: Details, values: str | None = None) -> None:
    only = f"VALUES ?n {{ {values} }}" if values is not None else ""
    aliases: dict[str, list[str]] = defaultdict(list)
    for row in store.select(sparql_prologue() + f"SELECT ?n ?alias WHERE {{ GRAPH <{ENTITIES_GRAPH}> {{ {only} ?n skos:altLabel ?alias }} }}"):
        aliases[slug_of(row["n"])].append(row["alias"])
    details.aliases.update({k: sorted(v) for k, v in aliases.items()})


def _read_superclasses(store: Store, details: Details) -> None:
    # Direct edges, closed here: Virtuoso refuses a transitive path with neither end bound.
    parents: dict[str, set[str]] = defaultdict(set)
    for row in store.select(
        sparql_prologue()
        + f"SELECT ?c ?super WHERE {{ GRAPH <{ONTOLOGY_IRI}> {{ ?c rdfs:subClassOf ?super FILTER(isIRI(?super)) }} }}"
    ):
        parents[local(row["c"])].add(local(row["super"]))
    details.superclasses = {c: _ancestors(c, parents) for c in parents}


def money_words(usd: float | int | None) -> str:
    """A short figure for a label: ``12000000000`` → ``USD 12B``, ``450000000`` → ``USD 450M``."""
    if usd is None:
        return ""
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(usd) >= size:
            figure = f"{usd / size:.1f}".rstrip("0").rstrip(".")
            return f"USD {figure}{suffix}"
    return f"USD {usd:,.0f}"


def event_summary(event: dict[str, Any], names: dict[str, str] | None = None) -> str:
    """One line for an edge or event label: ``USD 12B debt, in negotiation``; ``200,000 Nvidia GPUs, completed``."""
    names = names or {}
    parts: list[str] = []
    if event.get("amount_usd") is not None:
        instruments = "/".join(INSTRUMENT_WORDS.get(i, i) for i in event.get("instruments", []))
        parts.append(" ".join(p for p in (money_words(event["amount_usd"]), instruments) if p))
    if event.get("quantity") is not None:
        product = names.get(event.get("product", ""), "units") if event.get("product") else "units"
        parts.append(f"{event['quantity']:,} {product}")
    if event.get("gpu_count") is not None:
        parts.append(f"{event['gpu_count']:,} GPUs")
    if event.get("status"):
        parts.append(STATUS_WORDS.get(event["status"], event["status"]))
    return ", ".join(parts)


_RDF, _RDFS = PREFIXES["rdf"], PREFIXES["rdfs"]
_EVENT_FIELDS: dict[str, tuple[str, str]] = {
    f"{_RDF}type": ("class", "type"), f"{_RDFS}label": ("value", "label"), f"{_RDFS}comment": ("first", "note"),
    f"{AIK}monetaryAmount": ("amount", "amounts"), f"{AIK}instrument": ("class list", "instruments"),
    f"{AIK}status": ("class", "status"),
    **{f"{AIK}{p}": ("number", key) for p, key in (("amountUSD", "amount_usd"), ("gpuCount", "gpu_count"),
                                                   ("quantity", "quantity"), ("durationDays", "duration_days"))},
    **{f"{AIK}{p}": ("text", key) for p, key in (("date", "date"), ("dateStart", "date_start"), ("dateEnd", "date_end"))},
    f"{AIK}purpose": ("text list", "purpose"), f"{AIK}phase": ("text list", "phase"),
    f"{PROV}wasDerivedFrom": ("list", "sources"), f"{AIK}reportedBy": ("list", "reported_by"),
}
"""What an event's predicates become on the page: how the value is read, and the key it goes under.
Any other predicate whose object is an entity or event is a role (``recipient``, ``supplier``...)."""


def _read_events(store: Store, details: Details, values: str | None = None) -> None:
    # One row a triple, 670,000 at a million triples: the predicate picks what to do in one lookup, and
    # an event's rows come one after another, so its record is looked up once for all of them.
    read: dict[str, dict[str, Any]] = {}
    subject, event = None, {}
    for row in _event_rows(store, values):
        if row["e"] != subject:
            subject = row["e"]
            slug = slug_of(subject)
            event = read.get(slug) or details.events.setdefault(
                slug, {"id": slug, "type": None, "label": None, "amounts": [], "instruments": [], "sources": [],
                       "reported_by": [], "roles": defaultdict(list)})
            read[slug] = event
        o = row["o"]
        how, key = _EVENT_FIELDS.get(row["p"], ("role", ""))
        if how == "role":
            if isinstance(o, str) and o.startswith(_ID):
                event["roles"][local(row["p"])].append(slug_of(o))
        elif how == "list":
            event[key].append(o)
        elif how == "class list":
            event[key].append(local(o))
        elif how == "text list":
            event.setdefault(key, []).append(str(o))
        elif how == "amount":
            if "v" in row:
                amount = {"value": _number(row["v"]), "currency": row["cur"]}
                if amount not in event["amounts"]:
                    event["amounts"].append(amount)
        elif how == "class":
            event[key] = local(o)
        elif how == "number":
            event[key] = _number(o)
        elif how == "text":
            event[key] = _text(o)
        elif how == "first":
            event.setdefault(key, o)
        else:
            event[key] = o
    for event in read.values():
        event["roles"] = {k: sorted(set(v)) for k, v in event["roles"].items()}
        for key in ("instruments", "sources", "reported_by"):
            event[key] = sorted(set(event[key]))
        event["amounts"].sort(key=lambda a: a["currency"] != "USD")
        for key in ("purpose", "phase"):
            if key in event:
                event[key] = sorted(set(event[key]))
        if event.get("product") is None and event["roles"].get("product"):
            event["product"] = event["roles"]["product"][0]


def _event_rows(store: Store, values: str | None) -> list[dict[str, Any]]:
    """What the sources say of every event (or of those in ``values``), each monetary amount with its value and currency."""
    only = f"VALUES ?e {{ {values} }}" if values is not None else ""  # inside GRAPH: joined first there
    if values is None or _blank_amounts(store, values):
        return store.select(
            sparql_prologue()
            + f"""SELECT ?e ?p ?o ?v ?cur WHERE {{
                GRAPH ?g {{ {only} ?e prov:wasDerivedFrom ?d . ?e ?p ?o }} FILTER(?g != <{DERIVED_GRAPH}>)
                OPTIONAL {{ ?o schema:value ?v ; schema:currency ?cur }} }}"""
        )
    # For a few events the amounts are read apart, by name: joined in one query, the engine reads
    # every amount of the store first (0.5 s at a million triples).
    rows = store.select(
        sparql_prologue()
        + f"""SELECT ?e ?p ?o WHERE {{ GRAPH ?g {{ VALUES ?e {{ {values} }} ?e prov:wasDerivedFrom ?d . ?e ?p ?o }}
            FILTER(?g != <{DERIVED_GRAPH}>) }}"""
    )
    held = sorted({row["o"] for row in rows if row["p"] == f"{AIK}monetaryAmount" and isinstance(row["o"], str)})
    amounts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if held:
        for row in store.select(
            sparql_prologue()
            + f"""SELECT ?o ?v ?cur WHERE {{ VALUES ?o {{ {iri_values(held)} }}
                ?o schema:value ?v ; schema:currency ?cur }}"""
        ):
            amounts[row["o"]].append(row)
    return [{**row, **({"v": amount["v"], "cur": amount["cur"]} if amount else {})}
            for row in rows for amount in (amounts.get(row["o"]) if row["p"] == f"{AIK}monetaryAmount" else None) or [None]]


def _blank_amounts(store: Store, values: str) -> bool:
    """Whether an event in ``values`` gives an amount as a blank node (which cannot be named in a second query)."""
    return store.ask(sparql_prologue() + f"ASK {{ GRAPH ?g {{ VALUES ?e {{ {values} }} ?e aik:monetaryAmount ?o FILTER(isBlank(?o)) }} }}")


def _number(value: Any) -> int | float | Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _ancestors(cls: str, parents: dict[str, set[str]]) -> set[str]:
    """Every class above ``cls`` in the class tree."""
    found: set[str] = set()
    todo = list(parents.get(cls, ()))
    while todo:
        parent = todo.pop()
        if parent not in found:
            found.add(parent)
            todo.extend(parents.get(parent, ()))
    return found
