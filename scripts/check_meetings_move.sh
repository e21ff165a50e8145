#!/usr/bin/env bash
# Proof that moving the meeting log to the `meetings` app keeps every row, on a real database.
#
#   scripts/check_meetings_move.sh postgres://postgres@127.0.0.1:5432/chibo_prev
#
# The database must have been built by the release before the move (commit a732c35): `git worktree add
# /tmp/prev a732c35`, then in /tmp/prev `DATABASE_URL=… manage.py migrate && manage.py seed_demo`. This script
# counts the rows of every table, migrates the database with this checkout, counts again and compares.
set -euo pipefail
url=${1:?usage: $0 DATABASE_URL}
cd "$(dirname "${BASH_SOURCE[0]}")/.."
py=.venv/bin/python
count_rows() {
    DEBUG=1 DATABASE_URL="$url" "$py" - <<'PY'
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    for table in sorted(connection.introspection.table_names()):
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        print(table, cursor.fetchone()[0])
PY
}
before=$(mktemp) after=$(mktemp)
count_rows >"$before"
DEBUG=1 DATABASE_URL="$url" "$py" manage.py migrate --noinput
count_rows >"$after"
echo "tables: $(wc -l <"$before") before, $(wc -l <"$after") after; rows: $(awk '{s+=$2} END {print s}' "$before") before, $(awk '{s+=$2} END {print s}' "$after") after"
# django_migrations gains the new migrations' rows, and nothing else may change.
if diff <(grep -v '^django_migrations ' "$before") <(grep -v '^django_migrations ' "$after"); then
    echo "OK: every table kept its rows (django_migrations: $(grep '^django_migrations ' "$before" | cut -d' ' -f2) → $(grep '^django_migrations ' "$after" | cut -d' ' -f2))"
else
    echo "FAILED: row counts differ (above)" >&2
    exit 1
fi
