"""What an update will delete and insert, found before it runs, so what follows it can follow node by node.

An update of ``INSERT DATA`` and ``DELETE DATA`` names its quads: they are read by running it on an
empty store in memory with each ``DELETE DATA`` made an ``INSERT DATA``. ``DELETE {...} INSERT {...}
WHERE {...}`` (or ``DELETE WHERE {...}``) names them through its ``WHERE``, which reads the
store as it is before the update. So, before it runs: the ``WHERE`` runs as a ``SELECT`` of the
variables the templates use, each solution fills the templates in, and the filled-in templates,
run as ``INSERT DATA`` on an empty store in memory, give every quad the update may delete or
insert (a quad it deletes that was not there is among them; that costs a node read again, never
a change missed). The derived edges and the readers' caches then follow those quads' nodes, as
after an update of data, instead of the whole store.

Only the plain case of those is followed: one operation, no ``WITH`` or ``USING`` (they change the
dataset the ``WHERE`` reads), no blank nodes in the templates (each solution would make new
ones), every template variable bound in every solution, and at most ``at_most`` solutions.
Anything else gives None, and the caller does what it did before: the whole store. So does an
update of data with blank nodes, which the store names afresh.
"""

from __future__ import annotations

import pyoxigraph as ox

from graph.query_guard import GuardError, Token, data_as_inserts, matching_brace, operations, tokenize
from graph.store import Store


def quads_named(store: Store, update: str, base_iri: str | None, at_most: int) -> list[ox.Quad] | None:
    """The quads ``update`` may delete or insert in ``store`` as it is now: every quad of its ``INSERT DATA`` and
    ``DELETE DATA`` operations, or what its one ``DELETE``/``INSERT ... WHERE`` operation's templates give; None if it
    is of neither plain kind (see the module's docstring) or its ``WHERE`` finds more than ``at_most`` solutions."""
    inserts = data_as_inserts(update)
    if inserts is not None:
        quads = _written_to_an_empty_store(inserts, base_iri)
        if quads is None or any(isinstance(term, ox.BlankNode) for q in quads for term in (q.subject, q.object, q.graph_name)):
            return None
        return quads
    try:
        ops = [op for op in operations(tokenize(update)) if op]
    except GuardError:
        return None
    if len(ops) != 1 or (found := _templates_and_where(ops[0])) is None:
        return None
    op, (templates, where) = ops[0], found
    inside = [t for start, end in templates for t in op[start + 1:end]]
    if any(t.text.startswith("_:") or t.text in ("[", "(") for t in inside):
        return None
    prologue = update[:op[0].start]
    variables = sorted({t.text[1:] for t in inside if t.kind == "var"})
    rows: list[ox.QuerySolution | None] = [None]  # constant templates: the WHERE decides only whether they apply
    if variables:
        pattern = update[op[where[0]].start:op[where[1]].start + 1]
        select = prologue + f"SELECT DISTINCT {' '.join('?' + v for v in variables)} WHERE {pattern} LIMIT {at_most + 1}"
        # The dataset the update's WHERE reads: the store's own default graph (a server's default graph is its own anyway).
        try:
            rows = store.read(lambda: list(store.query(select, base_iri=base_iri, own_default_graph=True)))  # type: ignore[arg-type]
        except SyntaxError:  # the update's own text is at fault: it fails by itself, with its own message
            return None
        if len(rows) > at_most or any(row[v] is None for row in rows for v in variables):  # type: ignore[index]
            return None
    if not rows:
        return []  # the WHERE finds nothing: the update changes nothing
    filled = [f"INSERT DATA {{ {_filled(update, op, start, end, row)} }}" for row in rows for start, end in templates]
    # None also for a value the update would skip where it stands (a literal as a subject): not the plain case.
    return _written_to_an_empty_store(prologue + " ; ".join(filled), base_iri)


def _written_to_an_empty_store(inserts: str, base_iri: str | None) -> list[ox.Quad] | None:
    """The quads ``INSERT DATA`` operations write to an empty store in memory; None if they do not run there."""
    scratch = ox.Store()
    try:
        scratch.update(inserts, base_iri=base_iri)
    except (SyntaxError, RuntimeError, OSError):
        return None
    return list(scratch)


def _templates_and_where(op: list[Token]) -> tuple[list[tuple[int, int]], tuple[int, int]] | None:
    """The positions in ``op`` of the braces (open, close) of its templates and of its ``WHERE``; None if it is not a
    plain ``DELETE``/``INSERT ... WHERE`` or ``DELETE WHERE``."""
    if len(op) > 2 and op[0].keyword == "DELETE" and op[1].keyword == "WHERE" and op[2].text == "{":
        close = matching_brace(op, 2)
        return ([(2, close)], (2, close)) if close == len(op) - 1 else None
    templates, i = [], 0
    for keyword in ("DELETE", "INSERT"):
        if i + 1 < len(op) and op[i].keyword == keyword and op[i + 1].text == "{":
            close = matching_brace(op, i + 1)
            templates.append((i + 1, close))
            i = close + 1
    if not templates or i + 1 >= len(op) or op[i].keyword != "WHERE" or op[i + 1].text != "{":
        return None  # WITH before the templates, USING before WHERE, or no templates at all
    close = matching_brace(op, i + 1)
    return (templates, (i + 1, close)) if close == len(op) - 1 else None


def _filled(update: str, op: list[Token], start: int, end: int, row: ox.QuerySolution | None) -> str:
    """The text inside the template's braces ``op[start]``..``op[end]``, each variable replaced by its value in ``row``
    (written as SPARQL writes that term)."""
    text, at = [], op[start].start + 1
    for token in op[start + 1:end]:
        if token.kind == "var" and row is not None:
            text += [update[at:token.start], str(row[token.text[1:]])]
            at = token.start + len(token.text)
    text.append(update[at:op[end].start])
    return "".join(text)
