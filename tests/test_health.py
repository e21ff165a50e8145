"""/healthz: database, cache and broker status for load balancers and monitoring, without a login."""

import pytest
from django.db import connection

from tests.conftest import require_service


@pytest.mark.django_db
def test_healthz_reports_ok_without_login(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "eager"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_does_not_accept_post(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.services
@pytest.mark.django_db
def test_suite_runs_on_postgresql_when_services_are_required():
    # With REQUIRE_SERVICES=1 (CI's PostgreSQL run) this fails if the suite silently fell back to SQLite.
    require_service("postgresql")

    assert connection.vendor == "postgresql"
