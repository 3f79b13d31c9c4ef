# syntax=docker/dockerfile:1
# One image for every role, chosen by the command: web (default), worker, beat, sandbox, manage.
# See docker/entrypoint.sh and docs/self-hosting.md.

# --- build: a virtualenv with the dependencies named in pyproject.toml ---------------------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /venv
WORKDIR /build
# Only the metadata: this layer is rebuilt when the dependencies change, not the code.
COPY pyproject.toml README.md ./
# The code runs from /app, not site-packages: keep the dependencies, drop the project itself.
# The sandbox extra serves the compose demo's `sandbox` role; production settings never load it.
RUN /venv/bin/pip install ".[sandbox]" \
    && /venv/bin/pip uninstall --yes calendly-availability-dashboard

# --- runtime ----------------------------------------------------------------------------
FROM python:3.11-slim AS runtime
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
# The code stays owned by root: the app user can read it, not change it.
COPY . .
# Hashed, compressed static files, made once here rather than at every start.
# The secrets below exist only for this command; the real ones come from .env at run time.
RUN DEBUG=false STATIC_MANIFEST=true ALLOWED_HOSTS=build.invalid VAR_DIR=/tmp/build-var \
    SECRET_KEY=collectstatic-only-not-a-secret \
    TOKEN_ENCRYPTION_KEYS=Y29sbGVjdHN0YXRpYy1vbmx5LW5vdC1hLXNlY3JldCE= \
    python manage.py collectstatic --noinput --verbosity 0 \
    && rm -rf /tmp/build-var \
    && mkdir -p /app/var && chown app:app /app/var
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "/app/docker/healthcheck.py"]
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
