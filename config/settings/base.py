"""Settings every deployment shares: ``production``, ``local`` and ``test`` build on them.

Everything comes from the environment (see ``.env.example``); the defaults are
the embedded ones, so ``make demo`` and ``make test`` need no server running.
Development tools (the sandbox) are added by ``local`` and ``test`` only.
"""

from __future__ import annotations

import re
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django_guid.integrations import CeleryIntegration
from kombu import Queue

from config.env import env_bool, env_float, env_fraction, env_int, env_list, env_required, env_str
from ops.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# --- Core ---------------------------------------------------------------------
DEBUG = env_bool("DEBUG", False)
if DEBUG:
    # A development key, never valid in production because DEBUG is off there.
    SECRET_KEY = env_str("SECRET_KEY") or "insecure-development-key-only-for-debug"  # noqa: S105
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
else:
    SECRET_KEY = env_required("SECRET_KEY", "a long random string used to sign sessions")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        env_required("ALLOWED_HOSTS", "the comma-separated host names this site answers to")

PUBLIC_BASE_URL = (env_str("PUBLIC_BASE_URL", "") or "").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list(
    "CSRF_TRUSTED_ORIGINS", [PUBLIC_BASE_URL] if PUBLIC_BASE_URL else []
)

# Django's admin at /admin/ (config/urls.py): off unless ADMIN_ENABLED is true; the local
# settings (the demo, the tests) turn it on by default, production only when asked.
ADMIN_ENABLED = env_bool("ADMIN_ENABLED", False)

INSTALLED_APPS = [
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Third party
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "django_htmx",
    "template_partials",
    "csp",
    "django_guid",
    # Local
    "accounts",
    "accounts.calendly_provider",
    "availability",
    "sync",
    "dashboard",
    "ops",
    "webhooks",
]

MIDDLEWARE = [
    # Probes first: answered before the Host check and the https redirect (ops/health.py).
    "ops.health.HealthCheckMiddleware",
    "django_guid.middleware.guid_middleware",
    "ops.logs.AccessLogMiddleware",
    # 429 to a flood of the OAuth callback or the webhook receiver (ops/ratelimit.py).
    "ops.ratelimit.RateLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.calendly_connection",
                "dashboard.context_processors.team_link",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASES = {
    "default": environ.Env.db_url_config(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
# A kept connection that died (database restarted) is replaced, not reported as an error.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast when the server is unreachable: /readyz and start-up waits stay bounded.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for locks instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    # A file, not memory, so worker processes started by the tests share the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Time and language --------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Hashed, compressed names need `collectstatic` first (the image does it at build time);
# without a manifest, whitenoise serves straight from the source folders.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Authentication (django-allauth) ------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
SITE_ID = 1
LOGIN_URL = LOGIN_REDIRECT_URL = LOGOUT_REDIRECT_URL = "/"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_USER_DISPLAY = "accounts.calendly_connection.display_name"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
# Sign-in is only ever with Calendly: no local passwords, no e-mail matching.
SOCIALACCOUNT_ONLY = True
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
# Tokens live encrypted in accounts.CalendlyCredential; allauth keeps no plaintext copy.
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_PROVIDERS = {
    "calendly": {
        "APPS": [
            {
                "client_id": env_str("CALENDLY_CLIENT_ID", ""),
                "secret": env_str("CALENDLY_CLIENT_SECRET", ""),
            }
        ],
        "SCOPE": env_list("CALENDLY_SCOPES", []),
        "OAUTH_PKCE_ENABLED": True,
    }
}
# Fernet keys for tokens at rest, newest first (see accounts/crypto.py).
if DEBUG:
    TOKEN_ENCRYPTION_KEYS = env_list("TOKEN_ENCRYPTION_KEYS", []) or [
        "ZGV2ZWxvcG1lbnQta2V5LW9ubHktd2l0aC1ERUJVRyE="
    ]
else:
    TOKEN_ENCRYPTION_KEYS = env_list("TOKEN_ENCRYPTION_KEYS", []) or [
        env_required(
            "TOKEN_ENCRYPTION_KEYS", "comma-separated Fernet keys that encrypt Calendly tokens"
        )
    ]

# --- Security -----------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF cookie: pages carry the token (forms, and hx-headers for htmx).
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if SECURE_SSL_REDIRECT else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Calendly -----------------------------------------------------------------
CALENDLY_AUTH_BASE_URL = (env_str("CALENDLY_AUTH_BASE_URL") or "https://auth.calendly.com").rstrip(
    "/"
)
CALENDLY_API_BASE_URL = (env_str("CALENDLY_API_BASE_URL") or "https://api.calendly.com").rstrip("/")
CALENDLY_CLIENT_ID = SOCIALACCOUNT_PROVIDERS["calendly"]["APPS"][0]["client_id"]
CALENDLY_CLIENT_SECRET = SOCIALACCOUNT_PROVIDERS["calendly"]["APPS"][0]["secret"]
# The scopes to tick in the Calendly app (docs/calendly-app.md); the connection page
# compares a token's grant with these.
CALENDLY_WANTED_SCOPES = env_list("CALENDLY_WANTED_SCOPES", [
    "users:read", "organizations:read", "event_types:read", "availability:read",
    "scheduled_events:read", "groups:read", "webhooks:write"])  # fmt: skip
WEBHOOK_LIVE_POLL_SECONDS = env_int("WEBHOOK_LIVE_POLL_SECONDS", 3)  # docs/webhooks.md
CALENDLY_TIMEOUT_SECONDS = (
    env_float("CALENDLY_CONNECT_TIMEOUT", 5.0),
    env_float("CALENDLY_READ_TIMEOUT", 30.0),
)
CALENDLY_RATE_LIMIT_PER_MINUTE = env_int("CALENDLY_RATE_LIMIT_PER_MINUTE", 500)
CALENDLY_TOKEN_RATE_LIMIT_PER_MINUTE = env_int("CALENDLY_TOKEN_RATE_LIMIT_PER_MINUTE", 8)
# The part of a user's limit we spend; the rest is the user's other integrations' (ratebudget.py).
CALENDLY_BUDGET_SHARE = env_fraction("CALENDLY_BUDGET_SHARE", 0.6)
SYNC_HORIZON_DAYS = env_int("SYNC_HORIZON_DAYS", 28)
SYNC_WINDOW_DAYS = env_int("SYNC_WINDOW_DAYS", 7)
SYNC_INTERVAL_MINUTES = env_int("SYNC_INTERVAL_MINUTES", 15)
# A periodic run re-reads schedules this old (sync/slow_refresh.py); 0: every run.
SYNC_SLOW_REFRESH_HOURS = env_int("SYNC_SLOW_REFRESH_HOURS", 6)
# 31 days of available times a request since 2026-07-09; a refusal means 7 (sync/windows.py).
SYNC_AVAILABLE_TIMES_WINDOW_DAYS = env_int("SYNC_AVAILABLE_TIMES_WINDOW_DAYS", 31)
SYNC_START_MARGIN_SECONDS = env_int("SYNC_START_MARGIN_SECONDS", 30)  # windows start after now
SYNC_THREADS = env_int("SYNC_THREADS", 16)  # requests in flight per worker process
SYNC_MEMBERS_PER_TASK = env_int("SYNC_MEMBERS_PER_TASK", 25)  # organization fan-out batch
SYNC_LEASE_SECONDS = env_int("SYNC_LEASE_SECONDS", 90)  # a silent run older than this is dead
CALENDLY_MAX_ATTEMPTS = env_int("CALENDLY_MAX_ATTEMPTS", 8)  # per request, on 5xx and timeouts
# Hosts ("*." for subdomains) Calendly's avatar URLs may name; others are not shown.
CALENDLY_AVATAR_HOSTS = env_list("CALENDLY_AVATAR_HOSTS", ["*.cloudfront.net", "*.calendly.com"])
# The longest a request waits for the rate budget or believes a pause Calendly announces.
CALENDLY_MAX_RATE_LIMIT_WAIT_SECONDS = env_float("CALENDLY_MAX_RATE_LIMIT_WAIT_SECONDS", 120.0)
# ...and a request a person waits on (the sign-in's profile read).
CALENDLY_INTERACTIVE_BUDGET_WAIT_SECONDS = env_float("CALENDLY_INTERACTIVE_BUDGET_WAIT_SECONDS", 5)
# Added to the rate budget's 60 s window: room for latency jitter between us and Calendly.
CALENDLY_RATE_WINDOW_MARGIN_SECONDS = env_float("CALENDLY_RATE_WINDOW_MARGIN_SECONDS", 1.0)
# Keeps apart the rate budgets of deployments (or test runs) sharing one Redis.
CALENDLY_RATE_BUDGET_NAMESPACE = env_str("CALENDLY_RATE_BUDGET_NAMESPACE", "") or ""

# --- Celery -------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "") or ""
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    # A web request that sends a task waits on these when Redis is down: a second or two,
    # then the request says the queue is unavailable (Celery's default retries for ~3 min).
    _SHORT_RETRIES = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": _SHORT_RETRIES}
    CELERY_TASK_PUBLISH_RETRY_POLICY = _SHORT_RETRIES
else:
    # kombu's filesystem transport: a real broker that needs no server, for the demo and tests.
    for folder in ("queue", "processed", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{VAR_DIR / 'celery-results'}"
    (VAR_DIR / "celery-results").mkdir(parents=True, exist_ok=True)
# One queue per kind of work (sync/tasks.py): a worker without -Q serves them in turn, so one
# kind's flood cannot starve the others; "celery", the old default, holds pre-upgrade messages.
CELERY_TASK_QUEUES = [Queue(name) for name in ("interactive", "periodic", "webhooks", "celery")]
CELERY_TASK_DEFAULT_QUEUE = "periodic"
CELERY_TASK_ROUTES = {"webhooks.*": {"queue": "webhooks"}}
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 600)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 660)
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 200)
# A stopped worker finishes its tasks this long, then requeues the rest now, not in an hour.
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = env_float("CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT", 60)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict = {
    "refresh-expiring-tokens": {
        "task": "accounts.refresh_expiring_tokens",
        "schedule": 300.0,
        "options": {"expires": 240},
    },
    "sync-calendly-data": {
        "task": "availability.schedule_periodic_syncs",
        "schedule": SYNC_INTERVAL_MINUTES * 60.0,
        "options": {"expires": max(30, SYNC_INTERVAL_MINUTES * 60 - 30)},
    },
    "check-webhook-subscriptions": {  # recreates one Calendly disabled
        "task": "webhooks.check_subscriptions",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    "clear-expired-sessions": {  # Django's clearsessions (ops/tasks.py)
        "task": "ops.clear_expired_sessions",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
}

# --- Cache (rate-limit counters, shared by every web process) -------------------
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "dashboard",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Rate limits per client address (ops/ratelimit.py) ---------------------------
# django-ratelimit counts; it is not in INSTALLED_APPS, whose system check refuses the file
# cache as not atomic (without Redis the limit is approximate across processes).
def _rate(name: str, default: str) -> str:
    value = env_str(name, default) or default
    if not re.fullmatch(r"\d+/\d*[smhd]", value):
        raise ImproperlyConfigured(f"{name}={value!r} is not a rate such as 30/m")
    return value


RATE_LIMIT_OAUTH_CALLBACK = _rate("RATE_LIMIT_OAUTH_CALLBACK", "30/m")
RATE_LIMIT_WEBHOOKS = _rate("RATE_LIMIT_WEBHOOKS", "600/m")
# The start of a sign-in (POST /accounts/calendly/login/): each one makes a session row.
RATE_LIMIT_SIGN_IN = _rate("RATE_LIMIT_SIGN_IN", "30/m")
# The admin's password login, when ADMIN_ENABLED turns the admin on.
RATE_LIMIT_ADMIN_LOGIN = _rate("RATE_LIMIT_ADMIN_LOGIN", "10/m")
# Proxies in front of the web processes that append to X-Forwarded-For (0: none, the
# client's address is REMOTE_ADDR). Never more than there are: the client writes the rest.
RATE_LIMIT_TRUSTED_PROXIES = env_int("RATE_LIMIT_TRUSTED_PROXIES", 0)

# --- Logging ------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
# One JSON object a line on stdout, with the request id (ops/logs.py); plain text for a terminal.
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} is neither json nor plain")
LOGGING = logging_config(LOG_LEVEL, LOG_FORMAT)

# --- Deployment: request ids, Content-Security-Policy, probes -----------------
# X-Request-ID: an incoming one is kept when it is a UUID (e.g. nginx's $request_id),
# otherwise replaced; sent back on the response and carried into Celery tasks' logs.
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": False,
    "INTEGRATIONS": [CeleryIntegration(use_django_logging=True)],
}
# Scripts and styles only from our own static files (htmx is served from static/, and
# templates/base.html turns off the inline indicator style htmx would otherwise add).
# Forms may post to Calendly's OAuth host: sign-in redirects there after a POST.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Avatars live on Calendly's image hosts (CALENDLY_AVATAR_HOSTS), or on the sandbox.
        "img-src": [SELF, "data:", *(f"https://{h}" for h in CALENDLY_AVATAR_HOSTS),
                    CALENDLY_API_BASE_URL],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF, CALENDLY_AUTH_BASE_URL],
    }
}
# Orchestrators probe over plain http inside the network (ops/health.py answers first anyway).
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$"]
