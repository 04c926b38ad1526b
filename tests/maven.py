"""Maven projects the tests run Java servers from (tests/neo4j/, tests/fuseki/): each writes its class path."""

from __future__ import annotations

import subprocess
from pathlib import Path


def maven_package(project: Path) -> None:
    """``mvn package`` in ``project``: offline when ~/.m2 holds everything, else online (the first run downloads)."""
    for offline in (["-o"], []):
        done = subprocess.run(["mvn", "-B", "-q", *offline, "package", "-DskipTests"],
                              cwd=project, capture_output=True, text=True)
        if done.returncode == 0:
            return
    raise RuntimeError(f"mvn package failed in {project}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")


def classpath(project: Path, sources: list[Path]) -> str:
    """The class path ``project`` writes to target/classpath.txt, packaged again when any of ``sources`` is newer."""
    written = project / "target" / "classpath.txt"
    if not written.exists() or written.stat().st_mtime < max(p.stat().st_mtime for p in sources):
        maven_package(project)
    return written.read_text(encoding="utf-8").strip()
