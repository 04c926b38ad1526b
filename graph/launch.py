"""The ``aikg`` console script: runs a bulk load under mimalloc (:mod:`graph.allocator`), then the command line.

The restart comes before anything heavy is imported, since all of it is imported again after.
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:2] == ["load"]:
        from graph.allocator import restart_under_mimalloc

        restart_under_mimalloc()
    from graph.cli import main as run_command_line

    run_command_line()
