# Agora as one container: `docker build -t agora .` then see compose.yaml and README.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    AGORA_ENV=production \
    AGORA_SEED_DEMO=0 \
    AGORA_DATABASE_URL=sqlite:////app/var/agora.db

# pg_dump, pg_restore and psql for `agora backup` / `agora restore` against PostgreSQL.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --user-group --uid 10001 --home-dir /app --no-create-home agora

WORKDIR /app
# The package finds templates/, static/ and alembic/ beside its own folder, so it is installed
# in place (editable) from /app rather than copied into site-packages.
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY alembic ./alembic
COPY templates ./templates
COPY static ./static
RUN pip install -e . \
    && mkdir -p /app/var \
    && chown agora:agora /app/var

USER agora
EXPOSE 8000
# Only a SQLite database lives here; with PostgreSQL (compose.yaml) the folder stays empty.
VOLUME ["/app/var"]

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# AGORA_ENV=production refuses to start without AGORA_SECRET_KEY (32+ random characters).
CMD ["sh", "-c", "agora migrate && exec agora serve --no-migrate --host 0.0.0.0 --port 8000"]
