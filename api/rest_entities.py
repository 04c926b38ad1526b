"""REST over entities: search, the entity card (JSON or RDF), neighbourhoods and paths."""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from typing import Any

import networkx as nx
import pyoxigraph as ox
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from api import negotiation
from api.errors import ProtocolError
from api.negotiation import Format
from api.projection import cached_projection, entity_named, node_of
from api.reading import read, read_cached
from api.workers import Written, store_cache
from graph import analysis
from graph.cards import UnknownEntity, closest_slugs, entity_card, local, normalise, slug_of
from graph.quads import ENTITIES_GRAPH
from graph.store import Store, iri_values
from ontology import AIK, ID, sparql_prologue

router = APIRouter(tags=["entities"])

CARD_FORMATS = (
    Format("application/json", None),
    Format("text/turtle", ox.RdfFormat.TURTLE),
    Format("application/ld+json", ox.RdfFormat.JSON_LD),
    Format("application/n-triples", ox.RdfFormat.N_TRIPLES),
    Format("application/rdf+xml", ox.RdfFormat.RDF_XML),
    Format("application/trig", ox.RdfFormat.TRIG),
    Format("application/n-quads", ox.RdfFormat.N_QUADS),
)
_INDEX = "entity_index"
SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
_ENTITY = Path(description="The entity's slug (lower-case, hyphenated); a name or alias (`Elon Musk`, `イーロン・マスク`) "
                           "answers 307, redirecting to its slug's address with the same query", examples=["xai"], max_length=500)
_REDIRECT = {307: {"description": "A name or alias, not a slug: `Location` is the entity's slug's address, with the same query"},
             400: {"description": "A name several entities carry; the message lists them"}}


# -- tasks (run in a query worker) ----------------------------------------------------------------

def search(store: Store, q: str, type_: str | None, limit: int, offset: int) -> dict[str, Any]:
    """Entities whose label or alias contains ``q`` (normalised), best matches first."""
    index = _entity_index(store)
    if type_ and type_ not in index["classes"]:
        raise ProtocolError(422, f"parameter type: unknown class {type_!r}; known: {', '.join(sorted(index['classes']))}")
    needle = normalise(q)
    hits = []
    for entity in index["entities"].values():
        if type_ and type_ not in entity["classes"]:
            continue
        if not needle:
            hits.append((3, entity["name"].get("en", entity["slug"]).casefold(), entity, None))
            continue
        ranks = [(_rank(needle, key), label) for key, label in entity["labels"]]
        ranks = [r for r in ranks if r[0] is not None]
        if normalise(entity["slug"]) == needle:
            ranks.append((0, entity["slug"]))
        if ranks:
            rank, label = min(ranks, key=lambda r: r[0])
            hits.append((rank, entity["slug"], entity, label))
    hits.sort(key=lambda h: (h[0], h[1]))
    items = [
        {"slug": e["slug"], "iri": e["iri"], "name": e["name"], "aliases": e["aliases"],
         "classes": sorted(e["classes"]), "matched": label}
        for _, _, e, label in hits[offset : offset + limit]
    ]
    return {"query": q, "type": type_, "total": len(hits), "limit": limit, "offset": offset, "items": items}


def card(store: Store, slug: str, most_events: int | None = None) -> dict[str, Any]:
    """The entity card with a link to its graph view, or ProtocolError 404 naming the closest slugs."""
    try:
        found = entity_card(store, slug, most_events=most_events)
    except UnknownEntity as exc:
        raise _unknown(slug, exc.suggestions) from None
    return {**found, "view": f"/view?focus={slug}"}


def card_json(store: Store, slug: str, most_events: int | None = None, keep: int = 2000) -> bytes:
    """The card serialised as JSON, in the worker, kept for the ``keep`` most recently asked slugs (and event counts).

    Serialising in the worker spares the server's one event loop, and the cache lives as long
    as the opened store: a write reopens every worker, so no card outlives a change.
    """
    cards: OrderedDict[tuple[str, int | None], bytes] = store_cache(store).setdefault("cards", OrderedDict())
    key = (slug, most_events)
    if key in cards:
        cards.move_to_end(key)
        return cards[key]
    body = json.dumps(card(store, slug, most_events), ensure_ascii=False, separators=(",", ":"), default=str).encode()
    cards[key] = body
    if len(cards) > keep:
        cards.popitem(last=False)
    return body


def description(store: Store, slug: str, media_type: str) -> bytes:
    """The entity's RDF: what it is, the relations and events it takes part in, each in its source's graph."""
    iri = str(ID) + slug
    if not store.ask(f"ASK {{ GRAPH <{ENTITIES_GRAPH}> {{ <{iri}> ?p ?o }} }}"):
        raise _unknown(slug, closest_slugs(store, slug))
    rows = store.query(
        f"""SELECT DISTINCT ?s ?p ?o ?g WHERE {{
            {{ GRAPH ?g {{ <{iri}> ?p ?o }} BIND(<{iri}> AS ?s) }}
            UNION {{ GRAPH ?g {{ ?s ?p <{iri}> }} BIND(<{iri}> AS ?o) }}
            UNION {{ GRAPH ?g {{ ?s ?role <{iri}> . ?s <http://www.w3.org/ns/prov#wasDerivedFrom> ?doc . ?s ?p ?o }} }}
            UNION {{ GRAPH ?g {{ ?e ?role <{iri}> . ?e <{AIK}monetaryAmount> ?s . ?s ?p ?o }} }}
        }}"""
    )
    quads = {ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows}
    return negotiation.write_quads(quads, next(f for f in CARD_FORMATS if f.media_type == media_type))  # type: ignore[return-value]


def neighbours(store: Store, slug: str, depth: int, types: list[str]) -> dict[str, Any]:
    """Nodes and edges within ``depth`` hops; ``types`` keeps only nodes of those classes (and the centre)."""
    graph = cached_projection(store)
    try:
        near = analysis.neighbourhood(graph, slug, depth)
    except KeyError:
        raise _unknown(slug, closest_slugs(store, slug)) from None
    if types:
        near = near.subgraph([n for n, d in near.nodes(data=True) if n == slug or d["cls"] in types])
    return {"center": slug, "depth": depth, "types": types, **_node_link(near)}


def paths(store: Store, source: str, target: str, max_hops: int) -> dict[str, Any]:
    """All shortest paths between two nodes, each step with the documents that report it."""
    graph = cached_projection(store)  # the ends as `aikg path` takes them: a slug, IRI, name or alias
    return analysis.paths_between(graph, node_of(store, graph, source, "from"), node_of(store, graph, target, "to"), max_hops)


# -- HTTP ----------------------------------------------------------------------------------------

@router.get(
    "/entities",
    summary="Search entities by name or alias (English or Japanese)",
    responses={200: {"content": {"application/json": {"example": {
        "query": "Valor", "type": None, "total": 1, "limit": 20, "offset": 0,
        "items": [{"slug": "valor-equity-partners", "iri": "https://w3id.org/aikg/id/valor-equity-partners",
                   "name": {"en": "Valor Equity Partners", "ja": "バロー・エクイティ・パートナーズ"},
                   "aliases": ["Valor"], "classes": ["Agent", "InvestmentFirm", "Organization"], "matched": "Valor"}],
    }}}}},
)
async def list_entities(
    request: Request,
    q: str = Query("", description="Text in a label or alias; case- and width-insensitive", examples=["Valor"], max_length=200),
    type: str | None = Query(None, description="Only entities of this class (subclasses count)", examples=["Company"]),
    limit: int = Query(20, ge=1, le=500, description="Items per page"),
    offset: int = Query(0, ge=0, description="Items to skip"),
) -> dict[str, Any]:
    """Entities whose names or aliases contain ``q``: ``ｘＡＩ``, ``xai`` and ``エヌビディア`` all match."""
    return await read(request, search, q, type, limit, offset)


@router.get(
    "/entities/{slug}",
    summary="The entity card; RDF by content negotiation",
    responses={
        200: {"content": {
            "application/json": {"example": {"slug": "xai", "name": {"en": "xAI"}, "classes": ["Company"],
                                             "relations_out": [], "relations_in": [], "events": [], "events_total": 0}},
            "text/turtle": {"example": "<https://w3id.org/aikg/id/xai> a <https://w3id.org/aikg/ontology#Company> ."},
            "application/ld+json": {"example": [{"@id": "https://w3id.org/aikg/id/xai"}]},
        }},
        404: {"description": "Unknown slug or name; the message names the closest slugs",
              "content": {"application/json": {"example": {"detail": "no entity 'xia'; did you mean xai?",
                                                           "suggestions": ["xai"]}}}},
        **_REDIRECT,
    },
)
async def get_entity(
    request: Request,
    slug: str = _ENTITY,
    events: int | None = Query(None, ge=1, description="The JSON card describes only the N newest events (a hub takes part in thousands); "
                                                       "`events_total` counts them all. Default: every event"),
) -> Any:
    """Names, classes, relations in and out, events with amounts, dates, status and sources."""
    if not SLUG.fullmatch(slug):
        return await _to_slug(request, slug, "")
    fmt = negotiation.choose(request.headers.get("accept"), CARD_FORMATS)
    if fmt.oxigraph is None:
        body = await read_cached(request, card_json, slug, events)
        return Response(body, media_type="application/json", headers={"Vary": "Accept"})
    body = await read(request, description, slug, fmt.media_type)
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})


@router.get(
    "/entities/{slug}/neighbors",
    summary="The neighbourhood of an entity as nodes and edges",
    responses={200: {"content": {"application/json": {"example": {
        "center": "colossus", "depth": 1, "types": [],
        "nodes": [{"id": "colossus", "kind": "entity", "cls": "DataCenter", "name": "Colossus"}],
        "edges": [{"from": "colossus", "to": "memphis", "predicate": "locatedIn", "derived": False, "sources": []}],
    }}}}, 404: {"description": "Unknown slug or name; the message names the closest slugs"}, **_REDIRECT},
)
async def get_neighbours(
    request: Request,
    slug: str = _ENTITY,
    depth: int = Query(1, ge=1, le=3, description="Hops from the entity, 1 to 3"),
    types: str = Query("", description="Comma-separated classes of nodes to keep", examples=["Company,Person"]),
) -> dict[str, Any]:
    """Every node within ``depth`` hops, either direction, and the edges between them."""
    if not SLUG.fullmatch(slug):
        return await _to_slug(request, slug, "/neighbors")  # type: ignore[return-value]
    wanted = [t.strip() for t in types.split(",") if t.strip()]
    return await read(request, neighbours, slug, depth, wanted)


@router.get(
    "/paths",
    summary="All shortest paths between two entities, each step with its sources",
    responses={200: {"content": {"application/json": {"example": {
        "from": "antonio-gracias", "to": "nvidia", "max_hops": 4, "hops": 3, "count": 1,
        "paths": [[{"from": "antonio-gracias", "to": "valor-equity-partners", "predicate": "ceoOf",
                    "direction": "forward", "derived": False,
                    "sources": ["https://w3id.org/aikg/source/fastview-2025-07-xai-raises-12b"], "events": []}]],
    }}}}},
)
async def get_paths(
    request: Request,
    source: str = Query(..., alias="from", description="Where paths start: a slug, an IRI, or a name or alias",
                        examples=["antonio-gracias", "Antonio Gracias"], max_length=500),
    target: str = Query(..., alias="to", description="Where paths end, given the same way", examples=["nvidia"], max_length=500),
    max_hops: int = Query(6, ge=1, le=10, description="Longest path to report"),
) -> dict[str, Any]:
    """Shortest paths over the projected graph (events are nodes, so each step names its documents)."""
    return await read(request, paths, source, target, max_hops)


# -- helpers -------------------------------------------------------------------------------------

async def _to_slug(request: Request, given: str, rest: str) -> RedirectResponse:
    """307 to the address of the entity ``given`` names (a name or alias in the path), keeping the query string."""
    slug = await read(request, entity_named, given, "slug")
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/entities/{slug}{rest}{query}", status_code=307)


def _unknown(slug: str, suggestions: list[str], parameter: str = "slug") -> ProtocolError:
    hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
    return ProtocolError(404, f"{parameter}: no entity {slug!r}{hint}")


def _rank(needle: str, key: str) -> int | None:
    if key == needle:
        return 0
    if key.startswith(needle):
        return 1
    if needle in key:
        return 2
    return None


def _entity_index(store: Store) -> dict[str, Any]:
    cache = store_cache(store)
    if _INDEX not in cache:
        entities = _read_entities(store)
        cache[_INDEX] = {"entities": entities, "classes": _classes_of(entities)}
    return cache[_INDEX]


def follow(kept: dict[str, Any], change: Written | None, store: Store, shared: bool = False) -> None:
    """Give the freshly opened ``store`` the search index from before the write (in the ``kept`` caches), with the
    entities the write's ``change`` names read again, instead of reading every entity anew on the next search
    (3 s at a million triples).

    ``shared``: searches in other threads may still be reading the old index, so change a copy.
    """
    index, named = kept.get(_INDEX), change.named() if change is not None else None
    if index is None or named is None:
        return
    entities = dict(index["entities"]) if shared else index["entities"]
    for iri in named:
        entities.pop(iri, None)
    if named:
        entities.update(_read_entities(store, iri_values(sorted(named))))
    store_cache(store)[_INDEX] = {"entities": entities, "classes": _classes_of(entities)}


def _read_entities(store: Store, values: str | None = None) -> dict[str, dict[str, Any]]:
    """Names, aliases and classes of every entity the graph defines (or of those in ``values``), by IRI."""
    only = f"VALUES ?e {{ {values} }}" if values is not None else ""  # inside GRAPH: joined first there
    entities: dict[str, dict[str, Any]] = {}
    rows = store.select(
        sparql_prologue()
        # Names may come from any graph (an analyst's note can add an alias), for the entities the graph defines.
        + f"""SELECT DISTINCT ?e ?p ?o (LANG(?o) AS ?lang) WHERE {{
            {{ SELECT DISTINCT ?e WHERE {{ GRAPH <{ENTITIES_GRAPH}> {{ {only} ?e a ?class }} }} }}
            ?e ?p ?o FILTER(?p IN (rdfs:label, skos:altLabel)) }}"""
    )
    for row in rows:
        iri = row["e"]
        e = entities.setdefault(iri, {"slug": slug_of(iri), "iri": iri, "name": {}, "aliases": [],
                                      "labels": [], "classes": set()})
        e["labels"].append((normalise(row["o"]), row["o"]))
        if row["p"].endswith("#label"):
            e["name"][row.get("lang") or "en"] = row["o"]
        else:
            e["aliases"].append(row["o"])
    for row in store.select(f"SELECT DISTINCT ?e ?c WHERE {{ {only} ?e a ?c FILTER(STRSTARTS(STR(?c), \"{AIK}\")) }}"):
        if row["e"] in entities:
            entities[row["e"]]["classes"].add(local(row["c"]))
    return entities


def _classes_of(entities: dict[str, dict[str, Any]]) -> set[str]:
    return {c for e in entities.values() for c in e["classes"]}


def _node_link(graph: nx.MultiDiGraph) -> dict[str, list[dict[str, Any]]]:
    nodes = [{"id": n, "kind": d["kind"], "cls": d["cls"], "name": d["name"], "name_ja": d.get("name_ja")}
             for n, d in sorted(graph.nodes(data=True))]
    edges = [{"from": u, "to": v, "predicate": d["predicate"], "derived": d["derived"], "sources": d["sources"]}
             for u, v, d in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1], e[2]["predicate"]))]
    return {"nodes": nodes, "edges": edges}


