"""The W3C SPARQL 1.1 query-evaluation tests through aikg's /sparql over a store on Virtuoso, then on Fuseki.

The same runner as tests/test_w3c_query_eval.py (every data file a named graph, each test
naming its dataset); only the store differs. Each server passes fewer than the embedded
engine, and the failures are its own (Virtuoso: property paths with an open start,
GROUP_CONCAT, several string and date functions, errors raised where SPARQL leaves a variable
unbound). The report lists each failure; each floor is what that server reaches, so a change
in aikg that costs a test shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.store import open_store
from tests.live_server import live_server
from tests.sparql_servers import SERVERS, started
from tests.test_w3c_query_eval import FORMATS, TESTS, passed, print_report, run_all

FLOORS = {"virtuoso": 147, "fuseki": 205}


@pytest.fixture(scope="module", params=SERVERS)
def endpoint(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The endpoint of an aikg server over the data of every test, on each server in turn, with the server's name."""
    with started(request, tmp_path_factory) as server:
        quads = []
        for iri in sorted({d for t in TESTS for d in t["data"] + t["graphs"]}):
            file = Path(iri.removeprefix("file://"))
            parsed = ox.parse(path=str(file), format=FORMATS[file.suffix], base_iri=iri)
            quads += [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(iri)) for q in parsed]
        open_store(server.location).replace_all(quads)  # type: ignore[attr-defined]
        with live_server(server.location, deadline="20") as base:
            yield server.kind, base + "/sparql"


def test_w3c_query_evaluation_over_a_server(endpoint: tuple[str, str]) -> None:
    kind, url = endpoint
    outcomes = run_all(url)
    print_report(outcomes, f"W3C query evaluation through /sparql over {kind}")
    assert passed(outcomes) >= FLOORS[kind], f"{passed(outcomes)} of {len(TESTS)} passed over {kind}; floor is {FLOORS[kind]}"
