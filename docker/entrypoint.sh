#!/usr/bin/env bash
# The image's entry point: `entrypoint.sh ROLE [ARGS...]`, one image for every role.
#
#   web      wait for the database, apply migrations under a lock, serve with gunicorn
#   worker   wait for a migrated database, run a Celery worker
#   beat     wait for a migrated database, run Celery beat (exactly one in the whole deployment)
#   sandbox  the Calendly-compatible server of the demo (no database needed)
#   manage   `python manage.py ARGS...`, e.g. `manage createsuperuser`
#
# ARGS after the role are passed on to gunicorn, celery or manage.py.
set -euo pipefail
cd "$(dirname "$0")/.."

role="${1:-web}"
shift || true
wait_seconds="${DB_WAIT_SECONDS:-60}"
log_level="${LOG_LEVEL:-INFO}"

case "$role" in
  web)
    python manage.py wait_for_database --timeout "$wait_seconds"
    if [[ "${MIGRATE_ON_START:-true}" == "true" ]]; then
      python manage.py migrate_once
    fi
    # Static files were collected when the image was built.
    exec gunicorn config.wsgi --config python:config.gunicorn "$@"
    ;;
  worker)
    python manage.py wait_for_database --migrated --timeout "$wait_seconds"
    # SIGTERM (docker stop) as a cold shutdown: running tasks get CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT
    # to finish, then go back to the queue at once. A warm shutdown would wait for them up to
    # the task time limit, past any stop grace period, and the kill after it leaves them
    # unacknowledged in Redis for the whole visibility timeout (an hour).
    export REMAP_SIGTERM=SIGQUIT
    # Gossip and mingle only add broker traffic here: nothing relies on worker-to-worker state.
    exec celery -A config worker --loglevel "$log_level" \
      --concurrency "${CELERY_CONCURRENCY:-4}" --without-gossip --without-mingle "$@"
    ;;
  beat)
    python manage.py wait_for_database --migrated --timeout "$wait_seconds"
    # The schedule file sits in $VAR_DIR, a volume: last run times survive a restart.
    # Remote control makes beat answer a ping (docker/healthcheck.py) while its scheduler ticks.
    exec celery -A config beat --loglevel "$log_level" --enable-remote-control "$@"
    ;;
  sandbox)
    # The URIs it returns must name the address the dashboard calls it at.
    public_url="${SANDBOX_PUBLIC_URL:-${CALENDLY_API_BASE_URL:-http://127.0.0.1:${SANDBOX_PORT:-8001}}}"
    # The sandbox is a development tool: an app of the local settings only, not production's.
    # Deliveries to the callback URL's host go to SANDBOX_WEBHOOK_CONNECT_TO instead, if set.
    connect_to=()
    if [[ -n "${SANDBOX_WEBHOOK_CONNECT_TO:-}" ]]; then
      connect_to=(--webhook-connect-to "$SANDBOX_WEBHOOK_CONNECT_TO")
    fi
    DJANGO_SETTINGS_MODULE=config.settings.local exec python manage.py runsandbox --host 0.0.0.0 \
      --port "${SANDBOX_PORT:-8001}" --public-url "$public_url" "${connect_to[@]}" "$@"
    ;;
  manage)
    exec python manage.py "$@"
    ;;
  *)
    echo "unknown role '$role': expected web, worker, beat, sandbox or manage" >&2
    exit 64
    ;;
esac
