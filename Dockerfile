# One image for every role (web, worker, beat, sandbox), chosen by the command.
FROM python:3.11-slim AS build
WORKDIR /app
RUN python -m venv /venv
COPY pyproject.toml README.md ./
COPY config ./config
COPY accounts ./accounts
COPY availability ./availability
COPY sandbox ./sandbox
RUN /venv/bin/pip install --no-cache-dir .

FROM python:3.11-slim
ENV PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
RUN useradd --create-home --uid 1000 app
WORKDIR /app
COPY --from=build /venv /venv
COPY --chown=app:app . .
RUN DEBUG=false SECRET_KEY=build-only ALLOWED_HOSTS=build VAR_DIR=/tmp/build \
    python manage.py collectstatic --noinput
USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000"]
