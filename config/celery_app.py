"""The Celery application: reads ``CELERY_*`` settings and finds each app's tasks."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("dashboard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="ops.ping")
def ping() -> str:
    """Answers "pong": proves a worker consumes from the broker (health checks, tests)."""
    return "pong"
