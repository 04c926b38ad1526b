"""After an ingest, or an update that only inserts data, the networkx projection is extended with the quads written;
after an update of INSERT DATA and DELETE DATA, or one plain DELETE/INSERT ... WHERE, the nodes it names (through its
WHERE, read before it runs) are read again; neither reads the whole store.
The view's details (event figures, sources, aliases) read again what either names.

Checked two ways: in process, the extended projection equals a fresh one; over HTTP, a server
whose workers extended their projection answers neighbourhoods and paths exactly as a server
started afterwards (which reads the store from scratch).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import networkx as nx
import pyoxigraph as ox
import pytest
from live_server import live_server
from synthetic import synthetic_store
from test_load_ingest import FACT_FILE, SERVED_FILE

from api.sparql_protocol import UpdateJob, run_update
from api.workers import Written
from graph import analysis
from graph.cards import slug_of
from graph.ingest import ingest
from graph.store import open_store
from graph.view.details import read_details, read_details_again

TOKEN = "pr0jection"


def comparable(graph: nx.MultiDiGraph) -> tuple[dict[str, Any], dict[tuple[str, str, str], Any]]:
    """Nodes and edges with their data; lists sorted (a fresh projection lists sources in query order)."""
    def plain(data: dict[str, Any]) -> dict[str, Any]:
        return {k: sorted(v) if isinstance(v, list) else v for k, v in data.items()}
    return ({n: plain(d) for n, d in graph.nodes(data=True)},
            {(u, v, k): plain(d) for u, v, k, d in graph.edges(keys=True, data=True)})


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    return synthetic_store(tmp_path, 5_000, seed=1, bundled=True)  # the world FACT_FILE refers to, on the bundled graph


@pytest.mark.parametrize("fact_file", [FACT_FILE, SERVED_FILE], ids=["new-and-known-entities", "new-round-for-a-known-investor"])
def test_an_extended_projection_equals_a_fresh_one(loaded: Path, tmp_path: Path, fact_file: str) -> None:
    path = tmp_path / "facts.yaml"
    path.write_text(fact_file, encoding="utf-8")
    store = open_store(loaded)
    try:
        projection = analysis.project(store)
        report = ingest(store, path)
        assert report.added and len(report.added) == report.quads + report.derived_added
        analysis.extend(projection, report.added)
        fresh = analysis.project(store)
    finally:
        store.close()
    assert comparable(projection) == comparable(fresh)
    assert projection.number_of_edges() > 0
    # Nodes added in another order rank the same to the last digit (the view and GET /centrality show the scores).
    assert list(fresh) != list(projection)
    assert analysis.ranking(projection) == analysis.ranking(fresh)


def test_the_extension_adds_nodes_edges_names_and_the_events_behind_shortcuts(loaded: Path, tmp_path: Path) -> None:
    path = tmp_path / "facts.yaml"
    path.write_text(FACT_FILE, encoding="utf-8")
    store = open_store(loaded)
    try:
        projection = analysis.project(store)
        assert "acme-gpu-cloud" not in projection and projection.nodes["stratus-cloud"]["name_ja"] == "ストラタス・クラウド"
        analysis.extend(projection, ingest(store, path).added)
    finally:
        store.close()
    assert projection.nodes["acme-gpu-cloud"]["cls"] == "Company"
    assert projection.nodes["stratus-cloud"]["name_ja"] == min("ストラタス・クラウド", "別名")  # two Japanese labels now: the first in code-point order
    funded = projection.edges["acme-gpu-cloud", "stratus-cloud", "fundedBy"]
    assert funded["derived"] and funded["events"] == ["acme-gpu-cloud-series-a-2026"]
    assert funded["sources"] == ["https://w3id.org/aikg/source/test-wire-2026-01-acme"]


def test_served_workers_extend_their_projection_after_post_ingest(loaded: Path) -> None:
    asks = [("/entities/valor-equity-partners/neighbors", {"depth": "1"}), ("/paths", {"from": "nova-compute", "to": "xai"}),
            ("/entities/nova-compute/neighbors", {"depth": "2"}), ("/view", {"focus": "nova-compute", "depth": "1"}),
            ("/entities", {"q": "nova"})]
    with live_server(loaded, token=TOKEN) as base, httpx.Client(base_url=base, timeout=120) as client:
        for _ in range(2):  # both workers build their projection and the view's details before the write
            assert client.get("/view", params={"focus": "valor-equity-partners"}).status_code == 200
            assert client.get("/entities", params={"q": "x"}).status_code == 200
        added = client.post("/ingest", content=SERVED_FILE, headers={
            "content-type": "application/yaml", "authorization": f"Bearer {TOKEN}"})
        assert added.status_code == 200, added.text
        assert set(added.json()) == {"source", "quads", "derived_added", "derived_removed", "seconds"}
        extended = [[_answer(client.get(path, params=params)) for path, params in asks] for _ in range(2)]  # both workers
    with live_server(loaded) as base, httpx.Client(base_url=base, timeout=120) as client:
        fresh = [_answer(client.get(path, params=params)) for path, params in asks]
    assert extended[0] == extended[1] == fresh
    assert fresh[1]["hops"] == 2 and any(n["id"] == "nova-compute" for n in fresh[0]["nodes"])


INSERT_ONLY = """INSERT DATA {
  GRAPH aik:entities { id:orbit-ai a aik:Company ; rdfs:label "Orbit AI"@en }
  GRAPH src:update-2026-orbit { id:orbit-ai-seed-2026 a aik:FundingRound ; rdfs:label "Orbit AI seed" ;
      aik:recipient id:orbit-ai ; aik:leadInvestor id:nvidia ; prov:wasDerivedFrom src:update-2026-orbit }
}"""


def test_an_update_that_only_inserts_data_extends_the_projection_like_an_ingest(loaded: Path) -> None:
    store = open_store(loaded)
    try:
        projection = analysis.project(store)
        written = run_update(store, UpdateJob(text=INSERT_ONLY))
        assert isinstance(written, Written) and written.answer > 0
        analysis.extend(projection, ox.parse(written.added, ox.RdfFormat.N_QUADS))
        fresh = analysis.project(store)
    finally:
        store.close()
    assert comparable(projection) == comparable(fresh)
    assert projection.edges["orbit-ai", "nvidia", "fundedBy"]["events"] == ["orbit-ai-seed-2026"]


def test_served_workers_extend_their_projection_after_an_insert_data_update(loaded: Path) -> None:
    asks = [("/paths", {"from": "orbit-ai", "to": "xai"}), ("/entities/orbit-ai/neighbors", {"depth": "2"})]
    with live_server(loaded, token=TOKEN) as base, httpx.Client(base_url=base, timeout=120) as client:
        for _ in range(2):  # both workers build their projection before the write
            assert client.get("/paths", params={"from": "valor-equity-partners", "to": "xai"}).status_code == 200
        done = client.post("/sparql", data={"update": INSERT_ONLY}, headers={"authorization": f"Bearer {TOKEN}"})
        assert done.status_code == 204, done.text
        extended = [[client.get(path, params=params).json() for path, params in asks] for _ in range(2)]  # both workers
    with live_server(loaded) as base, httpx.Client(base_url=base, timeout=120) as client:
        fresh = [client.get(path, params=params).json() for path, params in asks]
    assert extended[0] == extended[1] == fresh
    assert fresh[0]["hops"] >= 2 and any(n["id"] == "orbit-ai" for n in fresh[1]["nodes"])


_FASTVIEW = "src:fastview-2025-07-xai-raises-12b"
DATA_UPDATES = {
    "an-investor-taken-away": f"DELETE DATA {{ GRAPH {_FASTVIEW} {{ id:spacex-invests-in-xai-2025 aik:investor id:spacex }} }}",
    "an-entity-renamed": """DELETE DATA { GRAPH aik:entities { id:valor-equity-partners rdfs:label "Valor Equity Partners"@en } } ;
        INSERT DATA { GRAPH aik:entities { id:valor-equity-partners rdfs:label "Valor Partners"@en } }""",
    "an-entity-untyped": "DELETE DATA { GRAPH aik:entities { id:valor-equity-partners a aik:InvestmentFirm } }",
    "an-event-without-its-source": f"DELETE DATA {{ GRAPH {_FASTVIEW} {{ id:xai-debt-raise-2025-07 prov:wasDerivedFrom {_FASTVIEW} }} }}",
    "a-round-moved-to-another-recipient": f"""DELETE DATA {{ GRAPH {_FASTVIEW} {{ id:spacex-invests-in-xai-2025 aik:recipient id:xai }} }} ;
        INSERT DATA {{ GRAPH {_FASTVIEW} {{ id:spacex-invests-in-xai-2025 aik:recipient id:valor-equity-partners }} }}""",
}


@pytest.mark.parametrize("update", DATA_UPDATES.values(), ids=DATA_UPDATES)
def test_an_update_of_data_that_deletes_reads_again_only_the_nodes_it_names(loaded: Path, update: str) -> None:
    store = open_store(loaded)
    try:
        projection = analysis.project(store)
        before = comparable(projection)
        written = run_update(store, UpdateJob(text=update))
        assert isinstance(written, Written) and written.added is None
        assert written.touched and len(written.touched) < 20  # the nodes named, not the store
        analysis.reproject(projection, store, written.touched)
        fresh = analysis.project(store)
    finally:
        store.close()
    assert comparable(projection) == comparable(fresh)
    assert comparable(fresh) != before  # each update changes what the projection shows


def test_a_node_named_keeps_its_edges_with_nodes_not_named(loaded: Path) -> None:
    """Only what stands between two nodes named is read again: xAI, named by an update that moves one of its rounds
    to another recipient, keeps its edges with the rest of the graph as they were."""
    store = open_store(loaded)
    try:
        projection = analysis.project(store)
        written = run_update(store, UpdateJob(text=DATA_UPDATES["a-round-moved-to-another-recipient"]))
        named = {slug_of(iri) for iri in written.touched}
        kept = {(u, v, k): data for node in named if node in projection
                for u, v, k, data in (*projection.out_edges(node, keys=True, data=True),
                                      *projection.in_edges(node, keys=True, data=True))
                if not (u in named and v in named)}
        analysis.reproject(projection, store, written.touched)
    finally:
        store.close()
    assert len(kept) > 10  # xAI's edges with the rest of the graph, among others
    assert all(projection.edges[edge] is data for edge, data in kept.items())


def test_what_the_data_updates_change_in_the_projection(loaded: Path) -> None:
    store = open_store(loaded)
    try:
        projection = analysis.project(store)
        assert projection.has_edge("xai", "spacex", "fundedBy") and "valor-equity-partners" in projection
        for name in ("an-investor-taken-away", "an-entity-untyped", "an-event-without-its-source"):
            analysis.reproject(projection, store, run_update(store, UpdateJob(text=DATA_UPDATES[name])).touched)
    finally:
        store.close()
    assert not projection.has_edge("xai", "spacex", "fundedBy")  # its one round no longer names SpaceX
    assert "valor-equity-partners" not in projection  # no class left in aik:entities
    assert "xai-debt-raise-2025-07" not in projection  # an event is what a source reports
    assert all("xai-debt-raise-2025-07" not in data.get("events", []) for *_, data in projection.edges(data=True))


def test_an_update_naming_too_many_nodes_leaves_the_projection_to_be_made_afresh(loaded: Path, monkeypatch) -> None:
    from api import sparql_protocol

    monkeypatch.setattr(sparql_protocol, "READ_AGAIN_AT_MOST", 2)  # the update names three: the round, SpaceX, xAI
    store = open_store(loaded)
    try:
        done = run_update(store, UpdateJob(text=DATA_UPDATES["an-investor-taken-away"]))
    finally:
        store.close()
    assert isinstance(done, int) and done > 0


WHERE_UPDATES = {
    "an-investor-taken-away-by-where": "DELETE WHERE { GRAPH ?g { id:spacex-invests-in-xai-2025 aik:investor ?who } }",
    "a-round-moved-by-where": """DELETE { GRAPH ?g { ?r aik:recipient id:xai } } INSERT { GRAPH ?g { ?r aik:recipient id:valor-equity-partners } }
        WHERE { GRAPH ?g { ?r aik:recipient id:xai ; aik:investor id:spacex } }""",
}


@pytest.mark.parametrize("update", WHERE_UPDATES.values(), ids=WHERE_UPDATES)
def test_an_update_with_where_reads_again_only_the_nodes_its_where_finds(loaded: Path, update: str) -> None:
    store = open_store(loaded)
    try:
        projection = analysis.project(store)
        before = comparable(projection)
        written = run_update(store, UpdateJob(text=update))
        assert isinstance(written, Written) and written.added is None
        assert written.touched and len(written.touched) < 20  # the nodes its WHERE found, not the store
        analysis.reproject(projection, store, written.touched)
        fresh = analysis.project(store)
    finally:
        store.close()
    assert comparable(projection) == comparable(fresh)
    assert comparable(fresh) != before


def test_an_update_with_where_not_read_beforehand_leaves_the_projection_to_be_made_afresh(loaded: Path) -> None:
    store = open_store(loaded)
    try:  # two operations: the second's WHERE would read what the first changed
        done = run_update(store, UpdateJob(text=WHERE_UPDATES["an-investor-taken-away-by-where"] + " ; "
                                           + WHERE_UPDATES["a-round-moved-by-where"]))
    finally:
        store.close()
    assert isinstance(done, int)


@pytest.mark.parametrize("update", [DATA_UPDATES["a-round-moved-to-another-recipient"], WHERE_UPDATES["a-round-moved-by-where"]],
                         ids=["data", "where"])
def test_served_workers_read_again_the_nodes_an_update_names(loaded: Path, update: str) -> None:
    asks = [("/paths", {"from": "spacex", "to": "xai"}), ("/entities/xai/neighbors", {"depth": "1"}),
            ("/entities/spacex/neighbors", {"depth": "2"}), ("/view", {"focus": "xai", "depth": "1"}), ("/entities", {"q": "valor"})]
    with live_server(loaded, token=TOKEN) as base, httpx.Client(base_url=base, timeout=120) as client:
        for _ in range(2):  # both workers build their projection and the view's details before the write
            assert client.get("/view", params={"focus": "valor-equity-partners"}).status_code == 200
            assert client.get("/entities", params={"q": "x"}).status_code == 200
        before = _answer(client.get("/view", params={"focus": "xai", "depth": "1"}))
        done = client.post("/sparql", data={"update": update}, headers={"authorization": f"Bearer {TOKEN}"})
        assert done.status_code == 204, done.text
        followed = [[_answer(client.get(path, params=params)) for path, params in asks] for _ in range(2)]  # both workers
    with live_server(loaded) as base, httpx.Client(base_url=base, timeout=120) as client:
        fresh = [_answer(client.get(path, params=params)) for path, params in asks]
    assert followed[0] == followed[1] == fresh
    assert not any(e["to"] == "xai" and e["from"] == "spacex-invests-in-xai-2025" for e in fresh[1].get("edges", []))
    assert fresh[3] != before  # the view around xAI changed with the round


def _answer(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json() if response.headers["content-type"].startswith("application/json") else response.text


@pytest.mark.parametrize("change", ["ingest", *DATA_UPDATES], ids=["ingest", *DATA_UPDATES])
def test_the_view_details_read_again_what_a_write_names_equal_fresh_ones(loaded: Path, tmp_path: Path, change: str) -> None:
    store = open_store(loaded)
    try:
        details = read_details(store)
        before = read_details(store)
        if change == "ingest":
            path = tmp_path / "facts.yaml"
            path.write_text(FACT_FILE, encoding="utf-8")
            report = ingest(store, path)
            written = Written(0, added=ox.serialize(report.added, format=ox.RdfFormat.N_QUADS))
        else:
            written = run_update(store, UpdateJob(text=DATA_UPDATES[change]))
        read_details_again(details, store, written.named())
        fresh = read_details(store)
    finally:
        store.close()
    assert details == fresh
    if change in ("ingest", "an-event-without-its-source", "an-investor-taken-away", "a-round-moved-to-another-recipient"):
        assert fresh.events != before.events


def test_a_write_through_the_executor_hands_its_change_to_the_caches_that_follow_it(loaded: Path) -> None:
    import anyio

    from api import rest_entities, view_routes
    from api.projection import cached_projection
    from api.workers import InlineExecutor, store_cache
    from graph.view.selection import ViewOptions

    store = open_store(loaded)
    try:
        view_routes.page(store, ViewOptions(focus="xai"))  # the projection and the view's details, cached
        rest_entities.search(store, "xai", None, 10, 0)  # the search index, cached
        executor = InlineExecutor(store)
        anyio.run(executor.write, run_update, UpdateJob(text=DATA_UPDATES["an-entity-renamed"]))
        cache = store_cache(store)
        assert {"projection", "view_details", "entity_index"} <= set(cache)  # carried over the write, not dropped
        assert cache["view_details"] == read_details(store)
        assert cache["entity_index"]["entities"] == rest_entities._read_entities(store)
        assert comparable(cached_projection(store)) == comparable(analysis.project(store))
    finally:
        store.close()


def test_the_view_details_read_again_an_event_whose_amount_is_a_blank_node(loaded: Path) -> None:
    from ontology import sparql_prologue

    store = open_store(loaded)
    try:
        details = read_details(store)
        store.update(sparql_prologue() + f"""INSERT DATA {{ GRAPH {_FASTVIEW} {{ id:xai-debt-raise-2025-07
            aik:monetaryAmount [ schema:value 7 ; schema:currency "EUR" ] }} }}""")
        read_details_again(details, store, ["https://w3id.org/aikg/id/xai-debt-raise-2025-07"])
        fresh = read_details(store)
    finally:
        store.close()
    assert details == fresh
    assert {"value": 7, "currency": "EUR"} in fresh.events["xai-debt-raise-2025-07"]["amounts"]


@pytest.mark.parametrize("change", ["ingest", *DATA_UPDATES], ids=["ingest", *DATA_UPDATES])
def test_the_search_index_reads_again_what_a_write_names_and_equals_a_fresh_one(loaded: Path, tmp_path: Path, change: str) -> None:
    from api import rest_entities
    from api.workers import store_cache

    store = open_store(loaded)
    try:
        kept = {"entity_index": rest_entities._entity_index(store)}
        if change == "ingest":
            path = tmp_path / "facts.yaml"
            path.write_text(FACT_FILE, encoding="utf-8")
            written = Written(0, added=ox.serialize(ingest(store, path).added, format=ox.RdfFormat.N_QUADS))
        else:
            written = run_update(store, UpdateJob(text=DATA_UPDATES[change]))
        store_cache(store).clear()
        rest_entities.follow(kept, written, store)
        followed = store_cache(store).pop("entity_index")
        fresh = rest_entities._entity_index(store)
        found = rest_entities.search(store, "valor", None, 10, 0)
    finally:
        store.close()
    assert followed == fresh
    if change == "an-entity-renamed":
        assert found["items"][0]["name"]["en"] == "Valor Partners"
    if change == "an-entity-untyped":
        assert found["total"] == 0


def test_a_cache_that_fails_to_follow_a_write_is_made_afresh_and_the_write_stands(loaded: Path, monkeypatch, caplog) -> None:
    import anyio

    from api import view_routes
    from api.workers import InlineExecutor, store_cache
    from graph.view.selection import ViewOptions

    def broken(*_: object) -> None:
        raise RuntimeError("the server went away")

    store = open_store(loaded)
    try:
        view_routes.page(store, ViewOptions(focus="xai"))
        monkeypatch.setattr(view_routes, "follow", broken)
        done = anyio.run(InlineExecutor(store).write, run_update, UpdateJob(text=DATA_UPDATES["an-entity-renamed"]))
        cache = store_cache(store)
        assert done == 0, "the write answers how many derived edges it changed: a new name changes none"
        assert "projection" in cache and "view_details" not in cache  # the others followed; that one goes
        assert "a cache could not follow the write" in caplog.text and "the server went away" in caplog.text
        assert "Valor Partners" in view_routes.page(store, ViewOptions(focus="valor-equity-partners"))  # read afresh
    finally:
        store.close()


# -- a Python program's update, from another process than the server's --------------------------

PROGRAM_UPDATES = {"data": DATA_UPDATES["a-round-moved-to-another-recipient"], "where": WHERE_UPDATES["a-round-moved-by-where"],
                   "insert-data": DATA_UPDATES["an-entity-renamed"].split(";")[1]}


@pytest.mark.parametrize("update", PROGRAM_UPDATES.values(), ids=PROGRAM_UPDATES)
def test_a_reader_follows_a_programs_update_and_an_ingest_before_it_without_making_its_projection_afresh(
        loaded: Path, tmp_path: Path, update: str) -> None:
    """``graph.update`` records the nodes it touched (or the quads it added) with its count of writes; a worker
    whose projection was made before it, and before an ``aikg ingest``, follows both."""
    import graph
    from api.workers import _reopen, store_cache
    from graph import write_count
    from graph.build import derived_triples
    from test_incremental_derivation import derived_graph

    reader, opened_as = _reopen(str(loaded), None, None, writes=(0, write_count.writes(loaded)))
    projection = store_cache(reader)["projection"] = analysis.project(reader)
    facts = tmp_path / "facts.yaml"
    facts.write_text(FACT_FILE, encoding="utf-8")
    kg = graph.open_graph(loaded)
    try:
        ingest(kg, facts)
        counted = write_count.writes(loaded)
        graph.update(kg, update)
        assert write_count.writes(loaded) == counted + 1, "the update and its derived edges count as one write"
        assert derived_graph(kg) == derived_triples(kg), "as the whole store's rules"
    finally:
        kg.close()
    followed, _ = _reopen(str(loaded), reader, opened_as, writes=(0, write_count.writes(loaded)))
    assert store_cache(followed)["projection"] is projection, "brought in step, not made afresh"
    assert comparable(projection) == comparable(analysis.project(followed))


def test_served_workers_answer_after_a_programs_update_as_a_fresh_server(loaded: Path) -> None:
    import graph

    asks = [("/paths", {"from": "spacex", "to": "xai"}), ("/entities/xai/neighbors", {"depth": "1"}),
            ("/entities/spacex/neighbors", {"depth": "2"}), ("/view", {"focus": "xai", "depth": "1"}), ("/entities", {"q": "valor"})]
    with live_server(loaded) as base, httpx.Client(base_url=base, timeout=120) as client:
        for _ in range(2):  # both workers build their projection, the view's details and the search index first
            assert client.get("/view", params={"focus": "valor-equity-partners"}).status_code == 200
            assert client.get("/entities", params={"q": "x"}).status_code == 200
        before = [_answer(client.get(path, params=params)) for path, params in asks]
        kg = graph.open_graph(loaded)
        try:
            graph.update(kg, WHERE_UPDATES["a-round-moved-by-where"])
        finally:
            kg.close()
        followed = [[_answer(client.get(path, params=params)) for path, params in asks] for _ in range(2)]  # both workers
    with live_server(loaded) as base, httpx.Client(base_url=base, timeout=120) as client:
        fresh = [_answer(client.get(path, params=params)) for path, params in asks]
    assert followed[0] == followed[1] == fresh
    assert fresh != before
