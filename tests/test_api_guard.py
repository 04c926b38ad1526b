"""The query guard: what it refuses, what it lets through, and how it rewrites updates for the protocol."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.query_guard import GuardError, add_using, check, data_as_inserts, inspect, only_inserts_data

KNOWN = ["https://w3id.org/aikg/source/a"]


@pytest.mark.parametrize(("text", "rule"), [
    ("SELECT * { SERVICE <http://x/sparql> { ?s ?p ?o } }", "service"),
    ("select * { service silent <http://x/sparql> { ?s ?p ?o } }", "service"),
    ("SELECT * { SERVICE ?endpoint { ?s ?p ?o } }", "service"),
    ("PREFIX e: <http://x/> SELECT * { SERVICE e:sparql { ?s ?p ?o } }", "service"),
    ("SELECT * { { SELECT * { SERVICE <http://x/> { ?s ?p ?o } } } }", "service"),
    ("LOAD <file:///etc/passwd>", "load"),
    ("LOAD SILENT <http://x/data.ttl> INTO GRAPH <urn:g>", "load"),
    ("SELECT * FROM <http://x/data.ttl> { ?s ?p ?o }", "from"),
    ("SELECT * FROM NAMED <file:///etc/hosts> { GRAPH ?g { ?s ?p ?o } }", "from-named"),
    ("BASE <http://x/> SELECT * FROM <data.ttl> { ?s ?p ?o }", "from"),
    ("DELETE { ?s ?p ?o } USING <http://x/g> WHERE { ?s ?p ?o }", "using"),
    ("DELETE { ?s ?p ?o } USING NAMED <http://x/g> WHERE { ?s ?p ?o }", "using-named"),
    ("SELECT * { ?s ?p 'unterminated }", "syntax"),
    # A \u escape inside an IRI must not let a quote open a string that hides what follows.
    (r"SELECT * { <http://a\u0041'> SERVICE <http://evil/> {} }", "service"),
])
def test_refused(text: str, rule: str) -> None:
    with pytest.raises(GuardError) as caught:
        check(text, graphs=KNOWN)
    assert caught.value.rule == rule


@pytest.mark.parametrize("text", [
    "SELECT * { ?s ?p 'SERVICE <http://x/> { }' }",
    'SELECT * { ?s ?p """LOAD <http://x/>\nFROM <http://y/>""" }',
    "SELECT * { ?s ?p ?o } # SERVICE <http://x/>",
    "SELECT * { ?s <http://x/SERVICE> ?service }",
    "PREFIX service: <http://x/> SELECT * { ?s service:from ?o }",
    f"SELECT * FROM <{KNOWN[0]}> {{ ?s ?p ?o }}",
    "SELECT * { ?s ?p ?o FILTER(?o < 3 && ?o > 1) }",
])
def test_allowed(text: str) -> None:
    check(text, graphs=KNOWN)


def test_the_graphs_are_listed_only_for_a_text_that_names_some() -> None:
    listed: list[int] = []

    def graphs() -> list[str]:
        listed.append(1)
        return KNOWN

    check("INSERT DATA { GRAPH <urn:g> { <urn:s> <urn:p> <urn:o> } }", graphs=graphs)
    check("SELECT * { GRAPH ?g { ?s ?p ?o } }", graphs=graphs)
    assert listed == []
    check(f"SELECT * FROM <{KNOWN[0]}> {{ ?s ?p ?o }}", graphs=graphs)
    with pytest.raises(GuardError):
        check("DELETE { ?s ?p ?o } USING <http://x/g> WHERE { ?s ?p ?o }", graphs=graphs)
    assert listed == [1, 1]


def test_the_allow_list_lifts_the_rule_for_its_prefixes() -> None:
    check("SELECT * { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }", graphs=[],
          allow=["https://query.wikidata.org/"])
    with pytest.raises(GuardError):
        check("SELECT * { SERVICE <https://evil.example/sparql> { ?s ?p ?o } }", graphs=[],
              allow=["https://query.wikidata.org/"])


@given(st.text(alphabet=st.characters(blacklist_characters="\"\\\r\n", blacklist_categories=("Cs",))))
def test_text_inside_a_literal_never_trips_the_guard(inner: str) -> None:
    found = inspect(f'SELECT * {{ ?s ?p "{inner}" }}')
    assert not found.services and not found.loads and not found.from_graphs
    assert found.form == "SELECT"


def test_the_form_of_a_query() -> None:
    assert inspect("PREFIX a: <x:> CONSTRUCT { ?s ?p ?o } WHERE { { SELECT * { ?s ?p ?o } } }").form == "CONSTRUCT"
    assert inspect("ASK {}").form == "ASK"
    assert inspect("INSERT DATA { <a> <b> <c> }").form is None


def test_using_parameters_go_into_every_modify_operation() -> None:
    update = ("PREFIX d: <http://d/> INSERT DATA { <a> <b> <c> } ; "
              "INSERT { ?s a d:X } WHERE { ?s a ?t } ; DELETE WHERE { ?s d:p ?o }")
    rewritten = add_using(update, ["http://g/1"], ["http://g/2"])
    assert rewritten == (
        "PREFIX d: <http://d/> INSERT DATA { <a> <b> <c> } ; "
        "INSERT { ?s a d:X }  USING <http://g/1> USING NAMED <http://g/2> WHERE { ?s a ?t } ; "
        "DELETE { ?s d:p ?o } USING <http://g/1> USING NAMED <http://g/2> WHERE { ?s d:p ?o }")


def test_using_parameters_conflict_with_with_or_using() -> None:
    with pytest.raises(GuardError) as caught:
        add_using("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", [], ["http://g/2"])
    assert caught.value.rule == "dataset-conflict"


@pytest.mark.parametrize("text, only", [
    ('INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> "DELETE WHERE { ?s ?p ?o }" } }', True),
    ("PREFIX ex: <urn:ex:> INSERT DATA { ex:a ex:b ex:c } ; INSERT DATA { ex:a ex:b ex:d } ;", True),
    ("# INSERT DATA\nDELETE WHERE { ?s ?p ?o }", False),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> } ; DELETE DATA { <urn:a> <urn:b> <urn:d> }", False),
    ("INSERT { <urn:a> <urn:b> ?o } WHERE { ?s ?p ?o }", False),
    ("CLEAR ALL", False),
    ("", False),
    ('INSERT DATA { <urn:a> <urn:b> "unterminated }', False),
])
def test_an_update_is_known_to_only_insert_data_by_its_operations_not_its_strings(text: str, only: bool) -> None:
    assert only_inserts_data(text) is only


@pytest.mark.parametrize("text, inserts", [
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> } ; delete data { <urn:a> <urn:b> <urn:d> }",
     "INSERT DATA { <urn:a> <urn:b> <urn:c> } ; INSERT data { <urn:a> <urn:b> <urn:d> }"),
    ('PREFIX ex: <urn:ex:>\nDELETE DATA { GRAPH ex:g { ex:a ex:b "DELETE DATA" } }',
     'PREFIX ex: <urn:ex:>\nINSERT DATA { GRAPH ex:g { ex:a ex:b "DELETE DATA" } }'),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "INSERT DATA { <urn:a> <urn:b> <urn:c> }"),
    ("DELETE DATA { <urn:a> <urn:b> <urn:c> } ; DELETE WHERE { ?s ?p ?o }", None),
    ("DELETE { <urn:a> <urn:b> ?o } WHERE { <urn:a> <urn:b> ?o }", None),
    ("DROP GRAPH <urn:g>", None),
    ('DELETE DATA { <urn:a> <urn:b> "unterminated }', None),
])
def test_an_update_of_data_only_is_read_as_the_quads_it_names(text: str, inserts: str | None) -> None:
    assert data_as_inserts(text) == inserts
