"""The query page: ``/sparql`` in a browser. An editor, example queries in our vocabulary, the answer as a table or
a bar chart (a graph answer as Turtle or drawn).

Everything it needs is served by the app from ``api/static`` and, for a drawing, the copy of vis-network
the graph view inlines (no CDN), so it works offline.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ontology import ID, PREFIXES, SOURCE

router = APIRouter(tags=["query page"])
PAGE = Path(__file__).resolve().parent / "static" / "query.html"

EXAMPLES: dict[str, str] = {
    "Money into xAI, by instrument": """SELECT ?instrument (SUM(?usd) AS ?total_usd) (COUNT(?round) AS ?rounds)
WHERE {
  ?round a aik:FundingRound ;
         aik:recipient id:xai ;
         aik:amountUSD ?usd .
  OPTIONAL { ?round aik:instrument ?instrument }
}
GROUP BY ?instrument
ORDER BY DESC(?total_usd)""",
    "Colossus GPU counts over time": """SELECT ?asset ?gpus ?date ?phase ?source
WHERE {
  GRAPH ?source {
    ?obs a aik:CapacityObservation ;
         aik:asset ?asset ;
         aik:gpuCount ?gpus .
    OPTIONAL { ?obs aik:date ?date }
    OPTIONAL { ?obs aik:phase ?phase FILTER(LANG(?phase) = "en") }
  }
  FILTER(?asset IN (id:colossus, id:colossus-2))
}
ORDER BY ?asset ?date""",
    "Everything one source reported": """SELECT ?subject ?predicate ?object
WHERE {
  GRAPH <https://w3id.org/aikg/source/fastview-2025-07-xai-raises-12b> {
    ?subject ?predicate ?object
  }
}
LIMIT 200""",
    "Relations only one source states": """SELECT ?subject ?predicate ?object (SAMPLE(?g) AS ?only_source)
WHERE {
  GRAPH ?g { ?subject ?predicate ?object }
  ?g a aik:SourceDocument .
  FILTER(isIRI(?object) && STRSTARTS(STR(?subject), STR(id:)) && STRSTARTS(STR(?object), STR(id:))
         && STRSTARTS(STR(?predicate), STR(aik:)))
  FILTER NOT EXISTS { ?subject prov:wasDerivedFrom ?document }  # an event's own roles: one source each by design
}
GROUP BY ?subject ?predicate ?object
HAVING (COUNT(DISTINCT ?g) = 1)
ORDER BY ?subject ?predicate ?object""",
    "Paths between two people (one or two hops)": """SELECT DISTINCT ?p1 ?middle ?p2 ?end
WHERE {
  VALUES (?start ?end) { (id:antonio-gracias id:elon-musk) }
  { ?start ?p1 ?end . BIND("" AS ?middle) BIND("" AS ?p2) }
  UNION
  { ?start ?p1 ?middle . ?middle ?p2 ?end .
    FILTER(isIRI(?middle) && STRSTARTS(STR(?middle), STR(id:))) }
  UNION
  { ?middle ?p1 ?start . ?middle ?p2 ?end .
    FILTER(isIRI(?middle) && STRSTARTS(STR(?middle), STR(id:))) }
  UNION
  { ?start ?p1 ?middle . ?end ?p2 ?middle .
    FILTER(isIRI(?middle) && STRSTARTS(STR(?middle), STR(id:)) && ?middle != ?start) }
}
# Longer paths, each step with its source: GET /paths?from=antonio-gracias&to=elon-musk""",
    "Who funds xAI (derived shortcut edges)": """SELECT ?investor ?name
WHERE {
  id:xai aik:fundedBy ?investor .
  ?investor rdfs:label ?name FILTER(LANG(?name) = "en")
}""",
}


def render(request: Request) -> HTMLResponse:
    """The page, with the examples and prefixes filled in (and ``?query=`` if one was given)."""
    settings = {
        "endpoint": "/sparql",
        "vis": "/static/vis/",  # where the drawing library of a graph answer is loaded from
        "examples": EXAMPLES,
        "prefixes": PREFIXES,
        "links": {"entity": str(ID), "source": str(SOURCE)},  # IRIs the results table links: to the view, to the source's graph
        "query": request.query_params.get("query") or "",
        # How the answer is shown: ``view=chart`` draws bars of the ``value`` column by the ``label`` column
        # (each the first that fits when not given), ``view=graph`` draws a graph answer; so either can be shared.
        "view": view if (view := request.query_params.get("view")) in ("chart", "graph") else "table",
        "chart": {"value": request.query_params.get("value") or "", "label": request.query_params.get("label") or ""},
    }
    # The settings go into a JSON script block; escaping "<" keeps a query from closing the tag.
    data = json.dumps(settings, ensure_ascii=False).replace("<", "\\u003c")
    page = PAGE.read_text(encoding="utf-8").replace("{{settings}}", data)
    page = page.replace("{{prefix_lines}}", html.escape("\n".join(f"PREFIX {p}: <{i}>" for p, i in PREFIXES.items())))
    return HTMLResponse(page, headers={"Vary": "Accept"})


@router.get("/query", summary="The query page (same as /sparql in a browser)", response_class=HTMLResponse,
            responses={200: {"content": {"text/html": {"example": "<!doctype html>..."}}}})
async def query_page(request: Request) -> HTMLResponse:
    """An editor with example queries and the answer as a table or a bar chart; it works with no internet."""
    return render(request)
