"""The derived edges brought in step with a change to a few nodes' quads, without running the rules over the whole store.

Each rule reads the facts of one node at a time: every triple pattern it matches outside the
ontology's graph has the same subject variable, the rule's *focus* (a funding round, a supply
deal, a typed node), with a plain predicate. So what the rules derive from a node depends on
that node's quads alone, plus the ontology, and after a change to the quads of nodes S:

- the rules run over S's quads (and the ontology) before the change and after it, in memory;
- a triple derived after and not before is added to ``aik:derived``;
- a triple derived before and not after is deleted, unless another node still derives it. The
  nodes that could are found from the triple's own terms: a template term that is the focus
  names the node itself, one that is the object of a focus's pattern names the nodes that point
  at it; those nodes' quads go through the rules too.

:func:`rule_shapes` checks every rule file for that shape (with rdflib's SPARQL algebra); if one
does not fit, or the change touches the ontology, the derived graph, blank nodes or too many
nodes, the caller derives afresh (:func:`graph.build.rederive_difference`). At ten million
triples that is 30 s an update; this is milliseconds for a correction of one round.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import pyoxigraph as ox

from graph.build import changing_derived, derived_ntriples, ntriples_lines
from graph.store import MEMORY, Store, iri_values
from ontology import DERIVED_GRAPH, ONTOLOGY_IRI, rule_files

Kind = Literal["focus", "object", "other"]
AT_MOST = 10_000
"""More nodes than this changed, or standing behind the triples a change may remove, and the rules run over the whole store."""


@dataclass(frozen=True)
class RuleShape:
    """What a rule's focus is, and how the subject and object of what it derives relate to it."""

    predicate: str | None
    """The predicate it derives (None: a variable, so any)."""
    subject: Kind
    object: Kind


@lru_cache(maxsize=1)
def rule_shapes() -> tuple[RuleShape, ...] | None:
    """The shape of every rule file, or None if any rule reads more than one node's facts."""
    shapes = [rule_shape(rule.read_text(encoding="utf-8")) for rule in rule_files()]
    return None if any(s is None for s in shapes) else tuple(shapes)  # type: ignore[arg-type]


def changed_nodes(quads: Iterable[ox.Quad]) -> frozenset[str] | None:
    """The subjects of a change's quads; None if the change cannot be followed node by node."""
    nodes = set()
    for quad in quads:
        graph = quad.graph_name
        if not isinstance(quad.subject, ox.NamedNode) or isinstance(quad.object, ox.BlankNode):
            return None
        if isinstance(graph, ox.NamedNode) and graph.value in (DERIVED_GRAPH, ONTOLOGY_IRI):
            return None
        nodes.add(quad.subject.value)
    return frozenset(nodes) if len(nodes) <= AT_MOST and rule_shapes() is not None else None


def derived_from(store: Store, nodes: Iterable[str]) -> set[bytes] | None:
    """What the rules derive from ``nodes``' quads (N-Triples lines); None if a blank node takes part."""
    scratch = Store(ox.Store(), MEMORY)
    scratch.add(store.quads(ONTOLOGY_IRI))
    quads = _quads_of(store, nodes)
    if any(isinstance(term, ox.BlankNode) for q in quads for term in (q.subject, q.object)):
        return None
    scratch.add(quads)
    lines = ntriples_lines(derived_ntriples(scratch))
    return None if any(b"_:" in line for line in lines) else lines


def bring_in_step(store: Store, nodes: frozenset[str], before: set[bytes]) -> tuple[set[bytes], set[bytes]] | None:
    """After a change to ``nodes``' quads, update ``aik:derived``; ``before``: :func:`derived_from` them before the change.

    Returns (lines deleted, lines added), or None (nothing written) when the change cannot be
    followed this way.
    """
    after = derived_from(store, nodes)
    if after is None:
        return None
    maybe_gone = before - after
    still = _still_derived(store, nodes, maybe_gone)
    if still is None:
        return None
    held = _held(store, (before | after))
    gone = (maybe_gone - still) & held
    new = after - held
    if gone or new:
        store.update(changing_derived(gone, new))  # one update: one transaction
    return gone, new


# -- the rules' shapes ------------------------------------------------------------------------------

def rule_shape(text: str) -> RuleShape | None:
    """The shape of one rule's text, or None if it reads more than one node's facts (or uses a form the walk cannot read)."""
    from rdflib import Variable
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.term import URIRef

    query = prepareQuery(text).algebra
    facts: list[tuple[Any, Any, Any, bool]] = []
    projections: list[tuple[set[Any], list[tuple[Any, Any, Any, bool]]]] = []
    try:
        _collect(query["p"], None, True, facts, projections)
    except _Unfit:
        return None
    subjects = {s for s, _, _, _ in facts}
    if len(subjects) != 1:
        return None
    (focus,) = subjects
    if not isinstance(focus, Variable) or any(not isinstance(p, (URIRef, Variable)) for _, p, _, _ in facts):
        return None  # a constant subject, or a property path that walks to other nodes
    if any(inside and focus not in projected for projected, inside in projections):
        return None  # a sub-select that reads facts but does not hand on its node
    objects = {o for _, _, o, binds in facts if binds and isinstance(o, Variable)}
    template = query["template"]
    if len(template) != 1:
        return None
    s, p, o = template[0]

    def kind(term: Any) -> Kind:
        return "focus" if term == focus else "object" if term in objects else "other"

    return RuleShape(str(p) if isinstance(p, URIRef) else None, kind(s), kind(o))


class _Unfit(Exception):
    """A rule uses a form whose patterns the walk does not read."""


_UNREAD = frozenset({"Builtin_EXISTS", "Builtin_NOTEXISTS", "ServiceGraphPattern"})
"""Forms rdflib leaves untranslated inside the algebra (their patterns would go unseen): a rule using one is not followed."""


def _collect(node: Any, graph: Any, binds: bool, facts: list, projections: list) -> None:
    """Walk the algebra: each triple pattern read outside the ontology's graph, with whether its matches bind the
    rule's variables (not those of a ``MINUS`` or a ``FILTER``), and for each sub-select, the patterns inside it."""
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import URIRef

    if isinstance(node, (list, tuple)):
        for item in node:
            _collect(item, graph, binds, facts, projections)
        return
    if not isinstance(node, CompValue):
        return
    if node.name in _UNREAD:
        raise _Unfit(node.name)
    inside: list = []
    if node.name == "Graph":
        graph = node["term"]
    if node.name == "BGP" and not (isinstance(graph, URIRef) and str(graph) == ONTOLOGY_IRI):
        inside.extend((s, p, o, binds) for s, p, o in node["triples"])
    for key, value in node.items():
        if key not in ("_vars", "template"):
            unbound = (node.name == "Minus" and key == "p2") or key == "expr"
            _collect(value, graph, binds and not unbound, inside, projections)
    if node.name == "Project":
        projections.append((set(node["PV"]), list(inside)))
    facts.extend(inside)


# -- the store ----------------------------------------------------------------------------------------

def _quads_of(store: Store, nodes: Iterable[str]) -> list[ox.Quad]:
    """Every quad whose subject is one of ``nodes``, in every graph but ``aik:derived``."""
    nodes = sorted(set(nodes))
    if not nodes:
        return []
    rows = store.query(f"""SELECT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {iri_values(nodes)} }}
        GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{DERIVED_GRAPH}>) }}""")
    return [ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows]  # type: ignore[index]


def _still_derived(store: Store, changed: frozenset[str], lines: set[bytes]) -> set[bytes] | None:
    """Which of ``lines`` some node other than ``changed`` still derives; None if too many nodes stand behind them."""
    if not lines:
        return set()
    shapes = rule_shapes()
    assert shapes is not None
    behind: set[str] = set()
    for triple in ox.parse(b"\n".join(lines), ox.RdfFormat.N_TRIPLES):
        rules = [r for r in shapes if r.predicate in (None, triple.predicate.value)]
        for rule in rules:
            found = _nodes_behind(store, rule, triple)
            if found is None:
                return None
            behind |= found
        if len(behind) > AT_MOST:
            return None
    behind -= changed
    if not behind:
        return set()
    derived = derived_from(store, behind)
    return None if derived is None else lines & derived


def _nodes_behind(store: Store, rule: RuleShape, triple: ox.Triple) -> set[str] | None:
    """The nodes whose facts could make ``rule`` derive ``triple`` (a superset); None if the rule's shape cannot tell."""
    terms = [(kind, term) for kind, term in ((rule.subject, triple.subject), (rule.object, triple.object)) if kind != "other"]
    for kind, term in terms:
        if kind == "focus":
            return {term.value} if isinstance(term, ox.NamedNode) else set()
    if not terms:
        return None
    patterns = " ".join(f"GRAPH ?g{i} {{ ?node ?p{i} {term} }} FILTER(?g{i} != <{DERIVED_GRAPH}>)"
                        for i, (_, term) in enumerate(terms))
    rows = store.query(f"SELECT DISTINCT ?node WHERE {{ {patterns} }} LIMIT {AT_MOST + 1}")
    return {r["node"].value for r in rows if isinstance(r["node"], ox.NamedNode)}  # type: ignore[index]


def _held(store: Store, lines: set[bytes]) -> set[bytes]:
    """Which of ``lines`` graph ``aik:derived`` holds now (one ASK each: a change derives a handful)."""
    return {line for line in lines
            if store.ask(f"ASK {{ GRAPH <{DERIVED_GRAPH}> {{ {line.decode('utf-8').rstrip().removesuffix('.')} }} }}")}
