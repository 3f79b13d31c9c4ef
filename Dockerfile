# One image for every role, chosen by the command: web (default), worker, beat, sandbox, manage.
# See docker/entrypoint.sh and docs/self-hosting.md. No `# syntax=` line: BuildKit would fetch
# that frontend from Docker Hub at every build, and nothing here needs a newer one.

# The base image's Debian release is part of the tag, so a rebuild keeps the same OS; pin a
# digest too (--build-arg PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:...) for the very same.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: a virtualenv with the locked dependencies --------------------------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /venv
# Only the lock: this layer is rebuilt when the dependencies change, not the code or README.
COPY requirements.lock /tmp/requirements.lock
# Exactly the locked files (hashes checked), the sandbox's werkzeug included for the demo's
# `sandbox` role (production settings never load it). The code runs from /app, so the
# project itself is not installed. `pip check`: the lock lacks no dependency of this Python
# (--no-deps would not say). pip and setuptools go, the runtime needs neither.
RUN /venv/bin/pip install --no-deps --require-hashes -r /tmp/requirements.lock \
    && /venv/bin/pip check \
    && /venv/bin/pip uninstall --yes pip setuptools

# --- runtime ----------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles \
    DJANGO_SETTINGS_MODULE=config.settings.production
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app
WORKDIR /app
COPY --from=build /venv /venv
# The code stays owned by root: the app user can read it, not change it. .dockerignore keeps
# out what the app does not run (tests, docs, bench, local state, secrets, backups).
COPY . .
# Hashed, compressed static files, made once here rather than at every start; the code's
# bytecode too (PYTHONDONTWRITEBYTECODE and a read-only root: none is written at run time).
# The secrets below exist only for this command; the real ones come from .env at run time.
RUN DEBUG=false STATIC_MANIFEST=true ALLOWED_HOSTS=build.invalid VAR_DIR=/tmp/build-var \
    SECRET_KEY=collectstatic-only-not-a-secret \
    TOKEN_ENCRYPTION_KEYS=Y29sbGVjdHN0YXRpYy1vbmx5LW5vdC1hLXNlY3JldCE= \
    python manage.py collectstatic --noinput --verbosity 0 \
    && rm -rf /tmp/build-var \
    && python -m compileall -q -j 0 /app \
    && mkdir -p /app/var && chown app:app /app/var
USER app
# No EXPOSE: only the web role listens (on PORT), and docker-compose.yml publishes it.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "/app/docker/healthcheck.py"]
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
