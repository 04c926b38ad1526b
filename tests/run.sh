#!/usr/bin/env bash
# Install what the tests need and run them all. Used by CI (.ci/run) and by developers alike.
#   bash tests/run.sh [pytest arguments]
# Needs: Python >= 3.11 with pip; Java 17 and Maven for the Neo4j tests and the Fuseki remote-store
# tests (tests/neo4j/ and tests/fuseki/ take their servers from Maven Central); Debian's chromium for the graph-view tests and
# virtuoso-opensource for the remote-store tests, libmimalloc2.0 for the allocator tests, installed
# here through apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {  # apt_install PACKAGE WHAT-FOR
    echo "tests/run.sh: installing Debian's $1 $2" >&2
    local sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$1" >/dev/null
}
command -v chromium >/dev/null 2>&1 || apt_install chromium "for the graph-view tests"
command -v virtuoso-t >/dev/null 2>&1 || apt_install virtuoso-opensource "for the remote-store tests"
python3 -c "import ctypes.util, sys; sys.exit(not ctypes.util.find_library('mimalloc'))" \
    || apt_install libmimalloc2.0 "for the allocator tests (aikg load runs under it)"

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
exec python3 -m pytest "$@"
