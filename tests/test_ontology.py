"""The vocabulary: the OWL terms users query by, the SHACL rules every graph obeys, the derivation rules."""

from __future__ import annotations

import re

import pyoxigraph
import pytest
from pyshacl import validate
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS
from rdflib.plugins.sparql import prepareQuery

from ontology import (
    AIK,
    DERIVED_GRAPH,
    ONTOLOGY_FILE,
    ONTOLOGY_IRI,
    PREFIXES,
    PROV,
    SCHEMA,
    SHAPES_FILE,
    rule_files,
)

XSD = Namespace(PREFIXES["xsd"])  # rdflib's closed XSD namespace trips pytest's collector

ONTOLOGY = Graph().parse(ONTOLOGY_FILE, format="turtle")
SHAPES = Graph().parse(SHAPES_FILE, format="turtle")

CLASSES = {
    "Agent": None,
    "Person": AIK.Agent,
    "Organization": AIK.Agent,
    "Company": AIK.Organization,
    "InvestmentFirm": AIK.Organization,
    "Bank": AIK.Organization,
    "MediaOrganization": AIK.Organization,
    "Asset": None,
    "DataCenter": AIK.Asset,
    "AIModel": AIK.Asset,
    "HardwareProduct": AIK.Asset,
    "Place": None,
    "Event": None,
    "FundingRound": AIK.Event,
    "SupplyDeal": AIK.Event,
    "Construction": AIK.Event,
    "CashBurnForecast": AIK.Event,
    "CapacityObservation": None,
    "SourceDocument": PROV.Entity,
    "Instrument": None,
    "Status": None,
}
OBJECT_PROPERTIES = {
    "recipient", "investor", "leadInvestor", "arranger", "monetaryAmount", "instrument", "status",
    "forAsset", "supplier", "customer", "product", "asset", "builder", "spender", "reportedBy",
    "ceoOf", "founderOf", "associateOf", "operator", "locatedIn", "developer", "trainedOn",
    "procures", "praised", "fundedBy", "suppliesTo", "arrangedFinancingFor",
}
DATATYPE_PROPERTIES = {
    "amountUSD", "date", "dateStart", "dateEnd", "purpose", "quantity", "gpuCount", "phase",
    "durationDays", "wikidataId",
}
INDIVIDUALS = {
    "Equity": "Instrument",
    "Debt": "Instrument",
    "SecuredBond": "Instrument",
    "Loan": "Instrument",
    "Reported": "Status",
    "InNegotiation": "Status",
    "Completed": "Status",
}
REUSED_TERMS = [
    PROV.Entity, PROV.wasDerivedFrom, SKOS.altLabel, SCHEMA.MonetaryAmount, SCHEMA.value,
    SCHEMA.currency, SCHEMA.headline, SCHEMA.publisher, SCHEMA.author, SCHEMA.inLanguage,
    SCHEMA.datePublished, SCHEMA.url, SCHEMA.citation,
]


def declared_aik_terms() -> set[URIRef]:
    """Every aik: IRI the ontology gives a type to."""
    return {s for s in ONTOLOGY.subjects(RDF.type, None) if isinstance(s, URIRef) and s.startswith(AIK)}


def aik_properties() -> list[URIRef]:
    return sorted(AIK[name] for name in OBJECT_PROPERTIES | DATATYPE_PROPERTIES)


def aik_terms_in_text(text: str) -> set[URIRef]:
    """aik: terms a query mentions, prefixed or as full IRIs."""
    local = r"([A-Za-z_][A-Za-z0-9_]*)"
    names = re.findall(r"\baik:" + local, text) + re.findall(re.escape(str(AIK)) + local, text)
    return {AIK[name] for name in names}


# --- The OWL ontology -------------------------------------------------------------------------


def test_the_ontology_parses_and_names_itself():
    assert (URIRef(ONTOLOGY_IRI), RDF.type, OWL.Ontology) in ONTOLOGY


def test_it_declares_exactly_the_public_vocabulary():
    expected = (
        {AIK[c] for c in CLASSES}
        | {AIK[p] for p in OBJECT_PROPERTIES | DATATYPE_PROPERTIES}
        | {AIK[i] for i in INDIVIDUALS}
        | {URIRef(DERIVED_GRAPH)}
    )
    assert declared_aik_terms() == expected


@pytest.mark.parametrize("name, parent", CLASSES.items(), ids=list(CLASSES))
def test_classes_sit_in_the_documented_hierarchy(name, parent):
    assert (AIK[name], RDF.type, OWL.Class) in ONTOLOGY
    parents = set(ONTOLOGY.objects(AIK[name], RDFS.subClassOf))
    assert parents == ({parent} if parent else set())


@pytest.mark.parametrize("name", sorted(OBJECT_PROPERTIES))
def test_object_properties_point_at_classes(name):
    assert (AIK[name], RDF.type, OWL.ObjectProperty) in ONTOLOGY
    (range_,) = ONTOLOGY.objects(AIK[name], RDFS.range)
    assert (range_, RDF.type, OWL.Class) in ONTOLOGY


@pytest.mark.parametrize("name", sorted(DATATYPE_PROPERTIES))
def test_datatype_properties_point_at_datatypes(name):
    assert (AIK[name], RDF.type, OWL.DatatypeProperty) in ONTOLOGY
    (range_,) = ONTOLOGY.objects(AIK[name], RDFS.range)
    if isinstance(range_, BNode):
        assert (range_, RDF.type, RDFS.Datatype) in ONTOLOGY
        members = list(ONTOLOGY.items(ONTOLOGY.value(range_, OWL.unionOf)))
    else:
        members = [range_]
    assert all(m.startswith(XSD) or m == RDF.langString for m in members)


@pytest.mark.parametrize("prop", aik_properties(), ids=lambda p: p.fragment)
def test_every_property_has_a_domain_and_a_range(prop):
    assert len(list(ONTOLOGY.objects(prop, RDFS.domain))) == 1
    assert len(list(ONTOLOGY.objects(prop, RDFS.range))) == 1


def test_a_property_of_several_classes_takes_their_union_as_domain():
    domain = ONTOLOGY.value(AIK.amountUSD, RDFS.domain)
    assert list(ONTOLOGY.items(ONTOLOGY.value(domain, OWL.unionOf))) == [AIK.FundingRound, AIK.CashBurnForecast]


def test_aik_date_accepts_the_four_precisions():
    range_ = ONTOLOGY.value(AIK.date, RDFS.range)
    members = list(ONTOLOGY.items(ONTOLOGY.value(range_, OWL.unionOf)))
    assert members == [XSD.date, XSD.gYearMonth, XSD.gYear, XSD.string]
    assert ONTOLOGY.value(AIK.dateStart, RDFS.range) == XSD.date
    assert ONTOLOGY.value(AIK.dateEnd, RDFS.range) == XSD.date


def test_a_lead_investor_is_an_investor_and_association_runs_both_ways():
    assert (AIK.leadInvestor, RDFS.subPropertyOf, AIK.investor) in ONTOLOGY
    assert (AIK.associateOf, RDF.type, OWL.SymmetricProperty) in ONTOLOGY


@pytest.mark.parametrize("name, class_", INDIVIDUALS.items())
def test_instruments_and_statuses_are_named_individuals(name, class_):
    assert (AIK[name], RDF.type, OWL.NamedIndividual) in ONTOLOGY
    assert (AIK[name], RDF.type, AIK[class_]) in ONTOLOGY


def test_secured_bonds_and_loans_are_kinds_of_debt():
    assert (AIK.SecuredBond, SKOS.broader, AIK.Debt) in ONTOLOGY
    assert (AIK.Loan, SKOS.broader, AIK.Debt) in ONTOLOGY


def test_the_derived_graph_is_a_documented_individual():
    assert (URIRef(DERIVED_GRAPH), RDF.type, OWL.NamedIndividual) in ONTOLOGY


@pytest.mark.parametrize(
    "term", sorted(declared_aik_terms()) + REUSED_TERMS, ids=lambda t: t.n3(ONTOLOGY.namespace_manager)
)
def test_every_term_has_english_and_japanese_labels_and_a_comment(term):
    languages = {label.language for label in ONTOLOGY.objects(term, RDFS.label)}
    assert {"en", "ja"} <= languages
    comments = list(ONTOLOGY.objects(term, RDFS.comment))
    assert comments and all(c.language == "en" for c in comments)


def test_reused_properties_say_which_aikg_classes_they_describe():
    for term in REUSED_TERMS:
        if (term, RDF.type, OWL.Class) in ONTOLOGY or (term, RDF.type, OWL.AnnotationProperty) in ONTOLOGY:
            continue
        assert ONTOLOGY.value(term, SCHEMA.domainIncludes) is not None, term
        assert ONTOLOGY.value(term, SCHEMA.rangeIncludes) is not None, term


def test_every_aik_term_the_shapes_and_rules_use_is_declared():
    used = {node for triple in SHAPES for node in triple if isinstance(node, URIRef) and node.startswith(AIK)}
    for rule in rule_files():
        used |= aik_terms_in_text(rule.read_text(encoding="utf-8"))
    assert used, "the shapes and rules mention aik: terms"
    assert used - declared_aik_terms() == set()


# --- SHACL shapes -----------------------------------------------------------------------------

PROLOGUE = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())

# Entities and a source that every example below may refer to; valid on their own.
WORLD = """
src:article a aik:SourceDocument ;
    schema:headline "xAI raises $10 billion in debt and equity"@en ;
    schema:inLanguage "en" ;
    schema:publisher id:example-news ;
    schema:author "A. Reporter" ;
    schema:url <https://news.example.com/xai-raises-10bn> ;
    schema:datePublished "2025-07-01"^^xsd:date ;
    schema:citation src:wsj-report .
# Known only because the article cites it: headline and language may be unknown.
src:wsj-report a aik:SourceDocument ;
    rdfs:label "WSJ report on xAI financing"@en ;
    schema:datePublished "2025-06"^^xsd:gYearMonth .
id:example-news a aik:MediaOrganization ; rdfs:label "Example News"@en .
id:xai a aik:Company ; rdfs:label "xAI"@en , "xAI"@ja ; aik:wikidataId "Q117425224" .
id:spacex a aik:Company ; rdfs:label "SpaceX"@en .
id:valor a aik:InvestmentFirm ; rdfs:label "Valor Equity Partners"@en .
id:morgan-stanley a aik:Bank ; rdfs:label "Morgan Stanley"@en .
id:nvidia a aik:Company ; rdfs:label "Nvidia"@en .
id:h100 a aik:HardwareProduct ; rdfs:label "H100"@en .
id:grok a aik:AIModel ; rdfs:label "Grok"@en ; aik:developer id:xai ; aik:trainedOn id:colossus .
id:memphis a aik:Place ; rdfs:label "Memphis"@en , "メンフィス"@ja .
id:colossus a aik:DataCenter ;
    rdfs:label "Colossus"@en ; skos:altLabel "Colossu"@en ;
    aik:operator id:xai ; aik:locatedIn id:memphis .
id:elon-musk a aik:Person ; rdfs:label "Elon Musk"@en ; aik:ceoOf id:xai ; aik:founderOf id:xai .
"""

GOOD_EVENTS = """
id:round a aik:FundingRound ;
    aik:recipient id:xai ;
    aik:leadInvestor id:valor ;
    aik:arranger id:morgan-stanley ;
    aik:amountUSD 10000000000.0 ;
    aik:monetaryAmount [ a schema:MonetaryAmount ; schema:value 10000000000.0 ; schema:currency "USD" ] ,
                       [ schema:value 1500000000000.0 ; schema:currency "JPY" ] ;
    aik:instrument aik:Debt , aik:Equity ;
    aik:status aik:Reported ;
    aik:date "2025-07"^^xsd:gYearMonth ;
    aik:dateStart "2025-07-01"^^xsd:date ;
    aik:dateEnd "2025-07-31"^^xsd:date ;
    aik:purpose "to build Colossus 2"@en ;
    aik:reportedBy src:wsj-report ;
    prov:wasDerivedFrom src:article .
id:gpu-deal a aik:SupplyDeal ;
    aik:supplier id:nvidia ;
    aik:customer id:xai ;
    aik:product id:h100 ;
    aik:quantity 100000 ;
    aik:forAsset id:colossus ;
    prov:wasDerivedFrom src:article .
id:colossus-initial a aik:CapacityObservation ;
    aik:asset id:colossus ;
    aik:product id:h100 ;
    aik:gpuCount 100000 ;
    aik:phase "initial"@en ;
    prov:wasDerivedFrom src:article .
id:colossus-build a aik:Construction ;
    aik:asset id:colossus ;
    aik:builder id:xai ;
    aik:durationDays 122 ;
    aik:date "2024-H2" ;
    aik:dateStart "2024-07-01"^^xsd:date ;
    aik:dateEnd "2024-12-31"^^xsd:date ;
    prov:wasDerivedFrom src:article .
id:xai-burn a aik:CashBurnForecast ;
    aik:spender id:xai ;
    aik:amountUSD 13000000000.0 ;
    aik:date "2025"^^xsd:gYear ;
    aik:dateStart "2025-01-01"^^xsd:date ;
    aik:dateEnd "2025-12-31"^^xsd:date ;
    prov:wasDerivedFrom src:article .
"""

# One broken fact per rule, and the words the rejection must contain.
BAD_FACTS = {
    "funding round with two recipients": (
        """id:round a aik:FundingRound ; aik:recipient id:xai , id:spacex ; aik:investor id:valor ;
               aik:status aik:Reported ; prov:wasDerivedFrom src:article .""",
        "A funding round has exactly one aik:recipient.",
    ),
    "funding round without recipient": (
        """id:round a aik:FundingRound ; aik:investor id:valor ;
               aik:status aik:Reported ; prov:wasDerivedFrom src:article .""",
        "A funding round has exactly one aik:recipient.",
    ),
    "funding round without investor, lead investor or arranger": (
        """id:round a aik:FundingRound ; aik:recipient id:xai ;
               aik:status aik:Reported ; prov:wasDerivedFrom src:article .""",
        "at least one aik:investor, aik:leadInvestor or aik:arranger",
    ),
    "negative amountUSD": (
        """id:round a aik:FundingRound ; aik:recipient id:xai ; aik:investor id:valor ; aik:amountUSD -5.0 ;
               aik:status aik:Reported ; prov:wasDerivedFrom src:article .""",
        "aik:amountUSD is not negative",
    ),
    "amountUSD written as an integer": (
        """id:round a aik:FundingRound ; aik:recipient id:xai ; aik:investor id:valor ; aik:amountUSD 5 ;
               aik:status aik:Reported ; prov:wasDerivedFrom src:article .""",
        "aik:amountUSD is an xsd:decimal",
    ),
    "negative cash burn": (
        """id:burn a aik:CashBurnForecast ; aik:spender id:xai ; aik:amountUSD -1.0 ;
               prov:wasDerivedFrom src:article .""",
        "aik:amountUSD is not negative",
    ),
    "status outside the set": (
        """id:round a aik:FundingRound ; aik:recipient id:xai ; aik:investor id:valor ;
               aik:status aik:Rumoured ; prov:wasDerivedFrom src:article .""",
        "aik:status is one of aik:Reported, aik:InNegotiation, aik:Completed",
    ),
    "funding round without status": (
        """id:round a aik:FundingRound ; aik:recipient id:xai ; aik:investor id:valor ;
               prov:wasDerivedFrom src:article .""",
        "A funding round has exactly one aik:status.",
    ),
    "instrument outside the set": (
        """id:round a aik:FundingRound ; aik:recipient id:xai ; aik:investor id:valor ; aik:instrument aik:Grant ;
               aik:status aik:Reported ; prov:wasDerivedFrom src:article .""",
        "aik:instrument is one of aik:Equity, aik:Debt, aik:SecuredBond, aik:Loan",
    ),
    "currency that is not an ISO 4217 code": (
        """id:round a aik:FundingRound ; aik:recipient id:xai ; aik:investor id:valor ;
               aik:monetaryAmount [ schema:value 10.0 ; schema:currency "usd" ] ;
               aik:status aik:Reported ; prov:wasDerivedFrom src:article .""",
        "exactly one schema:currency, a three-letter ISO 4217 code",
    ),
    "monetary amount without value": (
        """id:round a aik:FundingRound ; aik:recipient id:xai ; aik:investor id:valor ;
               aik:monetaryAmount [ schema:currency "JPY" ] ;
               aik:status aik:Reported ; prov:wasDerivedFrom src:article .""",
        "exactly one schema:value",
    ),
    "supply deal without supplier": (
        """id:deal a aik:SupplyDeal ; aik:customer id:xai ; prov:wasDerivedFrom src:article .""",
        "A supply deal has at least one aik:supplier.",
    ),
    "supply deal without customer": (
        """id:deal a aik:SupplyDeal ; aik:supplier id:nvidia ; prov:wasDerivedFrom src:article .""",
        "A supply deal has at least one aik:customer.",
    ),
    "supply deal for zero units": (
        """id:deal a aik:SupplyDeal ; aik:supplier id:nvidia ; aik:customer id:xai ; aik:quantity 0 ;
               prov:wasDerivedFrom src:article .""",
        "aik:quantity of a supply deal is a whole number of at least 1",
    ),
    "capacity observation of zero GPUs": (
        """id:obs a aik:CapacityObservation ; aik:asset id:colossus ; aik:gpuCount 0 ; aik:phase "initial" ;
               prov:wasDerivedFrom src:article .""",
        "aik:gpuCount is greater than 0",
    ),
    "capacity observation with a fractional GPU count": (
        """id:obs a aik:CapacityObservation ; aik:asset id:colossus ; aik:gpuCount 1.5 ; aik:phase "initial" ;
               prov:wasDerivedFrom src:article .""",
        "aik:gpuCount is an xsd:integer",
    ),
    "capacity observation without asset": (
        """id:obs a aik:CapacityObservation ; aik:gpuCount 100000 ; aik:phase "initial" ;
               prov:wasDerivedFrom src:article .""",
        "A capacity observation has exactly one aik:asset.",
    ),
    "capacity observation without date or phase": (
        """id:obs a aik:CapacityObservation ; aik:asset id:colossus ; aik:gpuCount 100000 ;
               prov:wasDerivedFrom src:article .""",
        "an aik:date or an aik:phase",
    ),
    "cash burn forecast without spender": (
        """id:burn a aik:CashBurnForecast ; aik:amountUSD 1.0 ; prov:wasDerivedFrom src:article .""",
        "A cash burn forecast has exactly one aik:spender.",
    ),
    "place without an English label": (
        """id:tokyo a aik:Place ; rdfs:label "東京"@ja .""",
        "Every entity has an rdfs:label in English (@en).",
    ),
    "bank without any label": (
        """id:mystery-bank a aik:Bank .""",
        "Every entity has an rdfs:label in English (@en).",
    ),
    "event without prov:wasDerivedFrom": (
        """id:deal a aik:SupplyDeal ; aik:supplier id:nvidia ; aik:customer id:xai .""",
        "prov:wasDerivedFrom pointing at an aik:SourceDocument",
    ),
    "event derived from something that is not a source document": (
        """id:deal a aik:SupplyDeal ; aik:supplier id:nvidia ; aik:customer id:xai ;
               prov:wasDerivedFrom <https://example.com/some-page> .""",
        "prov:wasDerivedFrom pointing at an aik:SourceDocument",
    ),
    "source document without headline": (
        """src:bare a aik:SourceDocument ; schema:inLanguage "ja" .""",
        "A source document has exactly one schema:headline, unless it is only known as a report",
    ),
    "source document without language": (
        """src:bare a aik:SourceDocument ; schema:headline "xAI の資金調達"@ja .""",
        "A source document has exactly one schema:inLanguage, unless it is only known as a report",
    ),
    "source document URL given as a string": (
        """src:article schema:url "https://news.example.com/xai-raises-10bn" .""",
        "schema:url of a source document is an IRI",
    ),
    "source document with two headlines": (
        """src:bare a aik:SourceDocument ; schema:headline "One"@en , "Two"@en ; schema:inLanguage "en" .""",
        "A source document has at most one schema:headline.",
    ),
    "date in free text": (
        """id:obs a aik:CapacityObservation ; aik:asset id:colossus ; aik:gpuCount 100000 ;
               aik:date "July 2025" ; aik:dateStart "2025-07-01"^^xsd:date ; aik:dateEnd "2025-07-31"^^xsd:date ;
               prov:wasDerivedFrom src:article .""",
        "aik:date is one xsd:date, xsd:gYearMonth or xsd:gYear",
    ),
    "date without the last day filters use": (
        """id:obs a aik:CapacityObservation ; aik:asset id:colossus ; aik:gpuCount 100000 ;
               aik:date "2025-Q3" ; aik:dateStart "2025-07-01"^^xsd:date ;
               prov:wasDerivedFrom src:article .""",
        "A node with aik:date has exactly one aik:dateEnd",
    ),
    "date range that ends before it starts": (
        """id:obs a aik:CapacityObservation ; aik:asset id:colossus ; aik:gpuCount 100000 ;
               aik:date "2025-Q3" ; aik:dateStart "2025-09-30"^^xsd:date ; aik:dateEnd "2025-07-01"^^xsd:date ;
               prov:wasDerivedFrom src:article .""",
        "an xsd:date not after its aik:dateEnd",
    ),
}


def shacl_messages(turtle: str, with_ontology: bool = True) -> set[str]:
    """The distinct sh:resultMessage texts for a Turtle data graph; empty when it conforms."""
    data = Graph().parse(data=PROLOGUE + turtle, format="turtle")
    conforms, report, _ = validate(
        data, shacl_graph=SHAPES, ont_graph=ONTOLOGY if with_ontology else None, inference="none"
    )
    messages = {str(m) for m in report.objects(None, SH.resultMessage)}
    assert conforms == (not messages)
    return messages


def test_every_shape_says_its_rule_in_a_message():
    shapes = set(SHAPES.subjects(RDF.type, SH.NodeShape)) | set(SHAPES.objects(None, SH.property))
    assert shapes
    for shape in shapes:
        (message,) = SHAPES.objects(shape, SH.message)
        assert isinstance(message, Literal) and message.language is None and len(message) > 20


@pytest.mark.parametrize("with_ontology", [True, False], ids=["with-ontology", "shapes-alone"])
def test_a_well_formed_graph_is_accepted(with_ontology):
    assert shacl_messages(WORLD + GOOD_EVENTS, with_ontology) == set()


@pytest.mark.parametrize("with_ontology", [True, False], ids=["with-ontology", "shapes-alone"])
@pytest.mark.parametrize("case", BAD_FACTS)
def test_a_broken_fact_is_rejected_with_the_rule_it_breaks(case, with_ontology):
    fact, rule = BAD_FACTS[case]
    messages = shacl_messages(WORLD + fact, with_ontology)
    assert len(messages) == 1, messages
    assert rule in messages.pop()


# --- Derivation rules -------------------------------------------------------------------------

SOURCES = """
src:a {
    id:round-1 a aik:FundingRound ;
        aik:recipient id:xai ;
        aik:investor id:valor ;
        aik:leadInvestor id:nvidia ;
        aik:arranger id:morgan-stanley .
    id:gpu-deal a aik:SupplyDeal ;
        aik:supplier id:nvidia ;
        aik:customer id:xai , id:x-corp .
    id:xai a aik:Company .
    id:colossus a aik:DataCenter .
    src:a a aik:SourceDocument .
}
src:b {
    id:round-2 a aik:FundingRound ;
        aik:recipient id:xai ;
        aik:leadInvestor id:valor ;
        aik:investor id:valor .
    id:elon-musk a aik:Person , aik:Agent .
}
"""


def derive(rule_name: str, trig: str = SOURCES) -> set[tuple[str, str, str]]:
    """Run one rule file as the build does (over the union of all graphs) and return its triples as CURIEs."""
    store = pyoxigraph.Store()
    store.load(PROLOGUE.replace("@prefix", "PREFIX").replace(" .\n", "\n") + trig, format=pyoxigraph.RdfFormat.TRIG)
    store.load(path=ONTOLOGY_FILE, format=pyoxigraph.RdfFormat.TURTLE, to_graph=pyoxigraph.NamedNode(ONTOLOGY_IRI))
    (rule,) = [f for f in rule_files() if f.name == rule_name]
    results = store.query(rule.read_text(encoding="utf-8"), use_default_graph_as_union=True)
    return {tuple(curie(term.value) for term in triple) for triple in results}


def curie(iri: str) -> str:
    """Shorten an IRI with the project prefixes, so expected triples read like Turtle."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def test_rules_run_in_name_order():
    assert [f.name for f in rule_files()] == [
        "10-funded-by.rq",
        "20-supplies-to.rq",
        "30-arranged-financing-for.rq",
        "40-inherited-types.rq",
        "50-lead-investor-is-investor.rq",
    ]


@pytest.mark.parametrize("rule", rule_files(), ids=lambda f: f.name)
def test_each_rule_is_a_self_contained_construct_query(rule):
    text = rule.read_text(encoding="utf-8")
    assert text.startswith("# ")
    # No prologue is passed: each file declares the prefixes it uses.
    assert prepareQuery(text).algebra.name == "ConstructQuery"


def test_funded_by_links_a_recipient_to_its_investors_and_lead_investors():
    assert derive("10-funded-by.rq") == {
        ("id:xai", "aik:fundedBy", "id:valor"),
        ("id:xai", "aik:fundedBy", "id:nvidia"),
    }


def test_supplies_to_links_a_supplier_to_each_customer():
    assert derive("20-supplies-to.rq") == {
        ("id:nvidia", "aik:suppliesTo", "id:xai"),
        ("id:nvidia", "aik:suppliesTo", "id:x-corp"),
    }


def test_arranged_financing_for_links_an_arranger_to_the_recipient():
    assert derive("30-arranged-financing-for.rq") == {("id:morgan-stanley", "aik:arrangedFinancingFor", "id:xai")}


def test_inherited_types_add_every_missing_aik_superclass():
    assert derive("40-inherited-types.rq") == {
        ("id:xai", "rdf:type", "aik:Organization"),
        ("id:xai", "rdf:type", "aik:Agent"),
        ("id:colossus", "rdf:type", "aik:Asset"),
        ("id:round-1", "rdf:type", "aik:Event"),
        ("id:round-2", "rdf:type", "aik:Event"),
        ("id:gpu-deal", "rdf:type", "aik:Event"),
        # elon-musk already says aik:Agent; src:a is a prov:Entity, which is not an aik: class.
    }


def test_inherited_types_follow_only_the_ontology_graph():
    rogue = "src:c { aik:Company rdfs:subClassOf aik:Bank . id:xai a aik:Company . }"
    assert ("id:xai", "rdf:type", "aik:Bank") not in derive("40-inherited-types.rq", rogue)


def test_a_lead_investor_becomes_an_investor_once():
    assert derive("50-lead-investor-is-investor.rq") == {("id:round-1", "aik:investor", "id:nvidia")}
