"""Fact files as RDF quads: one named graph per source document, entities in graph ``aik:entities``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

import pyoxigraph as ox

from graph.facts import (
    CapacityObservation,
    CashBurnForecast,
    Construction,
    Entity,
    FactFile,
    FundingRound,
    FuzzyDate,
    Money,
    SupplyDeal,
    Texts,
)
from ontology import AIK, ID, PROV, SCHEMA, SOURCE

ENTITIES_GRAPH = str(AIK.entities)
"""The named graph that holds what entities are: classes, names, aliases, Wikidata IDs."""

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
RDFS_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
SKOS_ALT = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
XSD = "http://www.w3.org/2001/XMLSchema#"
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")

# Event fields that name other entities, and the property each becomes.
_LINKS = {
    "recipient": "recipient", "investors": "investor", "lead_investors": "leadInvestor",
    "arrangers": "arranger", "for_assets": "forAsset", "suppliers": "supplier", "customers": "customer",
    "product": "product", "asset": "asset", "builders": "builder", "spender": "spender",
}


def entity_iri(slug: str) -> ox.NamedNode:
    return ox.NamedNode(str(ID) + slug)


def source_iri(slug: str) -> ox.NamedNode:
    return ox.NamedNode(str(SOURCE) + slug)


def source_slug_of(iri: str) -> str:
    """The slug of a source document's IRI (``https://w3id.org/aikg/source/x`` → ``x``); any other IRI as it is."""
    return iri[len(str(SOURCE)):] if iri.startswith(str(SOURCE)) else iri


def aik(term: str) -> ox.NamedNode:
    return ox.NamedNode(str(AIK) + term)


def language_of(text: str) -> str:
    """``ja`` for text with Japanese script in it, else ``en``."""
    return "ja" if _JAPANESE.search(text) else "en"


def entity_quads(entities: Iterable[Entity]) -> Iterator[ox.Quad]:
    """What each entity is, in graph ``aik:entities``."""
    g = ox.NamedNode(ENTITIES_GRAPH)
    for e in entities:
        s = entity_iri(e.slug)
        yield ox.Quad(s, RDF_TYPE, aik(e.class_), g)
        yield ox.Quad(s, RDFS_LABEL, ox.Literal(e.name.en, language="en"), g)
        if e.name.ja:
            yield ox.Quad(s, RDFS_LABEL, ox.Literal(e.name.ja, language="ja"), g)
        for alias in e.aliases:
            yield ox.Quad(s, SKOS_ALT, ox.Literal(alias, language=language_of(alias)), g)
        if e.wikidata:
            yield ox.Quad(s, aik("wikidataId"), ox.Literal(e.wikidata), g)
        yield from _texts(s, RDFS_COMMENT, e.description, g)


def fact_file_quads(facts: FactFile, names: dict[str, str]) -> Iterator[ox.Quad]:
    """The source document, its relations and events, in the source's own named graph.

    ``names`` maps slugs to English names, used to give each event a readable label.
    """
    src = facts.source
    doc = source_iri(src.slug)
    g = doc
    yield ox.Quad(doc, RDF_TYPE, aik("SourceDocument"), g)
    yield ox.Quad(doc, RDFS_LABEL, ox.Literal(src.headline, language=src.language), g)
    yield ox.Quad(doc, _schema("headline"), ox.Literal(src.headline, language=src.language), g)
    yield ox.Quad(doc, _schema("publisher"), entity_iri(src.publisher), g)
    if src.author:
        yield ox.Quad(doc, _schema("author"), ox.Literal(src.author), g)
    yield ox.Quad(doc, _schema("inLanguage"), ox.Literal(src.language), g)
    yield from _date(doc, _schema("datePublished"), src.published, g, with_bounds=False)
    if src.url:
        yield ox.Quad(doc, _schema("url"), ox.NamedNode(src.url), g)
    for cited in src.cites:
        c = source_iri(cited.slug)
        yield ox.Quad(doc, _schema("citation"), c, g)
        yield ox.Quad(c, RDF_TYPE, aik("SourceDocument"), g)
        yield ox.Quad(c, RDFS_LABEL, ox.Literal(cited.title, language=language_of(cited.title)), g)
        if cited.headline_known:
            yield ox.Quad(c, _schema("headline"), ox.Literal(cited.title, language=language_of(cited.title)), g)
        if cited.publisher:
            yield ox.Quad(c, _schema("publisher"), entity_iri(cited.publisher), g)
        if cited.published:
            yield from _date(c, _schema("datePublished"), cited.published, g, with_bounds=False)
        if cited.url:
            yield ox.Quad(c, _schema("url"), ox.NamedNode(cited.url), g)
    for rel in facts.relations:
        yield ox.Quad(entity_iri(rel.subject), aik(rel.predicate), entity_iri(rel.object), g)
    for event in facts.events:
        yield from _event_quads(event, doc, names)


def _event_quads(event, doc: ox.NamedNode, names: dict[str, str]) -> Iterator[ox.Quad]:
    g = doc
    e = entity_iri(event.id)
    yield ox.Quad(e, RDF_TYPE, aik(event.type), g)
    yield ox.Quad(e, RDFS_LABEL, ox.Literal(event_label(event, names), language="en"), g)
    yield ox.Quad(e, PROV_DERIVED, doc, g)
    yield ox.Quad(e, aik("status"), aik(event.status), g)
    for cited in event.reported_by:
        yield ox.Quad(e, aik("reportedBy"), source_iri(cited), g)
    if event.date:
        yield from _date(e, aik("date"), event.date, g)
    yield from _texts(e, RDFS_COMMENT, event.note, g)
    for field, prop in _LINKS.items():
        value = getattr(event, field, None)
        for slug in [value] if isinstance(value, str) else value or []:
            yield ox.Quad(e, aik(prop), entity_iri(slug), g)
    if isinstance(event, (FundingRound, CashBurnForecast)):
        if event.amount_usd is not None:
            yield ox.Quad(e, aik("amountUSD"), _decimal(event.amount_usd), g)
        for money in event.amounts:
            yield from _money(e, money, g)
    if isinstance(event, FundingRound):
        for instrument in event.instruments:
            yield ox.Quad(e, aik("instrument"), aik(instrument), g)
        yield from _texts(e, aik("purpose"), event.purpose, g)
    if isinstance(event, SupplyDeal) and event.quantity is not None:
        yield ox.Quad(e, aik("quantity"), _integer(event.quantity), g)
    if isinstance(event, CapacityObservation):
        yield ox.Quad(e, aik("gpuCount"), _integer(event.gpu_count), g)
        yield from _texts(e, aik("phase"), event.phase, g)
    if isinstance(event, Construction) and event.duration_days is not None:
        yield ox.Quad(e, aik("durationDays"), _integer(event.duration_days), g)


def event_label(event, names: dict[str, str]) -> str:
    """A short English label for an event, e.g. ``xAI funding round, USD 12,000,000,000 (2025-07)``."""
    def name(slug: str) -> str:
        return names.get(slug, slug)

    when = f" ({event.date.text})" if event.date else ""
    if isinstance(event, FundingRound):
        usd = f", USD {event.amount_usd:,.0f}" if event.amount_usd is not None else ""
        return f"{name(event.recipient)} funding round{usd}{when}"
    if isinstance(event, SupplyDeal):
        suppliers = ", ".join(map(name, event.suppliers))
        what = name(event.product) if event.product else "supply"
        if not (what == suppliers or what.casefold().startswith(suppliers.casefold() + " ")):
            what = f"{suppliers} {what}"  # a product named after its maker (Nvidia GPUs) names it once
        return f"{what} for {', '.join(map(name, event.customers))}{when}"
    if isinstance(event, CapacityObservation):
        return f"{name(event.asset)}: {event.gpu_count:,} GPUs{when}"
    if isinstance(event, Construction):
        days = f" in {event.duration_days} days" if event.duration_days else ""
        return f"Construction of {name(event.asset)}{days}{when}"
    if isinstance(event, CashBurnForecast):
        usd = f" USD {event.amount_usd:,.0f}" if event.amount_usd is not None else ""
        return f"{name(event.spender)} expected cash burn{usd}{when}"
    return event.id


PROV_DERIVED = ox.NamedNode(str(PROV) + "wasDerivedFrom")


def _schema(term: str) -> ox.NamedNode:
    return ox.NamedNode(str(SCHEMA) + term)


def _money(event: ox.NamedNode, money: Money, g: ox.NamedNode) -> Iterator[ox.Quad]:
    # A stable IRI rather than a blank node, so the figure can be addressed and re-imported.
    node = ox.NamedNode(f"{event.value}#amount-{money.currency.lower()}")
    yield ox.Quad(event, aik("monetaryAmount"), node, g)
    yield ox.Quad(node, RDF_TYPE, _schema("MonetaryAmount"), g)
    yield ox.Quad(node, _schema("value"), _decimal(money.value), g)
    yield ox.Quad(node, _schema("currency"), ox.Literal(money.currency), g)


def _date(s: ox.NamedNode, p: ox.NamedNode, date: FuzzyDate, g: ox.NamedNode, with_bounds: bool = True) -> Iterator[ox.Quad]:
    datatype = {"day": "date", "month": "gYearMonth", "year": "gYear"}.get(date.precision, "string")
    yield ox.Quad(s, p, ox.Literal(date.text, datatype=ox.NamedNode(XSD + datatype)), g)
    if with_bounds:
        yield ox.Quad(s, aik("dateStart"), ox.Literal(date.start.isoformat(), datatype=ox.NamedNode(XSD + "date")), g)
        yield ox.Quad(s, aik("dateEnd"), ox.Literal(date.end.isoformat(), datatype=ox.NamedNode(XSD + "date")), g)


def _texts(s: ox.NamedNode, p: ox.NamedNode, texts: Texts | None, g: ox.NamedNode) -> Iterator[ox.Quad]:
    if texts is None:
        return
    for lang in ("en", "ja"):
        value = getattr(texts, lang)
        if value:
            yield ox.Quad(s, p, ox.Literal(value, language=lang), g)


def _decimal(value: Decimal) -> ox.Literal:
    return ox.Literal(format(value, "f"), datatype=ox.NamedNode(XSD + "decimal"))


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
