"""The command line's own tests (tests/test_cli.py), run with a store on Virtuoso, then on Fuseki.

Two are restated for a server: a bad query's message is the server's (Virtuoso's own line
numbers do not always point at the user's line; Fuseki's do), and the exports are compared
with the graphs read back through the store interface rather than by opening an Oxigraph directory.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from graph.store import open_store
from tests.sparql_servers import SERVERS, Server, started
from tests.test_cli import *  # noqa: F403  (the tests themselves, collected here a second time)
from tests.test_cli import aikg

BAD_QUERY = {
    "virtuoso": "aikg: bad query: Virtuoso 37000 Error SP030: SPARQL compiler, line ",
    "fuseki": 'aikg: bad query: Parse error: Encountered " "}" "} "" at line 3, column 1.',
}
"""The start of what each server's parser says of the query in :func:`test_bad_query_names_the_users_own_line`."""


@pytest.fixture(scope="module", params=SERVERS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with started(request, tmp_path_factory) as running:
        run = aikg("build", "--store", running.location)
        assert run.returncode == 0, run.stderr
        yield running


@pytest.fixture(scope="module")
def store(server: Server) -> str:  # replaces the module's fixture of the same name
    return server.location


def test_bad_query_names_the_users_own_line(server: Server, store: str) -> None:
    run = aikg("query", "SELECT ?x WHERE {\n  ?x ?y \n}}", store=store)
    assert run.returncode == 2
    assert run.stderr.startswith(BAD_QUERY[server.kind])
    assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr


@pytest.mark.parametrize("fmt", ["trig", "nquads"])
def test_export_keeps_named_graphs_and_reimports_isomorphic(store: str, tmp_path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / f"graph.{fmt}"
    run = aikg("export", "rdf", "--format", fmt, "-o", str(out), store=store)
    assert run.returncode == 0, run.stderr
    exported = rdflib.Dataset()
    exported.parse(out, format=fmt)
    original = open_store(store)
    names = set(original.graphs())
    assert {str(c.identifier) for c in exported.graphs() if len(c)} >= names
    for name in names:
        triples = [q.triple for q in original.quads(name)]
        ours = rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
        assert isomorphic(ours, exported.graph(rdflib.URIRef(name))), name
