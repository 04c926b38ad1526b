"""SHACL validation of a whole graph against ``ontology/shapes.ttl``, one readable line per violation."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

import pyoxigraph as ox
import rdflib
from pyshacl import validate as pyshacl_validate
from rdflib.namespace import SH

from ontology import PREFIXES, SHAPES_FILE


@lru_cache(maxsize=1)
def shapes_graph() -> rdflib.Graph:
    """The SHACL shapes, parsed once."""
    return rdflib.Graph().parse(SHAPES_FILE, format="turtle")


def validate(quads: Iterable[ox.Quad], locate: Callable[[str], str] = str) -> list[str]:
    """Check the union of ``quads`` against the shapes; return one line per violation, sorted.

    ``locate`` turns a focus node IRI into where it was written (``file:line: field``).
    """
    triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
    data = rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    conforms, report, _ = pyshacl_validate(data, shacl_graph=shapes_graph(), inference="none", allow_warnings=True)
    if conforms:
        return []
    lines = set()
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        if report.value(result, SH.resultSeverity) != SH.Violation:
            continue
        focus = str(report.value(result, SH.focusNode))
        message = str(report.value(result, SH.resultMessage) or "violates a shape")
        path = report.value(result, SH.resultPath)
        where = f" [{_short(path)}]" if isinstance(path, rdflib.URIRef) else ""
        lines.add(f"{locate(focus)}: {message}{where} (SHACL)")
    return sorted(lines)


def _short(iri: rdflib.URIRef) -> str:
    for prefix, ns in PREFIXES.items():
        if str(iri).startswith(ns):
            return f"{prefix}:{str(iri)[len(ns):]}"
    return f"<{iri}>"
