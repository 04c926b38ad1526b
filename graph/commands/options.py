"""Options several ``aikg`` commands share, in a module of their own so that commands in other modules can
declare them without importing :mod:`graph.cli` (which imports them)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

STORE_DEFAULT = "Default: $AIKG_STORE, else $AIKG_HOME/store, else the XDG data dir."

StoreOption = Annotated[
    Optional[str],
    typer.Option("--store", help=f"Store directory, :memory: (the bundled facts, built in memory), or a SPARQL server as sparql+http://HOST:PORT/PATH. {STORE_DEFAULT}"),
]
"""``--store`` of the commands that read the graph (and of build and serve)."""


class ListFormat(str, Enum):
    """``--format`` of the commands that list records (funding rounds, supply deals, capacity)."""

    table = "table"
    csv = "csv"
    json = "json"
