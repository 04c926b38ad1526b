"""The seed graph in Neo4j through each format: same counts as SPARQL, and the questions users ask."""

from __future__ import annotations

from pathlib import Path

import pytest
from neo4j import Driver

from exports import FORMATS, load_cypher, loaded
from graph.build import build_store
from graph.export.neo4j_bolt import load_bolt
from graph.export.neo4j_mapping import PropertyGraph, property_graph
from graph.store import Store
from ontology import ID, SOURCE, sparql_prologue

NODE = f"""FILTER(isIRI(?x) && (STRSTARTS(STR(?x), "{ID}") || STRSTARTS(STR(?x), "{SOURCE}")))
           FILTER NOT EXISTS {{ ?x a schema:MonetaryAmount }}"""
SHORTCUTS = {
    "FUNDED_BY": ("aik:fundedBy", "?e aik:recipient ?s . { ?e aik:investor ?o } UNION { ?e aik:leadInvestor ?o }"),
    "SUPPLIES_TO": ("aik:suppliesTo", "?e aik:supplier ?s ; aik:customer ?o"),
    "ARRANGED_FINANCING_FOR": ("aik:arrangedFinancingFor", "?e aik:arranger ?s ; aik:recipient ?o"),
}


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, PropertyGraph]:
    store, _ = build_store(store=tmp_path_factory.mktemp("seed") / "store")
    return store, property_graph(store)


def expected_counts(store: Store) -> tuple[dict[str, int], dict[str, int]]:
    """Nodes per label and relationships per type, counted by SPARQL on the store itself."""
    q = sparql_prologue()
    labels = {"Resource": store.select(q + f"""SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{
        {{ ?x ?p ?o }} UNION {{ ?s ?p ?x }} {NODE} }}""")[0]["n"]}
    for row in store.select(q + f"""SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE {{
            ?x a ?t . GRAPH <https://w3id.org/aikg/ontology> {{ ?t rdfs:subClassOf* ?c }}
            FILTER(STRSTARTS(STR(?c), STR(aik:))) {NODE} }} GROUP BY ?c"""):
        labels[row["c"].split("#")[1]] = row["n"]
    types: dict[str, int] = {}
    for row in store.select(q + f"""SELECT ?p (COUNT(*) AS ?n) WHERE {{
            SELECT DISTINCT ?s ?p ?x WHERE {{ ?s ?p ?x {NODE}
              FILTER(?p NOT IN (prov:wasDerivedFrom, aik:fundedBy, aik:suppliesTo, aik:arrangedFinancingFor)) }}
          }} GROUP BY ?p"""):
        local = row["p"].rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        types["".join("_" + c if c.isupper() else c.upper() for c in local).lstrip("_")] = row["n"]
    types["REPORTED_IN"] = store.select(q + f"""SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?x ?src WHERE {{
        {{ GRAPH ?src {{ ?x ?p ?o }} ?src a aik:SourceDocument FILTER(?x != ?src) }}
        UNION {{ ?x prov:wasDerivedFrom ?src }} {NODE} }} }}""")[0]["n"]
    for kind, (predicate, pattern) in SHORTCUTS.items():
        n = store.select(q + f"""SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?o ?e WHERE {{
            GRAPH aik:derived {{ ?s {predicate} ?o }} {pattern} }} }}""")[0]["n"]
        if n:
            types[kind] = n
    return labels, types


def counts(driver: Driver) -> tuple[dict[str, int], dict[str, int]]:
    labels = {r["label"]: r["n"] for r in driver.execute_query(
        "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n").records}
    types = {r["t"]: r["n"] for r in driver.execute_query(
        "MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS n").records}
    return labels, types


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_seed_graph_answers_in_neo4j_as_in_sparql(fmt, seed, neo4j_server, neo4j_db, tmp_path: Path) -> None:
    store, graph = seed
    with loaded(fmt, graph, neo4j_server, neo4j_db, tmp_path) as db:
        labels, types = counts(db)
        assert (labels, types) == expected_counts(store)
        assert labels["InvestmentFirm"] >= 1 and types["FUNDED_BY"] >= 2

        lead = db.execute_query("""
            MATCH (round:FundingRound)-[:RECIPIENT]->(:Company {slug: 'xai'}),
                  (round)-[:LEAD_INVESTOR]->(lead)
            RETURN lead.name AS lead, round.amountUSD AS amount""").records
        assert [(r["lead"], r["amount"]) for r in lead] == [("Valor Equity Partners", 12000000000)]
        assert isinstance(lead[0]["amount"], int)

        shortcut = db.execute_query("""
            MATCH (:Company {slug: 'xai'})-[f:FUNDED_BY {lead: true}]->(v:InvestmentFirm)
            RETURN v.slug AS v, f.amountUSD AS amount, f.status AS status""").records
        assert [(r["v"], r["amount"], r["status"]) for r in shortcut] == [("valor-equity-partners", 12000000000, "InNegotiation")]

        gpus = db.execute_query("""
            MATCH (o:CapacityObservation)-[:ASSET]->(:DataCenter {slug: 'colossus'})
            RETURN o.gpuCount AS gpus ORDER BY gpus""").records
        assert [r["gpus"] for r in gpus] == [100000, 200000]

        path = db.execute_query("""
            MATCH (a:Person {slug: 'antonio-gracias'}), (b:Company {slug: 'nvidia'}),
                  p = shortestPath((a)-[*..10]-(b))
            RETURN length(p) AS hops""").records
        assert path and path[0]["hops"] >= 1

        musk = db.execute_query("""
            MATCH (p:Resource:Agent:Person {slug: 'elon-musk'})
            RETURN p.name_ja AS ja, p.aliases AS aliases, p.sources AS sources""").records[0]
        assert musk["ja"] == "イーロン・マスク"
        assert "マスク" in musk["aliases"]
        assert musk["sources"] == ["https://w3id.org/aikg/source/fastview-2025-07-xai-raises-12b"]

        dated = db.execute_query("""
            MATCH (r:FundingRound {slug: 'xai-debt-raise-2025-07'})
            RETURN r.dateStart AS start, r.dateStart.year AS year, r.reportedJPY AS jpy""").records[0]
        assert dated["year"] == 2025 and str(dated["start"]) == "2025-07-01"

        source = db.execute_query("""
            MATCH (:FundingRound {slug: 'xai-debt-raise-2025-07'})-[:REPORTED_IN]->(s:SourceDocument)
            RETURN s.slug AS slug""").records
        assert [r["slug"] for r in source] == ["fastview-2025-07-xai-raises-12b"]


def test_running_the_cypher_script_twice_changes_nothing(seed, neo4j_server, neo4j_db, tmp_path: Path) -> None:
    store, graph = seed
    load_cypher(graph, neo4j_server, tmp_path)
    first = counts(neo4j_db)
    load_cypher(graph, neo4j_server, tmp_path)
    assert counts(neo4j_db) == first == expected_counts(store)


def test_loading_over_bolt_twice_changes_nothing(seed, neo4j_server, neo4j_db) -> None:
    store, graph = seed
    load_bolt(graph, neo4j_server.uri, "neo4j", "unused")
    first = counts(neo4j_db)
    load_bolt(graph, neo4j_server.uri, "neo4j", "unused")
    assert counts(neo4j_db) == first == expected_counts(store)


def test_the_mapping_reports_what_it_does_not_carry(seed) -> None:
    _, graph = seed
    assert any("ontology triple" in line for line in graph.report())
