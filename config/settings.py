"""The one settings module. Every difference between environments is an environment variable.

Defaults give the embedded set-up: SQLite file, local-memory cache, Celery in eager mode.
DATABASE_URL switches to PostgreSQL; REDIS_URL switches cache, sessions and the Celery broker to Redis; S3_BUCKET
switches uploaded and built files to an S3-compatible object store. With all three, no server keeps anything on its
own disk that another one needs, so web and worker run as several replicas.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_secret(name: str, default: str = "") -> str:
    """Read NAME, or the file named by NAME_FILE (Docker secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in env(name, default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is missing: set SECRET_KEY (or SECRET_KEY_FILE) or DEBUG=1.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "cells",
    "members",
    "meetings",
    "criteria",
    "evaluations",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "cells.inputs.RequestSizeLimitMiddleware",
    # The input policy on every query string (cells/inputs.py): 400 with a Vietnamese page for a control character.
    "cells.inputs.QueryStringMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cells.context_processors.access",
                "meetings.notifications.views.unread_notifications",
            ],
            # The figure and date filters (num, pct, points, date_vn) in every template: cells/formats.py.
            "builtins": ["cells.templatetags.formats"],
        },
    },
]

#
# Database
#
DATABASE_URL = env_secret("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

#
# Cache, sessions, Celery
#
REDIS_URL = env_secret("REDIS_URL")
if REDIS_URL:
    # One cache for every server: login throttling counters (cells/auth.py), the health check and sessions.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "chibo"),
        }
    }
    # Sessions live in Redis only (SESSIONS_IN_DB=1: cached_db, Redis in front of the session table). Why: with
    # SESSION_SAVE_EVERY_REQUEST (the sliding idle timeout) cached_db writes the session row on every request, one
    # UPDATE per page view on PostgreSQL shared by every web replica; Redis keeps them (append-only file in
    # docker-compose), and losing Redis only signs people in again.
    SESSION_ENGINE = (
        "django.contrib.sessions.backends.cached_db"
        if env_bool("SESSIONS_IN_DB")
        else "django.contrib.sessions.backends.cache"
    )
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "chibo"}}

CELERY_BROKER_URL = env_secret("CELERY_BROKER_URL", REDIS_URL) or None
CELERY_RESULT_BACKEND = env_secret("CELERY_RESULT_BACKEND", REDIS_URL) or None
# With no broker (the embedded default) tasks run in the request, so `runserver` needs nothing else.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    CELERY_BROKER_URL = "memory://"  # never used for sending; keeps Celery from guessing a default broker
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Redis hands an unacknowledged task (its worker died) to another worker after this many seconds. Report builds
# take seconds, so a short timeout brings a killed build back quickly; requeue_stale is the safety net.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 15 * 60)}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
# A report build writes a heartbeat every REPORTS_HEARTBEAT_SECONDS (a thread, rendering included). One with no
# heartbeat for REPORTS_STALE_AFTER_SECONDS has lost its worker: the report page itself queues it again (or offers a
# retry), with or without the beat job.
REPORTS_HEARTBEAT_SECONDS = env_int("REPORTS_HEARTBEAT_SECONDS", 5)
REPORTS_STALE_AFTER_SECONDS = env_int("REPORTS_STALE_AFTER_SECONDS", 90)
# Subtree figures kept in the cache under their version stamps (cells/figcache.py); 0 computes them every time.
FIGURES_CACHE_SECONDS = env_int("FIGURES_CACHE_SECONDS", 600)

#
# Auth and sessions
#
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sliding idle timeout: a session ends after SESSION_IDLE_HOURS without a request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_HOURS", 8) * 3600
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Failed-login throttling (see cells/auth.py): this many failures per username and per address...
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
# ...within this many seconds lock that username/address out for the same window.
LOGIN_FAILURE_WINDOW = env_int("LOGIN_FAILURE_WINDOW", 15 * 60)
# The request header a reverse proxy puts the client's address in (X-Real-IP with deploy/nginx.conf), for the
# per-address count above: behind a proxy REMOTE_ADDR is the proxy's. Empty = REMOTE_ADDR. Set it only when gunicorn
# is reachable through that proxy alone, since a client could send the header itself.
CLIENT_IP_HEADER = env("CLIENT_IP_HEADER")

#
# Security (production values come from the environment; `check --deploy` passes with DEBUG off)
#
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", True) else None
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; "
    "object-src 'none'"
)
# Uploads: keep request bodies bounded; individual features check their own limits with a clear message.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000
# A request declaring a larger body is refused (413) before it is read: the largest form is a yearly-review page
# with a few evidence files of up to 10 MB each (cells.inputs.RequestSizeLimitMiddleware).
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 25 * 1024 * 1024)

#
# Language, time, formats
#
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]

#
# Static and media
#
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploaded attachments, evidence files and built reports. S3_BUCKET set: an S3-compatible object store (AWS S3, MinIO,
# ...) that every web and worker replica shares; unset: files under MEDIA_ROOT, for one server. Either way files are
# private: no public ACL, no public URL; every download streams through a view that checks access (field.open()).
S3_BUCKET = env("S3_BUCKET") or env("AWS_STORAGE_BUCKET_NAME")
if S3_BUCKET:
    _file_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            # Empty = AWS itself; MinIO or another provider: its address, e.g. http://minio:9000.
            "endpoint_url": env("S3_ENDPOINT_URL") or None,
            "region_name": env("S3_REGION") or env("AWS_S3_REGION_NAME") or None,
            # Empty = the instance role / AWS_* variables boto3 finds by itself.
            "access_key": env_secret("S3_ACCESS_KEY") or env_secret("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_secret("S3_SECRET_KEY") or env_secret("AWS_SECRET_ACCESS_KEY") or None,
            # "path" for MinIO and most self-hosted stores; "virtual" (or empty, boto3's choice) for AWS.
            "addressing_style": env("S3_ADDRESSING_STYLE") or None,
            "location": env("S3_PREFIX"),
            "default_acl": None,
            "querystring_auth": True,
            # Two uploads with the same name never overwrite each other (Django adds a suffix, as on a disk).
            "file_overwrite": False,
        },
    }
else:
    _file_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _file_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if env("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "chibo@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

#
# Meeting reminders (meetings/reminders.py, run every morning by Celery beat: see config/celery.py)
#
# From this day of the month, secretaries of cells with no regular meeting logged for the previous month are
# reminded (1-28)...
MEETING_REMINDER_DAY = env_int("MEETING_REMINDER_DAY", 5)
# ...this many days later the list goes to the grassroots committee above them...
MEETING_ESCALATE_GRASSROOTS_AFTER_DAYS = env_int("MEETING_ESCALATE_GRASSROOTS_AFTER_DAYS", 3)
# ...and this many days later to the committee staff above them.
MEETING_ESCALATE_STAFF_AFTER_DAYS = env_int("MEETING_ESCALATE_STAFF_AFTER_DAYS", 7)
if not 1 <= MEETING_REMINDER_DAY <= 28:
    raise ImproperlyConfigured("MEETING_REMINDER_DAY must be between 1 and 28.")
# The site's public address for links in e-mails, e.g. https://chibo.example.org (empty = e-mails carry no link).
SITE_URL = env("SITE_URL").rstrip("/")

#
# Upload limits (each feature also says them to the user in words)
#
MEMBER_IMPORT_MAX_BYTES = env_int("MEMBER_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
MEMBER_IMPORT_MAX_ROWS = env_int("MEMBER_IMPORT_MAX_ROWS", 10_000)
MEETING_ATTACHMENT_MAX_BYTES = env_int("MEETING_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
PAST_RESULT_IMPORT_MAX_BYTES = env_int("PAST_RESULT_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
PAST_RESULT_IMPORT_MAX_ROWS = env_int("PAST_RESULT_IMPORT_MAX_ROWS", 10_000)
# The place written in the date line of PDF documents ("<place>, ngày … tháng … năm …"), e.g. "Lào Cai".
CHIBO_DOCUMENT_PLACE = env("CHIBO_DOCUMENT_PLACE")
