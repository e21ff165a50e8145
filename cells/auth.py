"""Failed-login throttling: after LOGIN_FAILURE_LIMIT failures for a user name or an address within
LOGIN_FAILURE_WINDOW seconds, further attempts are refused until the window passes. Counters live in the
cache (Redis in production, shared by all web workers)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.core.exceptions import ValidationError

from cells.forms import ThrottledAuthenticationForm


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or behind a reverse proxy the header it sets (settings.CLIENT_IP_HEADER,
    X-Real-IP with deploy/nginx.conf), because REMOTE_ADDR is then the proxy's, the same for every user: five
    failures by anyone would lock everyone out."""
    header = settings.CLIENT_IP_HEADER
    if header:
        # The last entry of a list (X-Forwarded-For) is the one the proxy itself added.
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "").split(",")[-1].strip()
        if value:
            return value
    return request.META.get("REMOTE_ADDR", "unknown")


def _keys(request, username: str) -> list[str]:
    address = client_address(request)
    return [f"login-fail:user:{username.strip().lower()}", f"login-fail:addr:{address}"]


def is_locked(request, username: str) -> bool:
    limit = settings.LOGIN_FAILURE_LIMIT
    return any((cache.get(key) or 0) >= limit for key in _keys(request, username))


def record_failure(request, username: str) -> None:
    for key in _keys(request, username):
        if cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW)


def clear_failures(request, username: str) -> None:
    cache.delete_many(_keys(request, username))


class LoginForm(ThrottledAuthenticationForm):
    def clean(self):
        username = self.data.get("username", "") or ""
        if is_locked(self.request, username):
            raise ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": max(1, settings.LOGIN_FAILURE_WINDOW // 60)},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            record_failure(self.request, username)
            raise
        clear_failures(self.request, username)
        return cleaned


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True
