"""Names with quotes, backslashes, backticks, newlines, semicolons, ``//`` and other scripts survive every format."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyoxigraph as ox
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exports import FORMATS, loaded
from graph.export.neo4j_mapping import property_graph
from graph.store import MEMORY, Store
from neo4j_fixtures import wipe
from ontology import AIK, ID

HOSTILE = ['"', "'", "\\", "`", "\n", "\t", ";", "//", "/*", "*/", ",", "|", "$rows", "{}", "ア", "中", "é", "𝔘", "🚀", "أ", " "]
names = st.lists(st.sampled_from(HOSTILE) | st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12).map("".join)
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_ALT = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
GRAPH = ox.NamedNode("https://w3id.org/aikg/source/hostile")


def store_with(entities: list[tuple[str, str, list[str]]]) -> Store:
    store = Store(ox.Store(), MEMORY)
    quads = []
    for i, (en, ja, aliases) in enumerate(entities):
        node = ox.NamedNode(f"{ID}hostile-{i}")
        quads += [ox.Quad(node, RDF_TYPE, ox.NamedNode(f"{AIK}Company"), GRAPH),
                  ox.Quad(node, RDFS_LABEL, ox.Literal(en, language="en"), GRAPH),
                  ox.Quad(node, RDFS_LABEL, ox.Literal(ja, language="ja"), GRAPH)]
        quads += [ox.Quad(node, SKOS_ALT, ox.Literal(a, language="en"), GRAPH) for a in aliases]
    store.add(quads)
    return store


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(names, names, st.lists(names, min_size=1, max_size=3, unique=True)), min_size=1, max_size=5))
def test_hostile_names_read_back_exactly_from_every_format(neo4j_server, neo4j_db, entities) -> None:
    graph = property_graph(store_with(entities))
    for fmt in FORMATS:
        wipe(neo4j_db)
        with tempfile.TemporaryDirectory() as tmp, loaded(fmt, graph, neo4j_server, neo4j_db, Path(tmp)) as db:
            rows = db.execute_query("MATCH (c:Company) RETURN c.slug AS slug, c.name AS en, c.name_ja AS ja, "
                                    "c.aliases AS aliases ORDER BY slug").records
            got = {r["slug"]: (r["en"], r["ja"], sorted(r["aliases"])) for r in rows}
            assert got == {f"hostile-{i}": (en, ja, sorted(set(aliases))) for i, (en, ja, aliases) in enumerate(entities)}, fmt
