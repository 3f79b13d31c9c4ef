"""Settings modules, chosen by DJANGO_SETTINGS_MODULE: ``production`` (the image, wsgi,
asgi, Celery), ``local`` (manage.py and the demo) and ``test`` (pytest)."""
