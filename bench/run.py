"""Scale benchmark: build data at a named scale on PostgreSQL, then time the key pages over a real gunicorn.

    python bench/run.py --scale province          # ~316 organisations, ~4,760 members, years of meetings
    python bench/run.py --scale x10               # ten times the demo bloc, 1 year of meetings generated in SQL
    python bench/run.py --scale large             # ~30,000 cells, ~450,000 members, 1 year of meetings (~6M rows)
    python bench/run.py --scale province --reuse  # keep the database built by an earlier run
    python bench/run.py --scale large --reuse --no-load  # page timings only, no load phase

For every page it reports the median and p95 time over HTTP (a logged-in session against gunicorn on 127.0.0.1),
the time of its first request on an empty cache ("first": the subtree figures of cells/figcache.py computed, as
after any change under the subtree) and the SQL query count on an empty cache (the same page through Django's
test client in-process). Beside them, in the same run, it measures the Django admin changelist of members and the
raw SQL of the heat-map aggregate, and prints each page's time as a ratio to those. Results go to bench/results/<scale>-<time>.json and a table on stdout.

gunicorn runs with config/gunicorn.py, the production configuration (workers from the CPU count, gthread), with
the cache and the sessions in Redis as in production (BENCH_REDIS_URL, default database 3 of the local Redis)
when it answers.

The load phase (on by default, --no-load skips it) runs Locust headless (bench/locustfile.py): BENCH_LOAD_USERS
(20) logged-in staff sessions for BENCH_LOAD_SECONDS (60) over a weighted mix of the main pages and a few untouched
edit-form saves, then the same number of users on /_bench/ceiling/, a view that only renders the base template for
a logged-in user: the stack's ceiling on this machine. It reports requests/s, p50/p95 and errors for the mix and
for each page, and the mix's throughput as a share of the ceiling's (target: >= 0.5, no errors).

After migrate (fresh build or --reuse) it runs `manage.py rebuild_figures` when that command exists, so the kept
meeting summaries and member counts match the generated rows.
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
LOAD_USERS = int(os.environ.get("BENCH_LOAD_USERS", "20"))
LOAD_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "60"))
sys.path.insert(0, str(ROOT))  # bench.reports (the yearly report timings)


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
    # As in production: one Redis shared by the gunicorn workers for the cache (the subtree figures of
    # cells/figcache.py) and the sessions, here a database of its own (BENCH_REDIS_URL); tasks stay inline (no
    # broker), since the pages measured queue none. Without Redis, each worker keeps its own local-memory cache.
    env.pop("REDIS_URL", None)
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
    if redis_reachable(redis_url):
        env.update(
            REDIS_URL=redis_url,
            CELERY_BROKER_URL="",
            CELERY_RESULT_BACKEND="",
            CACHE_KEY_PREFIX=f"bench-{database}",
        )
    return env


def redis_reachable(url: str) -> bool:
    parsed = urllib.parse.urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def clear_cache(env: dict) -> None:
    """Start from an empty cache, so the first request of each page is measured cold (its figures computed)."""
    code = "import django; django.setup(); from django.core.cache import cache; cache.clear()"
    subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, check=True)


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


def rebuild_figures(env: dict) -> None:
    """The kept figures (meeting summaries, member counts) rebuilt from the source rows: the SQL generation above
    writes meetings and attendance without the services that keep them."""
    listed = subprocess.run(
        [PYTHON, "manage.py", "help", "--commands"], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    if "rebuild_figures" in listed.stdout.split():
        started = time.time()
        manage(env, "rebuild_figures")
        log(f"rebuild_figures in {time.time() - started:.0f} s")


def build(scale: str, database: str, env: dict, reuse: bool) -> None:
    if create_database(database, reuse):
        log(f"reusing database {database} (bringing its schema up to date)")
        manage(env, "migrate", "-v0")
        subprocess.run([PYTHON, "-c", OPEN_REVIEW], cwd=ROOT, env=env, check=True)
        rebuild_figures(env)
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
    rebuild_figures(env)
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
    urls["evaluation dashboard"] = f"/evaluations/{period.pk}/"  # the review's period page, as named since #16
    urls["dashboard (/dashboard/)"] = "/dashboard/"
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


# What the load phase's users read and save, resolved against the built data. Every user saves its own records
# (see bench/locustfile.py); when the database has too few draft meetings, thematic drafts dated today are logged
# through the service for that (once: they are kept for the next run).
LOAD_TARGETS = r"""
import datetime, django, json, sys
django.setup()
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from cells.models import Organization
from evaluations.models import EvaluationPeriod
from meetings import services as meeting_services
from meetings.models import Meeting
from members.models import Member
users = int(sys.argv[1])
root = Organization.objects.filter(parent__isnull=True).order_by("pk").first()
period = EvaluationPeriod.objects.order_by("-year").first()
cells = list(Organization.objects.filter(kind__in=("CHI_BO_CO_SO", "CHI_BO_TRUC_THUOC"), dissolved_on__isnull=True)
             .filter(members__status="CHINH_THUC").distinct().order_by("pk")[:users])
finalised = list(Meeting.objects.filter(status="DA_CHOT", period_year=2025).order_by("pk").values_list("pk", flat=True)[:2000:40])
drafts = list(Meeting.objects.filter(status="NHAP").order_by("pk").values_list("pk", flat=True)[:users])
admin = get_user_model().objects.get(username="admin")
today = timezone.localdate()
for cell in cells[: max(0, users - len(drafts))]:
    drafts.append(meeting_services.meeting_create(organization=cell, data={
        "kind": "CHUYEN_DE", "period_year": today.year, "period_month": today.month, "date": today,
        "start_time": datetime.time(14, 0), "end_time": datetime.time(16, 0), "topic": "Chuyên đề kiểm thử tải",
    }, created_by=admin).pk)
members = list(Member.objects.filter(status="CHINH_THUC", organization__in=cells).order_by("pk")
               .values_list("pk", flat=True)[: users * 50 : 50])
pages = {
    "home": ["/", 4],
    "tree": ["/tree/", 2],
    "member list (filtered, searched)": ["/members/?status=CHINH_THUC&q=nguyen+van", 3],
    "heat-map": [f"/meetings/compliance/?org={root.pk}&year=2025", 2],
    "meeting detail": [[reverse("meetings:detail", args=[pk]) for pk in finalised], 3],
    "reports index": ["/reports/", 2],
}
if period:
    pages["evaluation dashboard"] = [f"/evaluations/{period.pk}/", 2]
    pages["dashboard (/dashboard/)"] = ["/dashboard/", 1]
writes = {
    "save: organisation edit": [[reverse("cells:edit", args=[c.pk]) for c in cells], 1],
    "save: member edit": [[reverse("members:edit", args=[pk]) for pk in members], 1],
    "save: meeting draft": [[reverse("meetings:detail", args=[pk]) for pk in drafts], 1],
}
from django.conf import settings
from django.test import Client
staff = get_user_model().objects.get(username="bantochuc")
sessions = []
for _ in range(users):
    client = Client()
    client.force_login(staff)
    sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
print(json.dumps({"pages": pages, "writes": {k: v for k, v in writes.items() if v[0]}, "sessions": sessions,
                  "session_cookie": settings.SESSION_COOKIE_NAME}))
"""


def locust(env: dict, base: str, targets: dict, pages: dict, writes: dict, label: str) -> dict:
    """One headless Locust run: LOAD_USERS users for LOAD_SECONDS over pages and writes; its summary JSON."""
    out = Path(tempfile.mkstemp(prefix="chibo-bench-load-", suffix=".json")[1])
    load_env = dict(
        env,
        BENCH_LOAD_PAGES=json.dumps(pages),
        BENCH_LOAD_WRITES=json.dumps(writes),
        BENCH_LOAD_OUT=str(out),
        BENCH_LOAD_SESSIONS=json.dumps(targets["sessions"]),
        BENCH_LOAD_SESSION_COOKIE=targets["session_cookie"],
    )
    log(f"load phase ({label}): {LOAD_USERS} users for {LOAD_SECONDS} s")
    subprocess.run(
        [PYTHON, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--only-summary",
         "-u", str(LOAD_USERS), "-r", str(LOAD_USERS), "-t", f"{LOAD_SECONDS}s", "-H", base,
         "--stop-timeout", "10", "--loglevel", "WARNING"],
        cwd=ROOT, env=load_env, stdout=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    try:
        summary = json.loads(out.read_text() or "{}")
    finally:
        out.unlink(missing_ok=True)
    if not summary:
        raise SystemExit(f"the load phase ({label}) wrote no summary")
    log(f"load phase ({label}): {summary['mix']}")
    return summary


def load_phase(env: dict, base: str) -> dict:
    code = subprocess.run(
        [PYTHON, "-c", LOAD_TARGETS, str(LOAD_USERS)], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    targets = json.loads(code.stdout.strip().splitlines()[-1])
    mix = locust(env, base, targets, targets["pages"], targets["writes"], "page mix")
    ceiling = locust(env, base, targets, {"ceiling": ["/_bench/ceiling/", 1]}, {}, "ceiling")
    ratio = round(mix["mix"]["rps"] / ceiling["mix"]["rps"], 2) if ceiling["mix"]["rps"] else None
    return {
        "users": LOAD_USERS,
        "seconds": LOAD_SECONDS,
        "weights": {name: weight for name, (_url, weight) in {**targets["pages"], **targets["writes"]}.items()},
        "mix": mix,
        "ceiling": ceiling,
        "mix_to_ceiling": ratio,
    }


def gunicorn_settings(env: dict) -> dict:
    """The workers and threads config/gunicorn.py resolves to on this machine (recorded with the results)."""
    code = "import runpy, json; c = runpy.run_path('config/gunicorn.py'); print(json.dumps({k: c[k] for k in ('workers', 'threads', 'worker_class', 'timeout', 'keepalive')}))"
    output = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(output.stdout)


def print_load(load: dict) -> None:
    print(f"\nload phase: {load['users']} users, {load['seconds']} s, gunicorn {load.get('gunicorn', '')}")
    print(f"{'':38} {'req/s':>8} {'p50':>9} {'p95':>9} {'requests':>9} {'errors':>7}")
    rows = [("page mix", load["mix"]["mix"]), ("ceiling (/_bench/ceiling/)", load["ceiling"]["mix"])]
    rows += [(f"  {name}", row) for name, row in load["mix"]["pages"].items()]
    for name, row in rows:
        print(
            f"{name[:38]:38} {row['rps']:>8.1f} {row['p50_ms']:>7.0f}ms {row['p95_ms']:>7.0f}ms "
            f"{row['requests']:>9} {row['errors']:>7}"
        )
    print(f"page mix ÷ ceiling (requests/s): {load['mix_to_ceiling']}  (target >= 0.5, 0 errors)")
    for error in load["mix"]["errors"] + load["ceiling"]["errors"]:
        print(f"  error: {error['method']} {error['name']}: {error['error']} × {error['occurrences']}")


def report_timings(env: dict) -> dict:
    """The bloc's yearly report built for a decided 2025 review (bench/reports.py)."""
    from bench import reports  # here: importable once ROOT is on sys.path (top of this script)

    decided = reports.decide_review(env["DATABASE_URL"])
    log(f"2025 review decided: {decided}")
    return {**reports.evaluation_build_time(env), "review": decided}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=sorted(SCALES), default="province")
    parser.add_argument("--reuse", action="store_true", help="reuse the database of an earlier run")
    parser.add_argument("--build-only", action="store_true", help="build the database and stop")
    parser.add_argument(
        "--load", action=argparse.BooleanOptionalAction, default=True, help="run the load phase (Locust); on by default"
    )
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
    urls["ceiling (base template only)"] = "/_bench/ceiling/"
    clear_cache(env)
    counts = query_counts(env, urls)  # cold: every figure computed
    clear_cache(env)
    log(f"cache: {'Redis ' + env['REDIS_URL'] if env.get('REDIS_URL') else 'local memory, one per worker'}")
    port = free_port()
    settings = gunicorn_settings(env)
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "config.wsgi", "--config", "config/gunicorn.py"],
        cwd=ROOT,
        env=dict(env, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_TIMEOUT="300"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    load = None
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
            started = time.perf_counter()
            status, _body = session.get(url)
            first_ms = round((time.perf_counter() - started) * 1000, 1)  # cold: the cached figures computed
            if status != 200:
                results[name] = {"error": f"HTTP {status}", "queries": counts.get(name)}
                continue
            results[name] = {
                **timed(lambda session=session, url=url: session.get(url)),
                "first_ms": first_ms,
                "queries": counts.get(name),
            }
            log(f"{name}: {results[name]}")
        if args.load:
            load = {**load_phase(env, base), "gunicorn": settings}
    finally:
        server.terminate()
        server.wait(timeout=30)
    results["heat-map raw SQL"] = raw_heatmap_sql(database)
    results["report build"] = report_timings(env)
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
    out.write_text(
        json.dumps(
            {"scale": args.scale, "gunicorn": settings, "results": results, "load": load}, indent=2, ensure_ascii=False
        )
    )
    print(f"\n{'page':38} {'median':>9} {'p95':>9} {'first':>9} {'queries':>8} {'÷admin':>7} {'÷SQL':>7}")
    for name, row in results.items():
        if "median_ms" in row:
            first = f"{row['first_ms']:>8.1f}ms" if "first_ms" in row else " " * 10
            print(
                f"{name:38} {row['median_ms']:>8.1f}ms {row['p95_ms']:>8.1f}ms {first} "
                f"{str(row.get('queries', '')):>8} {row.get('ratio_to_admin', ''):>7} {row.get('ratio_to_raw_sql', ''):>7}"
            )
        else:
            print(f"{name:38} {json.dumps(row, ensure_ascii=False)}")
    if load:
        print_load(load)
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
