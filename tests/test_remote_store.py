"""aikg on a real Virtuoso Open Source, then on Apache Jena Fuseki: build, the seed facts, cards, the API, an update,
the view and the exports.

Each server is started by the fixture on loopback with a database of its own
(tests/sparql_servers.py); ``AIKG_STORE=sparql+http://...`` points every command and the API at it.
The answers are compared with the same graph built into the embedded store. A few tests are of
one engine's own behaviour (what it commits when a write fails, how it stops a query at its
limit, its credentials) and name it.
"""

from __future__ import annotations

import http.server
import io
import json
import os
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

import graph
import tests.test_load_ingest as ingest_tests
import tests.test_seed_facts as seed
from api.app import ensure_built
from api.export_routes import csv_archive
from graph import bulk_load
from graph.build import build_store, derive, derived_triples
from graph.cards import entity_card
from graph.export.neo4j_csv import export_csv
from graph.export.neo4j_mapping import property_graph
from graph.remote_store import RemoteStore, endpoint_urls
from graph.store import Store, StoreError, open_store
from graph.synth import write_nquads
from graph.view.details import read_details
from ontology import DERIVED_GRAPH, sparql_prologue
from tests.fuseki import running_fuseki
from tests.live_server import free_port, live_server
from tests.sparql_servers import SERVERS, Server, running, started
from tests.virtuoso import DBA_PASSWORD

TOKEN = "remote-test-token"
# Three full scans joined with a filter: minutes on either server, which stops it itself after 15 s.
RUNAWAY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
           "FILTER(CONCAT(STR(?c), STR(?a)) != CONCAT(STR(?f), STR(?i))) }")


def aikg(*args: str, store: str, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("AIKG_")}, "COLUMNS": "200", "AIKG_STORE": store}
    env.update(settings)
    return subprocess.run([sys.executable, "-m", "graph.cli", *args], capture_output=True, text=True, env=env, timeout=300)


def csv_lines(folder: Path) -> dict[str, list[str]]:
    """Each neo4j-admin file's lines, sorted: row order follows the order quads come back in, which engines choose."""
    return {p.name: sorted(p.read_text(encoding="utf-8").splitlines()) for p in sorted(folder.iterdir())}


def canonical(quads: Iterable[ox.Quad]) -> set[str]:
    """The quads with blank nodes named canonically and typed literals by value (Fuseki writes the decimal 5E9
    ``5000000000.0``, the embedded store ``5000000000``), as strings."""
    by_value = ox.Store()
    by_value.extend(quads)
    dataset = ox.Dataset(by_value)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return {str(q) for q in dataset}


ONLY_VIRTUOSO = pytest.mark.parametrize("server", ["virtuoso"], indirect=True)
ONLY_FUSEKI = pytest.mark.parametrize("server", ["fuseki"], indirect=True)


@pytest.fixture(scope="module", params=SERVERS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with started(request, tmp_path_factory) as running_server:
        yield running_server


@pytest.fixture(scope="module")
def remote(server: Server) -> Iterator[RemoteStore]:
    """The bundled facts built into the server by ``aikg build``."""
    run = aikg("build", store=server.location)
    assert run.returncode == 0, run.stderr
    assert "8 events" in run.stdout
    store = open_store(server.location)
    assert isinstance(store, RemoteStore)
    yield store
    store.close()


@pytest.fixture(scope="module")
def embedded() -> Store:
    return build_store(store=":memory:")[0]


@pytest.fixture(scope="module")
def api(server: Server, remote: RemoteStore) -> Iterator[str]:
    # The server's own limit (timeout=) stops the runaway query soon after the API's deadline has answered 503.
    with live_server(server.time_limited(server.location, 4), token=TOKEN, deadline="3") as base:
        yield base


# -- the location ---------------------------------------------------------------------------------

def test_one_url_serves_queries_and_updates_unless_update_or_graphs_names_another() -> None:
    assert endpoint_urls("sparql+http://127.0.0.1:8890/sparql") == ("http://127.0.0.1:8890/sparql",) * 2 + (None,)
    assert endpoint_urls("sparql+http://127.0.0.1:8890/sparql?graphs=/sparql-graph-crud") == (
        "http://127.0.0.1:8890/sparql", "http://127.0.0.1:8890/sparql", "http://127.0.0.1:8890/sparql-graph-crud")
    assert endpoint_urls("sparql+https://db.example/repositories/kg?update=/repositories/kg/statements&infer=false") == (
        "https://db.example/repositories/kg?infer=false", "https://db.example/repositories/kg/statements", None)


@pytest.mark.parametrize("location, message", [
    ("sparql+http://dba:secret@127.0.0.1:8890/sparql", "AIKG_REMOTE_USER"),
    ("sparql+http:///sparql", "no host name"),
    ("sparql+http://h/sparql?update=a&update=b", "update= is given 2 times"),
    ("sparql+http://h/sparql?graphs=ftp://h/crud", "graphs=ftp://h/crud is not an http"),
])
def test_a_malformed_location_is_refused_with_its_reason(location: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        open_store(location)


def test_an_unreachable_server_fails_the_cli_with_exit_1_and_one_line() -> None:
    run = aikg("query", "ASK {}", store="sparql+http://127.0.0.1:9/sparql")
    assert run.returncode == 1
    assert run.stderr.startswith("aikg: sparql+http://127.0.0.1:9/sparql: ")
    assert len(run.stderr.strip().splitlines()) == 1


# -- the graph on the server ---------------------------------------------------------------------------

class _SlowServer(http.server.BaseHTTPRequestHandler):
    """Answers every POST after a second, with nothing in it."""

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(1.0)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_writes_wait_for_the_write_timeout_and_queries_do_not() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        store = RemoteStore(f"sparql+http://127.0.0.1:{server.server_port}/sparql", timeout=0.3, write_timeout=10)
        store.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")  # a second: past the query timeout, within the write's
        with pytest.raises(StoreError, match="no answer in time"):
            store.ask("ASK {}")
    finally:
        server.shutdown()
        server.server_close()


def test_the_default_graph_is_the_union_of_all_graphs(server: Server, remote: RemoteStore) -> None:
    # The round lives in the source's graph and the name in aik:entities: only the union joins them.
    query = sparql_prologue() + 'ASK { ?r aik:recipient ?x . ?x rdfs:label "xAI"@en }'
    assert remote.ask(query)
    raw = httpx.post(server.endpoint, data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert raw.json()["boolean"] is True


@ONLY_VIRTUOSO
def test_what_virtuoso_commits_when_a_write_fails(server: Server, remote: RemoteStore) -> None:
    """The README's account of atomicity: a graph PUT is all or nothing, so is one operation, a request of several operations is not."""
    graph = "https://w3id.org/aikg/source/atomicity"
    crud = endpoint_urls(server.location)[2]
    line = '<https://w3id.org/aikg/id/x> <http://www.w3.org/2000/01/rdf-schema#label> "{}" .\n'
    put = {"params": {"graph": graph}, "headers": {"Content-Type": "application/n-triples"}}
    assert httpx.put(crud, content=line.format("before"), **put).status_code in (200, 201, 204)
    assert httpx.put(crud, content=line.format("after") + "<broken\n", **put).status_code >= 400
    assert [q.object.value for q in remote.quads(graph)] == ["before"]
    failed = httpx.post(server.endpoint, data={"update": f'INSERT DATA {{ GRAPH <{graph}> {{ {line.format("kept")} }} }} ; '
                                                           "DROP GRAPH <https://w3id.org/aikg/source/missing>"})
    assert failed.status_code >= 400
    assert sorted(q.object.value for q in remote.quads(graph)) == ["before", "kept"]
    remote.update(f"DROP SILENT GRAPH <{graph}>")
    # A small write (an ingest) is one operation: a part Virtuoso refuses, here in a second graph, keeps all of it out.
    subject, label = ox.NamedNode("https://w3id.org/aikg/id/x"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    refused = ox.Literal("abc", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    with pytest.raises(SyntaxError, match="Invalid integer"):  # the server's 400, with its message
        remote.add([ox.Quad(subject, label, ox.Literal("first"), ox.NamedNode(graph)),
                    ox.Quad(subject, label, refused, ox.NamedNode(graph + "-second"))])
    assert list(remote.quads(graph)) == []


@ONLY_FUSEKI
def test_what_fuseki_commits_when_a_write_fails(server: Server, remote: RemoteStore) -> None:
    """The README's account of atomicity on Fuseki (TDB2): a graph PUT is all or nothing, and so is a request of several
    operations."""
    graph = "https://w3id.org/aikg/source/atomicity"
    line = '<https://w3id.org/aikg/id/x> <http://www.w3.org/2000/01/rdf-schema#label> "{}" .\n'
    put = {"params": {"graph": graph}, "headers": {"Content-Type": "application/n-triples"}}
    _, update_url, crud = endpoint_urls(server.location)
    assert httpx.put(crud, content=line.format("before"), **put).status_code in (200, 201, 204)
    assert httpx.put(crud, content=line.format("after") + "<broken\n", **put).status_code == 400
    assert [q.object.value for q in remote.quads(graph)] == ["before"]
    # The second operation fails (nothing listens on port 9): the first is undone with it.
    failed = httpx.post(update_url, data={
        "update": f'INSERT DATA {{ GRAPH <{graph}> {{ {line.format("undone")} }} }} ; LOAD <http://127.0.0.1:9/x.ttl>'})
    assert failed.status_code >= 400
    assert [q.object.value for q in remote.quads(graph)] == ["before"]
    remote.update(f"DROP SILENT GRAPH <{graph}>")
    assert graph not in remote.graphs()


def test_a_server_whose_default_graph_is_not_the_union_is_refused_with_the_fix(tmp_path: Path) -> None:
    """Fuseki as it comes keeps a default graph of its own: aikg's queries would find nothing, so build, serve and
    open_graph say so and how to set it, instead of answering empty."""
    fix = "default graph does not show its named graphs"
    with running_fuseki(tmp_path / "fuseki", union=False) as server:
        built = aikg("build", store=server.location)
        assert built.returncode == 1 and fix in built.stderr and "tdb2:unionDefaultGraph true" in built.stderr, built.stderr
        assert len(built.stderr.strip().splitlines()) == 1
        assert len(open_store(server.location)) == len(build_store(store=":memory:")[0])  # written, though unread
        served = aikg("serve", "--port", str(free_port()), store=server.location)
        assert served.returncode == 1 and fix in served.stderr, served.stderr
        with pytest.raises(StoreError, match=fix):
            graph.open_graph(server.location)


@pytest.mark.parametrize("fact, ask", seed.SEED_FACTS, ids=[f for f, _ in seed.SEED_FACTS])
def test_seed_fact_on_the_server(remote: RemoteStore, fact: str, ask: str) -> None:
    assert remote.ask(sparql_prologue() + ask), fact


def test_seed_selects_on_the_server(remote: RemoteStore) -> None:
    seed.test_three_rounds_into_xai_and_nothing_more(remote)
    seed.test_colossus_gpu_counts_over_time(remote)
    seed.test_every_entity_has_one_english_label(remote)


def test_the_server_holds_exactly_the_embedded_graph(remote: RemoteStore, embedded: Store) -> None:
    assert remote.graphs() == embedded.graphs()  # Virtuoso's own graphs are left out
    assert len(remote) == len(embedded)
    assert canonical(remote.quads()) == canonical(embedded.quads())


def test_cards_and_view_details_match_the_embedded_store(remote: RemoteStore, embedded: Store) -> None:
    for slug in ("xai", "colossus", "antonio-gracias", "nvidia"):
        assert entity_card(remote, slug) == entity_card(embedded, slug)
    assert read_details(remote) == read_details(embedded)


@ONLY_VIRTUOSO
def test_digest_credentials_open_the_authenticated_endpoints(server: Server, remote: RemoteStore,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    location = f"sparql+http://127.0.0.1:{server.http_port}/sparql-auth?graphs=/sparql-graph-crud-auth"
    asked = aikg("query", "--format", "json", "ASK { id:xai a aik:Company }", store=location,
                 AIKG_REMOTE_USER="dba", AIKG_REMOTE_PASSWORD=DBA_PASSWORD)
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["boolean"] is True
    refused = aikg("query", "ASK {}", store=location, AIKG_REMOTE_USER="dba", AIKG_REMOTE_PASSWORD="wrong")
    assert refused.returncode == 1 and "HTTP 401" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    monkeypatch.setenv("AIKG_REMOTE_USER", "dba")
    monkeypatch.setenv("AIKG_REMOTE_PASSWORD", DBA_PASSWORD)
    notes, name = "https://w3id.org/aikg/source/auth-notes", ox.NamedNode("https://w3id.org/aikg/id/xai")
    writer = open_store(location)
    writer.replace_graph(notes, [ox.Quad(name, ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel"),
                                         ox.Literal("X.AI", language="en"), ox.NamedNode(notes))])
    assert len(list(remote.quads(notes))) == 1
    writer.update(f"DROP SILENT GRAPH <{notes}>")
    assert notes not in remote.graphs()


STOPPED = {"virtuoso": "incomplete result", "fuseki": "HTTP 503: Query timed out"}
"""What each server's stop at its time limit becomes: Virtuoso answers 200 with the rows found so far (and says so in a
header), Fuseki 503."""


def test_an_answer_the_server_cut_at_its_time_limit_is_an_error_not_a_result(server: Server) -> None:
    limited = open_store(server.time_limited(server.update_only_location, 0.5))
    with pytest.raises(StoreError, match=STOPPED[server.kind]):
        limited.select(RUNAWAY)
    assert limited.ask("ASK { ?s ?p ?o }")  # the same parameter does not disturb a quick query


HOSTILE = 'Quote " back\\slash\nnew line <script>alert(1)</script> \u202eright-to-left 日本語 \U0001f600'


@pytest.mark.parametrize("which", ["update_only_location", "location"])
def test_hostile_text_comes_back_intact_by_either_write_path(server: Server, remote: RemoteStore, which: str) -> None:
    graph_iri = f"https://w3id.org/aikg/source/hostile-{which}"
    subject = ox.NamedNode("https://w3id.org/aikg/id/hostile-co")
    written = [ox.Quad(subject, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal(HOSTILE, language="en"),
                       ox.NamedNode(graph_iri)),
               ox.Quad(subject, ox.NamedNode("https://w3id.org/aikg/ontology#note"), ox.Literal(HOSTILE), ox.NamedNode(graph_iri))]
    writer = open_store(getattr(server, which))
    writer.replace_graph(graph_iri, written)
    assert sorted(map(str, remote.quads(graph_iri))) == sorted(map(str, written))
    writer.update(f"DROP SILENT GRAPH <{graph_iri}>")


@ONLY_VIRTUOSO
def test_a_result_the_server_cut_at_its_row_limit_fails_whole_store_reads(server: Server, remote: RemoteStore) -> None:
    # maxrows= is Virtuoso's per-request form of ResultSetMaxRows, which cuts results without saying so.
    limited = open_store(server.update_only_location + "?maxrows=100")
    assert len(limited) == len(remote) > 100  # counting is one row
    with pytest.raises(StoreError, match=r"returned \d+ of [\d,]+ quads; raise its result-size limit"):
        list(limited.quads())
    with pytest.raises(StoreError, match="returned 100 of"):
        list(limited.quads("https://w3id.org/aikg/source/fastview-2025-07-xai-raises-12b"))


def test_a_bad_query_is_a_syntax_error_with_the_servers_message(server: Server, remote: RemoteStore) -> None:
    message = {"virtuoso": "SP030", "fuseki": "Parse error: .* at line 1, column 25"}[server.kind]
    with pytest.raises(SyntaxError, match=message):
        remote.query("SELECT ?x WHERE { ?x ?y }", prefixes={"aik": "https://w3id.org/aikg/ontology#"})


def test_a_server_without_a_graph_store_is_written_by_sparql_update(server: Server, remote: RemoteStore, embedded: Store) -> None:
    remote.replace_all([])
    assert len(remote) == 0
    run = aikg("build", store=server.update_only_location)
    assert run.returncode == 0, run.stderr
    assert canonical(remote.quads()) == canonical(embedded.quads())


def test_a_rebuild_replaces_every_graph_and_drops_graphs_no_longer_built(server: Server, remote: RemoteStore) -> None:
    before = canonical(remote.quads())
    remote.update('INSERT DATA { GRAPH <https://w3id.org/aikg/source/stray> { <https://w3id.org/aikg/id/x> '
                  '<http://www.w3.org/2000/01/rdf-schema#label> "stray" } }')
    assert "https://w3id.org/aikg/source/stray" in remote.graphs()
    run = aikg("build", store=server.location)
    assert run.returncode == 0, run.stderr
    assert "https://w3id.org/aikg/source/stray" not in remote.graphs()
    assert canonical(remote.quads()) == before


def test_ingest_adds_a_fact_file_to_the_server(server: Server, remote: RemoteStore, tmp_path: Path) -> None:
    before = canonical(remote.quads())
    synthetic = io.StringIO()
    write_nquads(synthetic, 5_000, seed=1)  # the entities the test fact file refers to
    remote.add(ox.parse(synthetic.getvalue().encode(), format=ox.RdfFormat.N_QUADS))
    derive(remote)
    (tmp_path / "acme.yaml").write_text(ingest_tests.FACT_FILE, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "graph.cli", "ingest", "acme.yaml"], capture_output=True, text=True,
                         cwd=tmp_path, env={**os.environ, "AIKG_STORE": server.location}, timeout=120)
    assert run.returncode == 0, run.stderr
    assert remote.ask(sparql_prologue() + "ASK { ?r aik:recipient id:acme-gpu-cloud ; aik:amountUSD ?usd }")
    assert {ox.Triple(q.subject, q.predicate, q.object) for q in remote.quads(DERIVED_GRAPH)} == derived_triples(remote)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acme.yaml"]  # no folder named after the URL
    assert aikg("build", store=server.location).returncode == 0
    assert canonical(remote.quads()) == before


def test_load_onto_the_server_leaves_what_the_same_load_leaves_in_the_embedded_store(server: Server, remote: RemoteStore,
                                                                                    tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``aikg load`` onto a server: added to the built graph (the rules then run over the server's graph), or with ``--replace``
    instead of it; either way the server ends up with the quads a load onto a store on disk gives. A file that does
    not parse is refused, by name and line, before the server is touched."""
    built = canonical(remote.quads())
    synthetic = io.StringIO()
    write_nquads(synthetic, 5_000, seed=2)
    more, bad = tmp_path / "more.nq", tmp_path / "bad.nq"
    more.write_text(synthetic.getvalue(), encoding="utf-8")
    bad.write_text("".join(synthetic.getvalue().splitlines(keepends=True)[:3]) + "<https://w3id.org/aikg/id/x> broken\n",
                   encoding="utf-8")
    refused = aikg("load", str(more), str(bad), store=server.location)
    assert refused.returncode == 2 and f"{bad}:4" in refused.stderr, refused.stderr
    unnamed = tmp_path / "unnamed.nq"
    unnamed.write_text("<https://w3id.org/aikg/id/x> <https://w3id.org/aikg/ontology#y> <https://w3id.org/aikg/id/z> .\n")
    refused = aikg("load", str(more), str(unnamed), store=server.location)
    assert refused.returncode == 2 and f"{unnamed}: statements outside any named graph" in refused.stderr, refused.stderr
    assert canonical(remote.quads()) == built
    local = str(tmp_path / "store")
    assert aikg("build", store=local).returncode == 0
    try:
        steps: list[str] = []
        monkeypatch.setattr(bulk_load, "SEND_QUADS", 1_000)  # several sends, each of whole graphs
        report = bulk_load.load_files([more], store=server.location, step=steps.append)
        assert report.location == server.location and report.derived > 0
        sends = [s for s in steps if s.startswith("send quads")]
        assert len(sends) > 3 and sends[-1].endswith(f"{report.loaded:,} of {report.loaded:,} to {server.location}")
        for options in ([], ["--replace"]):
            if options:
                run = aikg("load", *options, str(more), store=server.location)
                assert run.returncode == 0, run.stderr
                assert f"quads in {server.location}" in run.stdout
            assert aikg("load", *options, str(more), store=local).returncode == 0
            on_disk = open_store(local, read_only=True)
            try:
                assert canonical(remote.quads()) == canonical(on_disk.quads()), options
            finally:
                on_disk.close()
        assert not remote.ask(sparql_prologue() + "ASK { id:xai ?p ?o }")  # --replace: the build's facts are gone
    finally:
        assert aikg("build", store=server.location).returncode == 0
    assert canonical(remote.quads()) == built


def test_cli_query_and_show_read_the_server(server: Server) -> None:
    run = aikg("query", "--format", "json", "SELECT ?n WHERE { ?o aik:asset id:colossus ; aik:gpuCount ?n } ORDER BY ?n",
               store=server.location)
    assert run.returncode == 0, run.stderr
    assert [b["n"]["value"] for b in json.loads(run.stdout)["results"]["bindings"]] == ["100000", "200000"]
    show = aikg("show", "xai", "--json", store=server.location)
    assert show.returncode == 0, show.stderr
    assert [e["type"] for e in json.loads(show.stdout)["events"]].count("FundingRound") == 3


def test_cli_exports_from_the_server_equal_the_embedded_ones(server: Server, embedded: Store, tmp_path: Path) -> None:
    nquads = tmp_path / "all.nq"
    run = aikg("export", "rdf", "--format", "nquads", "-o", str(nquads), store=server.location)
    assert run.returncode == 0, run.stderr
    assert canonical(ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS)) == canonical(embedded.quads())
    run = aikg("export", "neo4j", "--format", "csv", "-o", str(tmp_path / "csv"), store=server.location)
    assert run.returncode == 0, run.stderr
    export_csv(property_graph(embedded), tmp_path / "local")
    assert csv_lines(tmp_path / "csv") == csv_lines(tmp_path / "local")


def test_cli_view_draws_the_graph_from_the_server(server: Server, tmp_path: Path) -> None:
    page = tmp_path / "graph.html"
    run = aikg("view", "-o", str(page), store=server.location)
    assert run.returncode == 0, run.stderr
    html = page.read_text(encoding="utf-8")
    assert "Colossus" in html and "Valor Equity Partners" in html


# -- the API over the server ----------------------------------------------------------------------------

def test_serve_and_python_open_the_built_server_without_building_again(server: Server, embedded: Store) -> None:
    assert ensure_built(server.location) is False
    kg = graph.open_graph(server.location)
    assert isinstance(kg, RemoteStore) and len(kg) == len(embedded)
    assert graph.query(kg, "SELECT ?n WHERE { id:colossus aik:locatedIn ?m . ?m rdfs:label ?n FILTER(lang(?n) = 'en') }") == [
        {"n": "Memphis"}]


def test_the_api_does_not_start_on_a_server_it_cannot_reach() -> None:
    with pytest.raises(RuntimeError, match=r"StoreError: sparql\+http://127.0.0.1:9/sparql: .*[Cc]onnection refused"), \
            live_server("sparql+http://127.0.0.1:9/sparql"):
        pass


def test_api_health_names_the_remote_store(api: str, embedded: Store) -> None:
    health = httpx.get(api + "/health").json()
    assert health["status"] == "ok" and health["quads"] == len(embedded)
    assert health["store"].startswith("sparql+http://127.0.0.1:")


def test_api_sparql_select_ask_construct(api: str) -> None:
    rounds = "SELECT ?usd WHERE { ?r aik:recipient id:xai ; aik:amountUSD ?usd } ORDER BY ?usd"
    select = httpx.get(api + "/sparql", params={"query": rounds},
                       headers={"Accept": "application/sparql-results+json"})
    assert select.status_code == 200, select.text
    assert [int(b["usd"]["value"].split(".")[0]) for b in select.json()["results"]["bindings"]] == [
        2_000_000_000, 5_000_000_000, 12_000_000_000]
    ask = httpx.post(api + "/sparql", content="ASK { id:nvidia aik:suppliesTo id:xai }",
                     headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    assert ask.json() == {"head": {}, "boolean": True}
    funded = "CONSTRUCT { ?x aik:fundedBy ?y } WHERE { GRAPH aik:derived { ?x aik:fundedBy ?y } }"
    construct = httpx.post(api + "/sparql", data={"query": funded},
                           headers={"Accept": "text/turtle"})
    assert construct.headers["content-type"].startswith("text/turtle")
    triples = list(ox.parse(construct.content, format=ox.RdfFormat.TURTLE))
    assert {t.object.value.rsplit("/", 1)[1] for t in triples} == {"valor-equity-partners", "spacex"}


def test_a_query_with_its_own_base_reaches_the_server_through_the_api(api: str) -> None:
    # The API declares its prefixes (and the endpoint as base) before the text; Virtuoso takes one BASE, first.
    query = "BASE <https://w3id.org/aikg/id/>\nPREFIX c: <colossus>\nASK { c: aik:locatedIn <memphis> }"
    answer = httpx.get(api + "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["boolean"] is True


def test_api_entity_card_and_view(api: str, embedded: Store) -> None:
    card = httpx.get(api + "/entities/xai")
    assert card.status_code == 200
    assert [e["id"] for e in card.json()["events"]] == [e["id"] for e in entity_card(embedded, "xai")["events"]]
    view = httpx.get(api + "/view")
    assert view.status_code == 200 and "Colossus" in view.text


def test_api_exports_equal_the_embedded_ones(api: str, embedded: Store, tmp_path: Path) -> None:
    archive = httpx.get(api + "/export/neo4j-csv.zip", timeout=30)
    assert archive.status_code == 200
    zipfile.ZipFile(io.BytesIO(archive.content)).extractall(tmp_path / "remote")
    zipfile.ZipFile(io.BytesIO(csv_archive(embedded))).extractall(tmp_path / "local")
    assert csv_lines(tmp_path / "remote") == csv_lines(tmp_path / "local")
    cypher = httpx.get(api + "/export/neo4j.cypher", timeout=30)
    assert cypher.status_code == 200 and '"https://w3id.org/aikg/id/xai"' in cypher.text


def test_a_runaway_query_is_stopped_at_the_deadline_while_health_answers(api: str) -> None:
    answers: dict[str, object] = {}

    def runaway() -> None:
        started = time.monotonic()
        answers["slow"] = httpx.get(api + "/sparql", params={"query": RUNAWAY}, timeout=60)
        answers["slow_s"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.5)
    started = time.monotonic()
    health = httpx.get(api + "/health", timeout=10)
    health_s = time.monotonic() - started
    thread.join(60)
    assert health.status_code == 200 and health_s < 2, health_s
    slow = answers["slow"]
    assert isinstance(slow, httpx.Response) and slow.status_code == 503, slow
    assert "deadline of 3 s" in slow.text
    assert answers["slow_s"] < 6


def test_an_update_through_the_api_reaches_the_server_and_its_derived_edges(api: str, remote: RemoteStore) -> None:
    notes = "https://w3id.org/aikg/source/remote-notes"
    update = (f"INSERT DATA {{ GRAPH <{notes}> {{ id:nvidia-round a aik:FundingRound ; "
              "aik:recipient id:xai ; aik:investor id:nvidia ; aik:amountUSD 1.0 } }")
    refused = httpx.post(api + "/sparql", data={"update": update})
    assert refused.status_code == 401  # the token is needed, as on the embedded store

    def apply(text: str) -> None:
        """Send an update with the token; the derived edges on the server then equal the rules over the whole store."""
        done = httpx.post(api + "/sparql", data={"update": text}, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
        assert done.status_code == 204, done.text
        assert {ox.Triple(q.subject, q.predicate, q.object) for q in remote.quads(DERIVED_GRAPH)} == derived_triples(remote)

    apply(update)
    assert remote.ask(sparql_prologue() + "ASK { GRAPH aik:derived { id:xai aik:fundedBy id:nvidia } }")
    # A correction of data: the derived edges follow the nodes it names.
    apply(f"DELETE DATA {{ GRAPH <{notes}> {{ id:nvidia-round aik:investor id:nvidia }} }} ; "
          f"INSERT DATA {{ GRAPH <{notes}> {{ id:nvidia-round aik:leadInvestor id:valor-equity-partners }} }}")
    assert remote.ask(sparql_prologue() + "ASK { GRAPH aik:derived { id:nvidia-round aik:investor id:valor-equity-partners } }")
    # The same correction written with WHERE, undone: its WHERE, run on the server first, names the quads it changes.
    apply(f"DELETE {{ GRAPH <{notes}> {{ ?r aik:leadInvestor ?lead }} }} INSERT {{ GRAPH <{notes}> {{ ?r aik:investor id:nvidia }} }} "
          f"WHERE {{ GRAPH <{notes}> {{ ?r aik:leadInvestor ?lead }} }}")
    assert remote.ask(sparql_prologue() + "ASK { GRAPH aik:derived { id:xai aik:fundedBy id:nvidia } }")
    assert not remote.ask(sparql_prologue() + "ASK { GRAPH aik:derived { id:nvidia-round aik:investor id:valor-equity-partners } }")
    dropped = httpx.post(api + "/sparql", data={"update": f"DROP SILENT GRAPH <{notes}>"},
                         headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
    assert dropped.status_code == 204, dropped.text
    assert not remote.ask(sparql_prologue() + "ASK { GRAPH aik:derived { id:xai aik:fundedBy id:nvidia } }")
    assert notes not in remote.graphs()


@pytest.mark.parametrize("kind", SERVERS)
def test_an_api_on_a_server_answers_after_post_ingest_as_one_started_afterwards(kind: str, tmp_path: Path) -> None:
    """After an ingest the API's caches (projection, view details, search) follow it by querying the server for the
    nodes it names; their answers equal those of an API that reads everything afresh."""
    asks = [("/paths", {"from": "nova-compute", "to": "xai"}), ("/entities/nova-compute/neighbors", {"depth": "2"}),
            ("/view", {"focus": "nova-compute", "depth": "1"}), ("/entities", {"q": "nova"})]

    def answer(response: httpx.Response) -> object:
        assert response.status_code == 200, response.text
        return response.json() if response.headers["content-type"].startswith("application/json") else response.text

    with running(kind, tmp_path / kind) as server:
        build_store(store=server.location)[0].close()
        with live_server(server.location, token=TOKEN) as base, httpx.Client(base_url=base, timeout=120) as client:
            assert client.get("/view", params={"focus": "valor-equity-partners"}).status_code == 200
            assert client.get("/entities", params={"q": "x"}).json()["total"] > 0
            added = client.post("/ingest", content=ingest_tests.SERVED_FILE, headers={
                "content-type": "application/yaml", "authorization": f"Bearer {TOKEN}"})
            assert added.status_code == 200, added.text
            followed = [answer(client.get(path, params=params)) for path, params in asks]
        with live_server(server.location) as base, httpx.Client(base_url=base, timeout=120) as client:
            fresh = [answer(client.get(path, params=params)) for path, params in asks]
    assert followed == fresh
    assert fresh[0]["hops"] >= 1 and fresh[3]["items"][0]["slug"] == "nova-compute"
