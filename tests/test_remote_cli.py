"""The command line's own tests (tests/test_cli.py), run with a store on Virtuoso.

Two are restated for a server: a bad query's message is the server's (Virtuoso's own line
numbers, which do not always point at the user's line), and the exports are compared with
the graphs read back through the store interface rather than by opening an Oxigraph directory.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from graph.store import open_store
from tests.test_cli import *  # noqa: F403  (the tests themselves, collected here a second time)
from tests.test_cli import aikg
from tests.virtuoso import running_virtuoso


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # replaces the module's fixture of the same name
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        run = aikg("build", "--store", server.location)
        assert run.returncode == 0, run.stderr
        yield server.location


def test_bad_query_names_the_users_own_line(store: str) -> None:
    run = aikg("query", "SELECT ?x WHERE {\n  ?x ?y \n}}", store=store)
    assert run.returncode == 2
    assert run.stderr.startswith("aikg: bad query: Virtuoso 37000 Error SP030: SPARQL compiler, line ")
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
