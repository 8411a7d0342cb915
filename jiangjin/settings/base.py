"""Settings read from the environment.

Defaults give a zero-setup demo (SQLite, an embedded Celery broker on the local disk); production sets
DATABASE_URL, REDIS_URL and DJANGO_SECRET_KEY, and refuses to start without the secret key.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("JIANGJIN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
# Demo mode allows the well-known demo logins; nothing else may create them.
DEMO_MODE = env_bool("JIANGJIN_DEMO", False)

_INSECURE_KEY = "insecure-development-key-never-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or DEMO_MODE:
        SECRET_KEY = _INSECURE_KEY
    else:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production needs a long random secret key; "
            "set DJANGO_DEBUG=1 or JIANGJIN_DEMO=1 only on a development machine."
        )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if (DEBUG or DEMO_MODE) else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",  # API tokens stored hashed, with an expiry (services/accounts/tokens.py)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc as static files: nothing from a CDN
    "csp",
    "django_celery_beat",
    "django_htmx",
    "axes",
    "auditlog",
    "services.core",
    "services.accounts",
    "services.workcalendar",
    "services.departments",
    "services.enterprises",
    "services.notifications",
    "services.issues",
    "services.visits",
    "services.reports",
    "services.demo",
    "services.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "services.core.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Records who made each audited change (the actor of django-auditlog's entries).
    "auditlog.middleware.AuditlogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: turns a login refused for too many failures into the login page with the waiting time.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jiangjin.urls"
WSGI_APPLICATION = "jiangjin.wsgi.application"
ASGI_APPLICATION = "jiangjin.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # templates/admin/: Django's admin templates made accessible (README: Accessibility)
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "services.web.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'jiangjin.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        # A kept connection is tested before a request reuses it: one the server ended while it was idle (a
        # restart, pg_terminate_backend, a failover) is replaced instead of failing the request with a 500.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side parameters let psycopg prepare the statements a connection repeats (after
    # DATABASE_PREPARE_THRESHOLD runs), so PostgreSQL stops planning the same list and detail queries on every
    # request: bench/README.md measured planning at more than half of their database time. Behind a
    # transaction-pooling PgBouncer older than 1.21 (no max_prepared_statements), set it empty to turn
    # preparing off.
    threshold = os.environ.get("DATABASE_PREPARE_THRESHOLD", "5").strip()
    if threshold and not threshold.isdigit():
        raise ImproperlyConfigured(
            "DATABASE_PREPARE_THRESHOLD must be a whole number, or empty to turn it off."
        )
    DATABASES["default"]["OPTIONS"] = {
        "server_side_binding": True,
        "prepare_threshold": int(threshold) if threshold else None,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's web server and Celery worker share one file. WAL lets readers go on while one writer
    # writes; IMMEDIATE transactions take the write lock when they begin, so a transaction that read first
    # never fails to upgrade its lock ("database is locked") but waits its turn, up to the busy timeout.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": int(os.environ.get("JIANGJIN_SQLITE_BUSY_TIMEOUT", "20")),
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# API tokens: a new one per login, valid JIANGJIN_TOKEN_TTL_DAYS days, stored as a digest only.
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=int(os.environ.get("JIANGJIN_TOKEN_TTL_DAYS", "30"))),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
# Web sessions: JIANGJIN_SESSION_HOURS after signing in, or until the browser closes with
# JIANGJIN_SESSION_AT_BROWSER_CLOSE=1.
# Database sessions whose per-request read is written out (services/accounts/sessions.py).
SESSION_ENGINE = "services.accounts.sessions"
SESSION_COOKIE_AGE = int(float(os.environ.get("JIANGJIN_SESSION_HOURS", "12")) * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("JIANGJIN_SESSION_AT_BROWSER_CLOSE", False)
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username or address before any password is checked.
    "services.accounts.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Administrators' changes to the reference data leave an audit trail (django-auditlog): who, when, which
# fields from what to what. Browsable in the admin under 审计日志 / Audit log. Passwords are masked.
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    {"model": "accounts.User", "exclude_fields": ["last_login"], "mask_fields": ["password"]},
    "departments.Unit",
    "enterprises.Enterprise",
    "enterprises.SpecialistAssignment",
    "reports.AnnualTarget",
    "workcalendar.CalendarYear",
    "workcalendar.CalendarOverride",
    "issues.IssuePolicy",
    "issues.Category",
)
# Failed logins (the site's, the admin's, the API token's): JIANGJIN_LOGIN_FAILURE_LIMIT failures per username
# and per client address lock that username and that address for JIANGJIN_LOGIN_COOLOFF_MINUTES. Counted in
# the database by django-axes, so every web process sees them; administrators clear them in the admin.
AXES_ENABLED = env_bool("JIANGJIN_LOGIN_LOCKOUT", True)
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("JIANGJIN_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("JIANGJIN_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "services.accounts.lockout.client_address"
AXES_LOCKOUT_CALLABLE = "services.accounts.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
# The demo serves static files straight from the apps; production collects them at build time.
WHITENOISE_USE_FINDERS = DEBUG or DEMO_MODE
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
# Files attached to issues have their own storage. On more than one machine (DESIGN §8: no local-disk state
# the web tier needs) point it at object storage, e.g. an S3-compatible service (Aliyun OSS, Tencent COS,
# MinIO) with django-storages (`pip install .[s3]`):
#   JIANGJIN_ATTACHMENT_STORAGE=storages.backends.s3.S3Storage
#   JIANGJIN_ATTACHMENT_STORAGE_OPTIONS='{"bucket_name": "jiangjin", "endpoint_url": "https://…"}'
# Default: a folder under DJANGO_MEDIA_ROOT (one machine, the demo).
try:
    _attachment_options = json.loads(os.environ.get("JIANGJIN_ATTACHMENT_STORAGE_OPTIONS") or "null")
except json.JSONDecodeError as error:
    raise ImproperlyConfigured(f"JIANGJIN_ATTACHMENT_STORAGE_OPTIONS is not JSON: {error}") from None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    "attachments": {
        "BACKEND": os.environ.get(
            "JIANGJIN_ATTACHMENT_STORAGE", "django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": _attachment_options
        if _attachment_options is not None
        else {"location": str(MEDIA_ROOT / "attachments")},
    },
}
# The largest attachment accepted; the reverse proxy's body limit (nginx client_max_body_size) must allow it.
JIANGJIN_ATTACHMENT_MAX_BYTES = int(os.environ.get("JIANGJIN_ATTACHMENT_MAX_MB", "20")) * 1024 * 1024

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if (DEBUG or DEMO_MODE)
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "江津区企业服务平台 <noreply@localhost>")

# Scripts, styles, images and connections from this origin only; no inline script on any page. The admin and
# the API documentation get their few allowances in services.core.security.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

if not DEBUG and not DEMO_MODE:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # HTTPS only, by default. Behind a proxy that already redirects and sends HSTS, turn these off with
    # DJANGO_SECURE_SSL_REDIRECT=0 and DJANGO_SECURE_HSTS_SECONDS=0.
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
    if not SECURE_SSL_REDIRECT or not SECURE_HSTS_SECONDS:
        # The proxy in front does it (the setting says so); check --deploy need not warn about it.
        SILENCED_SYSTEM_CHECKS = ["security.W004", "security.W008"]

# /api/schema/, /api/docs/ and /api/redoc/: public in the demo and in development, signed-in users only in
# production unless JIANGJIN_API_DOCS_PUBLIC=1.
JIANGJIN_API_DOCS_PUBLIC = env_bool("JIANGJIN_API_DOCS_PUBLIC", DEBUG or DEMO_MODE)

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport so the demo needs no server.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # max_retries 0: a publish while Redis is down fails at once (the event row is the outbox), while a
    # running worker still reconnects by itself when Redis returns.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": 3600, "max_retries": 0}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
        # The folder is polled; once a second would leave a burst of notifications queued for minutes.
        "polling_interval": 0.2,
    }
    for _folder in ("queue", "processed", "control"):
        (CELERY_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Copied into django-celery-beat's tables at start, where administrators can change the timing.
CELERY_BEAT_SCHEDULE = {
    "issues.sweep_clocks": {"task": "issues.sweep_clocks", "schedule": 60.0},
    "issues.notify_pending_events": {"task": "issues.notify_pending_events", "schedule": 60.0},
    "notifications.send_due_deliveries": {"task": "notifications.send_due_deliveries", "schedule": 60.0},
    # In December, asks the administrators once to enter next year's holidays if nobody has.
    "workcalendar.remind_to_enter_next_year": {
        "task": "workcalendar.remind_to_enter_next_year",
        "schedule": crontab(hour=9, minute=0),
    },
    "notifications.send_digests": {
        "task": "notifications.send_digests",
        "schedule": crontab(hour=8, minute=30),  # the task itself skips non-working days
    },
    # Hourly; the task sends only in the quarter's last 10 working days, in working hours, once a quarter.
    "visits.send_coverage_reminders": {
        "task": "visits.send_coverage_reminders",
        "schedule": crontab(minute=5),
    },
    # Daily; freezes each month, quarter and year JIANGJIN_REPORT_FREEZE_WORKING_DAYS working days after it ends.
    "reports.freeze_due_periods": {
        "task": "reports.freeze_due_periods",
        "schedule": crontab(hour=1, minute=30),
    },
    # Every minute: the open period's roll-up days marked by events whose own refresh could not be queued.
    "reports.refresh_rollups": {
        "task": "reports.refresh_rollups",
        "schedule": 60.0,
        "kwargs": {"sweep": True},
    },
}
JIANGJIN_REPORT_FREEZE_WORKING_DAYS = int(os.environ.get("JIANGJIN_REPORT_FREEZE_WORKING_DAYS", "5"))
# Where SMS goes: a class with send(*, phone, text). The default only logs (development and demo).
JIANGJIN_SMS_SENDER = os.environ.get("JIANGJIN_SMS_SENDER", "services.notifications.senders.LoggingSmsSender")
# A user's request never waits long on a broker that is down: the event row is the outbox.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False

# The cache holds the API's throttle counters: shared by every web process (DESIGN §8), so a limit counts per
# user or address, not per process. CACHE_URL, else the Redis of REDIS_URL; only the demo keeps it in memory.
CACHE_URL = os.environ.get("CACHE_URL", "") or REDIS_URL
if CACHE_URL:
    CACHES = {
        "default": {
            # Django's Redis cache that reads as empty while Redis is unreachable (services/core/cache.py).
            "BACKEND": "services.core.cache.ResilientRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "jiangjin",
            "TIMEOUT": 300,
        }
    }


REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # "Token <key>" or "Bearer <key>"; hashed, expiring, revocable (django-rest-knox).
        "services.accounts.tokens.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "services.core.schema.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["services.core.api.FilterBackend"],
    "EXCEPTION_HANDLER": "services.core.api.exception_handler",
    # JSON only, with limits (size, depth, finite numbers): services/core/inputs.py states the rules for raw
    # input. The uploads name their own parsers (multipart); any other body answers 415, as the schema says.
    "DEFAULT_PARSER_CLASSES": ["services.core.inputs.JSONParser"],
    # Reverse proxies in front of gunicorn: throttles take the client's address from X-Forwarded-For, that
    # many hops from the end. 0 (no proxy) trusts only the connection's own address.
    "NUM_PROXIES": int(os.environ.get("DJANGO_NUM_PROXIES", "0")),
    "DEFAULT_THROTTLE_RATES": {
        "login": os.environ.get("JIANGJIN_THROTTLE_LOGIN", "10/min"),
        "filing": os.environ.get("JIANGJIN_THROTTLE_FILING", "30/hour"),
        "upload": os.environ.get("JIANGJIN_THROTTLE_UPLOAD", "60/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    # ASCII: generated clients take their package name from the title.
    "TITLE": "Jiangjin Enterprise Service API",
    "DESCRIPTION": "江津区企业吹哨·部门报到平台 API。/ The API of Jiangjin's enterprise service platform.",
    # Of the API under /api/v1/; README.md's "API changelog" says what each version changed.
    "VERSION": "1.4.0",
    # Request and response models apart: read-only fields never appear in what a client sends.
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name for a choice set that several fields share.
    "ENUM_NAME_OVERRIDES": {
        "VisitConditionEnum": "services.visits.models.Condition",
        "StatusEnum": "services.issues.lifecycle.Status",
        "UrgencyEnum": "services.issues.models.Urgency",
        "OutcomeEnum": "services.issues.models.Outcome",
        "SatisfactionEnum": "services.issues.models.Satisfaction",
        "FigureEnum": "services.reports.models.Figure",
        "EventKindEnum": "services.issues.lifecycle.EVENT_KINDS",
        "ErrorCodeEnum": "services.core.errors.ErrorCode",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "services.core.api.document_unsupported_media_type",
        # services/core/schema.py: what a generated client needs.
        "services.core.schema.declare_binary_downloads",
        "services.core.schema.name_parameter_enums",
        "services.core.schema.drop_blank_enum",
        "services.core.schema.document_invalid_cursor",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
