"""``GET /view``: the interactive graph view, served with the same options as ``aikg view``."""

from __future__ import annotations

import copy
import dataclasses
import re
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.errors import ProtocolError
from api.projection import cached_projection, cached_ranking, node_of
from api.reading import read
from api.security import script_hash
from api.workers import WRITES_AT_OPEN, Written, store_cache
from graph import projection_cache
from graph.collector import collector_paused
from graph.store import Store
from graph.view.command import split_types
from graph.view.details import read_details, read_details_again
from graph.view.render import render_html
from graph.view.selection import SelectionError, ViewOptions, select

router = APIRouter(tags=["graph view"])
# The page's code is inline so the same file works from disk; the JSON data block is never executed.
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_INLINE_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
_DETAILS = "view_details"


def follow(kept: dict[str, Any], change: Written | None, store: Store, shared: bool = False) -> None:
    """Give the freshly opened ``store`` the view's details from before the write (in the ``kept`` caches), with what
    the write's ``change`` names read again, instead of reading every event anew on the next page (15 s at a million triples).

    ``shared``: pages in other threads may still be reading the old details, so change a copy.
    """
    details, named = kept.get(_DETAILS), change.named() if change is not None else None
    if details is None or named is None:
        return
    if shared:
        details = copy.deepcopy(details)
    read_details_again(details, store, named)
    store_cache(store)[_DETAILS] = details


@collector_paused()
def page(store: Store, options: ViewOptions) -> str:
    """The view's HTML for ``options`` (run in a query worker); cards link to ``/entities/{slug}``.

    With the garbage collector paused, as ``aikg view`` runs: what a worker has just read back is young,
    and the collector's passes over it would fall in the selection and the drawing."""
    cache = store_cache(store)
    if _DETAILS not in cache:
        writes = cache.get(WRITES_AT_OPEN)  # a worker's handle on a store on disk: the details `aikg view` kept, if of this store
        cache[_DETAILS] = read_details(store) if writes is None else projection_cache.view_details(store, writes, keep=False)
    projection = cached_projection(store)
    if options.focus is not None:  # a slug, IRI, name or alias, as `aikg view --focus` takes it
        options = dataclasses.replace(options, focus=node_of(store, projection, options.focus, "focus"))
    try:
        selection = select(projection, cache[_DETAILS], options, ranked=cached_ranking(store, projection))
    except SelectionError as exc:
        raise ProtocolError(422, str(exc)) from None
    title = f"aikg: around {options.focus}" if options.focus else "aikg: the graph"
    return render_html(selection, cache[_DETAILS], entity_link="/entities/", title=title)


@router.get(
    "/view",
    summary="The interactive graph view (HTML, works offline)",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {"example": "<!doctype html>..."}}},
               400: {"description": "A focus name several entities carry; the message lists them"},
               404: {"description": "Unknown focus; the message names the closest slugs"},
               422: {"description": "An option out of range, an unknown class or a malformed date"}},
)
async def view(
    request: Request,
    focus: str | None = Query(None, description="The entity to centre on: its slug, IRI, or a name or alias (case and width "
                                                "folded); default the whole graph", examples=["xai", "Elon Musk"], max_length=500),
    depth: int = Query(2, ge=0, le=6, description="Hops around the focus, either direction"),
    types: str = Query("", description="Comma-separated classes to keep (subclasses count); the focus always stays",
                       examples=["Organization,Person,FundingRound"]),
    since: str | None = Query(None, description="Leave out events that ended before this date (YYYY, YYYY-MM, YYYY-MM-DD)",
                              examples=["2025-01"]),
    min_amount: float | None = Query(None, alias="min-amount", ge=0, description="Leave out events under this many US dollars"),
    events: str = Query("show", pattern="^(show|collapse)$", description="Events as nodes (show) or folded into shortcut edges (collapse)"),
    max_nodes: int = Query(500, alias="max-nodes", ge=1, le=5000, description="Node cap; the page says what it left out"),
    size: str = Query("links", pattern="^(links|money|importance)$",
                      description="What node size shows when the page opens (switchable in it): links in the drawing, money in "
                                  "and out, or importance in the whole graph (PageRank, as GET /centrality ranks entities)"),
) -> HTMLResponse:
    """One self-contained page: search, class filter, cards linking to ``/entities/{slug}``, the event switch."""
    options: Any = ViewOptions(focus=focus, depth=depth, types=split_types([types]), since=since, min_amount=min_amount,
                               events="collapse" if events == "collapse" else "show", max_nodes=max_nodes, size=size)
    html = await read(request, page, options)
    return HTMLResponse(html, headers={"Content-Security-Policy": page_policy(html)})


def page_policy(html: str) -> str:
    """The view's Content-Security-Policy: its own inline scripts and styles by hash, nothing from elsewhere."""
    scripts = [script_hash(body.encode()) for body in _INLINE_SCRIPT.findall(html) if body.strip()]
    styles = [script_hash(body.encode()) for body in _INLINE_STYLE.findall(html) if body.strip()]
    return (f"default-src 'none'; script-src {' '.join(scripts)}; style-src {' '.join(styles)}; img-src 'self' data:; "
            "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
