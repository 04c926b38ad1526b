"""Content negotiation: pick the media type a client prefers among those we can produce.

q-values, wildcards and specificity are handled by python-mimeparse (a small, long-lived
implementation of RFC 9110 ``Accept`` matching); this module adds our media types, their
aliases, and the rule that the first offer is the default for ``*/*`` or a missing header.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import mimeparse
import pyoxigraph as ox

from ontology import PREFIXES


class NotAcceptable(ValueError):
    """No offered media type satisfies the client's ``Accept`` header."""

    def __init__(self, accept: str, offers: Sequence[str]) -> None:
        super().__init__(
            f"Accept: {accept!r} matches nothing this resource can return; acceptable types: {', '.join(offers)}"
        )
        self.accept, self.offers = accept, list(offers)

    def __reduce__(self):
        return (NotAcceptable, (self.accept, self.offers))


@dataclass(frozen=True)
class Format:
    """A media type we can write, and how pyoxigraph writes it."""

    media_type: str
    oxigraph: ox.QueryResultsFormat | ox.RdfFormat | None
    aliases: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        text = self.media_type.startswith("text/") or self.media_type.endswith(("json", "+xml", "turtle", "trig"))
        return f"{self.media_type}; charset=utf-8" if text else self.media_type


RESULTS = (  # SELECT and ASK; the first is the default
    Format("application/sparql-results+json", ox.QueryResultsFormat.JSON, ("application/json",)),
    Format("application/sparql-results+xml", ox.QueryResultsFormat.XML, ("application/xml", "text/xml")),
    Format("text/csv", ox.QueryResultsFormat.CSV),
    Format("text/tab-separated-values", ox.QueryResultsFormat.TSV),
)
BOOLEAN = tuple(f for f in RESULTS if f.media_type.endswith(("json", "xml")))  # CSV/TSV cannot say true
GRAPH = (  # CONSTRUCT and DESCRIBE
    Format("text/turtle", ox.RdfFormat.TURTLE, ("application/x-turtle",)),
    Format("application/n-triples", ox.RdfFormat.N_TRIPLES, ("text/plain",)),
    Format("application/ld+json", ox.RdfFormat.JSON_LD),
    Format("application/rdf+xml", ox.RdfFormat.RDF_XML, ("application/xml", "text/xml")),
    Format("application/trig", ox.RdfFormat.TRIG),
    Format("application/n-quads", ox.RdfFormat.N_QUADS),
)
HTML = Format("text/html", None)
JSON = Format("application/json", None)


def prefixes_for(fmt: Format) -> dict[str, str] | None:
    """aikg's prefixes for a graph format that can declare them (Turtle, TriG, RDF/XML), so the output reads short."""
    return dict(PREFIXES) if fmt.oxigraph in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML) else None


def write_quads(quads: Iterable[ox.Quad], fmt: Format, output: Any = None) -> bytes | None:
    """``quads`` in the graph format ``fmt``, sorted: each with its graph in TriG or N-Quads, else their distinct
    triples; with aikg's prefixes where the format declares them. Written to ``output`` if given, else returned."""
    if fmt.oxigraph in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS):
        statements: list[Any] = sorted(set(quads), key=str)
    else:
        statements = sorted({q.triple for q in quads}, key=str)
    return ox.serialize(statements, output, fmt.oxigraph, prefixes=prefixes_for(fmt))


def choose(accept: str | None, offers: Sequence[Format]) -> Format:
    """The offer the client prefers; the first offer when the header is missing or ``*/*``.

    Raises NotAcceptable when nothing matches (HTTP 406).
    """
    if not accept or not accept.strip():
        return offers[0]
    # Clients send the same few Accept headers again and again: parse each once per set of offers.
    if len(accept) <= 512:
        return _choose_cached(accept, tuple(offers))
    return _choose(accept, offers)


@lru_cache(maxsize=1024)
def _choose_cached(accept: str, offers: tuple[Format, ...]) -> Format:
    return _choose(accept, offers)


def _choose(accept: str, offers: Sequence[Format]) -> Format:
    # Aliases come after every proper name, so a wildcard (text/*) picks text/csv over the alias text/xml.
    names = [(offer.media_type, offer) for offer in offers]
    names += [(alias, offer) for offer in offers for alias in offer.aliases]
    # mimeparse prefers the *last* candidate on a tie; list ours in reverse so the first offer wins.
    by_name = dict(reversed(names))
    try:
        best = mimeparse.best_match([name for name, _ in reversed(names)], accept)
    except (ValueError, IndexError) as exc:
        raise NotAcceptable(accept, [o.media_type for o in offers]) from exc
    if not best:
        raise NotAcceptable(accept, [o.media_type for o in offers])
    return by_name[best]


def prefers_html(accept: str | None, offers: Sequence[Format]) -> bool:
    """True when a client (a browser) asks for HTML more than for any of ``offers``."""
    if not accept or "text/html" not in accept:
        return False
    try:
        return choose(accept, (HTML, *offers)) is HTML
    except NotAcceptable:
        return False
