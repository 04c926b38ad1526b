"""What the view says about nodes and edges beyond the projection: event figures, sources, aliases, classes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from graph.cards import local, slug_of
from graph.quads import ENTITIES_GRAPH
from graph.store import Store
from ontology import DERIVED_GRAPH, ONTOLOGY_IRI, sparql_prologue

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
    """Read everything the page shows besides names and links, whatever the size of the graph."""
    details = Details()
    _read_events(store, details)
    for row in store.select(
        sparql_prologue()
        + """SELECT ?doc ?title ?pub ?date WHERE { ?doc a aik:SourceDocument
               OPTIONAL { ?doc rdfs:label ?title } OPTIONAL { ?doc schema:publisher/rdfs:label ?pub FILTER(LANG(?pub) = "en") }
               OPTIONAL { ?doc schema:datePublished ?date } }"""
    ):
        details.sources.setdefault(row["doc"], {"title": row.get("title"), "publisher": row.get("pub"), "published": _text(row.get("date"))})
    aliases: dict[str, list[str]] = defaultdict(list)
    for row in store.select(sparql_prologue() + f"SELECT ?n ?alias WHERE {{ GRAPH <{ENTITIES_GRAPH}> {{ ?n skos:altLabel ?alias }} }}"):
        aliases[slug_of(row["n"])].append(row["alias"])
    details.aliases = {k: sorted(v) for k, v in aliases.items()}
    # Direct edges, closed here: Virtuoso refuses a transitive path with neither end bound.
    parents: dict[str, set[str]] = defaultdict(set)
    for row in store.select(
        sparql_prologue()
        + f"SELECT ?c ?super WHERE {{ GRAPH <{ONTOLOGY_IRI}> {{ ?c rdfs:subClassOf ?super FILTER(isIRI(?super)) }} }}"
    ):
        parents[local(row["c"])].add(local(row["super"]))
    details.superclasses = {c: _ancestors(c, parents) for c in parents}
    return details


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


def _read_events(store: Store, details: Details) -> None:
    rows = store.select(
        sparql_prologue()
        + f"""SELECT ?e ?p ?o ?v ?cur WHERE {{
            GRAPH ?g {{ ?e prov:wasDerivedFrom ?d . ?e ?p ?o }} FILTER(?g != <{DERIVED_GRAPH}>)
            OPTIONAL {{ ?o schema:value ?v ; schema:currency ?cur }} }}"""
    )
    for row in rows:
        event = details.events.setdefault(
            slug_of(row["e"]),
            {"id": slug_of(row["e"]), "type": None, "label": None, "amounts": [], "instruments": [], "sources": [],
             "reported_by": [], "roles": defaultdict(list)},
        )
        p, o = local(row["p"]), row["o"]
        if p.endswith("#type"):
            event["type"] = local(o)
        elif p.endswith("rdf-schema#label"):
            event["label"] = o
        elif p.endswith("rdf-schema#comment"):
            event.setdefault("note", o)
        elif p == "monetaryAmount" and "v" in row:
            amount = {"value": _number(row["v"]), "currency": row["cur"]}
            if amount not in event["amounts"]:
                event["amounts"].append(amount)
        elif p == "instrument":
            event["instruments"].append(local(o))
        elif p == "status":
            event["status"] = local(o)
        elif p in ("amountUSD", "gpuCount", "quantity", "durationDays"):
            event[{"amountUSD": "amount_usd", "gpuCount": "gpu_count", "durationDays": "duration_days"}.get(p, p)] = _number(o)
        elif p in ("date", "dateStart", "dateEnd"):
            event[{"dateStart": "date_start", "dateEnd": "date_end"}.get(p, p)] = _text(o)
        elif p in ("purpose", "phase"):
            event.setdefault(p, []).append(str(o))
        elif p.endswith("#wasDerivedFrom"):
            event["sources"].append(o)
        elif p == "reportedBy":
            event["reported_by"].append(o)
        elif isinstance(o, str) and o.startswith("https://w3id.org/aikg/id/"):
            event["roles"][p].append(slug_of(o))
    for event in details.events.values():
        event["roles"] = {k: sorted(set(v)) for k, v in event["roles"].items()}
        for key in ("instruments", "sources", "reported_by"):
            event[key] = sorted(set(event[key]))
        event["amounts"].sort(key=lambda a: a["currency"] != "USD")
        for key in ("purpose", "phase"):
            if key in event:
                event[key] = sorted(set(event[key]))
        if event.get("product") is None and event["roles"].get("product"):
            event["product"] = event["roles"]["product"][0]


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
