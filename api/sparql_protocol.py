"""The SPARQL 1.1 Protocol at ``/sparql``: queries by GET, POST form and POST direct; updates by POST.

The HTTP side (parameters, media types, status codes) runs in the server; the engine side
(:func:`run_query`, :func:`run_update`) runs in a query worker under the deadline, with the
guard checked there against the graphs the store holds, before the engine sees the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api import limits, negotiation, query_page, service_description
from api.errors import ProtocolError
from api.negotiation import BOOLEAN, GRAPH, RESULTS, Format
from api.request_body import content_type, read_body, require_utf8
from api.workers import Written, store_cache
from graph import query_guard, updates
from graph.store import Store, StoreError
from graph.syntax_positions import unshift

router = APIRouter(tags=["SPARQL 1.1 Protocol"])

QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
FORM_TYPE = "application/x-www-form-urlencoded"
# Our prefixes go on one line before the user's text, so parser positions shift only on line 1.
_PROLOGUE = updates.PROLOGUE


@dataclass(frozen=True)
class QueryJob:
    """A query as the worker runs it."""

    text: str
    default_graphs: list[str] | None = None  # None: the dataset is the query's FROM, else the union
    named_graphs: list[str] | None = None
    base_iri: str | None = None
    result_format: str | None = None  # media types chosen by negotiation; None: nothing acceptable
    graph_format: str | None = None
    allow: tuple[str, ...] = ()
    max_bytes: int = 50_000_000
    max_rows: int = 0  # 0: no limit
    accept: str = ""  # the client's header, for the message when nothing fits the query's form


@dataclass(frozen=True)
class UpdateJob:
    """An update as the worker runs it."""

    text: str
    using: list[str] = field(default_factory=list)
    using_named: list[str] = field(default_factory=list)
    base_iri: str | None = None
    allow: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    """A serialised result."""

    content_type: str
    body: bytes


def run_query(store: Store, job: QueryJob) -> Answer:
    """Guard, run and serialise one query (in a worker)."""
    found = query_guard.check(job.text, graphs=lambda: _graph_names(store), allow=job.allow)
    if found.form == "ASK":  # CSV and TSV cannot say true or false
        fmt = negotiation.choose(job.accept, BOOLEAN)
    else:
        offers = GRAPH if found.form in ("CONSTRUCT", "DESCRIBE") else RESULTS
        wanted = job.graph_format if offers is GRAPH else job.result_format
        fmt = next((f for f in offers if f.media_type == wanted), None)
        if fmt is None:
            raise negotiation.NotAcceptable(job.accept, [f.media_type for f in offers])
    default_graphs, named_graphs = job.default_graphs, job.named_graphs
    if default_graphs is None and named_graphs is None and (found.from_graphs or found.from_named):
        default_graphs, named_graphs = found.from_graphs, found.from_named
    try:
        result = store.query(
            _PROLOGUE + job.text, default_graph=default_graphs, named_graphs=named_graphs, base_iri=job.base_iri
        )
    except SyntaxError as exc:
        raise SyntaxError(unshift(str(exc), len(_PROLOGUE))) from None
    sink = limits.SizedSink(job.max_bytes)
    try:
        if job.max_rows and isinstance(result, ox.QuerySolutions):
            result = _at_most(result, job.max_rows, job.max_bytes)
        result.serialize(sink, fmt.oxigraph)  # type: ignore[arg-type]  # the sink raises ResultTooLarge
    except OSError as exc:  # results are lazy: reading the store or an allow-listed SERVICE fails here
        raise StoreError(f"the query failed while running: {exc}") from None
    return Answer(fmt.content_type, bytes(sink.buffer))


def _graph_names(store: Store) -> frozenset[str]:
    """The store's named graphs, listed once per opened store (0.3 s at 19,000 graphs; a write reopens the store)."""
    cache = store_cache(store)
    if "graph_names" not in cache:
        cache["graph_names"] = frozenset(store.graphs())
    return cache["graph_names"]


READ_AGAIN_AT_MOST = updates.READ_AGAIN_AT_MOST
"""After an update naming more nodes than this, the readers make their projection afresh instead of reading each again."""


def run_update(store: Store, job: UpdateJob) -> int | Written:
    """Guard and apply one update with its derived edges (in the writing worker; :func:`graph.updates.apply_update`).

    Returns how many derived triples the update changed, added or deleted (all it wrote when it
    rewrote the derived graph whole; a count of the graph would be a scan of it, 50 ms at a million
    triples, for a figure the HTTP answer does not carry); for an update made only of ``INSERT DATA`` and
    ``DELETE DATA``, or of one plain ``DELETE``/``INSERT ... WHERE`` (:mod:`graph.update_effects`), with
    what it changed, so the readers bring their projection in step instead of reading the whole store
    again: the quads it added (its own and the derived ones) when adding is all it did, else the nodes
    its quads and the derived edges it changed name.
    """
    found = query_guard.check(job.text, graphs=store.graphs, allow=job.allow)  # listed only if the update names graphs
    text = query_guard.add_using(job.text, job.using, job.using_named, found)
    try:
        applied = updates.apply_update(store, text, base_iri=job.base_iri, at_most=READ_AGAIN_AT_MOST)
    except RuntimeError as exc:  # the update itself fails (DROP of a graph that does not exist): all rolled back
        raise ProtocolError(400, f"the update was not applied: {exc} (nothing changed)") from None
    if applied.added is not None:
        return Written(applied.derived, added=ox.serialize(applied.added, format=ox.RdfFormat.N_QUADS))
    if applied.touched is not None:
        return Written(applied.derived, touched=applied.touched)
    return applied.derived  # the readers make their projection afresh


# -- HTTP ----------------------------------------------------------------------------------------

_EXAMPLE_QUERY = (
    "SELECT ?round ?amount WHERE { ?round a aik:FundingRound ; aik:recipient id:xai ; aik:amountUSD ?amount }"
)


@router.get(
    "/sparql",
    summary="SPARQL query by GET; without a query, the service description (or the query page in a browser)",
    response_description="Results as SPARQL JSON/XML/CSV/TSV, or RDF for CONSTRUCT/DESCRIBE, by Accept",
    responses={
        200: {"content": {
            "application/sparql-results+json": {"example": {"head": {"vars": ["round", "amount"]}, "results": {"bindings": []}}},
            "text/turtle": {"example": "<https://w3id.org/aikg/id/xai> a <https://w3id.org/aikg/ontology#Company> ."},
            "text/html": {"example": "<!doctype html>..."},
        }},
        400: {"description": "Bad query or parameters (the parser's message)"},
        406: {"description": "Accept matches no result format"},
        503: {"description": "The query ran past its deadline"},
    },
)
async def sparql_get(
    request: Request,
    query: str | None = Query(None, description="The SPARQL query", examples=[_EXAMPLE_QUERY]),
    default_graph_uri: list[str] = Query(
        [], alias="default-graph-uri", description="Graphs whose union is the default graph (repeatable)",
        examples=[["https://w3id.org/aikg/source/fastview-2025-07-xai-raises-12b"]],
    ),
    named_graph_uri: list[str] = Query(
        [], alias="named-graph-uri", description="Graphs available to GRAPH (repeatable)", examples=[[]]
    ),
) -> Response:
    """Run a query sent as ``?query=``. Without one, a browser gets the query page and an RDF client
    the service description."""
    params = list(request.query_params.multi_items())
    if any(name == "update" for name, _ in params):
        raise ProtocolError(405, "an update must be sent with POST, not GET", allow="POST")
    accept = request.headers.get("accept")
    if negotiation.prefers_html(accept, RESULTS):
        return query_page.render(request)
    if not any(name == "query" for name, _ in params):
        described = _negotiate(accept, GRAPH)
        if described is not None:
            triples = service_description.describe(_base(request), updates=request.app.state.config.token is not None)
            return Response(ox.serialize(triples, format=described.oxigraph), media_type=described.content_type)
    return await _answer_query(request, params)


@router.post(
    "/sparql",
    summary="SPARQL query or update by POST (form or direct)",
    openapi_extra={
        "parameters": [
            {"name": n, "in": "query", "required": False, "schema": {"type": "array", "items": {"type": "string"}},
             "description": d}
            for n, d in (
                ("default-graph-uri", "query: graphs whose union is the default graph"),
                ("named-graph-uri", "query: graphs available to GRAPH"),
                ("using-graph-uri", "update: the default graph of the WHERE clauses"),
                ("using-named-graph-uri", "update: the named graphs of the WHERE clauses"),
            )
        ],
        "requestBody": {"required": True, "content": {
            QUERY_TYPE: {"schema": {"type": "string"}, "example": _EXAMPLE_QUERY},
            UPDATE_TYPE: {"schema": {"type": "string"}, "example":
                "INSERT DATA { GRAPH <https://w3id.org/aikg/source/my-notes> "
                "{ <https://w3id.org/aikg/id/xai> <http://www.w3.org/2004/02/skos/core#altLabel> \"X.AI\" } }"},
            FORM_TYPE: {"schema": {"type": "object", "properties": {
                "query": {"type": "string"}, "update": {"type": "string"},
                "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                "using-graph-uri": {"type": "array", "items": {"type": "string"}},
                "using-named-graph-uri": {"type": "array", "items": {"type": "string"}},
            }}, "example": {"query": "ASK { id:xai a aik:Company }"}},
        }},
    },
    responses={
        200: {"content": {"application/sparql-results+json": {"example": {"head": {}, "boolean": True}}}},
        204: {"description": "The update was applied"},
        400: {"description": "Bad query/update, or refused by the guard (SERVICE, LOAD, FROM an unknown graph)"},
        401: {"description": "Update with a wrong token"},
        403: {"description": "Update on a read-only server (no AIKG_TOKEN configured)"},
        406: {"description": "Accept matches no result format"},
        413: {"description": "Request body or result larger than the server's limit"},
        415: {"description": "Content-Type is not one of the three the protocol defines"},
    },
)
async def sparql_post(request: Request) -> Response:
    """Run a query or update sent in the body: a form (``query=`` or ``update=``) or the text itself."""
    config = request.app.state.config
    media_type, charset = content_type(request)
    body = await read_body(request, config.max_body_bytes)
    require_utf8(charset)
    params = list(request.query_params.multi_items())
    if media_type == FORM_TYPE:
        params += parse_qsl(_utf8(body), keep_blank_values=True)
        names = {name for name, _ in params}
        if "query" in names and "update" in names:
            raise ProtocolError(400, "send either query= or update=, not both")
        if "update" in names:
            return await _apply_update(request, params)
        return await _answer_query(request, params)
    if media_type == QUERY_TYPE:
        return await _answer_query(request, [*params, ("query", _utf8(body))], direct=True)
    if media_type == UPDATE_TYPE:
        return await _apply_update(request, [*params, ("update", _utf8(body))], direct=True)
    shown = media_type or "none"
    raise ProtocolError(
        415, f"Content-Type {shown} is not accepted: use {FORM_TYPE}, {QUERY_TYPE} or {UPDATE_TYPE}"
    )


@router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
async def sparql_other(request: Request) -> Response:
    raise ProtocolError(405, f"{request.method} is not part of the SPARQL protocol here: use GET or POST",
                        allow="GET, POST")


async def _answer_query(request: Request, params: list[tuple[str, str]], direct: bool = False) -> Response:
    config = request.app.state.config
    queries = [value for name, value in params if name == "query"]
    if direct and len(queries) > 1:
        raise ProtocolError(400, "a direct POST carries the query in the body; remove query= from the URL")
    if not queries:
        raise ProtocolError(400, "missing parameter query (or update, by POST)")
    if len(queries) > 1:
        raise ProtocolError(400, f"parameter query is given {len(queries)} times; send exactly one")
    limits.check_query_length(queries[0], config.max_query_chars)
    _refuse_unknown(params, ("query", "default-graph-uri", "named-graph-uri"))
    accept = request.headers.get("accept")
    result_format, graph_format = _negotiate(accept, RESULTS), _negotiate(accept, GRAPH)
    if result_format is None and graph_format is None:
        raise negotiation.NotAcceptable(accept or "", [f.media_type for f in (*RESULTS, *GRAPH)])
    default, named = _graph_iris(params, "default-graph-uri"), _graph_iris(params, "named-graph-uri")
    job = QueryJob(
        text=queries[0],
        default_graphs=default if default or named else None,
        named_graphs=named if default or named else None,
        base_iri=_base(request),
        result_format=result_format.media_type if result_format else None,
        graph_format=graph_format.media_type if graph_format else None,
        allow=config.allow,
        max_bytes=config.max_result_bytes,
        max_rows=config.max_rows,
        accept=accept or "",
    )
    answer: Answer = await request.app.state.executor.read(run_query, job, deadline=config.deadline)
    return Response(answer.body, media_type=answer.content_type, headers={"Vary": "Accept"})


async def _apply_update(request: Request, params: list[tuple[str, str]], direct: bool = False) -> Response:
    config = request.app.state.config
    updates = [value for name, value in params if name == "update"]
    if len(updates) > 1:
        raise ProtocolError(400, f"parameter update is given {len(updates)} times; send exactly one")
    limits.check_query_length(updates[0], config.max_query_chars, "update")
    _refuse_unknown(params, ("update", "using-graph-uri", "using-named-graph-uri"))
    config.authorize(request.headers.get("authorization"))
    job = UpdateJob(
        text=updates[0],
        using=_graph_iris(params, "using-graph-uri"),
        using_named=_graph_iris(params, "using-named-graph-uri"),
        base_iri=_base(request),
        allow=config.allow,
    )
    await request.app.state.executor.write(run_update, job, deadline=config.write_deadline)
    return Response(status_code=204)


def _at_most(solutions: ox.QuerySolutions, rows: int, max_bytes: int) -> ox.QuerySolutions:
    """The same solutions, or TooManyRows once they pass ``rows`` (counted on their TSV form, which stops early)."""
    counter = limits.RowCounter(rows, max_bytes)
    solutions.serialize(counter, ox.QueryResultsFormat.TSV)  # type: ignore[arg-type]
    return ox.parse_query_results(bytes(counter.buffer), ox.QueryResultsFormat.TSV)  # type: ignore[return-value]


def _graph_iris(params: list[tuple[str, str]], name: str) -> list[str]:
    """The values of a dataset parameter, each checked to be an absolute IRI (400 naming it if not)."""
    values = [v for n, v in params if n == name]
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError as exc:
            raise ProtocolError(400, f"parameter {name}: {value!r} is not an absolute IRI ({exc})") from None
    return values


def _negotiate(accept: str | None, offers: tuple[Format, ...]) -> Format | None:
    try:
        return negotiation.choose(accept, offers)
    except negotiation.NotAcceptable:
        return None


def _refuse_unknown(params: list[tuple[str, str]], known: tuple[str, ...]) -> None:
    # Dataset parameters of the other operation are a mistake worth naming, not something to ignore.
    other = {"query", "update", "default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri"}
    for name, _ in params:
        if name in other and name not in known:
            raise ProtocolError(400, f"parameter {name} does not apply to this operation (it takes {', '.join(known)})")


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"the body is not valid UTF-8 (byte {exc.start})") from None


def _base(request: Request) -> str:
    return str(request.url.replace(query="", fragment=""))
