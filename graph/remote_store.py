"""The store interface over a SPARQL 1.1 server (Virtuoso, Fuseki, QLever, GraphDB, Neptune...) instead of Oxigraph.

A location ``sparql+http://HOST:PORT/PATH`` (or ``sparql+https://``) names the query
endpoint; updates go to the same URL unless ``?update=URL`` names another, and
``?graphs=URL`` names the server's SPARQL 1.1 Graph Store Protocol endpoint, through which
whole graphs are written far faster than by SPARQL Update (Virtuoso: ``/sparql-graph-crud``).
URLs may be relative to the query URL. Credentials come from ``AIKG_REMOTE_USER`` and
``AIKG_REMOTE_PASSWORD`` (digest authentication, as Virtuoso's ``/sparql-auth`` asks; set
``AIKG_REMOTE_AUTH=basic`` for servers that want basic), never from the URL, so they do not
show up in ``/health`` or logs.

Answers are parsed into pyoxigraph's own result types, so callers cannot tell this store
from the embedded one. What differs is written where it matters: the graphs the engine keeps
for itself are left out of :meth:`RemoteStore.graphs`, ``len`` and :meth:`RemoteStore.quads`
(``AIKG_REMOTE_IGNORE``), and writes go graph by graph (one PUT each through the graph store)
or in batches of update operations, each request its own transaction on the server at best;
there is no transaction across requests. A write of up to :data:`BATCH` quads (an ingest) is
one operation of one request, which Virtuoso applies whole or not at all.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from graph import query_guard
from graph.store import Store, StoreError, is_remote
from graph.syntax_positions import unshift

VIRTUOSO_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",  # Virtuoso's mapping metadata
    "http://www.w3.org/ns/ldp#",                    # its Linked Data Platform vocabulary
    "http://localuriqaserver/sparql",               # its service description, without a URIQA host set
    "http://localhost:8890/sparql",                 # ... and with the packaged default host
)
"""Graphs a fresh Virtuoso holds for itself; not part of aikg's store (override: ``AIKG_REMOTE_IGNORE``)."""
BATCH = 1000
"""Quads per update request when writing (Virtuoso refuses an operation whose SQL passes 10,000 lines, about 1,500 triples);
a graph's blank nodes always travel in one request."""

_NO_GRAPH = "urn:aikg:no-graph"  # an empty default graph, which the protocol cannot otherwise ask for
_QUERY_RESULTS = "application/sparql-results+xml"  # Virtuoso writes XML results six times faster than JSON
_GRAPH_RESULTS = "application/n-triples"
_BLANK_ID = re.compile(rb"[^A-Za-z0-9_]")
_BNODE_XML = re.compile(rb"<bnode>([^<]*)</bnode>")
_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"


class RemoteStore(Store):
    """A store whose quads live on a SPARQL 1.1 server, spoken to over the SPARQL 1.1 Protocol."""

    def __init__(self, location: str, *, read_only: bool = False, timeout: float | None = 60.0,
                 write_timeout: float | None = None, batch: int = BATCH) -> None:
        """``timeout``: seconds a request may wait for its answer; ``write_timeout`` (default ``timeout``) for writes."""
        self.location = location
        self.write_timeout = timeout if write_timeout is None else write_timeout
        self.read_only = read_only
        self.batch = batch
        self.query_url, self.update_url, self.graphs_url = endpoint_urls(location)
        ignore = os.environ.get("AIKG_REMOTE_IGNORE")
        self.ignored = tuple(ignore.split()) if ignore is not None else VIRTUOSO_GRAPHS
        self._client = httpx.Client(auth=_auth(), timeout=timeout, follow_redirects=False)
        self._engine = None

    # -- reading -----------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        base_iri: str | None = None,
        prefixes: dict[str, str] | None = None,
        own_default_graph: bool = False,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a query on the server; without a dataset the server's default graph (on Virtuoso: every graph).

        ``own_default_graph`` changes nothing here: the server's default graph is the one its updates read too.

        Raises SyntaxError when the server rejects the text (HTTP 400), StoreError for any other failure.
        """
        head = _prologue(base_iri, prefixes)
        text = _one_base(head + sparql)
        form = _form(text)
        data = [("query", text)]
        if default_graph is not None or named_graphs is not None:
            data += [("default-graph-uri", g) for g in default_graph or [_NO_GRAPH]]
            data += [("named-graph-uri", g) for g in named_graphs or []]
        accept = _GRAPH_RESULTS if form in ("CONSTRUCT", "DESCRIBE") else _QUERY_RESULTS
        try:
            answer = self._post(self.query_url, data, accept)
        except SyntaxError as exc:
            raise SyntaxError(unshift(str(exc), len(head))) from None
        if answer.headers.get("content-type", "").startswith(_GRAPH_RESULTS) or form in ("CONSTRUCT", "DESCRIBE"):
            return _triples(answer.content)
        return ox.parse_query_results(_readable_blank_nodes(answer.content), ox.QueryResultsFormat.XML)

    def graphs(self) -> list[str]:
        """The named graphs that hold triples, sorted, without the engine's own."""
        # GROUP BY, not DISTINCT: Virtuoso 7.2 takes seconds per 10,000 quads on the DISTINCT form.
        rows = self.select("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return sorted(r["g"] for r in rows if not self._ignored(r["g"]))

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Every quad of aikg's graphs, or those of one graph (one request, so blank nodes stay consistent).

        Raises StoreError if the server sends fewer quads than it counts (a result-size limit).
        """
        if graph is not None:
            name = ox.NamedNode(graph)
            expected = int(self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")[0]["n"])
            rows = self.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
            found = [ox.Quad(r["s"], r["p"], r["o"], name) for r in rows]  # type: ignore[index, union-attr]
        else:
            expected = len(self)
            rows = self.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
            found = [ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows  # type: ignore[index, union-attr]
                     if not self._ignored(r["g"].value)]  # type: ignore[index, union-attr]
        if len(found) < expected:
            raise StoreError(f"{self.location}: the server returned {len(found):,} of {expected:,} quads; raise its "
                             "result-size limit (Virtuoso: ResultSetMaxRows in [SPARQL] of virtuoso.ini)")
        return iter(found)

    def check_default_graph(self) -> None:
        """Raise StoreError when the server's named graphs hold quads its default graph does not show.

        aikg's queries name no graph: they need the default graph to be the union of the named
        ones (Virtuoso's is; Fuseki's with ``tdb2:unionDefaultGraph``). Without it a build
        succeeds and then every query finds nothing. An empty server passes: nothing tells.
        """
        if not self.ask("ASK { ?s ?p ?o }") and self.ask("ASK { GRAPH ?g { ?s ?p ?o } }"):
            raise StoreError(f"{self.location}: the server's default graph does not show its named graphs, and aikg's "
                             "queries read the default graph; make it their union (Fuseki: tdb2:unionDefaultGraph true "
                             "on the dataset; Virtuoso does so unless told otherwise)")

    def __len__(self) -> int:
        rows = self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return sum(int(r["n"]) for r in rows if not self._ignored(r["g"]))

    def dump(self, output: Any, fmt: ox.RdfFormat, graph: str | None = None) -> None:
        """Serialise aikg's graphs (quad formats), or one graph or all merged (triple formats), to a path or binary file."""
        if graph is None and fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
            ox.serialize(self.quads(), output, fmt)
        else:
            ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in self.quads(graph)), output, fmt)

    # -- writing -----------------------------------------------------------------------------

    def update(self, sparql: str, *, base_iri: str | None = None, prefixes: dict[str, str] | None = None) -> None:
        """Send a SPARQL 1.1 Update; the server decides what a request that fails half-way keeps (Virtuoso: the operations before)."""
        self._writable()
        head = _prologue(base_iri, prefixes)
        text = _one_base(head + sparql)
        try:
            self._post(self.update_url, [("update", text)], "*/*")
        except SyntaxError as exc:
            raise SyntaxError(unshift(str(exc), len(head))) from None

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads: up to :attr:`batch` of them (an ingest) in one update operation, which the server applies
        whole (Virtuoso writes none of it if any part fails); more, one POST per graph through the graph store,
        else :attr:`batch` at a time by SPARQL Update."""
        self._writable()
        quads = list(quads)
        if self.graphs_url and len(quads) > self.batch:
            for graph, members in _by_graph(quads).items():
                self._send_graph("POST", graph, members)
            return
        for operation in _insert_operations(quads, self.batch):
            self._post(self.update_url, [("update", operation)], "*/*")

    def bulk_add(self, quads: Iterable[ox.Quad]) -> None:
        """Add many quads (the same batched inserts as :meth:`add`)."""
        self.add(quads)

    def replace_graph(self, graph: str, quads: Iterable[ox.Quad]) -> None:
        """Replace one named graph: one PUT through the graph store; else a DROP, then inserts (seen empty between)."""
        self._writable()
        if self.graphs_url:
            self._send_graph("PUT", graph, list(quads))
            return
        self._post(self.update_url, [("update", f"DROP SILENT GRAPH <{graph}>")], "*/*")
        self.add(quads)

    def replace_all(self, quads: Iterable[ox.Quad], step: Any = None) -> None:
        """Make aikg's graphs on the server exactly ``quads``: each graph replaced, then graphs no longer built dropped.

        Graphs go one after another (the derived edges last), so readers see old and new graphs side
        by side until it ends; run it again after a failure to reach the complete new state.
        """
        self._writable()
        by_graph = _by_graph(quads)
        old = set(self.graphs())
        order = sorted(by_graph, key=lambda g: (g.endswith("#derived"), g))
        for number, graph in enumerate(order, 1):
            if step:
                step(f"write graph {number} of {len(order)} to {self.location}")
            self.replace_graph(graph, by_graph[graph])
        for stale in sorted(old - set(by_graph)):
            self._post(self.update_url, [("update", f"DROP SILENT GRAPH <{stale}>")], "*/*")

    def flush(self) -> None:
        """Nothing to do: the server made each answered update durable."""

    def close(self) -> None:
        """Close the HTTP connections; further calls fail."""
        self._client.close()

    # -- internals ---------------------------------------------------------------------------

    def _ignored(self, graph: str) -> bool:
        return graph.startswith(self.ignored) if self.ignored else False

    def _send_graph(self, method: str, graph: str, quads: list[ox.Quad]) -> None:
        body = ox.serialize((ox.Triple(q.subject, q.predicate, _pointed(q.object)) for q in quads), format=ox.RdfFormat.N_TRIPLES)
        self._request(method, self.graphs_url, {"graph": graph}, body or b"", "application/n-triples", "*/*", write=True)

    def _post(self, url: str, data: list[tuple[str, str]], accept: str) -> httpx.Response:
        return self._request("POST", url, None, urlencode(data).encode(), "application/x-www-form-urlencoded", accept,
                             write=data[0][0] == "update")

    def _request(self, method: str, url: str, params: dict[str, str] | None, body: bytes, content_type: str,
                 accept: str, *, write: bool = False) -> httpx.Response:
        try:
            answer = self._client.request(
                method, url, params=params, content=body, headers={"Accept": accept, "Content-Type": content_type},
                timeout=self.write_timeout if write else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.TimeoutException as exc:
            raise StoreError(f"{self.location}: no answer in time ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:
            raise StoreError(f"{self.location}: {exc}") from None
        if answer.status_code < 300:
            if answer.headers.get("x-sql-state") == "S1TAT":  # Virtuoso's "anytime" answer: cut at its time limit
                raise StoreError(f"{self.location}: the server stopped the query at its time limit and sent an "
                                 f"incomplete result: {_server_message(answer.headers.get('x-sql-message', ''))[:200]}")
            return answer
        message = _server_message(answer.text)
        if answer.status_code == 400:
            raise SyntaxError(message)
        if answer.status_code in (401, 403):
            raise StoreError(f"{self.location}: HTTP {answer.status_code}, the server refused: {message} "
                             "(set AIKG_REMOTE_USER and AIKG_REMOTE_PASSWORD, and use an endpoint that allows updates)")
        raise StoreError(f"{self.location}: HTTP {answer.status_code}: {message}")


def endpoint_urls(location: str) -> tuple[str, str, str | None]:
    """The query, update and graph store URLs of a ``sparql+http(s)://`` location; StoreError for a malformed one."""
    if not is_remote(location):
        raise StoreError(f"{location}: not a SPARQL server location (sparql+http://HOST:PORT/PATH)")
    parts = urlsplit(location[len("sparql+"):])
    if not parts.hostname:
        raise StoreError(f"{location}: no host name")
    if parts.username or parts.password:
        raise StoreError(f"{location}: put credentials in AIKG_REMOTE_USER and AIKG_REMOTE_PASSWORD, not in the URL")
    params = parse_qsl(parts.query, keep_blank_values=True)
    query_url = urlunsplit(parts._replace(query=urlencode([(k, v) for k, v in params if k not in ("update", "graphs")]),
                                          fragment=""))
    found: dict[str, str | None] = {}
    for name in ("update", "graphs"):
        given = [v for k, v in params if k == name]
        if len(given) > 1:
            raise StoreError(f"{location}: {name}= is given {len(given)} times; give one URL")
        found[name] = urljoin(query_url, given[0]) if given else None
        if given and not str(found[name]).startswith(("http://", "https://")):
            raise StoreError(f"{location}: {name}={given[0]} is not an http(s) URL")
    return query_url, found["update"] or query_url, found["graphs"]


def _auth() -> httpx.Auth | None:
    user, password = os.environ.get("AIKG_REMOTE_USER"), os.environ.get("AIKG_REMOTE_PASSWORD")
    if not user:
        return None
    scheme = os.environ.get("AIKG_REMOTE_AUTH", "digest").lower()
    if scheme not in ("digest", "basic"):
        raise StoreError(f"AIKG_REMOTE_AUTH={scheme}: use digest or basic")
    return httpx.DigestAuth(user, password or "") if scheme == "digest" else httpx.BasicAuth(user, password or "")


def _prologue(base_iri: str | None, prefixes: dict[str, str] | None) -> str:
    # Declarations go on the first line with the user's text, so the server's line numbers stay the user's.
    head = f"BASE <{base_iri}> " if base_iri else ""
    return head + "".join(f"PREFIX {p}: <{iri}> " for p, iri in (prefixes or {}).items())


def _one_base(text: str) -> str:
    """The text with at most one BASE, first in its prologue, the only place Virtuoso accepts one.

    A later BASE (a user's, after the declarations a caller put before the text) wins, as it
    would for the text after it; prefix IRIs are resolved where they stood. Line breaks stay, so
    the server's line numbers stay the user's.
    """
    try:
        tokens = query_guard.tokenize(text)
    except query_guard.GuardError:
        return text
    base: str | None = None
    prefixes: list[tuple[str, str]] = []
    bases = i = 0
    while i + 1 < len(tokens) and tokens[i + 1].kind in ("iri", "pname"):
        if tokens[i].keyword == "BASE" and tokens[i + 1].kind == "iri":
            base, bases, i = urljoin(base or "", tokens[i + 1].text[1:-1]), bases + 1, i + 2
        elif tokens[i].keyword == "PREFIX" and i + 2 < len(tokens) and tokens[i + 2].kind == "iri":
            prefixes.append((tokens[i + 1].text, urljoin(base or "", tokens[i + 2].text[1:-1])))
            i += 3
        else:
            break
    if bases == 0 or (bases == 1 and tokens[0].keyword == "BASE"):
        return text
    end = tokens[i].start if i < len(tokens) else len(text)
    head = f"BASE <{base}> " + "".join(f"PREFIX {name} <{iri}> " for name, iri in prefixes)
    return head + "\n" * text.count("\n", 0, end) + text[end:]


def _form(text: str) -> str | None:
    try:
        return query_guard.inspect(text).form
    except query_guard.GuardError:
        return None  # text the lexer cannot read: the server's parser gives the message


def _triples(body: bytes) -> ox.QueryTriples:
    """N-Triples from the server as pyoxigraph's CONSTRUCT result type (through an in-memory store)."""
    scratch = ox.Store()
    try:
        scratch.extend(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError as exc:
        raise StoreError(f"the server's N-Triples did not parse: {exc}") from None
    return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")  # type: ignore[return-value]


def _readable_blank_nodes(body: bytes) -> bytes:
    """SPARQL XML results with blank node ids pyoxigraph accepts (Virtuoso writes ``nodeID://b10000``)."""
    if b"<bnode>" not in body:
        return body
    return _BNODE_XML.sub(lambda m: b"<bnode>" + _BLANK_ID.sub(b"_", m.group(1).removeprefix(b"nodeID://")) + b"</bnode>", body)


def _server_message(text: str) -> str:
    # Virtuoso appends the whole query after a blank line; the first paragraph is the message.
    first = text.strip().split("\n\n", 1)[0]
    return " ".join(first.split())[:1000] or "(no message)"


def _graph_key(quad: ox.Quad) -> str:
    if not isinstance(quad.graph_name, ox.NamedNode):
        raise StoreError("a remote store holds named graphs only; this quad is in the default graph: " + str(quad))
    return quad.graph_name.value


def _by_graph(quads: Iterable[ox.Quad]) -> dict[str, list[ox.Quad]]:
    by_graph: dict[str, list[ox.Quad]] = {}
    for quad in quads:
        by_graph.setdefault(_graph_key(quad), []).append(quad)
    return by_graph


def _insert_operations(quads: Iterable[ox.Quad], batch: int) -> Iterator[str]:
    """``INSERT { GRAPH ... } WHERE {}`` operations of about ``batch`` quads each.

    Not ``INSERT DATA``: Virtuoso refuses blank nodes there. Blank node labels are scoped to
    one operation, so the quads of a graph that mention blank nodes go in one operation.
    """
    by_graph = _by_graph(quads)
    pending: list[tuple[str, list[ox.Quad]]] = []
    size = 0
    for graph, members in by_graph.items():
        blank = [q for q in members if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)]
        plain = [q for q in members if not (isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode))]
        for piece in [blank, *(plain[i:i + batch] for i in range(0, len(plain), batch))]:
            if not piece:
                continue
            if size and size + len(piece) > batch:
                yield _insert(pending)
                pending, size = [], 0
            pending.append((graph, piece))
            size += len(piece)
    if pending:
        yield _insert(pending)


def _insert(pieces: list[tuple[str, list[ox.Quad]]]) -> str:
    body = " ".join(
        f"GRAPH <{graph}> {{ " + " ".join(f"{q.subject} {q.predicate} {_pointed(q.object)} ." for q in piece) + " }"
        for graph, piece in pieces
    )
    return f"INSERT {{ {body} }} WHERE {{}}"


def _pointed(term: Any) -> Any:
    """``term``, a whole-number ``xsd:decimal`` written with a point (``"5000000000.0"``), as servers need it.

    Virtuoso stores ``"5000000000"^^xsd:decimal`` as an ``xsd:integer``. Jena TDB2 (Fuseki) keeps
    it a decimal but shows it as ``5000000000.0`` and then does not match that, the form SPARQL
    writes a decimal in (``?r aik:amountUSD 5000000000.0``), against it: it matches a decimal
    constant only to one stored with as many places. Written with the point, both keep a decimal
    that the shorthand finds. The embedded engine stores decimals by value, so it sees no difference.
    """
    if isinstance(term, ox.Literal) and term.datatype.value == _DECIMAL and "." not in term.value:
        return ox.Literal(term.value + ".0", datatype=term.datatype)
    return term
