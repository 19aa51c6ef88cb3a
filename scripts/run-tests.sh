#!/usr/bin/env bash
# Runs the whole suite: starts a throwaway PostgreSQL, runs pytest (storage and workflow
# tests run on SQLite and on PostgreSQL), then stops the cluster whatever happened.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
run_dir=$(mktemp -d /tmp/chemins-test.XXXXXX)
chmod 755 "$run_dir"
trap '"$here/scripts/pg-throwaway.sh" stop "$run_dir/pg"; rm -rf "$run_dir"' EXIT
url=$("$here/scripts/pg-throwaway.sh" start "$run_dir/pg") || { echo "PostgreSQL did not start"; cat "$run_dir"/pg/*.log; exit 1; }
export CHEMINS_TEST_POSTGRES_URL=$url
"$here/.venv/bin/pytest" "$@"
