"""The ``aikg`` command line, run as a user runs it: query, show, stats, export and their errors."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic


def aikg(*args: str, stdin: str | None = None, store: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    if store is not None:
        env["AIKG_STORE"] = str(store)
    return subprocess.run([sys.executable, "-m", "graph.cli", *args], capture_output=True, text=True, input=stdin, env=env)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    location = tmp_path_factory.mktemp("cli") / "store"
    run = aikg("build", "--store", str(location))
    assert run.returncode == 0, run.stderr
    return location


GPU_QUERY = "SELECT ?n WHERE { ?o aik:asset id:colossus ; aik:gpuCount ?n } ORDER BY ?n"


def test_query_json_is_sparql_results_json(store):
    run = aikg("query", "--format", "json", GPU_QUERY, store=store)
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["head"]["vars"] == ["n"]
    assert [b["n"]["value"] for b in data["results"]["bindings"]] == ["100000", "200000"]


@pytest.mark.parametrize("fmt, delimiter", [("csv", ","), ("tsv", "\t")])
def test_query_csv_and_tsv(store, fmt, delimiter):
    run = aikg("query", "--format", fmt, GPU_QUERY, store=store)
    assert run.returncode == 0, run.stderr
    rows = list(csv.reader(io.StringIO(run.stdout), delimiter=delimiter))
    assert rows[0] in (["n"], ["?n"])
    assert [r[0] for r in rows[1:]] in (["100000", "200000"], ['"100000"^^<http://www.w3.org/2001/XMLSchema#integer>',
                                                             '"200000"^^<http://www.w3.org/2001/XMLSchema#integer>'], ["100000", "200000"])


def test_query_table_shows_rows_and_count(store):
    run = aikg("query", GPU_QUERY, store=store)
    assert run.returncode == 0, run.stderr
    assert "100000" in run.stdout and "200000" in run.stdout
    assert "2 row(s)" in run.stdout


@pytest.mark.parametrize("fmt, parse_as", [("turtle", "turtle"), ("ntriples", "nt"), ("rdfxml", "xml"), ("table", "turtle")])
def test_query_gives_the_triples_of_a_construct_in_each_format(store, fmt, parse_as):
    run = aikg("query", "--format", fmt, "CONSTRUCT { id:colossus rdfs:label ?l } WHERE { id:colossus rdfs:label ?l }", store=store)
    assert run.returncode == 0, run.stderr
    g = rdflib.Graph().parse(data=run.stdout, format=parse_as)
    assert {str(o) for o in g.objects()} == {"Colossus", "コロッサス"}


def test_query_xml_is_sparql_results_xml(store):
    run = aikg("query", "--format", "xml", GPU_QUERY, store=store)
    assert run.returncode == 0, run.stderr
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ElementTree.fromstring(run.stdout)
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == ["n"]
    assert [b.text for b in root.findall("r:results/r:result/r:binding/r:literal", ns)] == ["100000", "200000"]


def test_query_from_file_and_stdin(store, tmp_path):
    q = tmp_path / "q.rq"
    q.write_text("ASK { id:nvidia aik:suppliesTo id:xai }")
    assert json.loads(aikg("query", "-f", str(q), "--format", "json", store=store).stdout)["boolean"] is True
    assert json.loads(aikg("query", "-f", "-", "--format", "json", stdin="ASK { id:xai aik:suppliesTo id:nvidia }", store=store).stdout)["boolean"] is False


def test_bad_query_names_the_users_own_line(store):
    run = aikg("query", "SELECT ?x WHERE {\n  ?x ?y \n}}", store=store)
    assert run.returncode == 2
    assert run.stderr.startswith("aikg: bad query: error at ")
    assert "error at 3:" in run.stderr or "error at 2:" in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("args, message", [
    (["query"], "give a query or -f FILE"),
    (["query", "--format", "yaml", "ASK {}"], "--format 'yaml': choose table, json, xml, csv, tsv, turtle, ntriples, rdfxml"),
    (["query", "--format", "turtle", "ASK {}"], "needs a CONSTRUCT or DESCRIBE"),
    (["query", "--format", "xml", "CONSTRUCT WHERE { ?s ?p ?o }"], "gives triples; use turtle, ntriples, rdfxml"),
    (["query", "  \n"], "bad query: the query is empty"),
    (["query", "-f", "/no/such/file.rq"], "/no/such/file.rq"),
])
def test_usage_errors_exit_2(store, args, message):
    run = aikg(*args, store=store)
    assert run.returncode == 2
    assert message in run.stderr


def test_missing_store_exits_1(tmp_path):
    run = aikg("query", "ASK {}", "--store", str(tmp_path / "nothing"))
    assert run.returncode == 1
    assert "no store here yet; run `aikg build` first" in run.stderr


def test_show_prints_the_card_with_amounts_status_and_sources(store):
    run = aikg("show", "xai", store=store)
    assert run.returncode == 0, run.stderr
    for text in ("xAI", "Company", "12,000,000,000", "InNegotiation", "2025-07", "Elon Musk", "WSJ report (22 July 2025"):
        assert text in run.stdout, text


def test_show_json_lists_the_three_rounds(store):
    run = aikg("show", "xai", "--json", store=store)
    card = json.loads(run.stdout)
    rounds = [e for e in card["events"] if e["type"] == "FundingRound"]
    assert sorted(e["amount_usd"] for e in rounds) == [2_000_000_000, 5_000_000_000, 12_000_000_000]
    assert {e["status"] for e in rounds} == {"InNegotiation", "Completed"}
    assert all(e["sources"] for e in rounds)


def test_show_lists_the_newest_events_it_is_asked_for_and_says_how_many_it_left_out(store):
    whole = json.loads(aikg("show", "xai", "--json", store=store).stdout)
    newest = json.loads(aikg("show", "xai", "--json", "--events", "2", store=store).stdout)
    assert newest["events"] == whole["events"][:2] and newest["events_total"] == whole["events_total"] == len(whole["events"])
    table = aikg("show", "xai", "--events", "2", store=store)
    assert table.returncode == 0, table.stderr
    assert f"the 2 newest of {whole['events_total']} events; `--events 0` lists them all" in table.stdout
    assert whole["events"][0]["label"].split(",")[0] in table.stdout
    assert "newest of" not in aikg("show", "xai", store=store).stdout, "every event fits the default"


def test_show_unknown_slug_suggests_the_closest(store):
    run = aikg("show", "colosus", store=store)
    assert run.returncode == 2
    assert "no entity 'colosus'; did you mean colossus" in run.stderr


@pytest.mark.parametrize("entity", ["Elon Musk", "イーロン・マスク", "https://w3id.org/aikg/id/elon-musk"])
def test_show_takes_a_name_or_an_iri_as_well_as_a_slug(store, entity):
    run = aikg("show", entity, "--json", store=store)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["slug"] == "elon-musk"


def test_show_text_that_cannot_be_a_slug_is_an_unknown_entity(store):
    run = aikg("show", "x> ?p ?o } } #", store=store)
    assert run.returncode == 2
    assert run.stderr == "aikg: no entity 'x> ?p ?o } } #'\n"


def test_show_a_name_two_entities_carry_lists_both_and_exits_2(store):
    alias = "GRAPH aik:entities { id:spacex skos:altLabel 'Musk'@en }"
    assert aikg("update", f"INSERT DATA {{ {alias} }}", store=store).returncode == 0
    try:
        run = aikg("show", "Musk", store=store)
    finally:
        assert aikg("update", f"DELETE DATA {{ {alias} }}", store=store).returncode == 0
    assert run.returncode == 2
    assert run.stderr == "aikg: 'Musk' names 2 entities: elon-musk (Elon Musk), spacex (SpaceX); give one's slug\n"
    assert aikg("show", "Musk", "--json", store=store).returncode == 0


def test_path_by_names_reads_each_step_the_way_its_edge_points_with_events_and_sources(store):
    run = aikg("path", "Antonio Gracias", "ｎｖｉｄｉａ", store=store)
    assert run.returncode == 0, run.stderr
    assert "3 shortest paths of 3 hops from Antonio Gracias to Nvidia" in run.stdout
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in run.stdout.splitlines() if line.startswith("│")]
    assert ["", "Valor Equity Partners ←fundedBy— xAI", "xai-debt-raise-2025-07", "fastview-2025-07-xai-raises-12b"] in rows
    assert ["", "xAI ←suppliesTo— Nvidia", "nvidia-gpus-for-colossus", "fastview-2025-07-xai-raises-12b"] in rows
    assert [row[0] for row in rows if row[0]] == ["1", "2", "3"]


def test_path_json_gives_every_shortest_path_end_to_end(store):
    found = json.loads(aikg("path", "morgan-stanley", "elon-musk", "--json", store=store).stdout)
    assert (found["from"], found["to"], found["hops"], found["count"]) == ("morgan-stanley", "elon-musk", 2, len(found["paths"]))
    for path in found["paths"]:
        assert path[0]["from"] == "morgan-stanley" and path[-1]["to"] == "elon-musk"
        assert all(a["to"] == b["from"] for a, b in zip(path, path[1:]))
        assert all(step["sources"] for step in path)
    first = found["paths"][0][0]
    assert (first["predicate"], first["direction"], first["derived"], first["events"]) == (
        "arrangedFinancingFor", "forward", True, ["xai-secured-debt-2025-06"])


def test_path_beyond_max_hops_is_an_answer_and_an_unknown_end_is_an_error(store):
    none = aikg("path", "colossus", "morgan-stanley", "--max-hops", "1", store=store)
    assert none.returncode == 0 and none.stdout == "No path of at most 1 hop between Colossus and Morgan Stanley.\n"
    assert json.loads(aikg("path", "colossus", "morgan-stanley", "--max-hops", "1", "--json", store=store).stdout)["count"] == 0
    unknown = aikg("path", "xai", "nvidiaa", store=store)
    assert unknown.returncode == 2 and unknown.stderr.startswith("aikg: TO: no entity 'nvidiaa'; did you mean nvidia")


def test_central_ranks_by_pagerank_and_keeps_the_classes_asked_for(store):
    everyone = json.loads(aikg("central", "--top", "1000", "--json", store=store).stdout)["entities"]
    assert everyone[0]["slug"] == "xai" and abs(sum(e["score"] for e in everyone) - 1) < 1e-6
    linked_to_xai = json.loads(aikg("query", "--format", "json", "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { "
                                    "{ id:xai ?p ?o } UNION { ?o ?p id:xai } ?o a aik:Agent }", store=store).stdout)
    assert everyone[0]["links"] >= int(linked_to_xai["results"]["bindings"][0]["n"]["value"]) > 3
    firms = aikg("central", "--types", "InvestmentFirm,Bank", store=store)
    assert firms.returncode == 0, firms.stderr
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in firms.stdout.splitlines() if line.startswith("│")]
    assert [(row[1], row[2]) for row in rows] == [(e["name"], e["cls"]) for e in everyone if e["cls"] in ("InvestmentFirm", "Bank")]
    wrong = aikg("central", "--types", "Persn", store=store)
    assert wrong.returncode == 2 and wrong.stderr.startswith("aikg: --types: unknown class 'Persn'; known: AIModel, Agent")


def test_funding_csv_has_a_row_a_round_with_its_roles_and_sources_by_slug(store):
    run = aikg("funding", "--format", "csv", store=store)
    assert run.returncode == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert [r["id"] for r in rows] == ["xai-debt-raise-2025-07", "xai-secured-debt-2025-06", "spacex-invests-in-xai-2025"]
    debt = rows[0]
    assert (debt["recipient"], debt["amount_usd"], debt["instruments"], debt["status"], debt["lead"]) == (
        "xai", "12000000000", "Debt", "InNegotiation", "valor-equity-partners")
    assert debt["amounts"].startswith("USD 12000000000; JPY ") and debt["sources"] == FASTVIEW_SLUG
    assert rows[1]["instruments"] == "Loan; SecuredBond" and rows[1]["arrangers"] == "morgan-stanley"


@pytest.mark.parametrize(("args", "ids"), [
    (["--investor", "Valor Equity Partners"], ["xai-debt-raise-2025-07"]),
    (["--since", "2025-07-01"], ["xai-debt-raise-2025-07"]),
    (["--instrument", "Equity"], ["spacex-invests-in-xai-2025"]),
    (["--status", "Completed", "--limit", "1"], ["xai-secured-debt-2025-06"]),
    (["--recipient", "nvidia"], []),
])
def test_funding_filters_and_totals(store, args, ids):
    found = json.loads(aikg("funding", "--format", "json", *args, store=store).stdout)
    assert [r["id"] for r in found["rounds"]] == ids
    if "--limit" not in args:
        assert found["count"] == len(ids) and found["totals"]["usd"] == sum(r["amount_usd"] for r in found["rounds"])


def test_funding_table_totals_and_errors(store):
    table = aikg("funding", "--limit", "2", store=store).stdout
    assert "3 rounds match: USD 19,000,000,000 in all (Debt 12,000,000,000; Equity 2,000,000,000; Loan+SecuredBond 5,000,000,000)" in table
    assert "listed: 1–2, largest first; `--offset 2` for the next" in table
    assert aikg("funding", "--recipient", "nvidia", store=store).stdout == "No round matches.\n"
    unknown = aikg("funding", "--recipient", "nvdia", store=store)
    assert unknown.returncode == 2 and unknown.stderr.startswith("aikg: --recipient: no entity 'nvdia'; did you mean nvidia")
    assert aikg("funding", "--since", "July", store=store).returncode == 2


def test_supply_lists_the_deal_with_its_roles_as_a_table_csv_and_json(store):
    rows = list(csv.DictReader(io.StringIO(aikg("supply", "--format", "csv", "--customer", "xAI", store=store).stdout)))
    assert rows == [{"id": "nvidia-gpus-for-colossus", "label": "Nvidia GPUs for xAI (2024-H2)", "suppliers": "nvidia",
                     "customers": "xai", "product": "nvidia-gpu", "quantity": "200000", "for_assets": "colossus",
                     "status": "Completed", "date": "2024-H2", "sources": FASTVIEW_SLUG}]
    found = json.loads(aikg("supply", "--format", "json", "--supplier", "nvidia", store=store).stdout)
    assert found["count"] == 1 and found["deals"][0]["customers"] == [{"slug": "xai", "name": "xAI"}]
    table = aikg("supply", store=store).stdout
    assert "│ Nvidia   │ xAI      │ Nvidia GPUs │  200,000 │ Colossus │ Completed │ 2024-H2 │" in table and table.endswith("1 deal\n")
    assert aikg("supply", "--supplier", "xai", store=store).stdout == "No deal matches.\n"


def test_capacity_lists_an_assets_gpu_counts_and_names_an_unknown_asset(store):
    found = json.loads(aikg("capacity", "Colossus", "--format", "json", store=store).stdout)
    assert found["asset"] == "colossus" and sorted(c["gpu_count"] for c in found["capacity"]) == [100_000, 200_000]
    rows = list(csv.DictReader(io.StringIO(aikg("capacity", "colossus", "--format", "csv", store=store).stdout)))
    assert {(r["asset"], r["gpu_count"], r["phase"]) for r in rows} == {
        ("colossus", "100000", "at opening"), ("colossus", "200000", "92 days after opening (doubled)")}
    everything = json.loads(aikg("capacity", "--format", "json", "--limit", "1", "--offset", "1", store=store).stdout)
    assert everything["count"] >= 2 and len(everything["capacity"]) == 1
    unknown = aikg("capacity", "colosus", store=store)
    assert unknown.returncode == 2 and unknown.stderr.startswith("aikg: ASSET: no entity 'colosus'; did you mean colossus")


def test_leaders_sum_the_usd_of_the_rounds_by_recipient_and_by_investor(store):
    raised = json.loads(aikg("leaders", "--json", store=store).stdout)
    into_xai = json.loads(aikg("query", "--format", "json", "SELECT (SUM(?usd) AS ?total) (COUNT(?r) AS ?n) WHERE { "
                               "?r aik:recipient id:xai ; aik:amountUSD ?usd }", store=store).stdout)["results"]["bindings"][0]
    assert raised["leaders"][0]["slug"] == "xai"
    assert raised["leaders"][0]["total_usd"] == int(float(into_xai["total"]["value"])) and raised["leaders"][0]["rounds"] == int(into_xai["n"]["value"])
    table = aikg("leaders", "--by", "investor", "--limit", "1", store=store)
    assert table.returncode == 0, table.stderr
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in table.stdout.splitlines() if line.startswith("│")]
    assert rows == [["1", "Valor Equity Partners", "valor-equity-partners", "12,000,000,000", "1"]]
    assert aikg("leaders", "--by", "lender", store=store).returncode == 2


FASTVIEW_SLUG = "fastview-2025-07-xai-raises-12b"


def test_sources_lists_a_page_and_says_where_the_next_starts(store):
    everything = json.loads(aikg("sources", "--json", store=store).stdout)
    documents = json.loads(aikg("query", "--format", "json", "SELECT DISTINCT ?d WHERE { ?d a aik:SourceDocument }",
                                store=store).stdout)["results"]["bindings"]
    assert everything["total"] == len(documents) == len(everything["items"])
    assert [d["iri"] for d in everything["items"]] == sorted(d["d"]["value"] for d in documents)
    page = aikg("sources", "--limit", "2", store=store)
    assert page.returncode == 0, page.stderr
    assert f"1–2 of {len(documents)} sources; `--offset 2` for the next" in page.stdout
    last = aikg("sources", "--limit", "2", "--offset", str(len(documents) - 1), store=store).stdout
    assert f"{len(documents)}–{len(documents)} of {len(documents)} sources\n" in last


def test_sources_slug_shows_the_events_and_relations_the_document_reported(store):
    shown = json.loads(aikg("sources", FASTVIEW_SLUG, "--json", store=store).stdout)
    reported = f"SELECT DISTINCT ?e WHERE {{ ?e prov:wasDerivedFrom <https://w3id.org/aikg/source/{FASTVIEW_SLUG}> }}"
    events = json.loads(aikg("query", "--format", "json", reported, store=store).stdout)
    assert sorted(e["iri"] for e in shown["events"]) == sorted(b["e"]["value"] for b in events["results"]["bindings"])
    assert {"subject": "jensen-huang", "predicate": "praised", "object": "colossus"} in shown["relations"]
    table = aikg("sources", f"https://w3id.org/aikg/source/{FASTVIEW_SLUG}", store=store)
    assert table.returncode == 0, table.stderr
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in table.stdout.splitlines() if line.startswith("│")]
    assert ["jensen-huang", "praised", "colossus"] in rows
    deal = rows.index(["Nvidia GPUs for xAI (2024-H2)", "SupplyDeal", "customer: xAI", "", "Completed", "2024-H2"])
    assert [row[2] for row in rows[deal + 1:deal + 4]] == ["forAsset: Colossus", "product: Nvidia GPUs", "supplier: Nvidia"]
    cited = aikg("sources", "wsj-2025-07-12-spacex-invests-in-xai", store=store).stdout
    assert "cited by other sources; no graph of its own\ncited for: spacex-invests-in-xai-2025\n" in cited


@pytest.mark.parametrize("slug", ["no-such-source", "x> ?s ?p ?o"])
def test_sources_unknown_slug_exits_2(store, slug):
    run = aikg("sources", slug, store=store)
    assert run.returncode == 2 and run.stderr == f"aikg: no source {slug!r}; `aikg sources` lists them\n"


def test_stats_json(store):
    stats = json.loads(aikg("stats", "--json", store=store).stdout)
    assert stats["events"]["FundingRound"] == 3
    assert stats["entities"]["DataCenter"] == 2
    assert stats["sources"] == 4
    assert stats["quads"] > 800


@pytest.mark.parametrize("fmt", ["trig", "nquads"])
def test_export_keeps_named_graphs_and_reimports_isomorphic(store, tmp_path, fmt):
    out = tmp_path / f"graph.{fmt}"
    run = aikg("export", "rdf", "--format", fmt, "-o", str(out), store=store)
    assert run.returncode == 0, run.stderr
    exported = rdflib.Dataset()
    exported.parse(out, format=fmt)
    original = ox.Store(str(store))
    try:
        names = {str(g.value) for g in original.named_graphs()}
        assert {str(c.identifier) for c in exported.graphs() if len(c)} >= names
        for name in names:
            triples = [q.triple for q in original.quads_for_pattern(None, None, None, ox.NamedNode(name))]
            ours = rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
            theirs = exported.graph(rdflib.URIRef(name))
            assert isomorphic(ours, theirs), name
    finally:
        del original


@pytest.mark.parametrize("fmt, parse_as", [("turtle", "turtle"), ("jsonld", "json-ld")])
def test_export_turtle_and_jsonld_parse(store, tmp_path, fmt, parse_as):
    out = tmp_path / f"graph.{fmt}"
    assert aikg("export", "rdf", "--format", fmt, "-o", str(out), store=store).returncode == 0
    # Turtle holds the union of the graphs; JSON-LD keeps each named graph as an @graph.
    dataset = rdflib.Dataset()
    dataset.parse(out, format=parse_as)
    label = (rdflib.URIRef("https://w3id.org/aikg/id/colossus"), rdflib.RDFS.label, rdflib.Literal("Colossus", lang="en"))
    assert any(label in g for g in dataset.graphs())


def test_help_documents_exit_codes():
    run = aikg("--help")
    assert "Exit codes: 0 success; 1" in run.stdout


def test_update_brings_the_derived_edges_in_step_and_dropping_its_graph_takes_them_away(store):
    """The store is the module's: the test takes away what it added, graph and derived edges alike."""
    funded_by = "SELECT ?who WHERE { GRAPH aik:derived { id:xai aik:fundedBy ?who } } ORDER BY ?who"

    def investors() -> list[str]:
        run = aikg("query", "--format", "json", funded_by, store=store)
        assert run.returncode == 0, run.stderr
        return [b["who"]["value"] for b in json.loads(run.stdout)["results"]["bindings"]]

    before = investors()
    notes = "<https://w3id.org/aikg/source/cli-update-test>"
    run = aikg("update", f"INSERT DATA {{ GRAPH {notes} {{ id:cli-round a aik:FundingRound ; aik:recipient id:xai ; "
                         "aik:leadInvestor id:nvidia } }", store=store)
    assert run.returncode == 0, run.stderr
    assert investors() == sorted([*before, "https://w3id.org/aikg/id/nvidia"])
    run = aikg("update", "-f", "-", stdin=f"DROP SILENT GRAPH {notes}", store=store)  # Virtuoso drops only graphs CREATEd, unless SILENT
    assert run.returncode == 0, run.stderr
    assert investors() == before
    assert aikg("query", "--format", "json", "ASK { id:cli-round ?p ?o }", store=store).stdout.count("false") == 1
