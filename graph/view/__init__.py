"""The interactive graph view: one self-contained HTML page drawn with pyvis (vis-network), fully offline.

>>> from graph.view import ViewOptions, view_html
>>> page = view_html(store, ViewOptions(focus="xai", depth=2))
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from graph.analysis import project
from graph.store import Store
from graph.view.details import Details, read_details
from graph.view.offline import external_urls
from graph.view.selection import Selection, SelectionError, ViewOptions, select

__all__ = ["Selection", "SelectionError", "ViewOptions", "external_urls", "make_selection", "view_html", "write_view"]


def make_selection(store: Store, options: ViewOptions, graph: nx.MultiDiGraph | None = None,
                   details: Details | None = None) -> tuple[Selection, Details]:
    """Pick the nodes to draw from ``graph``, the store's projection, with ``details`` (each read here if not given).

    Raises KeyError (unknown focus) or SelectionError (bad option).
    """
    details = read_details(store) if details is None else details
    return select(project(store) if graph is None else graph, details, options), details


def view_html(store: Store, options: ViewOptions, *, entity_link: str | None = None, title: str | None = None) -> str:
    """The page for ``options``; ``entity_link`` (e.g. ``/entities/``) makes each card link to the full entity card."""
    from graph.view.render import render_html  # pyvis is imported only when a page is drawn

    selection, details = make_selection(store, options)
    return render_html(selection, details, entity_link=entity_link, title=title or _title(options))


def write_view(store: Store, options: ViewOptions, path: str | Path) -> Selection:
    """Write the page to ``path`` and return what it shows."""
    from graph.view.render import render_html

    selection, details = make_selection(store, options)
    Path(path).write_text(render_html(selection, details, title=_title(options)), encoding="utf-8")
    return selection


def _title(options: ViewOptions) -> str:
    return f"aikg: around {options.focus}" if options.focus else "aikg: the graph"
