"""A SPARQL 1.1 Update applied whole: the derived edges brought in step, a crash covered, and what changed told to readers.

The server's ``POST /sparql`` and a Python program's :func:`graph.update` both apply an update
through :func:`apply_update`:

- the quads it names are read first (:mod:`graph.update_effects`): those of its ``INSERT DATA``
  and ``DELETE DATA``, or, for one plain ``DELETE``/``INSERT ... WHERE``, those its ``WHERE``,
  run as a ``SELECT``, fills its templates with;
- the rules then run over the quads of those nodes, before and after (:mod:`graph.incremental_derivation`),
  else over the whole store, and only the difference in ``aik:derived`` is written;
- a marker covers a crash between the update and the derived edges (:mod:`graph.recovery`); a marker
  left by an earlier crash is repaired first;
- the whole counts as one write (:meth:`graph.store.Store.counted_once`), recorded with the quads
  it added or the nodes it touched, so the server's query workers, in other processes, bring
  their caches in step instead of making them afresh (:mod:`graph.write_count`).

``Store.update`` stays the engine's update alone: the derivation's own writes go through it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from graph import incremental_derivation, query_guard, recovery, update_effects
from graph.build import rederive_difference
from graph.store import CountedWrite, Store, StoreError
from graph.syntax_positions import unshift
from ontology import DERIVED_GRAPH, PREFIXES

PROLOGUE = " ".join(f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items()) + " "
"""aikg's prefixes on one line, put before a user's text: the parser's positions shift only on its line 1."""

READ_AGAIN_AT_MOST = 10_000
"""After an update naming more nodes than this, readers make their projection afresh instead of reading each again."""


@dataclass(frozen=True)
class Applied:
    """What an update changed, as far as readers need to know."""

    derived: int
    """How many derived triples it added or deleted (all the graph holds when it was rewritten whole)."""
    added: list[ox.Quad] | None = None
    """The quads it added (its own and the derived ones), when adding them is all it did."""
    touched: frozenset[str] | None = None
    """Otherwise the IRIs of every node its quads and the derived edges it changed name, when known (None: not known)."""


def apply_update(store: Store, update: str, *, base_iri: str | None = None, at_most: int | None = None) -> Applied:
    """Run ``update`` (aikg's prefixes predeclared) on ``store`` in one transaction and bring ``aik:derived`` in step.

    Raises SyntaxError (positions in ``update`` itself), RuntimeError (the engine refused it, as a
    ``DROP`` of a graph that does not exist) or StoreError (a store opened read-only): nothing changed. ``at_most``: how many nodes
    readers would read again at most (default :data:`READ_AGAIN_AT_MOST`).
    """
    if store.read_only:
        raise StoreError(f"{store.location}: opened read-only; the update was not applied")
    at_most = READ_AGAIN_AT_MOST if at_most is None else at_most
    text = PROLOGUE + update
    with store.writing("graph.update"):  # named to another writer only when no caller holds the lock already
        # A change cut short by a crash first: its derived edges, from the whole store, counted as a write of
        # its own with no record (readers make their caches afresh; they never saw that change).
        recovery.repair(store)
        with store.counted_once() as counted:
            return _apply(store, text, base_iri, at_most, counted)


def _apply(store: Store, text: str, base_iri: str | None, at_most: int, counted: CountedWrite) -> Applied:
    """:func:`apply_update` once the write lock is held and no earlier change is pending."""
    named = update_effects.quads_named(store, text, base_iri, at_most)  # an update with a WHERE: read before it runs
    # The rules run over the named nodes' quads, before and after, instead of over the whole store
    # (0.1-0.2 s at a million triples, where the whole store's rules take 1.4 s).
    nodes = incremental_derivation.changed_nodes(named) if named is not None else None
    before = incremental_derivation.derived_from(store, nodes) if nodes is not None else None
    marker = recovery.begin_change(store.location)  # a crash from here on is repaired by the next start or write
    try:
        store.update(text, base_iri=base_iri)
    except SyntaxError as exc:
        recovery.end_change(marker)  # nothing changed
        raise SyntaxError(unshift(str(exc), len(PROLOGUE))) from None
    except RuntimeError:  # the update itself failed: all rolled back
        recovery.end_change(marker)
        raise
    followed = incremental_derivation.bring_in_step(store, nodes, before) if nodes is not None and before is not None else None
    # Else only the difference from the whole store's derivation is written: an update of a few triples writes a few.
    total, gone, new = (None, *followed) if followed is not None else rederive_difference(store)
    derived = total if gone is None or new is None else len(gone) + len(new)
    store.flush()
    recovery.end_change(marker)
    applied = _what_changed(derived, text, named, gone, new, at_most)
    counted.added, counted.touched = applied.added, applied.touched
    return applied


def _what_changed(derived: int, text: str, named: list[ox.Quad] | None, gone: set[bytes] | None,
                  new: set[bytes] | None, at_most: int) -> Applied:
    if named is None or gone is None or new is None:  # not known, or the derived graph rewritten whole
        return Applied(derived)
    if query_guard.only_inserts_data(text) and not gone:
        edges = ox.NamedNode(DERIVED_GRAPH)
        return Applied(derived, added=named + [ox.Quad(t.subject, t.predicate, t.object, edges) for t in _triples(new)])
    nodes = frozenset(term.value for t in (*named, *_triples(gone | new)) for term in (t.subject, t.object)
                      if isinstance(term, ox.NamedNode))
    return Applied(derived) if len(nodes) > at_most else Applied(derived, touched=nodes)


def _triples(lines: set[bytes]) -> list[ox.Triple]:
    return list(ox.parse(b"\n".join(lines), ox.RdfFormat.N_TRIPLES)) if lines else []
