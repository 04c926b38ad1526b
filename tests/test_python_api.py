"""The Python API of the README: open_graph, query, entity_card, project, build_store."""

from __future__ import annotations

import datetime as dt
import textwrap
from decimal import Decimal

import networkx as nx
import pytest

import graph
from graph.quads import ENTITIES_GRAPH


@pytest.fixture(scope="module")
def kg() -> graph.Store:
    return graph.open_graph(":memory:")


def test_query_returns_python_values_with_the_prefixes_predeclared(kg):
    rows = graph.query(kg, """
        SELECT ?who ?usd ?date WHERE {
          ?r aik:recipient id:xai ; aik:leadInvestor ?who ; aik:amountUSD ?usd ; aik:dateStart ?date }""")
    valor = [r for r in rows if r["who"].endswith("/valor-equity-partners")]
    assert valor, rows
    assert valor[0]["usd"] == 12_000_000_000
    assert isinstance(valor[0]["usd"], (int, Decimal))
    assert isinstance(valor[0]["date"], dt.date)


def test_query_error_names_the_users_line(kg):
    with pytest.raises(SyntaxError) as caught:
        graph.query(kg, "SELECT ?x\nWHERE {\n  ?x aik:recipient id:xai .\n  FILTER(\n}")
    assert caught.value.lineno == 5 or "5:" in str(caught.value), str(caught.value)


def test_entity_card_lists_the_three_rounds_of_xai(kg):
    card = graph.entity_card(kg, "xai")
    assert card["name"]["en"] == "xAI"
    rounds = [e for e in card["events"] if e["type"] == "FundingRound"]
    assert len(rounds) == 3, card["events"]
    twelve = [e for e in rounds if {"value": 12_000_000_000, "currency": "USD"} in e["amounts"]]
    assert [p["slug"] for p in twelve[0]["participants"]["leadInvestor"]] == ["valor-equity-partners"]
    assert {"value": 1_765_400_000_000, "currency": "JPY"} in twelve[0]["amounts"]
    with pytest.raises(graph.UnknownEntity):
        graph.entity_card(kg, "no-such-entity")


@pytest.mark.parametrize("text, slug", [
    ("elon-musk", "elon-musk"), ("Elon Musk", "elon-musk"), ("  elon musk ", "elon-musk"), ("ｘＡＩ", "xai"),
    ("X.AI", "xai"), ("イーロン・マスク", "elon-musk"), ("https://w3id.org/aikg/id/nvidia", "nvidia"),
])
def test_find_entity_takes_a_slug_an_iri_a_name_or_an_alias(kg, text, slug):
    assert graph.find_entity(kg, text) == slug


@pytest.mark.parametrize("text", ["Nobody Known", "x> ?p ?o } } #", "colossus\n<id:xai>"])
def test_text_naming_no_entity_is_an_unknown_entity_not_a_query_error(kg, text):
    with pytest.raises(graph.UnknownEntity):
        graph.find_entity(kg, text)
    with pytest.raises(graph.UnknownEntity):
        graph.entity_card(kg, text)


def test_a_name_two_entities_carry_is_ambiguous_and_an_alias_from_a_note_is_found():
    kg = graph.open_graph(":memory:")
    graph.update(kg, "INSERT DATA { GRAPH aik:entities { id:spacex skos:altLabel 'Musk'@en } "
                     "GRAPH <urn:notes> { id:colossus skos:altLabel 'The Memphis cluster'@en } }")
    with pytest.raises(graph.AmbiguousName) as caught:
        graph.find_entity(kg, "musk")
    assert [slug for slug, _ in caught.value.matches] == ["elon-musk", "spacex"]
    assert "'musk' names 2 entities: elon-musk (Elon Musk), spacex (SpaceX); give one's slug" == str(caught.value)
    assert graph.find_entity(kg, "the memphis cluster") == "colossus"


def test_project_is_a_multidigraph_keyed_by_slug(kg):
    g = graph.project(kg)
    assert isinstance(g, nx.MultiDiGraph)
    assert {"xai", "valor-equity-partners", "colossus", "nvidia", "elon-musk"} <= set(g.nodes)
    assert g.has_edge("xai", "valor-equity-partners")  # funded by
    entities = graph.query(kg, f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ GRAPH <{ENTITIES_GRAPH}> {{ ?e rdfs:label ?l }} }}")
    assert g.number_of_nodes() >= entities[0]["n"] > 10


def test_paths_between_names_both_ends_of_every_step(kg):
    found = graph.paths_between(graph.project(kg), "valor-equity-partners", "colossus", max_hops=2)
    assert (found["hops"], found["count"]) == (2, 1)
    assert [(s["from_name"], s["predicate"], s["to_name"]) for s in found["paths"][0]] == [
        ("Valor Equity Partners", "fundedBy", "xAI"), ("xAI", "operator", "Colossus")]


def test_open_graph_on_disk_builds_once_then_reopens(tmp_path):
    where = tmp_path / "store"
    first = graph.open_graph(where)
    quads = len(first)
    assert quads > 800
    first.close()
    again = graph.open_graph(where)
    try:
        assert len(again) == quads
        assert graph.entity_card(again, "colossus")["name"]["en"] == "Colossus"
    finally:
        again.close()


def test_open_graph_read_only_reads_and_refuses_writes(tmp_path):
    where = tmp_path / "store"
    kg = graph.open_graph(where, read_only=True)  # built first, then opened to read
    try:
        assert kg.read_only and graph.entity_card(kg, "colossus")["name"]["en"] == "Colossus"
        with pytest.raises(graph.StoreError, match="opened read-only"):
            kg.update('INSERT DATA { GRAPH <https://w3id.org/aikg/source/t> { <https://w3id.org/aikg/id/x> <https://w3id.org/aikg/ontology#note> "n" } }')
        writer = graph.open_store(where)  # a reader holds no lock: a writer opens beside it
        assert not writer.read_only
        writer.close()
    finally:
        kg.close()


def test_update_brings_the_derived_edges_in_step_and_a_bad_one_changes_nothing(tmp_path):
    from graph import write_count
    from graph.build import derived_triples
    from test_incremental_derivation import derived_graph
    from graph.recovery import marker_path

    where = tmp_path / "store"
    kg = graph.open_graph(where)
    funded_by = "SELECT ?who WHERE { GRAPH aik:derived { id:xai aik:fundedBy ?who } } ORDER BY ?who"
    try:
        before = graph.query(kg, funded_by)
        changed = graph.update(kg, """INSERT DATA { GRAPH <https://w3id.org/aikg/source/my-notes> {
            id:my-round a aik:FundingRound ; aik:recipient id:xai ; aik:leadInvestor id:nvidia } }""")
        assert changed == 3, "xAI funded by Nvidia, the lead counted as an investor, the round typed an event"
        assert graph.query(kg, funded_by) == sorted([*before, {"who": "https://w3id.org/aikg/id/nvidia"}], key=lambda r: r["who"])
        graph.update(kg, "DELETE WHERE { GRAPH ?g { id:my-round aik:leadInvestor ?who } }")
        assert graph.query(kg, funded_by) == before
        assert derived_graph(kg) == derived_triples(kg)
        counted, quads = write_count.writes(where), len(kg)
        with pytest.raises(SyntaxError) as caught:
            graph.update(kg, "INSERT DATA {\n  id:x aik:note }")
        assert "2:" in str(caught.value) or caught.value.lineno == 2, str(caught.value)  # the user's line, not ours
        with pytest.raises(RuntimeError):
            graph.update(kg, "DROP GRAPH <https://w3id.org/aikg/source/no-such-graph>")
        assert (write_count.writes(where), len(kg)) == (counted, quads), "nothing written, nothing counted"
        assert not marker_path(where).exists(), "no crash marker left behind"
    finally:
        kg.close()
    reader = graph.open_graph(where, read_only=True)
    try:
        with pytest.raises(graph.StoreError, match="read-only"):
            graph.update(reader, "INSERT DATA { id:x aik:note 'n' }")
    finally:
        reader.close()


def test_build_store_takes_a_users_folder(tmp_path):
    folder = tmp_path / "facts"
    folder.mkdir()
    (folder / "extra.yaml").write_text(textwrap.dedent("""\
        source:
          slug: example-2025-08-lab
          headline: A lab opens
          publisher: example-news
          language: en
          published: 2025-08-01
        entities:
          - {slug: example-lab, class: Company, name: {en: Example Lab, ja: 例ラボ}}
          - {slug: example-news, class: MediaOrganization, name: {en: Example News}}
        relations:
          - {subject: example-lab, predicate: locatedIn, object: memphis}
        """), encoding="utf-8")
    store, report = graph.build_store([folder], store=":memory:")
    assert graph.entity_card(store, "example-lab")["name"] == {"en": "Example Lab", "ja": "例ラボ"}
    assert graph.entity_card(store, "xai")["name"]["en"] == "xAI"  # the bundled facts come too
