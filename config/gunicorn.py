"""Gunicorn settings of the web role: ``gunicorn -c python:config.gunicorn config.wsgi``.

Threads rather than more processes: a request may wait on Calendly (the token
exchange at sign-in) without holding a whole process. Gunicorn's own logs go
through the same JSON logging as Django's; Django writes the access lines, with
the request id, so gunicorn's access log stays off.
"""

from pathlib import Path

from config.env import env_int, env_str
from ops.logs import logging_config

bind = f"0.0.0.0:{env_int('PORT', 8000)}"
workers = env_int("WEB_CONCURRENCY", 2)
worker_class = "gthread"
threads = env_int("WEB_THREADS", 4)
timeout = env_int("WEB_TIMEOUT", 60)
graceful_timeout = 25
keepalive = 5
# Replace a process now and then, so a slow leak never grows without bound.
max_requests = 1000
max_requests_jitter = 100
# Gunicorn 27's control socket would be made in $HOME, which the image's user cannot write.
control_socket_disable = True
accesslog = None
errorlog = "-"
logconfig_dict = logging_config(
    env_str("LOG_LEVEL", "INFO") or "INFO", env_str("LOG_FORMAT", "json") or "json"
)
# Heartbeat files in memory (gunicorn's own advice for containers): a container's disk may be
# slow or read-only. Gunicorn makes unique, private files there.
SHARED_MEMORY = Path("/dev/shm")  # noqa: S108
if SHARED_MEMORY.is_dir():
    worker_tmp_dir = str(SHARED_MEMORY)
