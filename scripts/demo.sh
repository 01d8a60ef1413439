#!/usr/bin/env bash
# The main job on the shipped sample data, with no LeadSquared account needed:
# install lsq-import into .venv, start the local sandbox server in the background (its data
# kept in out/sandbox.sqlite, the account's ledger in out/ledger.sqlite), dry-run and import
# sample_data/opportunities.xlsx into it, then say where the results workbook is. Running it
# again sends nothing new.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${DEMO_PORT:-8765}"
mkdir -p out

[ -x .venv/bin/python ] || python3 -m venv .venv
. .venv/bin/activate
pip install --quiet --disable-pip-version-check -e . 2>&1 | grep -v '^WARNING: Location' || true

lsq-import sandbox --port "$port" --state out/sandbox.sqlite >out/sandbox.env 2>out/sandbox.log &
sandbox_pid=$!
trap 'kill "$sandbox_pid" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  [ "$(wc -l <out/sandbox.env)" -ge 4 ] && break
  kill -0 "$sandbox_pid" 2>/dev/null || { cat out/sandbox.log >&2; exit 2; }
  sleep 0.2
done
echo "Sandbox running: $(head -1 out/sandbox.env) (pid $sandbox_pid)"

echo; echo "== Dry run =="
lsq-import validate sample_data/opportunities.xlsx --mapping mappings/opportunities.yaml \
  --out out/dry-run.xlsx || true

echo; echo "== Import =="
status=0
# The sandbox printed its host and keys as KEY=VALUE lines: exactly a --config file. Its
# account lives in out/sandbox.sqlite, so the account's ledger lives beside it in out/.
lsq-import run sample_data/opportunities.xlsx --mapping mappings/opportunities.yaml \
  --config out/sandbox.env --ledger out/ledger.sqlite --out out/import.xlsx || status=$?
case "$status" in
  0) echo "Exit 0: every row was created." ;;
  1) echo "Exit 1: the import finished; some rows were not created (see the workbook)." ;;
  *) echo "Exit $status: see the message above."; exit "$status" ;;
esac
echo "Open out/import.xlsx to review every row's outcome."
