"""Every fact of the seed article, asked of a store built by ``aikg build`` on disk.

Each row is one fact a reader of the article would check, written as SPARQL against the
public vocabulary and the English ``rdfs:label`` names, never against our slugs alone.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from graph.store import open_store
from ontology import AIK, ID, sparql_prologue

# A helper that finds an entity by its English name, so the rows read like the facts.
NAMED = "?{var} rdfs:label \"{name}\"@en ."


def named(var: str, name: str) -> str:
    return NAMED.format(var=var, name=name)


SEED_FACTS: list[tuple[str, str]] = [
    ("the 12B round into xAI is led by Valor Equity Partners, in negotiation, USD and JPY as reported",
     f"""ASK {{ {named('x', 'xAI')} {named('v', 'Valor Equity Partners')}
        ?r a aik:FundingRound ; aik:recipient ?x ; aik:leadInvestor ?v ;
           aik:amountUSD 12000000000.0 ; aik:status aik:InNegotiation ; aik:instrument aik:Debt ;
           aik:monetaryAmount [ schema:currency "JPY" ; schema:value 1765400000000.0 ] ,
                              [ schema:currency "USD" ; schema:value 12000000000.0 ] ;
           aik:date "2025-07"^^xsd:gYearMonth ; aik:forAsset ?c2 .
        {named('c2', 'Colossus 2')} }}"""),
    ("the 12B round was reported by the WSJ on 22 July 2025",
     """ASK { ?r aik:amountUSD 12000000000.0 ; aik:reportedBy ?wsj .
        ?wsj a aik:SourceDocument ; schema:datePublished "2025-07-22"^^xsd:date ;
             schema:publisher [ rdfs:label "The Wall Street Journal"@en ] }"""),
    ("the 12B is for a data center to train and run Grok",
     """ASK { ?r aik:amountUSD 12000000000.0 ; aik:purpose ?p FILTER(lang(?p) = "en" && CONTAINS(?p, "Grok")) }"""),
    ("SpaceX invested USD 2B (JPY 293,570,170,000) in xAI as equity, reported by the WSJ on 12 July 2025",
     f"""ASK {{ {named('x', 'xAI')} {named('s', 'SpaceX')}
        ?r a aik:FundingRound ; aik:recipient ?x ; aik:investor ?s ; aik:amountUSD 2000000000.0 ;
           aik:instrument aik:Equity ; aik:status aik:Completed ;
           aik:monetaryAmount [ schema:currency "JPY" ; schema:value 293570170000.0 ] ;
           aik:reportedBy [ schema:datePublished "2025-07-12"^^xsd:date ] }}"""),
    ("Morgan Stanley arranged USD 5B (JPY 733,925,440,000) of secured bonds and loans at the end of June 2025",
     f"""ASK {{ {named('x', 'xAI')} {named('m', 'Morgan Stanley')}
        ?r a aik:FundingRound ; aik:recipient ?x ; aik:arranger ?m ; aik:amountUSD 5000000000.0 ;
           aik:instrument aik:SecuredBond , aik:Loan ; aik:status aik:Completed ;
           aik:date "2025-06"^^xsd:gYearMonth ;
           aik:monetaryAmount [ schema:currency "JPY" ; schema:value 733925440000.0 ] }}"""),
    ("xAI is expected to burn USD 13B (JPY 1,908.2B) of cash in 2025",
     f"""ASK {{ {named('x', 'xAI')}
        ?f a aik:CashBurnForecast ; aik:spender ?x ; aik:amountUSD 13000000000.0 ;
           aik:date "2025"^^xsd:gYear ;
           aik:monetaryAmount [ schema:currency "JPY" ; schema:value 1908200000000.0 ] }}"""),
    ("xAI buys AI chips rather than renting cloud capacity",
     f"""ASK {{ {named('x', 'xAI')} {named('c', 'AI chips')} ?x aik:procures ?c }}"""),
    ("Colossus is a data center in Memphis, Tennessee, operated by xAI",
     f"""ASK {{ {named('c', 'Colossus')} {named('m', 'Memphis')} {named('t', 'Tennessee')} {named('x', 'xAI')}
        ?c a aik:DataCenter ; aik:locatedIn ?m ; aik:operator ?x . ?m aik:locatedIn ?t }}"""),
    ("Colossus was built in 122 days in the second half of 2024",
     f"""ASK {{ {named('c', 'Colossus')}
        ?b a aik:Construction ; aik:asset ?c ; aik:durationDays 122 ;
           aik:dateStart "2024-07-01"^^xsd:date ; aik:dateEnd "2024-12-31"^^xsd:date }}"""),
    ("Colossus started with 100,000 GPUs in H2 2024",
     f"""ASK {{ {named('c', 'Colossus')}
        ?o a aik:CapacityObservation ; aik:asset ?c ; aik:gpuCount 100000 ; aik:dateStart "2024-07-01"^^xsd:date }}"""),
    ("Colossus doubled to 200,000 GPUs 92 days later",
     f"""ASK {{ {named('c', 'Colossus')}
        ?o a aik:CapacityObservation ; aik:asset ?c ; aik:gpuCount 200000 ; aik:phase ?p
        FILTER(lang(?p) = "en" && CONTAINS(?p, "92 days")) }}"""),
    ("Nvidia supplies the GPUs of Colossus to xAI",
     f"""ASK {{ {named('n', 'Nvidia')} {named('x', 'xAI')} {named('c', 'Colossus')}
        ?d a aik:SupplyDeal ; aik:supplier ?n ; aik:customer ?x ; aik:forAsset ?c ; aik:quantity 200000 }}"""),
    ("Nvidia supplies xAI (derived shortcut)",
     f"""ASK {{ {named('n', 'Nvidia')} {named('x', 'xAI')} GRAPH aik:derived {{ ?n aik:suppliesTo ?x }} }}"""),
    ("xAI is funded by Valor Equity Partners and SpaceX (derived shortcuts)",
     f"""ASK {{ {named('x', 'xAI')} {named('v', 'Valor Equity Partners')} {named('s', 'SpaceX')}
        GRAPH aik:derived {{ ?x aik:fundedBy ?v , ?s }} }}"""),
    ("Morgan Stanley arranged financing for xAI (derived shortcut)",
     f"""ASK {{ {named('m', 'Morgan Stanley')} {named('x', 'xAI')} GRAPH aik:derived {{ ?m aik:arrangedFinancingFor ?x }} }}"""),
    ("Elon Musk is CEO of Tesla",
     f"""ASK {{ {named('e', 'Elon Musk')} {named('t', 'Tesla')} ?e aik:ceoOf ?t }}"""),
    ("Jensen Huang is CEO of Nvidia and praised the Colossus build",
     f"""ASK {{ {named('j', 'Jensen Huang')} {named('n', 'Nvidia')} {named('c', 'Colossus')}
        ?j aik:ceoOf ?n ; aik:praised ?c }}"""),
    ("Antonio Gracias, close to Musk, founded Valor Equity Partners",
     f"""ASK {{ {named('a', 'Antonio Gracias')} {named('v', 'Valor Equity Partners')} {named('e', 'Elon Musk')}
        ?a aik:founderOf ?v ; aik:associateOf ?e }}"""),
    ("Grok is xAI's chatbot",
     f"""ASK {{ {named('g', 'Grok')} {named('x', 'xAI')} ?g a aik:AIModel ; aik:developer ?x }}"""),
    ("SpaceX and xAI are Musk companies",
     f"""ASK {{ {named('e', 'Elon Musk')} {named('s', 'SpaceX')} {named('x', 'xAI')} ?e aik:founderOf ?s , ?x }}"""),
    ("names are in English and Japanese, and 'Colossu' is an alias of Colossus",
     """ASK { ?c rdfs:label "Colossus"@en , "コロッサス"@ja ; skos:altLabel "Colossu"@en .
              ?x rdfs:label "イーロン・マスク"@ja , "Elon Musk"@en }"""),
    ("the article is a Japanese source document citing the WSJ and datacenter magazin",
     """ASK { ?a a aik:SourceDocument ; schema:inLanguage "ja" ; schema:author ?author ; schema:headline ?h ;
                 schema:citation ?w , ?d .
              ?w schema:publisher [ rdfs:label "The Wall Street Journal"@en ] .
              ?d schema:publisher [ rdfs:label "datacenter magazin"@en ] }"""),
    ("the GPU supply deal is labelled with its product named once, its customer and its time",
     """ASK { ?d a aik:SupplyDeal ; rdfs:label "Nvidia GPUs for xAI (2024-H2)"@en }"""),
    ("each funding round lives in a named graph that is a source document",
     """ASK { FILTER NOT EXISTS { ?r a aik:FundingRound
              FILTER NOT EXISTS { GRAPH ?g { ?r a aik:FundingRound } ?g a aik:SourceDocument .
                                  ?r prov:wasDerivedFrom ?g } } }"""),
]


@pytest.fixture(scope="module")
def built_store(tmp_path_factory):
    """The bundled facts built with the CLI into a fresh on-disk store."""
    location = tmp_path_factory.mktemp("seed") / "store"
    run = subprocess.run([sys.executable, "-m", "graph.cli", "build", "--store", str(location)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "8 events" in run.stdout
    store = open_store(location, read_only=True)
    yield store
    store.close()


@pytest.mark.parametrize("fact, ask", SEED_FACTS, ids=[f for f, _ in SEED_FACTS])
def test_seed_fact(built_store, fact, ask):
    assert built_store.ask(sparql_prologue() + ask), fact


def test_three_rounds_into_xai_and_nothing_more(built_store):
    rows = built_store.select(sparql_prologue() + """
        SELECT ?usd WHERE { ?r a aik:FundingRound ; aik:recipient id:xai ; aik:amountUSD ?usd } ORDER BY ?usd""")
    assert [int(r["usd"]) for r in rows] == [2_000_000_000, 5_000_000_000, 12_000_000_000]


def test_colossus_gpu_counts_over_time(built_store):
    rows = built_store.select(sparql_prologue() + """
        SELECT ?n WHERE { ?o aik:asset id:colossus ; aik:gpuCount ?n } ORDER BY ?n""")
    assert [r["n"] for r in rows] == [100_000, 200_000]


def test_every_entity_has_one_english_label(built_store):
    rows = built_store.select(sparql_prologue() + """
        SELECT ?e (COUNT(?en) AS ?n) WHERE {
          GRAPH aik:entities { ?e a ?class }
          OPTIONAL { ?e rdfs:label ?en FILTER(lang(?en) = "en") }
        } GROUP BY ?e""")
    assert len(rows) == 19
    assert {r["n"] for r in rows} == {1}


def test_the_fact_file_states_no_sentence_of_the_article_beyond_its_headline():
    """Facts and figures come from the article; the sentences in the repository are ours."""
    seed_dir = Path(__file__).resolve().parents[1].parent / "shared" / "seed"
    pages = list(seed_dir.glob("*")) if seed_dir.is_dir() else []
    assert pages, f"the seed article is expected in {seed_dir}"
    article = "".join(p.read_text(encoding="utf-8", errors="replace") for p in pages if p.is_file())
    data = (Path(__file__).resolve().parents[1] / "graph" / "data" / "fastview-2025-07-xai-raises-12b.yaml").read_text()
    headline = re.search(r'headline: "(.*)"', data).group(1)
    # Any run of 25 characters of Japanese prose shared with the article, other than the headline, is a copied sentence.
    for line in data.splitlines():
        text = line.split(":", 1)[-1].strip().strip('"')
        if headline in text:
            continue
        for start in range(0, max(0, len(text) - 25)):
            assert text[start:start + 25] not in article, f"copied from the article: {text!r}"


def test_the_query_page_lists_the_relations_only_one_source_states():
    import graph
    from api.query_page import EXAMPLES

    kg = graph.open_graph(":memory:")
    query = EXAMPLES["Relations only one source states"]
    associates = (str(ID) + "antonio-gracias", str(AIK) + "associateOf", str(ID) + "elon-musk")
    rows = {(r["subject"], r["predicate"], r["object"]): r["only_source"] for r in graph.query(kg, query)}
    assert rows[associates] == "https://w3id.org/aikg/source/fastview-2025-07-xai-raises-12b"
    assert not any(p.endswith(("#recipient", "#investor", "#leadInvestor", "#supplier")) for _, p, _ in rows), "no event roles"
    graph.update(kg, "INSERT DATA { GRAPH src:second-report { src:second-report a aik:SourceDocument . "
                     "id:antonio-gracias aik:associateOf id:elon-musk } }")
    after = {(r["subject"], r["predicate"], r["object"]) for r in graph.query(kg, query)}
    assert after == set(rows) - {associates}, "a relation a second source states leaves the list"
