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
# Every table that was there keeps exactly its rows. Migrations made since may add tables (listed) and, for their new
# models, content types and permissions (those two may only grow), and django_migrations gains their rows.
python3 - "$before" "$after" <<'PY'
import sys
read = lambda path: dict(line.split() for line in open(path) if line.strip())
before, after = read(sys.argv[1]), read(sys.argv[2])
grow_only = {"django_migrations", "django_content_type", "auth_permission"}
changed = {t: (n, after.get(t)) for t, n in before.items() if t not in grow_only and after.get(t) != n}
shrunk = {t: (before[t], after[t]) for t in grow_only if int(after[t]) < int(before[t])}
new = sorted(set(after) - set(before))
print("new tables:", ", ".join(f"{t} ({after[t]} rows)" for t in new) or "none")
print("grown bookkeeping:", ", ".join(f"{t} {before[t]} → {after[t]}" for t in sorted(grow_only)))
if changed or shrunk:
    print("FAILED: row counts differ:", changed, shrunk, file=sys.stderr)
    sys.exit(1)
print(f"OK: every one of the {len(before) - len(grow_only)} data tables kept exactly its rows")
PY
