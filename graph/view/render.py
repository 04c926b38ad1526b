"""The page: a pyvis network of the selection, written as one self-contained HTML file.

pyvis makes the vis-network node and edge records; the page around them is ours, because pyvis's own
templates link CDNs. vis-network's JS and CSS are inlined from the copy pyvis ships, and every name goes
into a JSON block that the page's script turns into text nodes, so a name is never parsed as HTML.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyvis
from pyvis.network import Network

from graph.view.details import Details, event_summary, money_words
from graph.view.selection import Selection

HERE = Path(__file__).resolve().parent
VIS_DIR = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"

# Colour and vis-network shape per class; classes not listed fall back to their nearest listed ancestor.
STYLES: dict[str, tuple[str, str]] = {
    "Person": ("#f4a261", "dot"),
    "Company": ("#2a9d8f", "square"),
    "InvestmentFirm": ("#264653", "diamond"),
    "Bank": ("#6d597a", "triangle"),
    "MediaOrganization": ("#8d99ae", "triangleDown"),
    "Organization": ("#52796f", "square"),
    "DataCenter": ("#e63946", "hexagon"),
    "AIModel": ("#9b5de5", "star"),
    "HardwareProduct": ("#457b9d", "dot"),
    "Asset": ("#c9184a", "hexagon"),
    "Place": ("#a8dadc", "dot"),
    "FundingRound": ("#ffb703", "diamond"),
    "SupplyDeal": ("#219ebc", "triangle"),
    "CapacityObservation": ("#8ecae6", "dot"),
    "Construction": ("#bc6c25", "square"),
    "CashBurnForecast": ("#fb8500", "diamond"),
    "Event": ("#ced4da", "dot"),
}
DEFAULT_STYLE = ("#adb5bd", "dot")
CARD_EVENTS = 50
"""Events listed in one node's card; the card says how many more there are."""
EDGE_EVENTS_LISTED = 3
"""A shortcut edge standing for more events than this is labelled with their count and sum, not each one."""
EDGE_TIP_EVENTS = 10
"""Events listed in a shortcut edge's tooltip, the newest; it says how many older ones there are.

Between two hubs at a million triples an edge stands for a thousand rounds or more: listing every
one made a page around a hub 20 MB, and a tooltip no screen can show."""
PLURALS = {"FundingRound": "funding rounds", "SupplyDeal": "supply deals", "Construction": "constructions"}


def build_network(selection: Selection, details: Details) -> Network:
    """The pyvis network of the selection: styled nodes and labelled, directed edges."""
    graph = selection.graph
    net = Network(directed=True)
    names = {n: d["name"] for n, d in graph.nodes(data=True)}
    degree = dict(graph.degree())
    for node, data in graph.nodes(data=True):
        colour, shape = style_of(data["cls"], details)
        label = data["name"]
        event = details.events.get(node, {})
        if data["kind"] == "event" and any(event.get(k) is not None for k in ("amount_usd", "quantity", "gpu_count")):
            label = event_summary(event, names)
        net.add_node(node, label=label, shape=shape, color=colour, value=max(degree[node], 1),
                     kind=data["kind"], cls=data["cls"], size=10 if data["kind"] == "event" else 16)
    for u, v, key, data in graph.edges(keys=True, data=True):
        ids = newest_first((e for e in data.get("events", []) if e in details.events), details)
        summary = edge_summary([details.events[e] for e in ids], names)
        label = words(key) + (f": {summary}" if summary else "")
        # The page draws a shortcut edge only where an event it stands for is not drawn, so it is told which of
        # its events are nodes here and whether any is not: all it needs, however many events the edge has.
        net.add_edge(u, v, id=f"{u}|{key}|{v}", label=label, predicate=key, derived=bool(data["derived"]),
                     arrows="to", dashes=bool(data["derived"]), events=ids[:EDGE_TIP_EVENTS], events_total=len(ids),
                     event_nodes=[e for e in ids if e in graph], events_off_page=any(e not in graph for e in ids),
                     sources=[] if ids else [_key(s) for s in data["sources"]])
    net.options = network_options(len(graph))
    return net


def newest_first(events: Iterable[str], details: Details) -> list[str]:
    """Event ids, the latest first (by start or date; undated last), ties by id so a page comes out the same each time."""
    def when(event: str) -> tuple[str, str]:
        return details.events[event].get("date_start") or details.events[event].get("date") or "", event
    return sorted(events, key=when, reverse=True)


def edge_summary(events: list[dict[str, Any]], names: dict[str, str]) -> str:
    """What a shortcut edge's label says of the events it stands for: each one's figures when there are a few
    (``USD 12B debt, in negotiation``), else how many and what they add up to (``34 funding rounds totalling
    USD 369.9B``: the rounds' whole amounts, whoever gave them); the tooltip lists the newest (:data:`EDGE_TIP_EVENTS`)."""
    if len(events) <= EDGE_EVENTS_LISTED:
        return "; ".join(filter(None, (event_summary(e, names) for e in events)))
    types = {e.get("type") for e in events}
    count = f"{len(events):,} {PLURALS.get(types.pop(), 'events') if len(types) == 1 else 'events'}"
    sums = []
    usd = [e["amount_usd"] for e in events if e.get("amount_usd") is not None]
    if usd:
        sums.append(money_words(math.fsum(usd)) + ("" if len(usd) == len(events) else f" (the {len(usd):,} with an amount)"))
    supplied = [e for e in events if e.get("quantity") is not None]
    if supplied:
        products = {e.get("product") for e in supplied}
        product = products.pop() if len(products) == 1 else None
        sums.append(f"{sum(e['quantity'] for e in supplied):,} {names.get(product, 'units') if product else 'units'}")
    return count + (f" totalling {' and '.join(sums)}" if sums else "")


def page_data(selection: Selection, details: Details, *, entity_link: str | None = None, title: str = "aikg graph view") -> dict[str, Any]:
    """Everything the page script needs, as plain JSON: vis records, node facts, events, sources, legend."""
    net = build_network(selection, details)
    graph = selection.graph
    names = {n: d["name"] for n, d in graph.nodes(data=True)}
    events_of: dict[str, set[str]] = defaultdict(set)
    money: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    gpus: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event_id, event in sorted(details.events.items()):  # sorted: sums of shares come out the same to the last digit
        for role, slugs in event["roles"].items():
            for slug in slugs:
                if slug not in graph:
                    continue
                events_of[slug].add(event_id)
                if role == "recipient" and event.get("amount_usd") is not None:
                    money[slug][0] += event["amount_usd"]
        if event.get("type") == "FundingRound" and event.get("amount_usd") is not None:
            investors = _investors(event)
            for slug in investors & graph.nodes.keys():  # split evenly when the source does not say who gave what
                money[slug][1] += event["amount_usd"] / len(investors)
        if event.get("gpu_count") is not None:
            for slug in event["roles"].get("asset", []):
                gpus[slug].append({"count": event["gpu_count"], "when": event.get("date") or ", ".join(event.get("phase", [])),
                                   "order": event.get("date_start") or event.get("date") or "9999"})
    used_events = {n for n, d in graph.nodes(data=True) if d["kind"] == "event"}
    used_events |= {e for edge in net.edges for e in edge["events"]}
    info = {}
    for node, data in graph.nodes(data=True):
        # A hub may take part in thousands of events; its card lists the newest and says how many there are.
        newest = newest_first(events_of.get(node, ()), details)
        used_events.update(newest[:CARD_EVENTS])
        place, score = selection.importance.get(node, (None, 0.0))  # events have no place: the ranking is of entities
        info[node] = {
            "kind": data["kind"], "cls": data["cls"], "classes": sorted(details.classes_of(data["cls"])),
            "name": data["name"], "name_ja": data.get("name_ja"), "aliases": details.aliases.get(node, []),
            "degree": graph.degree(node), "money_in": money[node][0] if node in money else 0,
            "money_out": money[node][1] if node in money else 0,
            "events": newest[:CARD_EVENTS], "events_total": len(newest),
            "gpus": [{"count": g["count"], "when": g["when"]} for g in sorted(gpus.get(node, []), key=lambda g: g["order"])],
            "place": place, "score": score,
        }
    events = {e: _event_for_page(details.events[e], names) for e in sorted(used_events) if e in details.events}
    # The documents the page cites, not every one the store holds (19,000 at a million triples: megabytes a page).
    cited = {k for e in events.values() for k in (*e["sources"], *e["reported_by"])} | {k for e in net.edges for k in e["sources"]}
    sources = {_key(iri): doc for iri, doc in sorted(details.sources.items()) if _key(iri) in cited}
    classes: dict[str, int] = defaultdict(int)
    for _, data in graph.nodes(data=True):
        classes[data["cls"]] += 1
    legend = [{"cls": c, "count": n, "color": style_of(c, details)[0], "shape": style_of(c, details)[1],
               "event": "Event" in details.classes_of(c) or c == "CapacityObservation"} for c, n in sorted(classes.items())]
    return {
        "title": title, "note": selection.note(), "focus": selection.options.focus, "mode": selection.options.events,
        "size": selection.options.size, "ranked": selection.ranked,
        "entityLink": entity_link, "nodes": net.nodes, "edges": net.edges, "options": net.options,
        "info": info, "events": events, "sources": sources, "legend": legend,
    }


def render_html(selection: Selection, details: Details, *, entity_link: str | None = None, title: str = "aikg graph view") -> str:
    """The whole page as one string: vis-network, our script and style, and the data, all inline."""
    data = json.dumps(page_data(selection, details, entity_link=entity_link, title=title), ensure_ascii=False, default=str)
    # Inside <script type="application/json"> only "</" could end the block; escaping < > & keeps names inert.
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    parts = {
        "TITLE": _escape(title),
        "VIS_CSS": (VIS_DIR / "vis-network.css").read_text(encoding="utf-8"),
        "PAGE_CSS": (HERE / "page.css").read_text(encoding="utf-8"),
        "VIS_JS": (VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8"),
        "PAGE_JS": (HERE / "page.js").read_text(encoding="utf-8"),
        "DATA": data,
    }
    template = (HERE / "page.html").read_text(encoding="utf-8")
    # One pass, so nothing inserted is scanned again for markers.
    return re.sub(r"@@(TITLE|VIS_CSS|PAGE_CSS|VIS_JS|PAGE_JS|DATA)@@", lambda m: parts[m.group(1)], template)


def style_of(cls: str, details: Details) -> tuple[str, str]:
    """Colour and shape for a class, inherited from the nearest styled ancestor."""
    if cls in STYLES:
        return STYLES[cls]
    for ancestor in ("Organization", "Asset", "Event", "Agent"):
        if ancestor in details.classes_of(cls) and ancestor in STYLES:
            return STYLES[ancestor]
    return DEFAULT_STYLE


def network_options(nodes: int) -> dict[str, Any]:
    """vis-network options: physics that settles in a bounded number of steps (then the page stops it)."""
    return {
        "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False, "keyboard": False},
        "nodes": {"font": {"size": 14, "face": "system-ui, sans-serif"}, "scaling": {"min": 8, "max": 30}},
        "edges": {"font": {"size": 10, "align": "horizontal", "color": "#444", "strokeWidth": 3}, "smooth": False,
                  "color": {"color": "#9aa5b1", "highlight": "#e76f51"}, "arrows": {"to": {"scaleFactor": 0.6}}},
        "layout": {"improvedLayout": nodes <= 150, "randomSeed": 7},
        "physics": {
            "solver": "barnesHut",
            "barnesHut": {"gravitationalConstant": -6000, "springLength": 140, "springConstant": 0.03, "damping": 0.25, "avoidOverlap": 0.2},
            "stabilization": {"enabled": True, "iterations": 400 if nodes <= 500 else 250, "updateInterval": 25, "fit": True},
            "minVelocity": 1.0,
        },
    }


def words(predicate: str) -> str:
    """A predicate as words: ``arrangedFinancingFor`` → ``arranged financing for``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", predicate).lower().replace("ceo of", "CEO of")


def _event_for_page(event: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    page = {k: v for k, v in event.items() if k not in ("sources", "reported_by", "roles")}
    page["sources"] = [_key(s) for s in event["sources"]]
    page["reported_by"] = [_key(s) for s in event["reported_by"]]
    page["summary"] = event_summary(event, names)
    page["who"] = who_took_part(event, names)
    return page


def who_took_part(event: dict[str, Any], names: dict[str, str]) -> str:
    """Everyone an event names, by role, the roles in alphabetical order: ``arranger: Morgan Stanley; recipient:
    xAI``; a node the page does not draw by its slug."""
    return "; ".join(f"{words(role)}: {', '.join(names.get(s, s) for s in slugs)}" for role, slugs in sorted(event["roles"].items()))


def _investors(event: dict[str, Any]) -> set[str]:
    return set(event["roles"].get("investor", [])) | set(event["roles"].get("leadInvestor", []))


def _key(iri: str) -> str:
    """A source's slug, so the page carries no absolute URLs at all."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _escape(text: str) -> str:
    from html import escape

    return escape(text, quote=True)
