"""``aikg load`` (RDF files onto the store, atomically, derived edges brought up to date) and
``aikg ingest`` (one fact file in one transaction, with its derived edges), as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from synthetic import synthetic_file

from graph.build import derived_triples
from graph.quads import ENTITIES_GRAPH
from graph.store import open_store
from ontology import DERIVED_GRAPH, sparql_prologue


def aikg(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "graph.cli", *args], capture_output=True, text=True, input=stdin,
                          env={**os.environ, "COLUMNS": "200"})


def snapshot(location: Path) -> set[ox.Quad]:
    store = open_store(location, read_only=True)
    try:
        return set(store.quads())
    finally:
        store.close()


def derived_agree(location: Path) -> bool:
    store = open_store(location, read_only=True)
    try:
        held = {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads(DERIVED_GRAPH)}
        return held == derived_triples(store)
    finally:
        store.close()


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    return synthetic_file(tmp_path_factory.mktemp("rdf"), 5_000, seed=1)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, synthetic) -> Path:
    """The bundled graph with the synthetic graph loaded onto it."""
    location = tmp_path_factory.mktemp("store") / "store"
    assert aikg("build", "--store", str(location)).returncode == 0
    run = aikg("load", str(synthetic), "--store", str(location))
    assert run.returncode == 0, run.stderr
    assert "Loaded" in run.stdout
    return location


# -- aikg load ---------------------------------------------------------------------------------

def test_load_adds_the_file_to_the_built_graph_with_derived_edges(loaded, synthetic):
    store = open_store(loaded, read_only=True)
    facts = set(ox.parse(path=str(synthetic), format=ox.RdfFormat.N_QUADS))
    assert facts <= set(store.quads())
    assert store.ask(sparql_prologue() + "ASK { id:xai aik:fundedBy id:valor-equity-partners }"), "the bundled facts stay"
    assert store.ask(sparql_prologue() + "ASK { GRAPH aik:derived { id:stratus-cloud aik:suppliesTo ?x } }") is False
    assert store.ask(sparql_prologue() + "ASK { GRAPH aik:derived { id:voltaic-semiconductor aik:suppliesTo id:stratus-cloud } }")
    store.close()
    assert derived_agree(loaded)


@pytest.mark.parametrize("suffix, fmt", [(".trig", ox.RdfFormat.TRIG), (".ttl", ox.RdfFormat.TURTLE)])
def test_load_reads_trig_and_turtle(tmp_path, synthetic, suffix, fmt):
    quads = list(ox.parse(path=str(synthetic), format=ox.RdfFormat.N_QUADS))
    path = tmp_path / f"deals-2025{suffix}"
    if fmt == ox.RdfFormat.TRIG:
        path.write_bytes(ox.serialize(quads, format=fmt))
    else:  # the triples of one source document, as a Turtle file holds them
        doc = next(q.graph_name for q in quads if q.graph_name.value != ENTITIES_GRAPH)
        path.write_bytes(ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads if q.graph_name == doc], format=fmt))
    location = tmp_path / "store"
    run = aikg("load", str(path), "--store", str(location), "--replace")
    assert run.returncode == 0, run.stderr
    store = open_store(location, read_only=True)
    if fmt == ox.RdfFormat.TRIG:
        assert set(quads) <= set(store.quads())
    else:  # a triple file goes to a source graph named after the file
        assert "https://w3id.org/aikg/source/deals-2025" in store.graphs()
    assert len(list(store.quads(DERIVED_GRAPH))) > 0
    store.close()
    assert derived_agree(location)


def test_a_broken_file_changes_nothing_and_is_named_with_its_line(loaded, synthetic, tmp_path):
    before = snapshot(loaded)
    target = os.readlink(loaded)
    broken = tmp_path / "broken.nq"
    good_line = synthetic.read_text(encoding="utf-8").splitlines()[0]
    broken.write_text(f"{good_line}\n{good_line}\n<https://w3id.org/aikg/id/x> <https://w3id.org/aikg/ontology#p> \"unterminated .\n",
                      encoding="utf-8")
    run = aikg("load", str(synthetic), str(broken), "--store", str(loaded))
    assert run.returncode == 2
    assert f"{broken}:3:" in run.stderr and "unchanged" in run.stderr and "Traceback" not in run.stderr
    assert os.readlink(loaded) == target
    assert snapshot(loaded) == before
    generations = list(Path(f"{loaded}.generations").iterdir())
    assert all(g.name == Path(target).name or g.stat().st_mtime <= Path(loaded).resolve().stat().st_mtime for g in generations)


@pytest.mark.parametrize("name, message", [("missing.nq", "no such file"), ("data.csv", "unknown RDF format")])
def test_missing_and_unknown_files_are_refused(loaded, tmp_path, name, message):
    if name.endswith(".csv"):
        (tmp_path / name).write_text("a,b\n")
    run = aikg("load", str(tmp_path / name), "--store", str(loaded))
    assert run.returncode == 2
    assert message in run.stderr and name in run.stderr


def test_a_graph_that_is_not_an_iri_is_refused(loaded, synthetic):
    run = aikg("load", str(synthetic), "--graph", "not an iri", "--store", str(loaded))
    assert run.returncode == 2
    assert "--graph 'not an iri' is not an absolute IRI" in run.stderr and "Traceback" not in run.stderr


def test_load_compact_says_how_long_it_took_and_leaves_the_same_graph(tmp_path, synthetic):
    run = aikg("load", str(synthetic), "--store", str(tmp_path / "store"), "--replace", "--compact")
    assert run.returncode == 0, run.stderr
    assert "; compacted in " in run.stdout
    facts = set(ox.parse(path=str(synthetic), format=ox.RdfFormat.N_QUADS))
    store = open_store(tmp_path / "store", read_only=True)
    assert facts <= set(store.quads())
    store.close()
    assert derived_agree(tmp_path / "store")
    refused = aikg("load", str(synthetic), "--store", "sparql+http://127.0.0.1:9/sparql", "--compact")
    assert refused.returncode == 2 and "--compact compacts a store on disk" in refused.stderr and "Traceback" not in refused.stderr


def test_a_big_load_without_compact_says_what_aikg_compact_would_do(tmp_path, synthetic):
    hint = "`aikg compact` (or `aikg load --compact`) makes 2-hop queries up to 2.7x quicker"
    small = aikg("load", str(synthetic), "--store", str(tmp_path / "small"), "--replace")
    assert small.returncode == 0, small.stderr
    assert hint not in small.stdout, "a few thousand quads: not worth a word"
    big_file = synthetic_file(tmp_path, 100_000, seed=2)
    big = aikg("load", str(big_file), "--store", str(tmp_path / "big"), "--replace")
    assert big.returncode == 0, big.stderr
    assert hint in big.stdout.replace("\n", " ")
    compacted = aikg("load", str(big_file), "--store", str(tmp_path / "compacted"), "--replace", "--compact")
    assert compacted.returncode == 0 and hint not in compacted.stdout.replace("\n", " ")


def test_compact_merges_a_live_store_into_a_new_generation_with_the_same_quads(tmp_path, synthetic):
    location = tmp_path / "store"
    assert aikg("build", "--store", str(location)).returncode == 0
    assert aikg("load", str(synthetic), "--store", str(location)).returncode == 0  # sets of sorted files of its own
    before, generation = snapshot(location), location.resolve()
    files = sum(1 for f in generation.iterdir() if f.suffix == ".sst")
    run = aikg("compact", "--store", str(location))
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"Compacted {location} in ") and "MB on disk" in run.stdout
    assert location.resolve() != generation, "a new generation, swapped in"
    assert snapshot(location) == before
    assert sum(1 for f in location.resolve().iterdir() if f.suffix == ".sst") < files
    for where, message in (("sparql+http://127.0.0.1:9/q", "only a store on disk can be compacted"),
                           (str(tmp_path / "none"), "no store here yet")):
        refused = aikg("compact", "--store", where)
        assert refused.returncode == 1 and message in refused.stderr and "Traceback" not in refused.stderr


# -- aikg ingest -------------------------------------------------------------------------------

FACT_FILE = """source:
  slug: test-wire-2026-01-acme
  headline: "Acme GPU Cloud raises money and buys accelerators"
  publisher: venture-wire
  language: en
  published: 2026-01-14
entities:
  - {slug: acme-gpu-cloud, class: Company, name: {en: Acme GPU Cloud}}
  - {slug: stratus-cloud, class: Company, name: {en: Stratus Cloud, ja: 別名}, aliases: [Stratus C]}
relations:
  - {subject: acme-gpu-cloud, predicate: locatedIn, object: memphis}
events:
  - id: acme-gpu-cloud-series-a-2026
    type: FundingRound
    recipient: acme-gpu-cloud
    lead_investors: [stratus-cloud]
    arrangers: [ashford-bank]
    amounts: [{value: 300000000, currency: EUR}]
    amount_usd: 326000000
    instruments: [Equity]
    status: Completed
    date: 2026-01
  - id: acme-gpu-cloud-accelerators-2026
    type: SupplyDeal
    suppliers: [voltaic-semiconductor]
    customers: [acme-gpu-cloud]
    product: vx-300
    quantity: 4096
"""


def test_ingest_adds_exactly_the_file_and_its_derived_edges(loaded, tmp_path):
    path = tmp_path / "acme.yaml"
    path.write_text(FACT_FILE, encoding="utf-8")
    before = snapshot(loaded)
    run = aikg("ingest", str(path), "--store", str(loaded))
    assert run.returncode == 0, run.stderr
    assert "Added test-wire-2026-01-acme" in run.stdout
    added = snapshot(loaded) - before
    assert snapshot(loaded) >= before, "ingest only adds"
    graphs = {q.graph_name.value for q in added}
    assert graphs == {"https://w3id.org/aikg/source/test-wire-2026-01-acme", ENTITIES_GRAPH, DERIVED_GRAPH}
    derived = {(q.subject.value.rsplit("/", 1)[1], q.predicate.value.rsplit("#", 1)[1], q.object.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1])
               for q in added if q.graph_name.value == DERIVED_GRAPH}
    assert {("acme-gpu-cloud", "fundedBy", "stratus-cloud"), ("ashford-bank", "arrangedFinancingFor", "acme-gpu-cloud"),
            ("voltaic-semiconductor", "suppliesTo", "acme-gpu-cloud"), ("acme-gpu-cloud", "type", "Organization")} <= derived
    entity_quads = {(q.subject.value.rsplit("/", 1)[1], q.object.value if isinstance(q.object, ox.Literal) else "")
                    for q in added if q.graph_name.value == ENTITIES_GRAPH}
    assert ("stratus-cloud", "Stratus C") in entity_quads, "a known entity gains its new alias"
    assert ("stratus-cloud", "別名") not in entity_quads, "but keeps the Japanese name the store has"
    assert derived_agree(loaded), "the derived graph is what a full derivation gives"
    card = aikg("show", "acme-gpu-cloud", "--json", "--store", str(loaded))
    assert card.returncode == 0 and "acme-gpu-cloud-series-a-2026" in card.stdout


def test_ingest_dry_run_says_what_the_file_would_add_and_writes_nothing(loaded, tmp_path):
    path = tmp_path / "mu.yaml"
    path.write_text(FACT_FILE.replace("acme", "mu").replace("Acme", "Mu").replace(
        "relations:\n", "relations:\n  - {subject: antonio-gracias, predicate: associateOf, object: elon-musk}\n"), encoding="utf-8")
    before = snapshot(loaded)
    run = aikg("ingest", str(path), "--dry-run", "--json", "--store", str(loaded))
    assert run.returncode == 0, run.stderr
    assert snapshot(loaded) == before
    seen = json.loads(run.stdout)
    assert seen["source"] == "test-wire-2026-01-mu"
    assert seen["new_entities"] == [["mu-gpu-cloud", "Company"]]
    assert {"stratus-cloud", "ashford-bank", "voltaic-semiconductor", "memphis", "venture-wire"} <= set(seen["known_entities"])
    assert seen["events"] == {"FundingRound": 1, "SupplyDeal": 1}
    assert seen["new_links"] == [["ashford-bank", "arrangedFinancingFor", "mu-gpu-cloud"], ["mu-gpu-cloud", "fundedBy", "stratus-cloud"],
                                 ["voltaic-semiconductor", "suppliesTo", "mu-gpu-cloud"]]
    assert seen["relations_new"] == [["mu-gpu-cloud", "locatedIn", "memphis"]]
    assert seen["relations_reported"] == [["antonio-gracias", "associateOf", "elon-musk", ["fastview-2025-07-xai-raises-12b"]]]
    piped = aikg("ingest", "-", "--dry-run", "--json", "--store", str(loaded), stdin=path.read_text(encoding="utf-8"))
    assert piped.returncode == 0 and json.loads(piped.stdout) == seen, "a fact file piped in (aikg extract | aikg ingest -)"
    text = aikg("ingest", str(path), "--dry-run", "--store", str(loaded))
    assert text.returncode == 0, text.stderr
    assert "relations other sources report: antonio-gracias associateOf elon-musk (also in fastview-2025-07-xai-raises-12b)" in text.stdout
    assert snapshot(loaded) == before
    done = aikg("ingest", str(path), "--store", str(loaded))
    assert done.returncode == 0, done.stderr
    assert f"{seen['quads']:,} quads and {seen['derived_added']:,} derived triples" in done.stdout, "the dry run counted what the ingest wrote"
    again = aikg("ingest", str(path), "--dry-run", "--store", str(loaded))
    assert again.returncode == 2
    assert "source 'test-wire-2026-01-mu' is already in the store" in again.stderr and "the ingest would be refused" in again.stderr
    piped = aikg("ingest", "-", "--store", str(loaded), stdin=path.read_text(encoding="utf-8"))
    assert piped.returncode == 2 and "<stdin>:2: source.slug: source 'test-wire-2026-01-mu' is already in the store" in piped.stderr


@pytest.mark.parametrize("name, change, message", [
    ("zeta", ("publisher: venture-wire", "publisher: nobody-news"), "source.publisher: 'nobody-news' is not an entity in this file or in the store"),
    ("eta", ("{slug: stratus-cloud, class: Company", "{slug: stratus-cloud, class: Bank"), "entities[1].class: 'stratus-cloud' is a Company in the store, not a Bank"),
    ("theta", ("name: {en: Stratus Cloud,", "name: {en: Stratus Cloud Inc,"), "entities[1].name: 'stratus-cloud' is named 'Stratus Cloud' in the store"),
    ("iota", ("quantity: 4096", "quantity: -5"), "events[1].quantity"),
    ("kappa", ("lead_investors: [stratus-cloud]\n    arrangers: [ashford-bank]", "lead_investors: []"), "a funding round needs at least one investor"),
    ("lambda", ("slug: test-wire-2026-01-lambda", "slug: fastview-2025-07-xai-raises-12b"), "source 'fastview-2025-07-xai-raises-12b' is already in the store"),
])
def test_a_bad_fact_file_changes_nothing(loaded, tmp_path, name, change, message):
    text = FACT_FILE.replace("acme", name).replace("Acme", name.title())
    assert change[0] in text
    text = text.replace(*change)
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    before = snapshot(loaded)
    run = aikg("ingest", str(path), "--store", str(loaded))
    assert run.returncode == 2, run.stdout
    assert message in run.stderr and f"{path}:" in run.stderr, run.stderr
    assert "the store was not changed" in run.stderr and "Traceback" not in run.stderr
    assert snapshot(loaded) == before


def test_a_reused_event_id_changes_nothing(loaded, tmp_path):
    text = FACT_FILE.replace("test-wire-2026-01-acme", "test-wire-2026-02-other").replace("id: acme-gpu-cloud-series-a-2026", "id: xai-debt-raise-2025-07")
    text = text.replace("{slug: acme-gpu-cloud, class: Company, name: {en: Acme GPU Cloud}}", "{slug: acme-gpu-cloud-2, class: Company, name: {en: Acme 2}}")
    text = text.replace("acme-gpu-cloud]", "acme-gpu-cloud-2]").replace("recipient: acme-gpu-cloud", "recipient: acme-gpu-cloud-2")
    text = text.replace("subject: acme-gpu-cloud,", "subject: acme-gpu-cloud-2,").replace("id: acme-gpu-cloud-accelerators-2026", "id: acme-2-deal")
    path = tmp_path / "reuse.yaml"
    path.write_text(text, encoding="utf-8")
    before = snapshot(loaded)
    run = aikg("ingest", str(path), "--store", str(loaded))
    assert run.returncode == 2
    assert "events[0].id: 'xai-debt-raise-2025-07' is already used in the store" in run.stderr
    assert snapshot(loaded) == before


# -- POST /ingest ------------------------------------------------------------------------------

SERVED_FILE = """source:
  slug: test-wire-2026-03-nova
  headline: "Nova Compute raises money from Valor"
  publisher: wall-street-journal
  language: en
  published: 2026-03-02
entities:
  - {slug: nova-compute, class: Company, name: {en: Nova Compute}}
events:
  - id: nova-compute-seed-2026
    type: FundingRound
    recipient: nova-compute
    lead_investors: [valor-equity-partners]
    amounts: [{value: 50000000, currency: USD}]
    amount_usd: 50000000
    instruments: [Equity]
    date: 2026-03
"""


def test_post_ingest_needs_the_token_and_goes_through_the_single_writer(tmp_path):
    import httpx
    from live_server import live_server

    from graph.build import build_store

    location = tmp_path / "store"
    build_store(store=location)[0].close()
    yaml_type = {"content-type": "application/yaml"}
    with live_server(location, token="s3cret") as base:
        assert httpx.post(base + "/ingest", content=SERVED_FILE, headers=yaml_type).status_code == 401
        wrong = httpx.post(base + "/ingest", content=SERVED_FILE, headers={**yaml_type, "authorization": "Bearer nope"})
        assert wrong.status_code == 401
        auth = {**yaml_type, "authorization": "Bearer s3cret"}
        assert httpx.get(base + "/paths", params={"from": "valor-equity-partners", "to": "xai"}).status_code == 200  # caches warm
        assert httpx.post(base + "/ingest/preview", content=SERVED_FILE, headers=yaml_type).status_code == 401
        preview = httpx.post(base + "/ingest/preview", content=SERVED_FILE, headers=auth, timeout=60)
        assert preview.status_code == 200, preview.text
        assert preview.json()["source"] == "test-wire-2026-03-nova" and ["nova-compute", "Company"] in preview.json()["new_entities"]
        assert httpx.get(base + "/entities/nova-compute").status_code == 404, "the preview wrote nothing"
        assert httpx.post(base + "/ingest", content=SERVED_FILE, headers={**auth, "content-type": "application/json"}).status_code == 415
        added = httpx.post(base + "/ingest", content=SERVED_FILE, headers=auth, timeout=60)
        assert added.status_code == 200, added.text
        assert added.json()["source"] == "test-wire-2026-03-nova" and added.json()["derived_added"] >= 3
        card = httpx.get(base + "/entities/nova-compute").json()
        assert [e["id"] for e in card["events"]] == ["nova-compute-seed-2026"]
        path = httpx.get(base + "/paths", params={"from": "nova-compute", "to": "xai"}).json()
        assert path["hops"] == 2, "the networkx projection was rebuilt from the new graph"
        again = httpx.post(base + "/ingest", content=SERVED_FILE, headers=auth, timeout=60)
        assert again.status_code == 400
        assert "request body:2: source.slug: source 'test-wire-2026-03-nova' is already in the store" in again.json()["detail"]
        refused = httpx.post(base + "/ingest/preview", content=SERVED_FILE, headers=auth, timeout=60)
        assert refused.status_code == 400 and refused.json()["detail"].endswith("already used in the store\nthe ingest would be refused")
        assert preview.json()["quads"] == added.json()["quads"] and preview.json()["derived_added"] == added.json()["derived_added"]
        bad = httpx.post(base + "/ingest", content=SERVED_FILE.replace("nova", "orion").replace("valor-equity-partners", "nobody"),
                         headers=auth, timeout=60)
        assert bad.status_code == 400 and "request body:13: events[0].lead_investors[0]: 'nobody'" in bad.json()["detail"]
        crlf = httpx.post(base + "/ingest", content=bad.request.content.replace(b"\n", b"\r\n"), headers=auth, timeout=60)
        assert crlf.json()["detail"] == bad.json()["detail"], "Windows line ends count as one line each"
        latin1 = httpx.post(base + "/ingest", content=bad.request.content.replace(b"Nova", "Nová".encode("latin-1")),
                            headers=auth, timeout=60)
        assert latin1.status_code == 400 and latin1.json()["detail"].startswith("request body: not UTF-8 text")
        assert httpx.get(base + "/entities/orion-compute").status_code == 404
    with live_server(location) as base:  # without a token the server is read-only
        assert httpx.post(base + "/ingest", content=SERVED_FILE, headers=yaml_type).status_code == 403
