"""Bench of the bloc's yearly evaluation report on a DECIDED review (issue #14, "Scale").

The bench databases hold only the open review of the year in progress; the yearly report worth timing is the one
of a decided year, with a grade for every organisation and member. Two functions, called by bench/run.py:

    decide_review(dsn, year=2025)            # bulk SQL: a locked review of `year`, every organisation and member
                                             # decided (idempotent: a second call changes nothing)
    evaluation_build_time(env, year=2025)    # builds the root's yearly evaluation report in a subprocess:
                                             # {"kind", "year", "total_s", "weasyprint_s", "outside_weasyprint_pct",
                                             #  "pages", "status"}

Or from the command line, on a copy of a bench database (never on the bench database itself):

    python bench/reports.py --database chibo_content_large [--year 2025]
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")

# One statement per step; %(year)s is the review's year. Grades are spread deterministically by id so that every
# run on the same database gives the same figures: organisations 10 % HTXSNV, 70 % HTTNV, 15 % HTNV, 5 % KHTNV;
# members 12 % HTXSNV, 73 % HTTNV, 12 % HTNV, 3 % KHTNV.
DECIDE_SQL = [
    # The review of the year at the root, locked (decided), on the rule set in force on the year's last day.
    """
    INSERT INTO evaluations_evaluationperiod
        (year, root_id, parameter_set_id, self_assessment_due, appraisal_due, decision_due, state, opened_at)
    SELECT %(year)s, root.id, ps.id, make_date(%(year)s, 12, 15), make_date(%(year)s, 12, 31),
           make_date(%(year)s + 1, 1, 31), 'LOCKED', make_timestamptz(%(year)s, 11, 1, 8, 0, 0)
    FROM (SELECT id FROM cells_organization WHERE parent_id IS NULL ORDER BY id LIMIT 1) root,
         (SELECT id FROM criteria_ruleparameterset
           WHERE valid_from <= make_date(%(year)s, 12, 31)
             AND (valid_to IS NULL OR valid_to >= make_date(%(year)s, 12, 31))
           ORDER BY valid_from DESC, id DESC LIMIT 1) ps
    ON CONFLICT ON CONSTRAINT evaluations_period_unique_year_root DO NOTHING
    """,
    # Every party organisation below the root, decided.
    """
    INSERT INTO evaluations_orgevaluation
        (period_id, organization_id, criteria_snapshot, parameters_snapshot, status, self_grade, self_comment,
         leadership_disciplined, units_disciplined_pct, appraisal_grade, appraisal_comment, suggested_grade, suggestion_reasons,
         final_grade, not_classified, justification, decision_no, return_reason, version, updated_at,
         cap_override_grade, cap_override_justification, decided_at)
    SELECT p.id, o.id, '{}'::jsonb, '{}'::jsonb, 'DECIDED', g.grade, '', false, 0, g.grade, '', g.grade, '[]'::jsonb,
           g.grade, '', '', '', '', 1, now(), '', '', make_timestamptz(%(year)s + 1, 1, 20, 9, 0, 0)
    FROM evaluations_evaluationperiod p
    JOIN cells_organization r ON r.id = p.root_id
    JOIN cells_organization o ON o.path LIKE r.path || '%%' AND o.id <> r.id
    CROSS JOIN LATERAL (SELECT CASE WHEN o.id %% 100 < 10 THEN 'HTXSNV' WHEN o.id %% 100 < 80 THEN 'HTTNV'
                                    WHEN o.id %% 100 < 95 THEN 'HTNV' ELSE 'KHTNV' END AS grade) g
    WHERE p.year = %(year)s AND p.root_id = (SELECT id FROM cells_organization WHERE parent_id IS NULL
                                              ORDER BY id LIMIT 1)
    ON CONFLICT ON CONSTRAINT evaluations_org_unique_period_org DO NOTHING
    """,
    # Every member on the roll, decided, with the grassroots organisation above their cell (the quota's unit).
    """
    INSERT INTO evaluations_memberevaluation
        (period_id, member_id, organization_id, grassroots_id, self_grade, proposed_grade, final_grade,
         not_classified, disciplined, sick_leave_months, maternity_leave, civil_servant_grade, cap_grade,
         cap_reasons, version, cap_override_grade, cap_override_justification, decided_at)
    SELECT p.id, m.id, m.organization_id, gr.id, g.grade, g.grade, g.grade, '', false, 0, false, '', '',
           '[]'::jsonb, 1, '', '', make_timestamptz(%(year)s + 1, 1, 20, 9, 0, 0)
    FROM evaluations_evaluationperiod p
    JOIN cells_organization r ON r.id = p.root_id
    JOIN members_member m ON m.status IN ('DU_BI', 'CHINH_THUC', 'MIEN_CONG_TAC_SINH_HOAT', 'DINH_CHI_SINH_HOAT')
    JOIN cells_organization o ON o.id = m.organization_id AND o.path LIKE r.path || '%%'
    CROSS JOIN LATERAL (
        SELECT a.id FROM cells_organization a
        WHERE a.id = ANY (string_to_array(trim(both '/' from o.path), '/')::bigint[])
          AND a.kind IN ('CHI_BO_CO_SO', 'DANG_BO_CO_SO')
        ORDER BY a.depth LIMIT 1
    ) gr
    CROSS JOIN LATERAL (SELECT CASE WHEN m.id %% 100 < 12 THEN 'HTXSNV' WHEN m.id %% 100 < 85 THEN 'HTTNV'
                                    WHEN m.id %% 100 < 97 THEN 'HTNV' ELSE 'KHTNV' END AS grade) g
    WHERE p.year = %(year)s AND p.root_id = (SELECT id FROM cells_organization WHERE parent_id IS NULL
                                              ORDER BY id LIMIT 1)
    ON CONFLICT ON CONSTRAINT evaluations_member_unique_period DO NOTHING
    """,
    "ANALYZE evaluations_orgevaluation",
    "ANALYZE evaluations_memberevaluation",
]


def decide_review(dsn: str, year: int = 2025) -> dict:
    """Decide the review of `year` for every organisation and member of the tree under the first root (bulk SQL,
    idempotent). Returns the rows counted afterwards: {"period_id", "organisations", "members"}."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as connection:
        for statement in DECIDE_SQL:
            connection.execute(statement, {"year": year} if "%(year)s" in statement else None)
        period_id, organisations, members = connection.execute(
            """
            SELECT p.id,
                   (SELECT count(*) FROM evaluations_orgevaluation WHERE period_id = p.id),
                   (SELECT count(*) FROM evaluations_memberevaluation WHERE period_id = p.id)
            FROM evaluations_evaluationperiod p
            WHERE p.year = %s AND p.root_id = (SELECT id FROM cells_organization WHERE parent_id IS NULL
                                                ORDER BY id LIMIT 1)
            """,
            [year],
        ).fetchone()
    return {"period_id": period_id, "organisations": organisations, "members": members}


BUILD_CODE = r"""
import django, json, sys, time
django.setup()
from cells.models import Organization
from reports.building import report_build
from reports.management.commands.build_report import OperatorUser
from reports.models import Report
import cells.pdf as pdf
year = int(sys.argv[1])
root = Organization.objects.filter(parent__isnull=True).order_by("pk").first()
render_time = 0.0
pages = 0
original = pdf.render_pdf
def measured(*args, **kwargs):
    global render_time
    started = time.perf_counter()
    try:
        return original(*args, **kwargs)
    finally:
        render_time += time.perf_counter() - started
pdf.render_pdf = measured
report = Report.objects.create(kind="evaluation", organization=root, year=year)
started = time.perf_counter()
built = report_build(report_id=report.pk, as_user=OperatorUser())
total = time.perf_counter() - started
built.refresh_from_db()
if built.pdf:
    import re, shutil, subprocess
    with built.pdf.open("rb") as handle:
        data = handle.read()
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True).stdout.decode()
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
print(json.dumps({"kind": "evaluation", "year": year, "total_s": round(total, 2),
                  "weasyprint_s": round(render_time, 2),
                  "outside_weasyprint_pct": round(100 * (total - render_time) / total, 1),
                  "pages": pages, "status": built.status, "error": built.error[:300]}))
"""


def evaluation_build_time(env: dict, year: int = 2025) -> dict:
    """Build the bloc's (the first root's) yearly evaluation report of `year` once, as the operator, in a fresh
    process with `env` (DATABASE_URL etc., bench/run.py's `environment`). Returns the total time, the time inside
    WeasyPrint (cells.pdf.render_pdf) and the share outside it; the issue's target is under 15 s with under 20 %
    outside WeasyPrint at the `large` scale."""
    output = subprocess.run(
        [PYTHON, "-c", BUILD_CODE, str(year)], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True, help="a COPY of a bench database")
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    if args.database.startswith("chibo_bench_"):
        parser.error("work on a copy: CREATE DATABASE x TEMPLATE chibo_bench_…")
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{PG}/{args.database}",
        DEBUG="0",
        SECRET_KEY="bench-only-" + "x" * 60,
        ALLOWED_HOSTS="localhost",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.pop("REDIS_URL", None)
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    print(json.dumps(decide_review(f"{PG}/{args.database}", args.year)), flush=True)
    print(json.dumps(evaluation_build_time(env, args.year)), flush=True)


if __name__ == "__main__":
    main()
