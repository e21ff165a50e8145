"""The load phase of bench/run.py: logged-in users hammering a weighted mix of the main pages and a few writes.

bench/run.py starts it headless against gunicorn (config/gunicorn.py, as in production) and passes everything
through the environment, so the file can also be run by hand:

    BENCH_LOAD_PAGES='{"home": ["/", 3]}' BENCH_LOAD_OUT=/tmp/load.json \\
        locust -f bench/locustfile.py --headless -u 20 -r 20 -t 60s -H http://127.0.0.1:8000

- BENCH_LOAD_PAGES: JSON {name: [url or [urls...], weight]}: GET pages; a list of URLs is spread over the users.
- BENCH_LOAD_WRITES: JSON {name: [[edit urls...], weight]}: each task GETs the edit form and POSTs it back untouched
  (CSRF token, version and submit-once token included), which goes through the service in its transaction and
  must redirect (302). Every user takes its own URL from the list, so two users never race on the same record's
  version (that would be a legitimate "edited by someone else" refusal, not a fault of the server).
- BENCH_LOAD_SESSIONS: JSON list of session keys opened beforehand (bench/run.py opens one per user for the staff
  account); without it every user logs in with BENCH_LOAD_USERNAME / BENCH_LOAD_PASSWORD (its own session).
- BENCH_LOAD_WAIT: "min,max" seconds between tasks; "0,0" (the default) keeps every user busy, so the figure is
  the server's throughput, not the users' think time.
- BENCH_LOAD_OUT: where to write the summary JSON (the mix, each page, the errors) when the run stops.

Logins are timed under the name "login" and left out of the mix's figures.
"""

import itertools
import json
import os
import random
import sys
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from locust import FastHttpUser, between, constant, events, task
from locust.stats import StatsEntry
from requests.cookies import create_cookie

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.htmlforms import edit_form, form_errors  # noqa: E402 - after the path

PAGES = json.loads(os.environ.get("BENCH_LOAD_PAGES", '{"home": ["/", 1]}'))
WRITES = json.loads(os.environ.get("BENCH_LOAD_WRITES", "{}"))
SESSIONS = json.loads(os.environ.get("BENCH_LOAD_SESSIONS", "[]"))
SESSION_COOKIE = os.environ.get("BENCH_LOAD_SESSION_COOKIE", "sessionid")
USERNAME = os.environ.get("BENCH_LOAD_USERNAME", "bantochuc")
PASSWORD = os.environ.get("BENCH_LOAD_PASSWORD", "demo12345")
_WAIT = [float(v) for v in os.environ.get("BENCH_LOAD_WAIT", "0,0").split(",")]
LOGIN = "login"
_numbers = itertools.count()


class Staff(FastHttpUser):
    wait_time = constant(0) if _WAIT == [0, 0] else between(*_WAIT)

    def on_start(self):
        self.number = next(_numbers)
        if SESSIONS:
            # A session opened beforehand by bench/run.py: 20 simultaneous password checks (PBKDF2, deliberately
            # slow) would otherwise fill the first seconds of the run with logins.
            host = urlsplit(self.host).hostname
            cookie = create_cookie(SESSION_COOKIE, SESSIONS[self.number % len(SESSIONS)], domain=host, path="/")
            self.client.cookiejar.set_cookie(cookie)
            return
        response = self.client.get("/login/", name=LOGIN)
        fields = dict(edit_form(response.text, "/login/") or [])
        fields.update(username=USERNAME, password=PASSWORD)
        with self.client.post(
            "/login/", data=fields, name=LOGIN, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"login refused (HTTP {response.status_code})")

    def _get(self, name: str, url: str):
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    def _write(self, name: str, urls: list[str]):
        url = urls[self.number % len(urls)]
        with self.client.get(url, name=f"{name} (form)", allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return
            fields = edit_form(response.text, url)
            if fields is None:
                response.failure("no edit form on the page")
                return
        with self.client.post(
            url,
            data=urlencode(fields),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/login/" in response.headers.get("Location", ""):
                response.failure(f"not saved (HTTP {response.status_code}) {form_errors(response.text or '')}")

    def _task(self):
        name, (target, kind) = random.choices(_TASKS, weights=_WEIGHTS)[0]
        try:
            if kind == "write":
                self._write(name, target)
            else:
                self._get(name, target if isinstance(target, str) else random.choice(target))
        except Exception as error:  # noqa: BLE001 - counted as an error of that page, never lost in a log
            self.environment.events.request.fire(
                request_type="TASK", name=name, response_time=0, response_length=0, exception=error, context={}
            )

    @task
    def one(self):
        self._task()


_TASKS = [(name, (url, "page")) for name, (url, _w) in PAGES.items()] + [
    (name, (urls, "write")) for name, (urls, _w) in WRITES.items()
]
_WEIGHTS = [w for _url, w in PAGES.values()] + [w for _urls, w in WRITES.values()]


def _figures(entry: StatsEntry, seconds: float) -> dict:
    return {
        "requests": entry.num_requests,
        "errors": entry.num_failures,
        "rps": round(entry.num_requests / seconds, 1) if seconds else 0,
        "p50_ms": round(entry.get_response_time_percentile(0.5) or 0, 1),
        "p95_ms": round(entry.get_response_time_percentile(0.95) or 0, 1),
        "avg_ms": round(entry.avg_response_time, 1),
    }


@events.quitting.add_listener
def _summary(environment, **_kwargs):
    """The mix (every request but the logins) and each page, written to BENCH_LOAD_OUT."""
    out = os.environ.get("BENCH_LOAD_OUT")
    stats = environment.stats
    if not out:
        return
    mix = StatsEntry(stats, "mix", "")
    entries = {}
    first = min((e.start_time for e in stats.entries.values() if e.name != LOGIN), default=0)
    last = max((e.last_request_timestamp or 0 for e in stats.entries.values()), default=0)
    seconds = max(last - first, 0.001) if first else 0
    for (name, method), entry in sorted(stats.entries.items()):
        if name == LOGIN:
            continue
        mix.extend(entry)
        entries[name if method == "GET" or name.endswith("(form)") else f"{name} [POST]"] = _figures(entry, seconds)
    logins = stats.entries.get((LOGIN, "POST"))
    errors = [
        {"name": e.name, "method": e.method, "error": str(e.error), "occurrences": e.occurrences}
        for e in stats.errors.values()
    ]
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(
            {
                "seconds": round(seconds, 1),
                "mix": _figures(mix, seconds),
                "pages": entries,
                "logins": logins.num_requests if logins else 0,
                "login_errors": logins.num_failures if logins else 0,
                "errors": errors,
            },
            handle,
            indent=2,
            ensure_ascii=False,
        )
