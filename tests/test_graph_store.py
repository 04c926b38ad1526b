"""The SPARQL 1.1 Graph Store HTTP Protocol at /store: whole graphs read and written by their IRI, over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from live_server import live_server

from graph.build import build_store

TOKEN = "graph-store-secret"
WRITE = {"Authorization": f"Bearer {TOKEN}"}
FASTVIEW = "https://w3id.org/aikg/source/fastview-2025-07-xai-raises-12b"
NOTES = "https://w3id.org/aikg/source/graph-store-notes"
AIK, ID = "https://w3id.org/aikg/ontology#", "https://w3id.org/aikg/id/"
ROUND = f"""<{ID}notes-round> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{AIK}FundingRound> .
<{ID}notes-round> <{AIK}recipient> <{ID}xai> .
<{ID}notes-round> <{AIK}investor> <{ID}tesla> .
"""


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> httpx.Client:
    store = tmp_path_factory.mktemp("graph-store") / "store"
    build_store(store=store)[0].close()
    with live_server(Path(store), token=TOKEN) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client


def _triples(ntriples: str | bytes) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(ntriples.encode() if isinstance(ntriples, str) else ntriples, ox.RdfFormat.N_TRIPLES)}


def _graph(api: httpx.Client, **params: str) -> set[ox.Triple]:
    response = api.get("/store", params=params, headers={"Accept": "application/n-triples"})
    assert response.status_code == 200, response.text
    return _triples(response.content)


def _constructed(api: httpx.Client, where: str) -> set[ox.Triple]:
    response = api.post("/sparql", data={"query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}"},
                        headers={"Accept": "application/n-triples"})
    return _triples(response.content)


def _selected(api: httpx.Client, graph: str) -> set[ox.Triple]:
    """The triples of one graph as a SPARQL SELECT gives them (a server's own forms of its literals)."""
    response = api.post("/sparql", data={"query": f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
                        headers={"Accept": "application/sparql-results+json"})
    return {ox.Triple(row["s"], row["p"], row["o"]) for row in ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)}


def _ask(api: httpx.Client, pattern: str) -> bool:
    return api.post("/sparql", data={"query": f"ASK {{ {pattern} }}"},
                    headers={"Accept": "application/sparql-results+json"}).json()["boolean"]


def _funders(api: httpx.Client) -> set[tuple[str, str]]:
    """The funded-by edges around xAI, as the query workers' projection of the graph has them."""
    edges = api.get("/entities/xai/neighbors", params={"depth": 1}).json()["edges"]
    return {(e["from"], e["to"]) for e in edges if e["predicate"].endswith("fundedBy")}


def _put(api: httpx.Client, body: str, media_type: str = "application/n-triples", graph: str = NOTES) -> httpx.Response:
    return api.put("/store", params={"graph": graph}, content=body.encode(), headers={**WRITE, "Content-Type": media_type})


@pytest.mark.parametrize(("accept", "fmt"), [
    ("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", ox.RdfFormat.JSON_LD), ("application/rdf+xml", ox.RdfFormat.RDF_XML),
])
def test_a_source_graph_reads_in_each_format_as_sparql_sees_it(api: httpx.Client, accept: str, fmt: ox.RdfFormat) -> None:
    response = api.get("/store", params={"graph": FASTVIEW}, headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    read = {q.triple for q in ox.parse(response.content, fmt)}
    assert len(read) > 100 and read == _selected(api, FASTVIEW)


def test_a_quad_format_names_the_graph_and_head_answers_without_a_body(api: httpx.Client) -> None:
    quads = list(ox.parse(api.get("/store", params={"graph": FASTVIEW}, headers={"Accept": "application/n-quads"}).content,
                          ox.RdfFormat.N_QUADS))
    assert {q.graph_name for q in quads} == {ox.NamedNode(FASTVIEW)}
    head = api.head("/store", params={"graph": FASTVIEW}, headers={"Accept": "text/turtle"})
    assert head.status_code == 200 and head.headers["content-type"].startswith("text/turtle") and head.content == b""


def test_the_default_graph_is_the_union_a_query_sees(api: httpx.Client) -> None:
    assert _graph(api, default="") == _constructed(api, "GRAPH ?g { ?s ?p ?o }")


@pytest.mark.parametrize(("accept", "fmt"), [("application/n-quads", ox.RdfFormat.N_QUADS), ("*/*", ox.RdfFormat.TRIG)])
def test_the_whole_store_reads_as_quads_each_in_its_graph(api: httpx.Client, accept: str, fmt: ox.RdfFormat) -> None:
    response = api.get("/store", headers={"Accept": accept})
    assert response.status_code == 200
    quads = list(ox.parse(response.content, fmt))
    graphs = {q.graph_name.value for q in quads}
    assert {FASTVIEW, f"{AIK}derived", "https://w3id.org/aikg/ontology"} <= graphs
    assert len(quads) == api.get("/health").json()["quads"]
    assert {q.triple for q in quads if q.graph_name.value == FASTVIEW} == _selected(api, FASTVIEW)
    assert api.get("/store", headers={"Accept": "text/turtle"}).status_code == 406  # a store is not one graph


def test_a_graph_or_store_past_the_result_limit_is_a_413(tmp_path: Path) -> None:
    store = tmp_path / "store"
    build_store(store=store)[0].close()
    with live_server(store, max_result="2000") as base, httpx.Client(base_url=base, timeout=30) as client:
        whole = client.get("/store", headers={"Accept": "application/n-quads"})
        assert whole.status_code == 413 and "aikg export rdf" in whole.text
        one = client.get("/store", params={"graph": FASTVIEW})
        assert one.status_code == 413 and "2,000 bytes" in one.text


def test_put_creates_then_replaces_a_graph_and_the_derived_edges_follow(api: httpx.Client) -> None:
    created = _put(api, ROUND)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == created.json()["graph"] == NOTES
    assert _graph(api, graph=NOTES) == _triples(ROUND)
    assert _ask(api, f"<{ID}xai> <{AIK}fundedBy> <{ID}tesla>")
    assert ("xai", "tesla") in _funders(api)  # the query workers' projection follows the write

    assert _put(api, ROUND).status_code == 204  # the same graph again: nothing to write

    moved = ROUND.replace(f"{ID}tesla", f"{ID}spacex")
    assert _put(api, moved).status_code == 204
    assert _graph(api, graph=NOTES) == _triples(moved)
    assert _ask(api, f"<{ID}xai> <{AIK}fundedBy> <{ID}spacex>")
    assert not _ask(api, f"GRAPH <{AIK}derived> {{ <{ID}xai> <{AIK}fundedBy> <{ID}tesla> }}")
    assert ("xai", "spacex") in _funders(api) and ("xai", "tesla") not in _funders(api)
    api.delete("/store", params={"graph": NOTES}, headers=WRITE)


def test_post_adds_to_a_graph_and_delete_removes_it_with_its_derived_edges(api: httpx.Client) -> None:
    turtle = f"@prefix aik: <{AIK}> .\n<{ID}notes-round> aik:investor <{ID}nvidia> ; aik:note [ aik:text \"a blank node\" ] ."
    assert _put(api, ROUND).status_code == 201
    added = api.post("/store", params={"graph": NOTES}, content=turtle.encode(),
                     headers={**WRITE, "Content-Type": "text/turtle"})
    assert added.status_code == 204, added.text
    held = _graph(api, graph=NOTES)
    assert _triples(ROUND) < held and len(held) == 3 + 2 + 1
    assert _ask(api, f"<{ID}xai> <{AIK}fundedBy> <{ID}nvidia>")

    assert api.delete("/store", params={"graph": NOTES}, headers=WRITE).status_code == 204
    assert api.get("/store", params={"graph": NOTES}).status_code == 404
    assert not _ask(api, f"<{ID}xai> <{AIK}fundedBy> <{ID}tesla>")
    assert api.delete("/store", params={"graph": NOTES}, headers=WRITE).status_code == 404


def test_a_graph_bigger_than_one_update_operation_is_written_whole(api: httpx.Client) -> None:
    # Virtuoso refuses an operation of more than about 1,500 triples: the write is several in one request.
    big = "".join(f'<{ID}notes-round> <{AIK}note> "note {i}" .\n' for i in range(2500))
    assert _put(api, big).status_code == 201
    assert _graph(api, graph=NOTES) == _triples(big)
    smaller = "".join(f'<{ID}notes-round> <{AIK}note> "note {i}" .\n' for i in range(1000, 3600))
    assert _put(api, smaller).status_code == 204  # 1,000 deleted, 1,100 added
    assert _graph(api, graph=NOTES) == _triples(smaller)
    assert api.delete("/store", params={"graph": NOTES}, headers=WRITE).status_code == 204


def _post_store(api: httpx.Client, body: str, media_type: str) -> httpx.Response:
    return api.post("/store", content=body.encode(), headers={**WRITE, "Content-Type": media_type})


def test_post_of_a_dataset_adds_each_triple_to_its_graph_with_the_derived_edges(api: httpx.Client) -> None:
    other = "https://w3id.org/aikg/source/graph-store-other-notes"
    quads = "".join(f"{line[:-2]} <{NOTES}> .\n" for line in ROUND.splitlines())
    quads += f'<{ID}xai> <http://www.w3.org/2004/02/skos/core#altLabel> "X dot AI" <{other}> .\n'
    fastview_before = _graph(api, graph=FASTVIEW)
    quads += f'<{ID}xai> <http://www.w3.org/2004/02/skos/core#altLabel> "xAI Corp." <{FASTVIEW}> .\n'
    added = _post_store(api, quads, "application/n-quads")
    assert added.status_code == 204, added.text
    assert _graph(api, graph=NOTES) == _triples(ROUND)
    assert len(_graph(api, graph=other)) == 1
    assert _graph(api, graph=FASTVIEW) - fastview_before == _triples(f'<{ID}xai> <http://www.w3.org/2004/02/skos/core#altLabel> "xAI Corp." .')
    assert _ask(api, f"<{ID}xai> <{AIK}fundedBy> <{ID}tesla>") and ("xai", "tesla") in _funders(api)

    # TriG, with a blank node in one graph: it stays one node there.
    trig = f"""<{NOTES}> {{ <{ID}notes-round> <{AIK}note> _:n . _:n <{AIK}text> "a note" . }}"""
    posted = _post_store(api, trig, "application/trig")
    assert posted.status_code == 204, posted.text
    assert _ask(api, f'GRAPH <{NOTES}> {{ <{ID}notes-round> <{AIK}note> ?n . ?n <{AIK}text> "a note" FILTER(isBlank(?n)) }}')
    for graph in (NOTES, other):
        assert api.delete("/store", params={"graph": graph}, headers=WRITE).status_code == 204
    api.put("/store", params={"graph": FASTVIEW}, headers={**WRITE, "Content-Type": "application/n-triples"},
            content=ox.serialize(fastview_before, format=ox.RdfFormat.N_TRIPLES))
    assert _graph(api, graph=FASTVIEW) == fastview_before


@pytest.mark.parametrize(("body", "words"), [
    (f"<{ID}a> <{AIK}b> <{ID}c> .\n", "default graph"),
    (f"<{ID}a> <{AIK}b> <{ID}c> <{NOTES}> .\n<{ID}a> <{AIK}b> <{ID}c> <{AIK}derived> .\n", "derived edges"),
    (f"<{ID}a> <{AIK}b> <{ID}c> _:g .\n", "blank node _:g"),
    (f"<{ID}a> <{AIK}b> _:n <{NOTES}> .\n_:n <{AIK}b> <{ID}c> <{NOTES}-2> .\n", "in two graphs"),
    (f"<{ID}a> <{AIK}b> <{ID}c> <{NOTES}> .\n<{ID}a> <{AIK}b> oops <{NOTES}> .\n", "line 2"),
])
def test_a_dataset_the_store_cannot_take_is_refused_whole(api: httpx.Client, body: str, words: str) -> None:
    response = _post_store(api, body, "application/n-quads")
    assert response.status_code == 400 and words in response.json()["detail"], response.text
    assert "nothing was written" in response.json()["detail"]
    assert api.get("/store", params={"graph": NOTES}).status_code == 404


def test_post_of_a_graph_to_the_store_makes_a_new_graph_the_server_names(api: httpx.Client) -> None:
    turtle = f"@prefix aik: <{AIK}> .\n<{ID}notes-round> aik:note \"first\" ."
    made = [_post_store(api, turtle, "text/turtle") for _ in range(2)]
    assert [r.status_code for r in made] == [201, 201], made[0].text
    graphs = [r.headers["location"] for r in made]
    assert graphs[0] != graphs[1] and graphs == [r.json()["graph"] for r in made]
    for graph in graphs:
        assert graph.startswith("https://w3id.org/aikg/source/upload-")
        assert _graph(api, graph=graph) == _triples(f'<{ID}notes-round> <{AIK}note> "first" .')
        assert api.delete("/store", params={"graph": graph}, headers=WRITE).status_code == 204
    empty = _post_store(api, "# nothing\n", "text/turtle")
    assert empty.status_code == 400 and "no triple" in empty.json()["detail"]


def test_post_of_json_ld_naming_its_graphs_adds_them_as_a_dataset(api: httpx.Client) -> None:
    """JSON-LD is a dataset format too: a graph's ``@id`` over its ``@graph`` names where its triples go."""
    context = {"aik": AIK}
    note = {"@id": f"{ID}notes-round", "aik:note": "first"}
    posted = _post_store(api, json.dumps({"@context": context, "@graph": [{"@id": NOTES, "@graph": [note]}]}),
                         "application/ld+json")
    assert posted.status_code == 204, posted.text
    assert _graph(api, graph=NOTES) == _triples(f'<{ID}notes-round> <{AIK}note> "first" .')
    assert api.delete("/store", params={"graph": NOTES}, headers=WRITE).status_code == 204

    # Loose triples beside a named graph: where they would go is the sender's to say.
    mixed = {"@context": context, "@graph": [{"@id": f"{ID}loose", "aik:note": "x"}, {"@id": NOTES, "@graph": [note]}]}
    refused = _post_store(api, json.dumps(mixed), "application/ld+json")
    assert refused.status_code == 400, refused.text
    assert all(w in refused.json()["detail"] for w in ("outside any graph", NOTES, "nothing was written"))
    assert api.get("/store", params={"graph": NOTES}).status_code == 404

    made = _post_store(api, json.dumps({"@context": context, **note}), "application/ld+json")
    assert made.status_code == 201, made.text
    assert _graph(api, graph=made.json()["graph"]) == _triples(f'<{ID}notes-round> <{AIK}note> "first" .')
    assert api.delete("/store", params={"graph": made.json()["graph"]}, headers=WRITE).status_code == 204


def test_a_body_that_does_not_parse_is_a_400_naming_its_line_and_changes_nothing(api: httpx.Client) -> None:
    before = _graph(api, graph=FASTVIEW)
    response = _put(api, f"<{ID}a> <{AIK}b> <{ID}c> .\n<{ID}a> <{AIK}b> oops .\n", graph=FASTVIEW)
    assert response.status_code == 400 and "line 2" in response.json()["detail"]
    assert "nothing was written" in response.json()["detail"]
    assert _graph(api, graph=FASTVIEW) == before


def test_a_json_ld_context_given_by_its_address_is_never_fetched(api: httpx.Client) -> None:
    response = _put(api, '{"@context": "https://schema.org/", "@id": "urn:x:a", "name": "x"}', "application/ld+json")
    assert response.status_code == 400, response.text
    assert all(w in response.json()["detail"] for w in ("@context given by its address", "never fetches", "nothing was written"))
    assert api.get("/store", params={"graph": NOTES}).status_code == 404


def test_a_json_ld_body_naming_a_graph_of_its_own_is_refused(api: httpx.Client) -> None:
    body = '{"@id": "urn:x:other", "@graph": [{"@id": "urn:x:a", "urn:x:b": "c"}]}'
    response = _put(api, body, "application/ld+json")
    assert response.status_code == 400 and "urn:x:other" in response.json()["detail"]
    assert api.get("/store", params={"graph": NOTES}).status_code == 404


@pytest.mark.parametrize(("method", "params", "headers", "status", "words"), [
    ("PUT", {"graph": NOTES}, {"Content-Type": "text/turtle"}, 401, "Authorization"),
    ("PUT", {"graph": NOTES}, {**WRITE, "Content-Type": "application/trig"}, 415, "POST /store with no graph"),
    ("POST", {}, {**WRITE, "Content-Type": "text/csv"}, 415, "a dataset as application/trig"),
    ("PUT", {"default": ""}, {**WRITE, "Content-Type": "text/turtle"}, 400, "named graph"),
    ("PUT", {"graph": f"{AIK}derived"}, {**WRITE, "Content-Type": "text/turtle"}, 400, "derived edges"),
    ("POST", {"graph": "not an iri"}, {**WRITE, "Content-Type": "text/turtle"}, 400, "absolute IRI"),
    ("PUT", {}, {**WRITE, "Content-Type": "text/turtle"}, 400, "?graph=IRI"),
    ("GET", {"graph": NOTES, "default": ""}, {}, 400, "one of the two"),
    ("GET", {"graph": f"{ID}nothing-here"}, {}, 404, "no triple"),
    ("DELETE", {"default": ""}, WRITE, 400, "read-only"),
])
def test_bad_requests_are_refused_naming_the_rule(api: httpx.Client, method: str, params: dict, headers: dict,
                                                  status: int, words: str) -> None:
    response = api.request(method, "/store", params=params, headers=headers, content=b"<urn:a> <urn:b> <urn:c> .")
    assert response.status_code == status and words in response.json()["detail"]
