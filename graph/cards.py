"""Entity cards: everything the graph says about one entity, each fact with its source."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from graph.collector import collector_paused
from graph.quads import ENTITIES_GRAPH
from graph.store import Store
from ontology import AIK, DERIVED_GRAPH, ID, ONTOLOGY_IRI, sparql_prologue

_ID, _AIK = str(ID), str(AIK)
_NOT_FACTS = (ENTITIES_GRAPH, DERIVED_GRAPH, ONTOLOGY_IRI)


class UnknownEntity(LookupError):
    """No entity has that slug; ``suggestions`` holds the closest slugs."""

    def __init__(self, slug: str, suggestions: list[str]) -> None:
        self.slug, self.suggestions = slug, suggestions
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"no entity {slug!r}{hint}")


class AmbiguousName(LookupError):
    """A name several entities carry; ``matches`` holds their slugs and English names."""

    def __init__(self, name: str, matches: list[tuple[str, str]]) -> None:
        self.name, self.matches = name, matches
        listed = ", ".join(f"{slug} ({label})" for slug, label in matches)
        super().__init__(f"{name!r} names {len(matches)} entities: {listed}; give one's slug")


def normalise(text: str) -> str:
    """Fold case and width (``ｘＡＩ`` → ``xai``) so a name matches however it is typed."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


def slug_of(iri: str) -> str:
    """The slug of an entity or event IRI (``https://w3id.org/aikg/id/xai`` → ``xai``)."""
    return iri[len(_ID):] if iri.startswith(_ID) else iri


_SLUG = re.compile(r"[a-z0-9-]+")
"""What a filter built into a query may hold: the characters of a slug (as the REST API's parameters allow them)."""


def check_slugs(**given: str | None) -> None:
    """ValueError naming the first of ``given`` (a filter's name and value) that is neither None nor made of a slug's
    characters: a filter built into a query takes those only, so other text never reaches one (``-`` matches nothing)."""
    for name, slug in given.items():
        if slug is not None and not _SLUG.fullmatch(slug):
            raise ValueError(f"{name}: {slug!r} is not a slug")


def local(iri: str) -> str:
    """The local name of an aik: term (``…ontology#InNegotiation`` → ``InNegotiation``)."""
    return iri[len(_AIK):] if iri.startswith(_AIK) else iri


@collector_paused()
def entity_card(store: Store, slug: str, *, most_events: int | None = None) -> dict[str, Any]:
    """Names, classes, plain relations in and out, and events, each with the sources that report it.

    ``most_events``: describe only that many of the newest events (``events_total`` counts them
    all). Raises :class:`UnknownEntity` for a slug no entity has (and for text that cannot be one).
    The garbage collector is paused meanwhile (the card of a hub with 8,000 events at a million
    triples: 4.0-4.2 s, against 4.9-5.2 with it on).
    """
    iri = _ID + slug
    try:
        ox.NamedNode(iri)  # what goes between <> in the queries below must be an IRI, nothing more
    except ValueError:
        raise UnknownEntity(slug, closest_slugs(store, slug)) from None
    about = store.select(
        sparql_prologue()
        + f"SELECT ?p ?o (LANG(?o) AS ?lang) WHERE {{ GRAPH <{ENTITIES_GRAPH}> {{ <{iri}> ?p ?o }} }}"
    )
    if not about:
        raise UnknownEntity(slug, closest_slugs(store, slug))
    card: dict[str, Any] = {
        "slug": slug, "iri": iri, "name": {}, "aliases": [], "classes": [], "description": {},
        "wikidata": None, "relations_out": [], "relations_in": [], "events": [], "events_total": 0, "derived": [],
    }
    for row in about:
        p, o, lang = row["p"], row["o"], row.get("lang") or ""
        if p.endswith("#type"):
            card["classes"].append(local(o))
        elif p.endswith("rdf-schema#label"):
            card["name"][lang or "en"] = o
        elif p.endswith("core#altLabel"):
            card["aliases"].append(o)
        elif p.endswith("rdf-schema#comment"):
            card["description"][lang or "en"] = o
        elif p == _AIK + "wikidataId":
            card["wikidata"] = o
    card["aliases"].sort()
    card["classes"] = sorted(card["classes"]) + _ancestors(store, card["classes"])
    card["relations_out"], card["relations_in"] = _relations(store, iri)
    roles = _event_roles(store, iri)
    card["events"], card["events_total"] = _newest_described(store, roles, most_events), len(roles)
    card["derived"] = _derived(store, iri)
    return card


def _event_roles(store: Store, iri: str) -> dict[str, tuple[list[str], str]]:
    """For each event the entity plays a role in: its roles and its start date (``""`` if it has none)."""
    rows = store.select(
        sparql_prologue()
        + f"""SELECT DISTINCT ?e ?role ?start WHERE {{
            GRAPH ?g {{ ?e ?role <{iri}> . ?e prov:wasDerivedFrom ?doc }}
            OPTIONAL {{ GRAPH ?g {{ ?e aik:dateStart ?start }} }}
        }}"""
    )
    roles: dict[str, tuple[list[str], str]] = {}
    for row in rows:
        held, start = roles.get(row["e"], ([], ""))
        role = local(row["role"])
        if role not in held:
            held.append(role)
        roles[row["e"]] = (held, max(start, str(row["start"]) if row.get("start") is not None else ""))
    return roles


def _newest_described(store: Store, roles: dict[str, tuple[list[str], str]], most: int | None) -> list[dict[str, Any]]:
    """The events of ``roles`` newest first (by start date, then slug), the ``most`` newest only if given, described."""
    order = sorted(roles, key=lambda e: (roles[e][1], slug_of(e)), reverse=True)
    kept = order if most is None else order[:most]
    described = describe_events(store, kept)  # only those shown: a hub takes part in thousands
    return [dict(described[e], roles=sorted(roles[e][0])) for e in kept]


def describe_event(store: Store, event_iri: str) -> dict[str, Any]:
    """One event node: type, label, participants by role, amounts, status, date and sources."""
    return describe_events(store, [event_iri])[event_iri]


def describe_events(store: Store, event_iris: list[str], batch: int = 400) -> dict[str, dict[str, Any]]:
    """Several event nodes described as :func:`describe_event` does, in two queries a batch whatever their number.

    The names, figures and documents the events point at are read by a second query that starts
    from those nodes: as OPTIONALs of the first, the engine joined them against every figure and
    document in the store (seconds an event at a million triples).
    """
    rows: list[dict[str, Any]] = []
    for start in range(0, len(event_iris), batch):
        values = " ".join(f"<{e}>" for e in event_iris[start:start + batch])
        rows += store.select(
            f"""SELECT ?e ?g ?p ?o (isIRI(?o) AS ?iri) WHERE {{ VALUES ?e {{ {values} }}
                GRAPH ?g {{ ?e ?p ?o }}
                FILTER(?g NOT IN (<{DERIVED_GRAPH}>))
                FILTER(!isLiteral(?o) || LANG(?o) IN ("", "en"))  # the English of a text said in two languages, whatever order an engine returns
            }}"""
        )
    details = _details(store, sorted({r["o"] for r in rows if r.get("iri")}))
    events: dict[str, dict[str, Any]] = {}
    participants: dict[str, dict[str, list[dict[str, str]]]] = defaultdict(lambda: defaultdict(list))
    for e in event_iris:
        events[e] = {
            "id": slug_of(e), "iri": e, "type": None, "label": None, "participants": {},
            "amounts": [], "instruments": [], "sources": [], "reported_by": [],
        }
    for row in rows:
        event, p, o = events[row["e"]], local(row["p"]), row["o"]
        about = details.get(o, {}) if row.get("iri") else {}
        if p.endswith("#type"):
            event["type"] = local(o)
        elif p.endswith("rdf-schema#label"):
            event["label"] = o
        elif p.endswith("rdf-schema#comment"):
            event.setdefault("note", o)
        elif p == "monetaryAmount" and "value" in about:
            event["amounts"].append({"value": _number(about["value"]), "currency": about.get("currency")})
        elif p == "instrument":
            event["instruments"].append(local(o))
        elif p in ("status",):
            event["status"] = local(o)
        elif p in ("amountUSD", "gpuCount", "quantity", "durationDays"):
            event[_snake(p)] = _number(o)
        elif p in ("date", "dateStart", "dateEnd", "purpose", "phase"):
            event[_snake(p)] = str(o)
        elif p.endswith("#wasDerivedFrom") or p == "reportedBy":
            key = "sources" if p.endswith("#wasDerivedFrom") else "reported_by"
            is_doc = "doc" in about
            doc = {"iri": o, "title": about.get("doc"), "publisher": about.get("pub") if is_doc else None,
                   "published": about.get("published") if is_doc else None}
            if doc not in event[key]:
                event[key].append(doc)
        elif isinstance(o, str) and o.startswith(_ID):
            who = {"slug": slug_of(o), "name": about.get("label") or slug_of(o)}
            if who not in participants[row["e"]][p]:
                participants[row["e"]][p].append(who)
    for e, event in events.items():
        # In one order whatever order the engine gave the rows in (an in-memory and an on-disk store differ).
        event["participants"] = {role: sorted(who, key=lambda w: w["slug"]) for role, who in sorted(participants[e].items())}
        for key in ("sources", "reported_by"):
            event[key].sort(key=lambda doc: doc["iri"])
        event["instruments"] = sorted(set(event["instruments"]))
        event["amounts"].sort(key=lambda a: a["currency"] != "USD")
    return events


def _details(store: Store, iris: list[str], batch: int = 400) -> dict[str, dict[str, Any]]:
    """For each node: its English name, its figure (value, currency), and for a document its title, publisher and date."""
    found: dict[str, dict[str, Any]] = defaultdict(dict)
    for start in range(0, len(iris), batch):
        values = " ".join(f"<{o}>" for o in iris[start:start + batch])
        for row in store.select(
            sparql_prologue()
            + f"""SELECT ?o ?k ?x ?y WHERE {{ VALUES ?o {{ {values} }}
                {{ GRAPH <{ENTITIES_GRAPH}> {{ ?o rdfs:label ?x FILTER(LANG(?x) = "en") }} BIND("label" AS ?k) }}
                UNION {{ ?o schema:value ?x ; schema:currency ?y BIND("value" AS ?k) }}
                UNION {{ ?o a aik:SourceDocument ; rdfs:label ?x BIND("doc" AS ?k) }}
                UNION {{ ?o a aik:SourceDocument ; schema:publisher/rdfs:label ?x FILTER(LANG(?x) = "en") BIND("pub" AS ?k) }}
                UNION {{ ?o a aik:SourceDocument ; schema:datePublished ?x BIND("published" AS ?k) }}
            }}"""
        ):
            about = found[row["o"]]
            about.setdefault(row["k"], row["x"])
            if row["k"] == "value":
                about.setdefault("currency", row.get("y"))
    return found


def find_entity(store: Store, text: str) -> str:
    """The slug of the entity ``text`` stands for: its slug, its IRI, or a name or alias of it (case and width folded).

    The names the entities graph gives are looked at first (0.2 s at a million triples), then
    those any other graph adds (an analyst's note). Raises :class:`UnknownEntity` (naming the
    closest slugs) when none matches, and :class:`AmbiguousName` when a name is several entities'.
    """
    text = text.strip()
    slug = slug_of(text)
    if _is_entity(store, slug):
        return slug
    needle = normalise(text)
    for where in (f"GRAPH <{ENTITIES_GRAPH}> {{ ?e rdfs:label|skos:altLabel ?name }}",
                  f"?e rdfs:label|skos:altLabel ?name FILTER EXISTS {{ GRAPH <{ENTITIES_GRAPH}> {{ ?e a ?class }} }}"):
        named = sorted({row["e"] for row in store.select(sparql_prologue() + f"SELECT DISTINCT ?e ?name WHERE {{ {where} }}")
                        if normalise(row["name"]) == needle})
        if len(named) == 1:
            return slug_of(named[0])
        if named:
            names = _details(store, named)
            raise AmbiguousName(text, [(slug_of(e), names.get(e, {}).get("label") or slug_of(e)) for e in named])
    raise UnknownEntity(text, closest_slugs(store, re.sub(r"[^a-z0-9]+", "-", needle).strip("-") or needle))


def _is_entity(store: Store, slug: str) -> bool:
    try:
        iri = ox.NamedNode(_ID + slug)
    except ValueError:
        return False
    return bool(store.select(f"SELECT ?p WHERE {{ GRAPH <{ENTITIES_GRAPH}> {{ {iri} ?p ?o }} }} LIMIT 1"))


def closest_slugs(store: Store, slug: str, n: int = 3) -> list[str]:
    """The known slugs nearest to ``slug`` by spelling."""
    from difflib import get_close_matches

    rows = store.select(f"SELECT DISTINCT ?s WHERE {{ GRAPH <{ENTITIES_GRAPH}> {{ ?s ?p ?o }} }}")
    return get_close_matches(slug, [slug_of(r["s"]) for r in rows], n=n, cutoff=0.5)


def _relations(store: Store, iri: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    excluded = ", ".join(f"<{g}>" for g in _NOT_FACTS)
    query = sparql_prologue() + f"""SELECT ?dir ?p ?other ?label ?g ?doclabel WHERE {{
        {{ GRAPH ?g {{ <{iri}> ?p ?other }} BIND("out" AS ?dir) }}
        UNION
        {{ GRAPH ?g {{ ?other ?p <{iri}> }} BIND("in" AS ?dir) }}
        FILTER(?g NOT IN ({excluded}) && STRSTARTS(STR(?other), "{_ID}") && STRSTARTS(STR(?p), "{_AIK}"))
        FILTER NOT EXISTS {{ GRAPH ?g {{ ?other prov:wasDerivedFrom ?d }} }}
        OPTIONAL {{ GRAPH <{ENTITIES_GRAPH}> {{ ?other rdfs:label ?label FILTER(LANG(?label) = "en") }} }}
        OPTIONAL {{ GRAPH ?g {{ ?g rdfs:label ?doclabel }} }}
    }} ORDER BY ?p ?other"""
    out: list[dict[str, Any]] = []
    into: list[dict[str, Any]] = []
    for row in store.select(query):
        item = {
            "predicate": local(row["p"]),
            "slug": slug_of(row["other"]),
            "name": row.get("label") or slug_of(row["other"]),
            "source": {"iri": row["g"], "title": row.get("doclabel")},
        }
        (out if row["dir"] == "out" else into).append(item)
    return out, into


def _derived(store: Store, iri: str) -> list[dict[str, Any]]:
    rows = store.select(
        sparql_prologue()
        + f"""SELECT ?dir ?p ?other ?label WHERE {{
            GRAPH <{DERIVED_GRAPH}> {{
                {{ <{iri}> ?p ?other BIND("out" AS ?dir) }} UNION {{ ?other ?p <{iri}> BIND("in" AS ?dir) }}
            }}
            FILTER(?p != rdf:type)
            OPTIONAL {{ GRAPH <{ENTITIES_GRAPH}> {{ ?other rdfs:label ?label FILTER(LANG(?label) = "en") }} }}
        }} ORDER BY ?p ?other"""
    )
    return [
        {"direction": r["dir"], "predicate": local(r["p"]), "slug": slug_of(r["other"]), "name": r.get("label") or slug_of(r["other"])}
        for r in rows
    ]


def _ancestors(store: Store, classes: list[str]) -> list[str]:
    if not classes:
        return []
    # One constant start per class: Virtuoso refuses a transitive path whose start is a variable, even one bound by VALUES.
    starts = " UNION ".join(f"{{ aik:{c} rdfs:subClassOf+ ?super }}" for c in classes)
    rows = store.select(
        sparql_prologue()
        + f"""SELECT DISTINCT ?super WHERE {{ GRAPH <{ONTOLOGY_IRI}> {{
            {starts} FILTER(STRSTARTS(STR(?super), "{_AIK}")) }} }}"""
    )
    return sorted(local(r["super"]) for r in rows if local(r["super"]) not in classes)


def _number(value: Any) -> int | float | str:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _snake(name: str) -> str:
    """``amountUSD`` -> ``amount_usd``, ``leadInvestor`` -> ``lead_investor``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()
