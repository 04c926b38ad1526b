"""Where a parser's syntax error points, moved back past declarations put before the user's text.

aikg puts its prefixes (and, on a server, a ``BASE``) on the first line before a query, so
that every other line keeps the user's number; only a column on line 1 has to move back.
Oxigraph writes a position as ``error at 1:COLUMN``, Jena (Fuseki) as ``line 1, column COLUMN``;
Virtuoso names only the line.
"""

from __future__ import annotations

import re

_POSITIONS = (re.compile(r"^error at 1:(\d+)"), re.compile(r"\bline 1, column (\d+)"))


def unshift(message: str, declared: int) -> str:
    """``message`` with a column on line 1 moved back by ``declared`` characters (and never before the first)."""
    for pattern in _POSITIONS:
        match = pattern.search(message)
        if match:
            column = max(int(match.group(1)) - declared, 1)
            return message[:match.start(1)] + str(column) + message[match.end(1):]
    return message
