"""The RDF graph as a property graph for Neo4j: which nodes, labels, properties and relationships.

One mapping feeds every Neo4j format (Cypher script, neo4j-admin CSV, Bolt) and GraphML:

- every entity, event and source document is a node labelled ``Resource`` plus its class and the
  class's ancestors in the ontology (``:Resource:Agent:Organization:InvestmentFirm``), keyed by ``uri``;
- ``slug``, ``name`` (English), ``name_ja`` (and ``name_<lang>``), ``aliases`` (list), ``sources``
  (the source documents whose named graphs state something about the node);
- literals keep their type: integers and whole decimals as integers (exact), other decimals as a
  float plus ``<key>_exact`` (the decimal as written), ``xsd:date`` as a Neo4j date; other
  languages than English go to ``<key>_<lang>``; several values make a list;
- object properties become relationships in UPPER_SNAKE_CASE; vocabulary values (``aik:Equity``,
  ``aik:Completed``) become string properties; ``schema:MonetaryAmount`` nodes fold into
  ``reported<CURRENCY>`` properties of the node that reports them;
- the derived shortcut edges (``FUNDED_BY``, ``SUPPLIES_TO``, ``ARRANGED_FINANCING_FOR``) are one
  relationship per event behind them (``via`` = the event's uri) carrying its amount, status and date;
- ``REPORTED_IN`` links what a source stated to the source document.

Whatever has no place in the mapping is counted in :attr:`PropertyGraph.unmapped`, never dropped silently.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from functools import lru_cache
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox

from graph.store import Store
from ontology import AIK, DERIVED_GRAPH, ID, ONTOLOGY_FILE, ONTOLOGY_IRI, SCHEMA, SOURCE

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
XSD = "http://www.w3.org/2001/XMLSchema#"
MONETARY_AMOUNT = f"{SCHEMA}MonetaryAmount"
RESOURCE_LABEL = "Resource"
"""Every node carries this label; its ``uri`` is unique (the key MERGE and the CSV ids use)."""
REPORTED_IN = "REPORTED_IN"

_AIK = str(AIK)
_INT64 = (-(2**63), 2**63 - 1)
_INTEGER_TYPES = {XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "negativeInteger", "nonPositiveInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
)}
_STRING_TYPES = {XSD + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
                 XSD + "gYear", XSD + "gYearMonth", XSD + "anyURI"}
# Shortcut edge -> (role of its start in the event, roles of its end in the event).
_SHORTCUTS = {
    f"{_AIK}fundedBy": (f"{_AIK}recipient", (f"{_AIK}investor", f"{_AIK}leadInvestor")),
    f"{_AIK}suppliesTo": (f"{_AIK}supplier", (f"{_AIK}customer",)),
    f"{_AIK}arrangedFinancingFor": (f"{_AIK}arranger", (f"{_AIK}recipient",)),
}
_EVENT_KEYS_ON_SHORTCUTS = ("amountUSD", "amountUSD_exact", "status", "instrument", "date",
                            "dateStart", "dateEnd", "quantity")


@dataclass
class Node:
    uri: str
    labels: tuple[str, ...]
    properties: dict[str, Any]


@dataclass
class Relationship:
    type: str
    start: str
    end: str
    properties: dict[str, Any]
    key: tuple[str, ...] = ()
    """Properties that, with the type and both ends, identify the relationship (for MERGE)."""


@dataclass
class PropertyGraph:
    nodes: list[Node]
    relationships: list[Relationship]
    triples: int
    """Data quads read (the ontology's own graph excluded)."""
    unmapped: Counter[str] = field(default_factory=Counter)
    """What had no place in the mapping, or changed shape on the way: description -> count."""

    def report(self) -> list[str]:
        """One line per kind of statement that did not map one-to-one."""
        return [f"{count} × {what}" for what, count in sorted(self.unmapped.items())]


def property_graph(store: Store) -> PropertyGraph:
    """Map the whole store (all named graphs) to a :class:`PropertyGraph`."""
    ancestors = class_ancestors(store)
    unmapped: Counter[str] = Counter()
    statements: dict[str, list[tuple[str, Any, str]]] = defaultdict(list)
    types: dict[str, set[str]] = defaultdict(set)
    triples = 0
    ontology_triples = 0
    for quad in store.quads():
        graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        if graph == ONTOLOGY_IRI:
            ontology_triples += 1
            continue
        triples += 1
        subject = quad.subject
        if not isinstance(subject, ox.NamedNode):
            unmapped[f"statement about a blank node ({_short(quad.predicate.value)})"] += 1
            continue
        if quad.predicate.value == RDF_TYPE and isinstance(quad.object, ox.NamedNode):
            types[subject.value].add(quad.object.value)
        else:
            statements[subject.value].append((quad.predicate.value, quad.object, graph))
    if ontology_triples:
        unmapped["ontology triple (the class tree is carried by the labels)"] += ontology_triples
    return _Mapper(ancestors, statements, types, unmapped).run(triples)


def class_ancestors(store: Store) -> dict[str, list[str]]:
    """For each class of our ontology, the local names of it and its aik: ancestors, most general first."""
    query = f"""SELECT ?class ?super (COUNT(?mid) AS ?depth) WHERE {{
      ?class <http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?super .
      ?super <http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?mid .
      FILTER(STRSTARTS(STR(?class), "{_AIK}") && STRSTARTS(STR(?super), "{_AIK}") && STRSTARTS(STR(?mid), "{_AIK}"))
    }} GROUP BY ?class ?super"""
    # The class tree is small: the local engine reads it, as some servers refuse open paths (Virtuoso).
    ontology = Store(ox.Store(), ":memory:")
    ontology.add(store.quads(ONTOLOGY_IRI))
    if not len(ontology):  # a store without the ontology graph: read the ontology that ships with aikg
        ontology.add(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(ONTOLOGY_IRI))
                     for t in ox.parse(path=str(ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE))
    rows = ontology.select(query, default_graph=[ONTOLOGY_IRI])
    tree: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row in rows:
        tree[row["class"]].append((row["depth"], row["super"][len(_AIK):]))
    return {cls: [name for _, name in sorted(supers)] for cls, supers in tree.items()}


@lru_cache(maxsize=4096)
def relationship_type(predicate: str) -> str:
    """``aik:leadInvestor`` -> ``LEAD_INVESTOR``; ``prov:wasDerivedFrom`` -> ``REPORTED_IN``."""
    if predicate == PROV_DERIVED:
        return REPORTED_IN
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", _local(predicate)).upper()


def slug(uri: str) -> str:
    """The slug of an entity or source IRI; the local name of any other."""
    for namespace in (str(ID), str(SOURCE)):
        if uri.startswith(namespace):
            return uri[len(namespace):]
    return _local(uri)


class _Mapper:
    def __init__(self, ancestors: dict[str, list[str]], statements: dict[str, list[tuple[str, Any, str]]],
                 types: dict[str, set[str]], unmapped: Counter[str]) -> None:
        self.ancestors = ancestors
        self.statements = statements
        self.types = types
        self.unmapped = unmapped
        self.amounts = {s for s, t in types.items() if MONETARY_AMOUNT in t}
        self.sources = {s for s, t in types.items() if f"{_AIK}SourceDocument" in t}
        self.sources |= {g for facts in statements.values() for _, _, g in facts if g.startswith(str(SOURCE))}
        subjects = (set(statements) | set(types)) - self.amounts
        self.node_uris = subjects | {
            o.value for facts in statements.values() for _, o, _ in facts
            if isinstance(o, ox.NamedNode) and (o.value.startswith(str(ID)) or o.value.startswith(str(SOURCE)))
            and o.value not in self.amounts
        }
        # A named graph in the source namespace is a source document even when nothing describes it.
        self.node_uris |= self.sources

    def run(self, triples: int) -> PropertyGraph:
        nodes: dict[str, Node] = {}
        edges: dict[tuple[str, str, str], Relationship] = {}
        shortcuts: list[tuple[str, str, str]] = []
        for uri in sorted(self.node_uris):
            props, links = self._node(uri)
            nodes[uri] = Node(uri, self._labels(uri), props)
            for predicate, target, graph in links:
                if predicate in _SHORTCUTS and graph == DERIVED_GRAPH:
                    shortcuts.append((uri, predicate, target))
                    continue
                kind = relationship_type(predicate)
                edge = edges.setdefault((uri, kind, target), Relationship(kind, uri, target, {}))
                if graph in self.sources:
                    edge.properties.setdefault("sources", set()).add(graph)
            for source in props.get("sources", ()):
                if source != uri:
                    edges.setdefault((uri, REPORTED_IN, source), Relationship(REPORTED_IN, uri, source, {}))
        relationships = list(edges.values())
        for rel in relationships:
            if "sources" in rel.properties:
                rel.properties["sources"] = sorted(rel.properties["sources"])
        relationships += self._shortcuts(shortcuts, nodes)
        return PropertyGraph(list(nodes.values()), relationships, triples, self.unmapped)

    def _labels(self, uri: str) -> tuple[str, ...]:
        labels = [RESOURCE_LABEL]
        for cls in sorted(self.types.get(uri, ())):
            if cls in self.ancestors:
                labels += [name for name in self.ancestors[cls] if name not in labels]
            else:
                self.unmapped[f"rdf:type {_short(cls)} (not a class of the aikg ontology; no label)"] += 1
        return tuple(labels)

    def _node(self, uri: str) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
        values: dict[str, list[Any]] = defaultdict(list)
        links: list[tuple[str, str, str]] = []
        sources: set[str] = set()
        names: dict[str, list[str]] = defaultdict(list)
        for predicate, obj, graph in self.statements.get(uri, ()):
            if graph in self.sources:
                sources.add(graph)
            if isinstance(obj, ox.Literal):
                if predicate == RDFS_LABEL:
                    names[obj.language or "en"].append(obj.value)
                elif predicate == SKOS_ALT:
                    values["aliases"].append(obj.value)
                else:
                    suffix = f"_{obj.language.replace('-', '_')}" if obj.language and obj.language != "en" else ""
                    values[_local(predicate) + suffix].append(obj)
            elif isinstance(obj, ox.BlankNode):
                self.unmapped[f"{_short(predicate)} to a blank node"] += 1
            elif obj.value in self.amounts:
                self._fold_amount(obj.value, values)
            elif obj.value in self.node_uris:
                if predicate == PROV_DERIVED and obj.value in self.sources:
                    sources.add(obj.value)
                links.append((predicate, obj.value, graph))
            elif obj.value.startswith(_AIK):
                values[_local(predicate)].append(_local(obj.value))
            else:
                values[_local(predicate)].append(obj.value)
        props: dict[str, Any] = {"uri": uri, "slug": slug(uri)}
        for language, labels in sorted(names.items()):
            labels = sorted(set(labels))
            props["name" if language == "en" else f"name_{language.replace('-', '_')}"] = labels[0]
            if len(labels) > 1:
                values["aliases"] += labels[1:]
                self.unmapped["second rdfs:label in one language (kept in aliases)"] += len(labels) - 1
        if values.get("aliases"):
            props["aliases"] = sorted(set(values.pop("aliases")))
        for key, raw in sorted(values.items()):
            self._set(props, key, raw)
        sources.discard(uri)
        if sources:
            props["sources"] = sorted(sources)
        return props, links

    def _fold_amount(self, amount: str, values: dict[str, list[Any]]) -> None:
        facts = {_local(p): o for p, o, _ in self.statements.get(amount, ())}
        currency, value = facts.get("currency"), facts.get("value")
        if not isinstance(currency, ox.Literal) or not isinstance(value, ox.Literal):
            self.unmapped["schema:MonetaryAmount without a currency and value"] += 1
            return
        values[f"reported{currency.value}"].append(value)
        extra = set(facts) - {"currency", "value"}
        if extra:
            self.unmapped[f"schema:MonetaryAmount statement ({', '.join(sorted(extra))})"] += 1

    def _set(self, props: dict[str, Any], key: str, raw: list[Any]) -> None:
        converted = [_value(v, self.unmapped) if isinstance(v, ox.Literal) else (v, None) for v in raw]
        values = [c[0] for c in converted]
        exacts = [c[1] for c in converted]
        if len({type(v) for v in values}) > 1:  # Neo4j lists hold one type: keep every value as written
            self.unmapped[f"{key}: values of mixed types (kept as strings)"] += len(values)
            values = [r.value if isinstance(r, ox.Literal) else str(r) for r in raw]
            exacts = [None] * len(values)
        order = sorted(range(len(values)), key=lambda i: str(values[i]))
        props[key] = values[0] if len(values) == 1 else [values[i] for i in order]
        if any(e is not None for e in exacts):
            props[f"{key}_exact"] = exacts[0] if len(exacts) == 1 else [exacts[i] or str(values[i]) for i in order]

    def _shortcuts(self, shortcuts: list[tuple[str, str, str]], nodes: dict[str, Node]) -> list[Relationship]:
        roles: dict[tuple[str, str], set[str]] = defaultdict(set)
        wanted = {r for start, ends in _SHORTCUTS.values() for r in (start, *ends)}
        for uri in self.node_uris:
            for predicate, obj, _ in self.statements.get(uri, ()):
                if predicate in wanted and isinstance(obj, ox.NamedNode):
                    roles[(predicate, obj.value)].add(uri)
        out: dict[tuple[str, str, str, str], Relationship] = {}
        for start, predicate, end in shortcuts:
            start_role, end_roles = _SHORTCUTS[predicate]
            events = roles[(start_role, start)] & set().union(*(roles[(r, end)] for r in end_roles))
            kind = relationship_type(predicate)
            if not events:
                self.unmapped[f"{kind} with no event behind it (kept, without via)"] += 1
                out[(start, kind, end, "")] = Relationship(kind, start, end, {"via": ""}, key=("via",))
            for event in sorted(events):
                event_props = nodes[event].properties
                props = {"via": event, **{k: event_props[k] for k in _EVENT_KEYS_ON_SHORTCUTS if k in event_props}}
                if predicate == f"{_AIK}fundedBy":
                    props["lead"] = event in roles[(f"{_AIK}leadInvestor", end)]
                out[(start, kind, end, event)] = Relationship(kind, start, end, props, key=("via",))
        return list(out.values())


def _value(literal: ox.Literal, unmapped: Counter[str]) -> tuple[Any, str | None]:
    """A literal as a Neo4j value, and the exact decimal string when the value is a float."""
    datatype = literal.datatype.value
    text = literal.value
    try:
        if datatype in _INTEGER_TYPES or datatype == XSD + "decimal":
            number = Decimal(text)
            if number == number.to_integral_value() and _INT64[0] <= number <= _INT64[1]:
                return int(number), None
            if datatype in _INTEGER_TYPES:
                unmapped["integer outside Neo4j's 64-bit range (kept as a string)"] += 1
                return text, None
            return float(number), text
        if datatype in (XSD + "double", XSD + "float"):
            return float(text), None
        if datatype == XSD + "boolean":
            return text in ("true", "1"), None
        if datatype == XSD + "date":
            return dt.date.fromisoformat(text), None
        if datatype == XSD + "dateTime":
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00")), None
    except (ValueError, InvalidOperation):
        unmapped[f"ill-formed {_short(datatype)} literal (kept as a string)"] += 1
        return text, None
    if datatype not in _STRING_TYPES:
        unmapped[f"{_short(datatype)} literal (kept as a string)"] += 1
    return text, None


@lru_cache(maxsize=4096)
def _local(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def _short(iri: str) -> str:
    for prefix, namespace in (("aik", _AIK), ("schema", str(SCHEMA)), ("xsd", XSD)):
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return f"<{iri}>"
