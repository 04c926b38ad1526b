#!/usr/bin/env bash
# Install what the tests need and run them all. Used by CI (.ci/run) and by developers alike.
#   bash tests/run.sh [pytest arguments]
# Needs: Python >= 3.11 with pip; Java 17 and Maven for the Neo4j tests (tests/neo4j/ builds
# a Neo4j test server from Maven Central); Debian's chromium for the graph-view tests and
# virtuoso-opensource for the remote-store tests, installed here through apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
    echo "tests/run.sh: installing Debian's chromium for the graph-view tests" >&2
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi
if ! command -v virtuoso-t >/dev/null 2>&1; then
    echo "tests/run.sh: installing Debian's virtuoso-opensource for the remote-store tests" >&2
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq virtuoso-opensource >/dev/null
fi

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
exec python3 -m pytest "$@"
