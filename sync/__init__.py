"""Pulling Calendly's data into the synced models: runs and their lifecycle, the Celery tasks,
the writes, the one-booking re-sync after a webhook, and the sync panel's state."""
