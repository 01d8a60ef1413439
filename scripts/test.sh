#!/usr/bin/env bash
# The test command: creates (or reuses) the project's own .venv, installs lsq-import with its
# test tools into it, then runs the linters, the type checker and the tests. Nothing is
# installed outside this folder. CI (.ci/run) runs exactly this script.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
. .venv/bin/activate
python -m pip install --quiet --disable-pip-version-check --upgrade pip
pip install --quiet --disable-pip-version-check -e '.[test]' 2>&1 | grep -v '^WARNING: Location' || true
ruff check . && ruff format --check . && mypy && pytest
