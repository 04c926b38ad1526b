"""The W3C SPARQL 1.1 query-evaluation tests through aikg's /sparql over a store on Virtuoso.

The same runner as tests/test_w3c_query_eval.py (every data file a named graph, each test
naming its dataset); only the store differs. Virtuoso passes fewer than the embedded engine:
the failures are its own (property paths with an open start, GROUP_CONCAT, several string and
date functions, errors raised where SPARQL leaves a variable unbound). The report lists each
failure; the floor is what Virtuoso 7.2 reaches, so a change in aikg that costs a test shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.store import open_store
from tests.live_server import live_server
from tests.test_w3c_query_eval import FORMATS, TESTS, passed, print_report, run_all
from tests.virtuoso import running_virtuoso

VIRTUOSO_FLOOR = 146


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        quads = []
        for iri in sorted({d for t in TESTS for d in t["data"] + t["graphs"]}):
            file = Path(iri.removeprefix("file://"))
            parsed = ox.parse(path=str(file), format=FORMATS[file.suffix], base_iri=iri)
            quads += [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(iri)) for q in parsed]
        open_store(server.location).replace_all(quads)  # type: ignore[attr-defined]
        with live_server(server.location, deadline="20") as base:
            yield base + "/sparql"


def test_w3c_query_evaluation_over_virtuoso(endpoint: str) -> None:
    outcomes = run_all(endpoint)
    print_report(outcomes, "W3C query evaluation through /sparql over Virtuoso")
    assert passed(outcomes) >= VIRTUOSO_FLOOR, \
        f"{passed(outcomes)} of {len(TESTS)} passed over Virtuoso; floor is {VIRTUOSO_FLOOR}"
