"""Refuse SPARQL that would make the server act on a caller's behalf, before the engine sees it.

Oxigraph follows ``SERVICE`` and ``LOAD`` (outbound HTTP, local file reads). ``FROM``,
``FROM NAMED`` and ``USING`` are allowed only for graphs the store already holds. An
operator may allow-list IRI prefixes (``https://query.wikidata.org/``) to lift the rule.

The guard reads the text with a small SPARQL lexer: strings, IRIs and comments are skipped,
so a keyword inside a literal is not mistaken for an operation. Text the lexer cannot read
(an unterminated string, a stray backslash) is refused rather than guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin

__all__ = ["GuardError", "Token", "Inspection", "inspect", "check", "add_using", "only_inserts_data", "data_as_inserts",
           "tokenize", "operations", "matching_brace"]


class GuardError(ValueError):
    """The request breaks a rule of the guard; ``rule`` names it (``service``, ``load``, ``from``...)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule

    def __reduce__(self):  # keep the rule when the error crosses a process boundary
        return (GuardError, (self.rule, str(self)))


_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_TOKEN = re.compile(
    rf"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
  | (?P<pname>(?:[^\W\d][\w\-.]*)?:(?:[\w\-:%]|\\[_~.\-!$&'()*+,;=/?\#@%])*)
  | (?P<word>[^\W\d]\w*)
  | (?P<number>\d[\w.]*)
  | (?P<bad>[\\'"])
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str  # iri, string, var, pname, word, number, punct
    text: str
    start: int
    depth: int  # brace depth before the token

    @property
    def keyword(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


@dataclass
class Inspection:
    """What a SPARQL text asks for: its form and the IRIs it would reach outside the store."""

    tokens: list[Token]
    form: str | None = None  # SELECT, ASK, CONSTRUCT, DESCRIBE for a query; None for an update
    services: list[str | None] = field(default_factory=list)  # None: a variable endpoint
    loads: list[str] = field(default_factory=list)
    from_graphs: list[str] = field(default_factory=list)
    from_named: list[str] = field(default_factory=list)
    using: list[str] = field(default_factory=list)
    using_named: list[str] = field(default_factory=list)
    with_graphs: list[str] = field(default_factory=list)


def tokenize(text: str) -> list[Token]:
    """The tokens of a SPARQL text, without whitespace and comments. Raises GuardError on unreadable text."""
    tokens: list[Token] = []
    depth = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "punct"
        if kind in ("ws", "comment"):
            continue
        if kind == "bad":
            line = text.count("\n", 0, match.start()) + 1
            raise GuardError(
                "syntax", f"unterminated string or stray {match.group()!r} at line {line}; the query cannot be read"
            )
        tokens.append(Token(kind, match.group(), match.start(), depth))
        if match.group() == "{":
            depth += 1
        elif match.group() == "}":
            depth = max(depth - 1, 0)
    return tokens


def inspect(text: str) -> Inspection:
    """Read a query or update and list the operations and IRIs the guard cares about."""
    tokens = tokenize(text)
    found = Inspection(tokens)
    prefixes: dict[str, str] = {}
    base = ""

    def iri_at(i: int) -> str | None:
        if i >= len(tokens):
            return None
        tok = tokens[i]
        if tok.kind == "iri":
            return urljoin(base, tok.text[1:-1]) if base else tok.text[1:-1]
        if tok.kind == "pname":
            prefix, _, local = tok.text.partition(":")
            return prefixes[prefix] + local if prefix in prefixes else tok.text
        return None

    i = 0
    while i < len(tokens):
        word = tokens[i].keyword
        nxt = tokens[i + 1].keyword if i + 1 < len(tokens) else ""
        if word == "PREFIX" and i + 2 < len(tokens) and tokens[i + 1].kind == "pname":
            prefixes[tokens[i + 1].text[:-1]] = iri_at(i + 2) or ""
            i += 3
            continue
        if word == "BASE":
            base = iri_at(i + 1) or base
        elif word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE") and found.form is None and tokens[i].depth == 0:
            found.form = word
        elif word == "SERVICE":
            j = i + 2 if nxt == "SILENT" else i + 1
            found.services.append(iri_at(j))
        elif word == "LOAD":
            j = i + 2 if nxt == "SILENT" else i + 1
            found.loads.append(iri_at(j) or (tokens[j].text if j < len(tokens) else ""))
        elif word in ("FROM", "USING"):
            named = nxt == "NAMED"
            iri = iri_at(i + 2 if named else i + 1) or ""
            target = {
                ("FROM", False): found.from_graphs, ("FROM", True): found.from_named,
                ("USING", False): found.using, ("USING", True): found.using_named,
            }[(word, named)]
            target.append(iri)
        elif word == "WITH" and tokens[i].depth == 0:
            found.with_graphs.append(iri_at(i + 1) or "")
        i += 1
    return found


def check(
    text: str,
    *,
    graphs: Iterable[str] | Callable[[], Iterable[str]],
    allow: Sequence[str] = (),
) -> Inspection:
    """Inspect ``text`` and raise GuardError if it reaches outside the store; return the inspection.

    ``graphs`` are the named graphs the store holds, or a function that lists them (called only
    for a text with ``FROM`` or ``USING``: listing 190,000 graphs takes 0.8 s); ``allow`` are IRI
    prefixes the operator allow-lists (``*`` allows everything).
    """
    found = inspect(text)
    named = found.from_graphs or found.from_named or found.using or found.using_named
    known = set((graphs() if callable(graphs) else graphs) if named else ())

    def allowed(iri: str | None) -> bool:
        return "*" in allow or (iri is not None and any(iri.startswith(prefix) for prefix in allow))

    for iri in found.services:
        if not allowed(iri):
            target = f"<{iri}>" if iri else "a variable endpoint"
            raise GuardError(
                "service", f"SERVICE {target} is refused: this server does not send queries to other endpoints"
                " (an operator can allow-list endpoints with AIKG_ALLOW)"
            )
    for iri in found.loads:
        if not allowed(iri):
            raise GuardError(
                "load", f"LOAD <{iri}> is refused: this server does not fetch documents or read files"
                " (an operator can allow-list sources with AIKG_ALLOW)"
            )
    for clause, iris in (
        ("FROM", found.from_graphs), ("FROM NAMED", found.from_named),
        ("USING", found.using), ("USING NAMED", found.using_named),
    ):
        for iri in iris:
            if iri not in known and not allowed(iri):
                raise GuardError(
                    clause.lower().replace(" ", "-"),
                    f"{clause} <{iri}> is refused: it is not a graph in this store and this server does not"
                    " fetch graphs (GET /sources lists the graphs it holds)",
                )
    return found


def add_using(text: str, using: Sequence[str], using_named: Sequence[str], found: Inspection | None = None) -> str:
    """Apply the protocol's ``using-graph-uri`` / ``using-named-graph-uri`` to every DELETE/INSERT ... WHERE.

    Raises GuardError when the update already names its dataset with USING or WITH (the
    SPARQL 1.1 Protocol forbids the combination).
    """
    if not using and not using_named:
        return text
    found = found or inspect(text)
    if found.using or found.using_named or found.with_graphs:
        raise GuardError(
            "dataset-conflict",
            "using-graph-uri / using-named-graph-uri cannot be combined with USING or WITH in the update",
        )
    clause = "".join(f" USING <{g}>" for g in using) + "".join(f" USING NAMED <{g}>" for g in using_named) + " "
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in text offsets
    tokens = found.tokens
    for op in operations(tokens):
        first = op[0].keyword if op else ""
        second = op[1].keyword if len(op) > 1 else ""
        if first not in ("DELETE", "INSERT") or second == "DATA":
            continue
        if first == "DELETE" and second == "WHERE":
            # DELETE WHERE { P } takes no USING; spell it out as DELETE { P } USING ... WHERE { P }.
            close = matching_brace(op, 2)
            pattern = text[op[2].start : op[close].start + 1]
            edits.append((op[0].start, op[close].start + 1, f"DELETE {pattern}{clause}WHERE {pattern}"))
            continue
        where = next((t for t in op if t.keyword == "WHERE" and t.depth == 0), None)
        if where is not None:
            edits.append((where.start, where.start, clause))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def only_inserts_data(text: str) -> bool:
    """Whether every operation of an update is ``INSERT DATA`` (so what it adds is in its text, and it removes nothing)."""
    try:
        ops = [op for op in operations(tokenize(text)) if op]
    except GuardError:
        return False
    return bool(ops) and all(len(op) > 1 and op[0].keyword == "INSERT" and op[1].keyword == "DATA" for op in ops)


def data_as_inserts(text: str) -> str | None:
    """For an update made only of ``INSERT DATA`` and ``DELETE DATA``: the same text with each ``DELETE DATA`` made an
    ``INSERT DATA``, so running it on an empty store gives every quad the update names. None for any other update.

    The two take the same quad data, so the text stays valid; only the keyword changes.
    """
    try:
        ops = [op for op in operations(tokenize(text)) if op]
    except GuardError:
        return None
    if not ops or not all(len(op) > 1 and op[0].keyword in ("INSERT", "DELETE") and op[1].keyword == "DATA"
                                 for op in ops):
        return None
    for op in reversed(ops):  # from the end, so the offsets before stay right
        if op[0].keyword == "DELETE":
            text = text[: op[0].start] + "INSERT" + text[op[0].start + len(op[0].text):]
    return text


def operations(tokens: list[Token]) -> list[list[Token]]:
    """The update operations, split on top-level ``;``, without their PREFIX/BASE prologue."""
    ops: list[list[Token]] = [[]]
    for tok in tokens:
        if tok.text == ";" and tok.depth == 0:
            ops.append([])
        else:
            ops[-1].append(tok)
    result = []
    for op in ops:
        i = 0
        while i < len(op) and op[i].keyword in ("PREFIX", "BASE"):
            i += 3 if op[i].keyword == "PREFIX" else 2
        result.append(op[i:])
    return result


def matching_brace(tokens: list[Token], open_index: int) -> int:
    """The index of the ``}`` that closes the ``{`` at ``open_index`` (the last token if none does)."""
    depth = tokens[open_index].depth
    for i in range(open_index + 1, len(tokens)):
        if tokens[i].text == "}" and tokens[i].depth == depth + 1:
            return i
    return len(tokens) - 1
