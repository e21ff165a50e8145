# chibo production image: gunicorn (web), celery worker and celery beat all run from it.
# Build: docker compose build   (see README "Production with docker-compose")
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint needs Pango and HarfBuzz (libharfbuzz-subset0 for fast font embedding);
# gettext compiles the translation catalogue. PDF fonts ship in static/fonts/, not from the system.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first (a cached layer while only the code changes), straight from the pins in
# pyproject.toml. The project itself runs from /app rather than being pip-installed, so there is
# exactly one copy of config/, the apps, templates/, locale/ and static/.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# Explicit list rather than `COPY . .`: keeps .env, .venv, db.sqlite3 and media/ out of the image
# even without a .dockerignore. A new top-level app needs a line here.
COPY manage.py ./
COPY config ./config
COPY cells ./cells
COPY members ./members
COPY meetings ./meetings
COPY criteria ./criteria
COPY evaluations ./evaluations
COPY reports ./reports
COPY demo ./demo
COPY templates ./templates
COPY static ./static
COPY locale ./locale
COPY scripts ./scripts

# Compile translations and collect static files at build time (a dummy key: settings need one with DEBUG off).
RUN DEBUG=1 python manage.py compilemessages --ignore=.venv \
    && DEBUG=0 SECRET_KEY=build-only-dummy-key python manage.py collectstatic --noinput --verbosity 0

RUN useradd --system --uid 1000 --home-dir /app --shell /usr/sbin/nologin chibo \
    && mkdir -p /app/media \
    && chown -R chibo:chibo /app/media /app/staticfiles
USER chibo

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", "--access-logfile", "-"]
