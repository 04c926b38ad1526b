"""The SPARQL 1.1 Graph Store HTTP Protocol at ``/store``: whole graphs read and written by their IRI.

``GET /store?graph=IRI`` gives one named graph (a source document's facts) in the RDF format
``Accept`` asks for; ``?default`` gives the default graph a query sees, the union of every named
graph; ``GET /store`` alone, the whole store in a quad format. ``PUT`` replaces a named graph,
``POST`` adds to it, ``DELETE`` removes it; ``POST /store`` alone adds a dataset (TriG, N-Quads,
JSON-LD naming its graphs), each triple to the graph it names, or makes a new graph of a graph's
triples, named by the server (201 with its IRI in ``Location``). Writes need the update token and
go through the single writer as a SPARQL Update does (:func:`run_graph_write` makes one of the
request and applies it with :func:`api.sparql_protocol.run_update`), so the derived edges are
brought in step and the query workers follow the change node by node: a ``PUT`` writes only the
difference between the graph held and the one sent.

aikg keeps every triple in a named graph (the source that states it), so the default graph is
read-only here, as is ``aik:derived``, which the rules rewrite from the facts after every write.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from api import limits, negotiation
from api.errors import ProtocolError
from api.reading import read
from api.request_body import GUARDED_WRITE_ERRORS, content_type, read_body, require_utf8
from api.sparql_protocol import UpdateJob, run_update
from api.workers import Written
from graph import remote_store
from graph.quads import source_iri
from graph.store import Store
from ontology import DERIVED_GRAPH

router = APIRouter(tags=["SPARQL 1.1 Graph Store Protocol"])

DATASET_TYPES = tuple(f for f in negotiation.GRAPH if f.oxigraph in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS))
"""The formats the whole store (``GET /store``) is served in: quad formats, each triple with its graph."""
BODY_TYPES = tuple(f for f in negotiation.GRAPH if f.oxigraph not in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS))
"""The graph formats a ``PUT`` or ``POST`` body may be in (a graph, not a dataset: no TriG or N-Quads)."""
BODY_FORMATS = {media: f.oxigraph for f in BODY_TYPES for media in (f.media_type, *f.aliases)}
DATASET_FORMATS = {media: f.oxigraph for f in DATASET_TYPES for media in (f.media_type, *f.aliases)}
"""The formats a ``POST /store`` with no graph named may also be in: a dataset, each triple in the graph it names."""
OPERATION_TRIPLES = remote_store.BATCH
"""Triples per operation of the update a write becomes (Virtuoso refuses one of more than about 1,500); one request still."""
_EXAMPLE_GRAPH = "https://w3id.org/aikg/source/fastview-2025-07-xai-raises-12b"
_GRAPH = Query(None, description="The IRI of a named graph (a source document: https://w3id.org/aikg/source/SLUG)",
               examples=[_EXAMPLE_GRAPH])
_DEFAULT = Query(None, description="Present (`?default`): the default graph, the union of every named graph (GET only); "
                                    "neither parameter: the whole store (GET), or a dataset or new graph (POST)")
_EXAMPLE_BODY = ("<https://w3id.org/aikg/id/xai> <http://www.w3.org/2004/02/skos/core#altLabel> \"X.AI\" .\n")


@dataclass(frozen=True)
class GraphWrite:
    """A write of one named graph as the writing worker runs it (``graph`` None: a dataset added, quads to their graphs)."""

    method: str
    graph: str | None
    body: bytes = b""
    media_type: str = ""
    new_graph: str | None = None
    """With ``graph`` None: the graph the server names for a body of triples outside any named graph."""


def read_graph(store: Store, graph: str | None, media_type: str, max_bytes: int) -> bytes:
    """One named graph (``graph``), or the union of all of them (None), serialised; 404 for a graph holding nothing."""
    fmt = next(f for f in negotiation.GRAPH if f.media_type == media_type)
    sink = limits.SizedSink(max_bytes, f"the graph is larger serialised than this server's limit of {max_bytes:,} bytes; "
                                       "ask for less with a SPARQL CONSTRUCT and LIMIT")
    if graph is None:  # written as the engine answers, so a union past the limit stops there, not once all of it is made
        union = store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
        ox.serialize(union, sink, fmt.oxigraph, prefixes=negotiation.prefixes_for(fmt))  # type: ignore[arg-type]
        return bytes(sink.buffer)
    quads = list(store.quads(graph))
    if not quads:
        raise ProtocolError(404, f"graph: no triple in {graph}; GET /sources lists the source documents' graphs")
    negotiation.write_quads(quads, fmt, sink)
    return bytes(sink.buffer)


def read_dataset(store: Store, media_type: str, max_bytes: int) -> bytes:
    """Every quad of the store with its graph (TriG or N-Quads), written by the engine; 413 past ``max_bytes``."""
    fmt = next(f for f in DATASET_TYPES if f.media_type == media_type)
    sink = limits.SizedSink(max_bytes, f"the store is larger serialised than this server's limit of {max_bytes:,} bytes; "
                                       "read it graph by graph (GET /sources lists them) or dump it with `aikg export rdf`")
    store.dump(sink, fmt.oxigraph)
    return bytes(sink.buffer)


def run_graph_write(store: Store, job: GraphWrite) -> Written:
    """Apply a ``PUT``, ``POST`` or ``DELETE`` of one named graph as one SPARQL Update (in the writing worker).

    The answer is whether the graph was new (``PUT`` and ``POST``), with what the update changed
    for the readers. 400 naming the line for a body that does not parse; 404 to delete a graph
    holding nothing. Nothing changes unless the whole update applies.
    """
    if job.graph is None:
        return _add_dataset(store, job)
    held = {q.triple for q in store.quads(job.graph)}
    if job.method == "DELETE" and not held:
        raise ProtocolError(404, f"graph: no triple in {job.graph}; nothing to delete")
    sent = _parse(job) if job.method in ("PUT", "POST") else []
    if job.method == "POST":
        gone, new = [], sent
    else:  # PUT and DELETE: only the difference between the graph held and the one sent (nothing, for DELETE)
        gone = sorted(held.difference(sent), key=str)
        new = [t for t in sent if t not in held]
    graph = f"GRAPH <{job.graph}>"
    if any(_blank(t) for t in gone):  # a blank node cannot be named in DELETE DATA: the graph goes whole
        operations = [f"DROP SILENT {graph}", *_inserts(graph, sent)]
    else:
        operations = [f"DELETE DATA {{ {graph} {{ {_ntriples(part)} }} }}" for part in _parts(gone)] + _inserts(graph, new)
    created = not held and bool(sent)
    if not operations:
        return Written(created, touched=frozenset())  # the graph already holds what was sent: nothing to write
    return _applied(store, operations, created)


def _add_dataset(store: Store, job: GraphWrite) -> Written:
    """Add the quads of a body to the graphs they name, as one SPARQL Update; the answer the IRI of a graph it made.

    A body of triples outside any named graph (Turtle, N-Triples, RDF/XML, JSON-LD without
    ``@graph`` names) becomes the new graph ``job.new_graph``; a JSON-LD body naming its graphs is a
    dataset, as TriG and N-Quads are. One that does both is refused: its loose triples would land
    in a graph the sender never named beside the ones it did.
    """
    quads = _parsed(job.body, DATASET_FORMATS.get(job.media_type) or BODY_FORMATS[job.media_type], job.new_graph)
    if job.new_graph is not None and all(isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
        if not quads:
            raise ProtocolError(400, "request body: no triple to make a graph of (nothing was written)")
        made = ox.NamedNode(job.new_graph)
        quads = [ox.Quad(q.subject, q.predicate, q.object, made) for q in quads]
    elif job.new_graph is not None and any(isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
        named = next(q.graph_name for q in quads if not isinstance(q.graph_name, ox.DefaultGraph))
        raise ProtocolError(400, f"request body: holds triples outside any graph beside the graph {named}; send the "
                                 "triples of one graph, or a dataset whose every triple is in a named graph "
                                 "(nothing was written)")
    else:
        made = None
    graphs: dict[str, dict[ox.Triple, None]] = {}  # each graph's triples as a set, in the body's order
    blank_in: dict[ox.BlankNode, ox.NamedNode] = {}
    for quad in quads:
        graph = quad.graph_name
        if isinstance(graph, ox.DefaultGraph):
            raise ProtocolError(400, f"request body: the triple {quad.triple} is in the default graph, which is read-only "
                                     "here (aikg keeps every triple in a named graph); put it in one (nothing was written)")
        if isinstance(graph, ox.BlankNode):
            raise ProtocolError(400, f"request body: a graph named by the blank node {graph}; a graph here "
                                     "is named by an IRI, its source document's (nothing was written)")
        if graph.value == DERIVED_GRAPH:
            raise ProtocolError(400, f"request body: writes to {DERIVED_GRAPH}, which holds the derived edges, rewritten "
                                     "from the facts after every write (nothing was written)")
        for node in (quad.subject, quad.object):
            if isinstance(node, ox.BlankNode) and blank_in.setdefault(node, graph) != graph:
                # Each graph is written by an operation of its own (Virtuoso takes blank nodes in no other way),
                # and a blank node label names one node within one operation only.
                raise ProtocolError(400, f"request body: the blank node {node} is in two graphs, {blank_in[node]} and "
                                         f"{graph}; a blank node here is local to its graph: name the node with an IRI "
                                         "(nothing was written)")
        graphs.setdefault(f"GRAPH {graph}", {})[quad.triple] = None
    if not graphs:
        return Written(None, touched=frozenset())
    operations = [op for graph, triples in graphs.items() for op in _inserts(graph, list(triples))]
    return _applied(store, operations, made and made.value)


def _applied(store: Store, operations: list[str], answer: Any) -> Written:
    """Apply ``operations`` as one SPARQL Update; the ``answer`` given, with what the update changed for the readers."""
    written = run_update(store, UpdateJob(text=" ;\n".join(operations)))
    return Written(answer, added=written.added, touched=written.touched) if isinstance(written, Written) else Written(answer)


def new_graph_iri() -> str:
    """The IRI of a graph the server names (``POST /store`` of a graph): a source document ``upload-DATE-RANDOM``."""
    return source_iri(f"upload-{datetime.now(timezone.utc):%Y-%m-%d}-{uuid.uuid4().hex[:12]}").value


def _parsed(body: bytes, fmt: ox.RdfFormat, base_iri: str | None) -> list[ox.Quad]:
    try:
        return list(ox.parse(body, format=fmt, base_iri=base_iri))
    except SyntaxError as exc:  # the parser's message names the line and columns
        message = exc.msg
        if fmt == ox.RdfFormat.JSON_LD and "LoadDocumentCallback" in message:  # the engine's words for a remote context
            message = "a JSON-LD @context given by its address, which this server never fetches; put the context in the body"
        raise ProtocolError(400, f"request body: {message} (nothing was written)") from None


def _parse(job: GraphWrite) -> list[ox.Triple]:
    quads = _parsed(job.body, BODY_FORMATS[job.media_type], job.graph)
    named = next((q.graph_name for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)), None)
    if named is not None:  # JSON-LD can say @graph: the request's ?graph says where the triples go
        raise ProtocolError(400, f"request body: names the graph {named}; send the triples of one graph (the one "
                                 "?graph= names, or a new one), or a dataset (TriG, N-Quads, JSON-LD) to "
                                 "POST /store with no graph named (nothing was written)")
    return list(dict.fromkeys(q.triple for q in quads))  # a graph is a set; the order kept for the INSERT


def _inserts(graph: str, triples: list[ox.Triple]) -> list[str]:
    """The operations that insert ``triples`` into ``graph``: INSERT DATA of at most OPERATION_TRIPLES each."""
    if any(_blank(t) for t in triples):
        # Virtuoso refuses blank nodes in INSERT DATA; a template over no WHERE makes the same fresh nodes, once.
        # One operation: a blank node label names one node within it, not across operations.
        return [f"INSERT {{ {graph} {{ {_ntriples(triples)} }} }} WHERE {{}}"]
    return [f"INSERT DATA {{ {graph} {{ {_ntriples(part)} }} }}" for part in _parts(triples)]


def _parts(triples: list[ox.Triple]) -> list[list[ox.Triple]]:
    return [triples[i:i + OPERATION_TRIPLES] for i in range(0, len(triples), OPERATION_TRIPLES)]


def _blank(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def _ntriples(triples: list[ox.Triple]) -> str:
    # N-Triples is SPARQL's syntax for triples; blank node labels in INSERT DATA are fresh nodes, as the body's are.
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")


def _target(graph: str | None, default: str | None, *, writing: bool) -> str | None:
    """The named graph a request means (None: the default graph); 400 unless exactly one of the two is given."""
    if (graph is None) == (default is None):
        whole = "" if writing else ", or neither for the whole store"
        raise ProtocolError(400, f"name the graph with ?graph=IRI, or ask for ?default (one of the two{whole})")
    if default is not None:
        if writing:
            raise ProtocolError(400, "the default graph is read-only here: aikg keeps every triple in a named graph "
                                     "(the source that states it); write one with ?graph=IRI")
        return None
    try:
        ox.NamedNode(graph)
    except ValueError as exc:
        raise ProtocolError(400, f"graph: {graph!r} is not an absolute IRI ({exc})") from None
    if writing and graph == DERIVED_GRAPH:
        raise ProtocolError(400, f"graph: {DERIVED_GRAPH} holds the derived edges, rewritten from the facts after "
                                 f"every write; write the facts they come from instead")
    return graph


_READ_RESPONSES = {
    200: {"content": {f.media_type: {"example": "<https://w3id.org/aikg/id/xai> a <https://w3id.org/aikg/ontology#Company> ."}
                      for f in negotiation.GRAPH}},
    400: {"description": "Both ?graph and ?default, or a graph that is not an absolute IRI"},
    404: {"description": "No triple in that graph"},
    406: {"description": "Accept matches no RDF format"},
    413: {"description": "The graph serialised is larger than the server's limit"},
}


@router.head("/store", include_in_schema=False)  # the same answer without its body (uvicorn leaves it out)
@router.get("/store", summary="Read one named graph, the default graph (their union), or the whole store", response_class=Response,
            responses=_READ_RESPONSES)
async def get_graph(request: Request, graph: str | None = _GRAPH, default: str | None = _DEFAULT) -> Response:
    """The graph as Turtle, N-Triples, JSON-LD, RDF/XML, TriG or N-Quads, by `Accept` (Turtle unless asked).

    With neither parameter, the whole store: every graph's triples, in TriG (unless asked) or N-Quads."""
    limit, accept = request.app.state.config.max_result_bytes, request.headers.get("accept")
    if graph is None and default is None:
        fmt = negotiation.choose(accept, DATASET_TYPES)
        body = await read(request, read_dataset, fmt.media_type, limit)
    else:
        target = _target(graph, default, writing=False)
        fmt = negotiation.choose(accept, negotiation.GRAPH)
        body = await read(request, read_graph, target, fmt.media_type, limit)
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})


_WRITE_BODY = {"requestBody": {"required": True, "content": {
    media: {"schema": {"type": "string"}, "example": _EXAMPLE_BODY} for media in ("application/n-triples", "text/turtle")}}}
_CREATED = {"description": "The graph was new (with no graph named, the server named it): its IRI in Location and in the body",
            "content": {"application/json": {"example": {"graph": "https://w3id.org/aikg/source/upload-2026-12-01-3f2a9c1e7b44"}}}}
_WRITE_RESPONSES = {
    400: {"description": "No ?graph, ?default or aik:derived named, or a body that does not parse (its line named); "
                         "nothing was written",
          "content": {"application/json": {"example": {"detail": "request body: Parser error at line 2 column 40: ... "
                                                                 "(nothing was written)"}}}},
    **GUARDED_WRITE_ERRORS,
    415: {"description": "Content-Type is not an RDF graph format (Turtle, N-Triples, JSON-LD, RDF/XML)"},
    503: {"description": "The write passed the deadline and was stopped"},
}


@router.put("/store", summary="Replace one named graph (needs the update token)", status_code=204,
            response_class=Response, openapi_extra=_WRITE_BODY,
            responses={201: _CREATED, 204: {"description": "The graph was replaced"},
                       **_WRITE_RESPONSES})
async def put_graph(request: Request, graph: str | None = _GRAPH, default: str | None = _DEFAULT) -> Response:
    """The graph becomes the body's triples; only the difference is written, with the derived edges in step."""
    return await _write(request, "PUT", graph, default)


_EXAMPLE_DATASET = f"<https://w3id.org/aikg/id/xai> <http://www.w3.org/2004/02/skos/core#altLabel> \"X.AI\" <{_EXAMPLE_GRAPH}> .\n"
_POST_BODY = {"requestBody": {"required": True, "content": {
    **_WRITE_BODY["requestBody"]["content"],
    **{media: {"schema": {"type": "string"}, "example": _EXAMPLE_DATASET} for media in ("application/n-quads", "application/trig")}}}}


@router.post("/store", summary="Add triples to one named graph, a dataset to its graphs, or make a new graph "
                                "(needs the update token)", status_code=204,
             response_class=Response, openapi_extra=_POST_BODY,
             responses={201: _CREATED,
                        204: {"description": "The triples were added"},
                        **{**_WRITE_RESPONSES, 415: {"description": "Content-Type is not an RDF graph format (Turtle, "
                                                                    "N-Triples, JSON-LD, RDF/XML), nor with no graph "
                                                                    "named a dataset format (TriG, N-Quads)"}}})
async def post_graph(request: Request, graph: str | None = _GRAPH, default: str | None = _DEFAULT) -> Response:
    """The body's triples are added to the graph (merged: blank nodes stay the body's own), with the derived edges in step.

    With no graph named (`POST /store`): a TriG or N-Quads body, or JSON-LD naming its graphs, adds each triple
    to the graph it names (none in the default graph or `aik:derived`); a graph's triples become a new graph
    named by the server, a source document `upload-DATE-RANDOM`, answered 201 with its IRI in `Location`."""
    return await _write(request, "POST", graph, default)


@router.delete("/store", summary="Delete one named graph (needs the update token)", status_code=204,
               response_class=Response,
               responses={204: {"description": "The graph was deleted"}, 404: {"description": "No triple in that graph"},
                          **{k: v for k, v in _WRITE_RESPONSES.items() if k not in (413, 415)}})
async def delete_graph(request: Request, graph: str | None = _GRAPH, default: str | None = _DEFAULT) -> Response:
    """Every triple of the graph goes, and the derived edges that only it gave."""
    return await _write(request, "DELETE", graph, default)


async def _write(request: Request, method: str, graph: str | None, default: str | None) -> Response:
    config = request.app.state.config
    config.authorize(request.headers.get("authorization"))
    to_store = method == "POST" and graph is None and default is None  # a dataset, or a new graph the server names
    job = GraphWrite(method, None if to_store else _target(graph, default, writing=True))
    if method != "DELETE":
        media_type, charset = content_type(request)
        accepted = {**BODY_FORMATS, **DATASET_FORMATS} if to_store else BODY_FORMATS
        if media_type not in accepted:
            kinds = (f"a graph as {', '.join(f.media_type for f in BODY_TYPES)}"
                     + (f", or a dataset as {' or '.join(f.media_type for f in DATASET_TYPES)}" if to_store else
                        " (a dataset, TriG or N-Quads, goes to POST /store with no graph named)"))
            raise ProtocolError(415, f"Content-Type {media_type or 'none'} is not accepted here: send {kinds}")
        require_utf8(charset, "the body")
        job = replace(job, body=await read_body(request, config.max_body_bytes), media_type=media_type,
                      new_graph=new_graph_iri() if to_store and media_type in BODY_FORMATS else None)
    answer = await request.app.state.executor.write(run_graph_write, job, deadline=config.write_deadline)
    made = answer if to_store else job.graph if answer else None
    if made:  # the new graph's IRI, as the protocol asks when the server names it
        return JSONResponse({"graph": made}, status_code=201, headers={"Location": made})
    return Response(status_code=204)
