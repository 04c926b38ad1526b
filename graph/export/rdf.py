"""RDF dumps of the whole store: TriG and N-Quads keep the named graphs; Turtle and JSON-LD too where they can."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from graph.store import Store
from ontology import PREFIXES

RDF_FORMATS = {
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
"""Format names the CLI and API accept, and the serialisation each is."""


def export_rdf(store: Store, output: str | Path, fmt: str) -> int:
    """Write the store to ``output``; return the number of statements written.

    Triple formats (Turtle, N-Triples, RDF/XML) get the union of all graphs, each triple once.
    """
    rdf_format = RDF_FORMATS[fmt]
    quads = list(store.quads())
    if rdf_format.supports_datasets:
        statements: list = quads
    else:
        statements = list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in quads))
    prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TRIG, ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    ox.serialize(statements, output=str(output), format=rdf_format, prefixes=prefixes)
    return len(statements)
