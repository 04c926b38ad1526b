"""Content negotiation: q-values, wildcards, aliases and the default."""

from __future__ import annotations

import pytest

from api.negotiation import GRAPH, RESULTS, NotAcceptable, choose, prefers_html


@pytest.mark.parametrize(("accept", "chosen"), [
    (None, "application/sparql-results+json"),
    ("", "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("application/json", "application/sparql-results+json"),
    ("application/xml", "application/sparql-results+xml"),
    ("text/csv;q=0.9, text/tab-separated-values", "text/tab-separated-values"),
    ("text/*", "text/csv"),
    ("text/csv;q=0, */*;q=0.1", "application/sparql-results+json"),
    ("application/sparql-results+json;q=0.1, application/sparql-results+xml;q=0.2", "application/sparql-results+xml"),
])
def test_results(accept: str | None, chosen: str) -> None:
    assert choose(accept, RESULTS).media_type == chosen


@pytest.mark.parametrize(("accept", "chosen"), [
    ("*/*", "text/turtle"),
    ("application/ld+json, text/turtle;q=0.5", "application/ld+json"),
    ("text/plain", "application/n-triples"),
    ("application/rdf+xml;q=1.0", "application/rdf+xml"),
])
def test_graphs(accept: str, chosen: str) -> None:
    assert choose(accept, GRAPH).media_type == chosen


@pytest.mark.parametrize("accept", ["image/png", "text/csv;q=0", "text/html, application/xhtml+xml"])
def test_nothing_acceptable(accept: str) -> None:
    with pytest.raises(NotAcceptable) as caught:
        choose(accept, RESULTS)
    assert "application/sparql-results+json" in str(caught.value)


def test_browsers_get_html_and_sparql_clients_do_not() -> None:
    assert prefers_html("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", RESULTS)
    assert not prefers_html("application/sparql-results+json, text/html;q=0.5", RESULTS)
    assert not prefers_html("*/*", RESULTS)


def test_a_malformed_q_value_counts_as_one() -> None:
    assert choose("text/csv;q=nonsense, application/sparql-results+xml;q=0.5", RESULTS).media_type == "text/csv"
