"""Scale benchmark: build data at a named scale on PostgreSQL, then time the key pages over a real gunicorn.

    python bench/run.py --scale province          # ~316 organisations, ~4,760 members, years of meetings
    python bench/run.py --scale x10               # ten times the demo bloc, 1 year of meetings generated in SQL
    python bench/run.py --scale large             # ~30,000 cells, ~450,000 members, 1 year of meetings (~6M rows)
    python bench/run.py --scale province --reuse  # keep the database built by an earlier run

For every page it reports the median and p95 time over HTTP (a logged-in session against gunicorn on 127.0.0.1)
and the SQL query count (the same page through Django's test client in-process). Beside them, in the same run,
it measures the Django admin changelist of members and the raw SQL of the heat-map aggregate, and prints each
page's time as a ratio to those. Results go to bench/results/<scale>-<time>.json and a table on stdout.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
SCALES = {
    # name: (seed_demo arguments, extra SQL meeting generation)
    "province": (["--seed", "2025"], False),
    # Ten times the demo bloc (the "10× demo scale" of the meetings and evaluations issues).
    "x10": (["--seed", "2025", "--scale", "10", "--no-meetings", "--no-evaluations"], True),
    "large": (["--seed", "2025", "--scale", "95", "--no-meetings", "--no-evaluations"], True),
}
RUNS = int(os.environ.get("BENCH_RUNS", "20"))
WARMUP = 3


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def environment(database: str, static_root: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{PG}/{database}",
        DEBUG="0",
        SECRET_KEY="bench-only-" + "x" * 60,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        STATIC_ROOT=static_root,
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.pop("REDIS_URL", None)
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def psql(database: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/{database}", autocommit=True) as connection:
        connection.execute(sql)


def create_database(name: str, reuse: bool) -> bool:
    """Returns True when the database already existed and is reused."""
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reuse:
            return True
        if exists:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return False


# One year of regular meetings for every cell and one attendance row per member and meeting, generated in SQL
# (bulk loading: the large scale builds in minutes instead of hours through the ORM).
MEETINGS_SQL = """
INSERT INTO cells_meeting (organization_id, kind, period_year, period_month, date, start_time, end_time, location,
    format, guests, upper_attendee, topic, content, discussion, conclusion, status, rating, version, created_at,
    updated_at, vote_for, vote_against, vote_abstain, score, finalised_at, present_count, eligible_count)
SELECT o.id, 'THUONG_KY', 2025, m, make_date(2025, m, 10), '08:00', '09:45', 'Phòng họp', 'TRUC_TIEP', '', '', '',
    'Nội dung sinh hoạt', '', 'Kết luận', 'DA_CHOT',
    CASE WHEN (o.id + m) % 5 = 0 THEN 'KHA' ELSE 'TOT' END, 1, now(), now(), 1, 0, 0, 92, now(), 0, 0
FROM cells_organization o CROSS JOIN generate_series(1, 12) AS m
WHERE o.kind IN ('CHI_BO_CO_SO', 'CHI_BO_TRUC_THUOC') AND o.dissolved_on IS NULL AND (o.id * 7 + m) % 23 <> 0;
INSERT INTO cells_attendance (meeting_id, member_id, status, reason, member_status, spoke)
SELECT mt.id, mb.id,
    CASE WHEN (mb.id + mt.period_month) % 20 = 0 THEN 'VANG_CO_LY_DO' ELSE 'CO_MAT' END,
    CASE WHEN (mb.id + mt.period_month) % 20 = 0 THEN 'Đi công tác' ELSE '' END, mb.status, false
FROM cells_meeting mt JOIN members_member mb ON mb.organization_id = mt.organization_id
WHERE mt.period_year = 2025 AND mb.status IN ('DU_BI', 'CHINH_THUC');
UPDATE cells_meeting mt SET present_count = a.present, eligible_count = a.eligible
FROM (SELECT meeting_id, count(*) FILTER (WHERE status = 'CO_MAT') AS present,
             count(*) FILTER (WHERE status NOT IN ('MIEN', 'NHIEM_VU_DAC_BIET')) AS eligible
      FROM cells_attendance GROUP BY meeting_id) a
WHERE a.meeting_id = mt.id AND mt.period_year = 2025;
ANALYZE;
"""


# The yearly review of 2026 (the year in progress, as in the demo bloc) opened for the whole bloc through the
# service (one evaluation per organisation), so that the home dashboard, the evaluation dashboard and the
# member-rating table read the same kind of data at every scale.
OPEN_REVIEW = r"""
import datetime, django
django.setup()
from django.contrib.auth import get_user_model
from cells.models import Organization
from evaluations.models import EvaluationPeriod
from evaluations.review.services import period_open
if not EvaluationPeriod.objects.filter(year=2026).exists():
    root = Organization.objects.filter(parent__isnull=True).order_by("pk").first()
    period_open(root=root, year=2026, self_assessment_due=datetime.date(2026, 12, 15),
                appraisal_due=datetime.date(2026, 12, 31), decision_due=datetime.date(2027, 1, 15),
                opened_by=get_user_model().objects.get(username="admin"))
"""


def build(scale: str, database: str, env: dict, reuse: bool) -> None:
    if create_database(database, reuse):
        log(f"reusing database {database} (bringing its schema up to date)")
        manage(env, "migrate", "-v0")
        subprocess.run([PYTHON, "-c", OPEN_REVIEW], cwd=ROOT, env=env, check=True)
        psql(database, "VACUUM ANALYZE")
        return
    started = time.time()
    manage(env, "migrate", "-v0")
    seed_args, sql_meetings = SCALES[scale]
    manage(env, "seed_demo", *seed_args)
    if sql_meetings:
        log("generating one year of meetings and attendance in SQL")
        psql(database, MEETINGS_SQL)
        log("opening the 2026 yearly review for the whole bloc")
        subprocess.run([PYTHON, "-c", OPEN_REVIEW], cwd=ROOT, env=env, check=True)
    psql(database, "VACUUM ANALYZE")  # the steady state autovacuum keeps a production database in
    log(f"built {scale} in {time.time() - started:.0f} s")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Session:
    """A logged-in browser-like session over HTTP (cookies, CSRF) with urllib only."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with self.opener.open(self.base + path, timeout=120) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def login(self, username: str, password: str) -> None:
        self.get("/login/")
        token = next(c.value for c in self.cookies if c.name == "csrftoken")
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(self.base + "/login/", data=data, headers={"Referer": self.base + "/login/"})
        with self.opener.open(request, timeout=60) as response:
            if "/login/" in response.url:
                raise SystemExit(f"login failed for {username}")


def timed(fn, runs: int = RUNS) -> dict:
    for _ in range(WARMUP):
        fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 1),
        "runs": runs,
    }


def pages(env: dict) -> dict[str, str]:
    """The URLs to measure, resolved against the built data (period, organisation ids)."""
    code = r"""
import django, json
django.setup()
from cells.models import Organization
from evaluations.models import EvaluationPeriod
root = Organization.objects.filter(parent__isnull=True).order_by("pk").first()
grassroots = Organization.objects.filter(kind="DANG_BO_CO_SO").order_by("code").first()
period = EvaluationPeriod.objects.order_by("-year").first()
urls = {
    "home": "/",
    "tree": "/tree/",
    "member list (filtered, searched)": "/members/?status=CHINH_THUC&q=nguyen+van",
    "heat-map": f"/meetings/compliance/?org={root.pk}&year=2025",
}
if period:
    urls["evaluation dashboard"] = f"/evaluations/{period.pk}/"
    urls["member-rating table"] = f"/ratings/{period.pk}/{grassroots.pk}/"
print(json.dumps(urls))
"""
    output = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def query_counts(env: dict, urls: dict[str, str]) -> dict[str, int]:
    code = r"""
import django, json, sys
django.setup()
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
setup_test_environment()
urls = json.loads(sys.argv[1])
client = Client()
client.force_login(get_user_model().objects.get(username="bantochuc"))
admin = Client()
admin.force_login(get_user_model().objects.get(username="admin"))
counts = {}
for name, url in urls.items():
    who = admin if name == "admin changelist (members)" else client
    with CaptureQueriesContext(connection) as captured:
        response = who.get(url, HTTP_HOST="127.0.0.1")
    counts[name] = len(captured) if response.status_code == 200 else f"HTTP {response.status_code}"
print(json.dumps(counts))
"""
    env = dict(env, ALLOWED_HOSTS="127.0.0.1,localhost,testserver")
    output = subprocess.run(
        [PYTHON, "-c", code, json.dumps(urls)], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def raw_heatmap_sql(database: str) -> dict:
    import psycopg

    sql = """
        SELECT m.organization_id, m.period_month, m.status, count(*)
        FROM cells_meeting m JOIN cells_organization o ON o.id = m.organization_id
        WHERE o.path LIKE %s AND o.dissolved_on IS NULL AND m.period_year = 2025 AND m.kind IN ('THUONG_KY', 'KET_HOP')
        GROUP BY 1, 2, 3
    """
    with psycopg.connect(f"{PG}/{database}") as connection:
        path = connection.execute(
            "SELECT path FROM cells_organization WHERE parent_id IS NULL ORDER BY id LIMIT 1"
        ).fetchone()[0]

        def run():
            connection.execute(sql, [path + "%"]).fetchall()

        return timed(run)


def report_build_time(env: dict) -> dict:
    code = r"""
import django, json, time
django.setup()
from cells.models import Organization
from reports.builders import BUILDERS
from reports.models import Report
from reports.building import report_build
from reports.management.commands.build_report import OperatorUser
import cells.pdf as pdf
root = Organization.objects.filter(parent__isnull=True).order_by("pk").first()
kind = "evaluation" if "evaluation" in BUILDERS else "compliance"
render_time = 0.0
original = pdf.render_pdf
def measured(*args, **kwargs):
    global render_time
    started = time.perf_counter()
    try:
        return original(*args, **kwargs)
    finally:
        render_time += time.perf_counter() - started
pdf.render_pdf = measured
report = Report.objects.create(kind=kind, organization=root, year=2025)
started = time.perf_counter()
built = report_build(report_id=report.pk, as_user=OperatorUser())
total = time.perf_counter() - started
print(json.dumps({"kind": kind, "total_s": round(total, 2), "weasyprint_s": round(render_time, 2),
                  "outside_weasyprint_pct": round(100 * (total - render_time) / total, 1), "status": built.status}))
"""
    output = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=sorted(SCALES), default="province")
    parser.add_argument("--reuse", action="store_true", help="reuse the database of an earlier run")
    parser.add_argument("--build-only", action="store_true", help="build the database and stop")
    args = parser.parse_args()
    database = f"chibo_bench_{args.scale}"
    static_root = tempfile.mkdtemp(prefix="chibo-bench-static-")
    env = environment(database, static_root)
    build(args.scale, database, env, args.reuse)
    if args.build_only:
        return
    manage(env, "collectstatic", "--noinput", "-v0")
    urls = pages(env)
    urls["admin changelist (members)"] = "/admin/members/member/"
    counts = query_counts(env, urls)
    port = free_port()
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "300"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        staff, admin = Session(base), Session(base)
        staff.login("bantochuc", "demo12345")
        admin.login("admin", "demo12345")
        results = {}
        for name, url in urls.items():
            session = admin if name.startswith("admin") else staff
            status, _body = session.get(url)
            if status != 200:
                results[name] = {"error": f"HTTP {status}", "queries": counts.get(name)}
                continue
            results[name] = {**timed(lambda session=session, url=url: session.get(url)), "queries": counts.get(name)}
            log(f"{name}: {results[name]}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    results["heat-map raw SQL"] = raw_heatmap_sql(database)
    results["report build"] = report_build_time(env)
    admin_median = results.get("admin changelist (members)", {}).get("median_ms")
    sql_median = results["heat-map raw SQL"]["median_ms"]
    for row in results.values():
        if "median_ms" in row and admin_median:
            row["ratio_to_admin"] = round(row["median_ms"] / admin_median, 2)
        if "median_ms" in row and sql_median:
            row["ratio_to_raw_sql"] = round(row["median_ms"] / max(sql_median, 0.1), 1)
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{args.scale}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"scale": args.scale, "results": results}, indent=2, ensure_ascii=False))
    print(f"\n{'page':38} {'median':>9} {'p95':>9} {'queries':>8} {'÷admin':>7} {'÷SQL':>7}")
    for name, row in results.items():
        if "median_ms" in row:
            print(
                f"{name:38} {row['median_ms']:>8.1f}ms {row['p95_ms']:>8.1f}ms {str(row.get('queries', '')):>8} "
                f"{row.get('ratio_to_admin', ''):>7} {row.get('ratio_to_raw_sql', ''):>7}"
            )
        else:
            print(f"{name:38} {json.dumps(row, ensure_ascii=False)}")
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
