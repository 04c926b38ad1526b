"""graph.update_effects: the quads an update with a WHERE will delete and insert, read before it runs, hold every quad
it does change (checked against the store's quads before and after), and the updates it cannot read give None."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from synthetic import synthetic_store

from api.sparql_protocol import _PROLOGUE
from graph.query_guard import add_using
from graph.store import Store, open_store
from graph.update_effects import quads_named

_FASTVIEW = "src:fastview-2025-07-xai-raises-12b"
FOLLOWED = {
    "delete-where": "DELETE WHERE { GRAPH ?g { id:spacex-invests-in-xai-2025 aik:investor ?who } }",
    "rounds-completed": """DELETE { GRAPH ?g { ?r aik:status ?s } } INSERT { GRAPH ?g { ?r aik:status aik:Completed } }
        WHERE { GRAPH ?g { ?r aik:recipient id:xai ; aik:status ?s } }""",
    "a-label-for-every-company": 'INSERT { GRAPH aik:entities { ?c rdfs:label "renamed"@fr } } WHERE { GRAPH aik:entities { ?c a aik:Company } }',
    "literals-and-numbers": """DELETE { GRAPH ?g { ?r aik:amountUSD ?usd } } INSERT { GRAPH ?g { ?r aik:amountUSD -1.5 ; rdfs:comment "was \\"big\\""@en } }
        WHERE { GRAPH ?g { ?r aik:amountUSD ?usd FILTER(?usd >= 5000000000) } }""",
    "constant-templates": f"INSERT {{ GRAPH {_FASTVIEW} {{ id:xai aik:investor id:nvidia }} }} WHERE {{ GRAPH ?g {{ id:xai a ?c }} }}",
    "nothing-found": "DELETE { GRAPH ?g { ?r aik:status ?s } } WHERE { GRAPH ?g { ?r aik:status ?s ; aik:recipient id:nobody } }",
    "data": f"""DELETE DATA {{ GRAPH {_FASTVIEW} {{ id:spacex-invests-in-xai-2025 aik:investor id:spacex }} }} ;
        INSERT DATA {{ GRAPH {_FASTVIEW} {{ id:spacex-invests-in-xai-2025 aik:investor id:nvidia }} }}""",
}
NOT_FOLLOWED = {
    "with": "WITH <https://w3id.org/aikg/ontology#derived> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "two-operations": "DELETE WHERE { GRAPH ?g { ?r aik:status ?s } } ; INSERT { GRAPH src:t { ?r a aik:X } } WHERE { GRAPH ?g { ?r a aik:FundingRound } }",
    "a-blank-node": "INSERT { GRAPH src:t { ?r aik:note [ rdfs:label \"x\" ] } } WHERE { GRAPH ?g { ?r a aik:FundingRound } }",
    "a-variable-left-unbound": "INSERT { GRAPH src:t { ?r aik:status ?s } } WHERE { GRAPH ?g { ?r a aik:FundingRound OPTIONAL { ?r aik:nothing ?s } } }",
    "a-literal-as-subject": "INSERT { GRAPH src:t { ?label a aik:Name } } WHERE { GRAPH aik:entities { id:xai rdfs:label ?label } }",
    "clear": "CLEAR GRAPH src:t",
    "data-with-a-blank-node": "INSERT DATA { GRAPH src:t { id:xai aik:note [ rdfs:label \"x\" ] } }",
    "bad-syntax": "DELETE { GRAPH ?g { ?r aik:status ?s } } WHERE { GRAPH ?g { ?r aik:status } }",
}


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = open_store(synthetic_store(tmp_path, 2_000, seed=3, bundled=True))
    yield opened
    opened.close()


@pytest.mark.parametrize("update", FOLLOWED.values(), ids=FOLLOWED)
def test_the_quads_named_hold_every_quad_the_update_changes(store: Store, update: str) -> None:
    named = quads_named(store, _PROLOGUE + update, None, 10_000)
    assert named is not None
    before = set(store.quads())
    store.update(_PROLOGUE + update)
    after = set(store.quads())
    changed = (before - after) | (after - before)
    assert changed <= set(named), changed - set(named)
    assert bool(changed) == (update != FOLLOWED["nothing-found"])


def test_the_quads_named_are_those_of_the_templates_filled_in(store: Store) -> None:
    named = quads_named(store, _PROLOGUE + FOLLOWED["rounds-completed"], None, 10_000)
    status = "https://w3id.org/aikg/ontology#status"
    rounds = {r["r"] for r in store.select(_PROLOGUE + "SELECT ?r WHERE { ?r aik:recipient id:xai ; aik:status ?s }")}
    assert {q.subject.value for q in named} == rounds and {q.predicate.value for q in named} == {status}
    assert ox.NamedNode("https://w3id.org/aikg/ontology#Completed") in {q.object for q in named}


@pytest.mark.parametrize("update", NOT_FOLLOWED.values(), ids=NOT_FOLLOWED)
def test_what_cannot_be_read_beforehand_gives_none(store: Store, update: str) -> None:
    assert quads_named(store, _PROLOGUE + update, None, 10_000) is None


def test_an_update_given_its_dataset_or_finding_too_much_gives_none(store: Store) -> None:
    using = add_using(FOLLOWED["rounds-completed"], ["https://w3id.org/aikg/source/fastview-2025-07-xai-raises-12b"], [])
    assert "USING" in using and quads_named(store, _PROLOGUE + using, None, 10_000) is None
    everything = "DELETE { GRAPH ?g { ?s rdfs:label ?l } } WHERE { GRAPH ?g { ?s rdfs:label ?l } }"
    assert quads_named(store, _PROLOGUE + everything, None, 10) is None
    assert len(quads_named(store, _PROLOGUE + everything, None, 100_000)) > 10
