"""Sign-in, throttling of failed sign-ins, sign-out, password change, session lifetime."""

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import translation

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Another-Strong-Pw-77"


def sign_in(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def form_error_codes(response) -> set[str]:
    return {error.code for error in response.context["form"].non_field_errors().as_data()}


def test_login_with_correct_password_signs_in(client, personas):
    response = sign_in(client, "secretary", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session[SESSION_KEY] == str(personas.secretary.pk)


def test_login_with_wrong_password_does_not_sign_in(client, personas):
    response = sign_in(client, "secretary", "wrong")

    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert "invalid_login" in form_error_codes(response)


def test_login_refuses_correct_password_after_failure_limit(client, personas):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, "secretary", "wrong")

    with translation.override("vi"):
        response = sign_in(client, "secretary", PASSWORD)

    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert "locked" in form_error_codes(response)


def test_login_just_below_failure_limit_still_signs_in(client, personas):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        sign_in(client, "secretary", "wrong")

    response = sign_in(client, "secretary", PASSWORD)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(personas.secretary.pk)


def test_login_lock_out_applies_to_the_user_name_from_another_address(client, personas):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, "Secretary ", "wrong", REMOTE_ADDR="10.0.0.1")

    response = sign_in(client, "secretary", PASSWORD, REMOTE_ADDR="10.0.0.2")

    assert "locked" in form_error_codes(response)
    assert SESSION_KEY not in client.session


def test_login_lock_out_does_not_affect_other_users_from_other_addresses(client, personas):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, "secretary", "wrong", REMOTE_ADDR="10.0.0.1")

    response = sign_in(client, "outsider", PASSWORD, REMOTE_ADDR="10.0.0.2")

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(personas.outsider.pk)


def test_successful_login_clears_earlier_failures(client, personas):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        sign_in(client, "secretary", "wrong")
    sign_in(client, "secretary", PASSWORD)
    client.post(reverse("logout"))

    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        sign_in(client, "secretary", "wrong")
    response = sign_in(client, "secretary", PASSWORD)

    assert response.status_code == 302


def test_logout_requires_post(client_for):
    client = client_for("secretary")

    response = client.get(reverse("logout"))

    assert response.status_code == 405
    assert SESSION_KEY in client.session
    assert client.get(reverse("home")).status_code == 200


def test_logout_by_post_signs_out(client_for):
    client = client_for("secretary")

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    assert client.get(reverse("home")).status_code == 302


def test_password_change_page_changes_password_and_keeps_session(client_for, personas):
    client = client_for("secretary")
    assert client.get(reverse("password_change")).status_code == 200

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    personas.secretary.refresh_from_db()
    assert personas.secretary.check_password(NEW_PASSWORD)
    assert client.get(reverse("home")).status_code == 200


def test_password_change_refuses_wrong_old_password(client_for, personas):
    response = client_for("secretary").post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    personas.secretary.refresh_from_db()
    assert personas.secretary.check_password(PASSWORD)


def test_password_change_refuses_weak_password(client_for, personas):
    response = client_for("secretary").post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )

    assert response.status_code == 200
    personas.secretary.refresh_from_db()
    assert personas.secretary.check_password(PASSWORD)


def test_session_cookie_lives_for_session_cookie_age(client, personas):
    response = sign_in(client, "secretary", PASSWORD)

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert cookie["httponly"]
