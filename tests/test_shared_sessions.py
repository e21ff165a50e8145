"""Two servers, one sign-in (issue #16, "more than one server").

Two gunicorn processes, each with the production settings module (config.settings) and the same PostgreSQL database
and Redis, stand in for two web replicas behind a load balancer. A user signs in on the first; the session cookie
works on the second (sessions live in the shared Redis cache, config/settings.py), signing out on the second ends the
session on the first, and sign-in failures counted on one server lock the user name out on the other (the throttling
counters of cells/auth.py are in the same cache). Not two test Clients with different settings: separate processes,
nothing shared but the services.

The two-server tests need PostgreSQL and Redis: they skip without them unless REQUIRE_SERVICES=1 (tests/conftest.py).
Behind the reverse proxy every request comes from the proxy's address; the per-address sign-in count then reads the
client's address from the header the proxy sets (CLIENT_IP_HEADER), tested here without services.
"""

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from tests.conftest import redis_url, require_service

# The two-server tests: committed rows (the servers read them from their own connections), PostgreSQL and Redis.
two_processes = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Chibo-two-servers-2025!"
FAILURE_LIMIT = 3


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    database = settings.DATABASES["default"]
    user = database.get("USER") or "postgres"
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{database['NAME']}"


@pytest.fixture
def two_servers():
    """Two gunicorn processes on free ports sharing the test database and Redis: their base URLs."""
    require_service("postgresql")
    require_service("redis")
    environment = {
        key: value for key, value in os.environ.items() if key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL_FILE"}
    }
    environment |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",  # the development SECRET_KEY, the same in both; nothing else of DEBUG matters here
        "DATABASE_URL": _database_url(),
        "DB_CONN_MAX_AGE": "0",
        "REDIS_URL": redis_url(),
        # A prefix of its own: this test's keys never meet another run's (nothing is flushed).
        "CACHE_KEY_PREFIX": f"chibo-test-{uuid.uuid4().hex[:12]}",
        "CELERY_BROKER_URL": "",
        "CELERY_RESULT_BACKEND": "",
        "LOGIN_FAILURE_LIMIT": str(FAILURE_LIMIT),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
    }
    environment.pop("SESSIONS_IN_DB", None)
    processes, urls = [], []
    try:
        for _ in range(2):
            port = _free_port()
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
                    + ["--workers", "1", "--timeout", "60"],
                    cwd=ROOT,
                    env=environment,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        for process, url in zip(processes, urls, strict=True):
            _wait_until_up(process, url)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_until_up(process, url: str) -> None:
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn at {url} exited: {process.stderr.read().decode()[-2000:]}")
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError(f"gunicorn at {url} did not answer /healthz within 60 s")


@pytest.fixture
def account():
    """A user whose password hash the servers' own hashers read (the tests' MD5 hasher is not among them)."""
    user = get_user_model().objects.create_user(username="haimaychu")
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    user.save(update_fields=["password"])
    return user


def _sign_in(session, base: str, password: str = PASSWORD):
    page = session.get(f"{base}/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session.post(
        f"{base}/login/",
        data={"csrfmiddlewaretoken": token, "username": "haimaychu", "password": password},
        allow_redirects=False,
        timeout=30,
    )


@pytest.mark.services
@two_processes
def test_a_session_opened_on_one_server_is_valid_on_the_other(two_servers, account):
    import requests

    first, second = two_servers
    browser = requests.Session()

    signed_in = _sign_in(browser, first)

    assert signed_in.status_code == 302, signed_in.text[:500]
    assert "sessionid" in browser.cookies
    # The same cookie on the other server: the home page, not the sign-in page.
    home = browser.get(f"{second}/", allow_redirects=False, timeout=30)
    assert home.status_code == 200
    assert "haimaychu" in home.text
    # A stranger without the cookie is sent to sign in on either server (the check above is not vacuous).
    assert requests.get(f"{second}/", allow_redirects=False, timeout=30).status_code == 302

    # Signing out on the second server ends the session on the first.
    page = browser.get(f"{second}/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    assert browser.post(f"{second}/logout/", data={"csrfmiddlewaretoken": token}, timeout=30).status_code in {200, 302}
    again = browser.get(f"{first}/", allow_redirects=False, timeout=30)
    assert again.status_code == 302 and "/login/" in again.headers["Location"]


@pytest.mark.services
@two_processes
def test_sign_in_failures_on_one_server_lock_the_name_on_the_other(two_servers, account):
    import requests

    first, second = two_servers
    for _ in range(FAILURE_LIMIT):
        assert _sign_in(requests.Session(), first, password="wrong-password").status_code == 200

    refused = _sign_in(requests.Session(), second)

    # The right password, on the other server: still locked out, because the counters are shared.
    assert refused.status_code == 200
    assert "sessionid" not in refused.cookies
    assert "Đăng nhập sai quá nhiều lần" in refused.text


#
# Behind the reverse proxy: the client's address, not the proxy's
#


def _failed_sign_in(client, address: str, username: str):
    return client.post(
        "/login/",
        {"username": username, "password": "wrong-password"},
        REMOTE_ADDR="172.18.0.5",  # the proxy, for every request
        HTTP_X_REAL_IP=address,
    )


@pytest.mark.django_db
def test_behind_the_proxy_failures_from_one_client_do_not_lock_out_the_others(settings, client):
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    settings.LOGIN_FAILURE_LIMIT = FAILURE_LIMIT
    for number in range(FAILURE_LIMIT):
        _failed_sign_in(client, "203.0.113.7", f"guess{number}")

    # Another client, another user name, through the same proxy: not locked by the first one's failures.
    assert "Đăng nhập sai quá nhiều lần" not in _failed_sign_in(client, "198.51.100.9", "other").content.decode()
    # The first client is, whatever name it tries next.
    assert "Đăng nhập sai quá nhiều lần" in _failed_sign_in(client, "203.0.113.7", "fresh").content.decode()


@pytest.mark.django_db
def test_without_the_header_setting_the_connection_address_counts(settings, client):
    """CLIENT_IP_HEADER unset (no proxy): a client's own X-Real-IP header is ignored, so it cannot dodge the count."""
    settings.CLIENT_IP_HEADER = ""
    settings.LOGIN_FAILURE_LIMIT = FAILURE_LIMIT
    for number in range(FAILURE_LIMIT):
        _failed_sign_in(client, f"203.0.113.{number}", f"guess{number}")

    assert "Đăng nhập sai quá nhiều lần" in _failed_sign_in(client, "198.51.100.9", "other").content.decode()
