"""Test settings: only overrides. The suite runs on DATABASE_URL (PostgreSQL in CI)."""

import os
import tempfile
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-for-production")

from jiangjin.settings.base import *  # noqa: F403
from jiangjin.settings.base import VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Real files on disk, in a folder of this run's own.
    "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tempfile.mkdtemp(prefix="jiangjin-test-attachments-")},
    },
}
# Tests call tasks in-process unless they start a real worker themselves.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Whitenoise wants its root to exist; the tests serve nothing from it.
STATIC_ROOT = VAR_DIR / "test-static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True

if CACHE_URL:  # noqa: F405
    # Tests clear the cache between them (throttles start fresh), and clearing empties its whole Redis
    # database: keep it off the broker's.
    _parts = urlsplit(CACHE_URL)  # noqa: F405
    _db = int(_parts.path.lstrip("/") or 0)
    CACHES["default"]["LOCATION"] = urlunsplit(_parts._replace(path=f"/{_db - 1 if _db else 1}"))  # noqa: F405

# The test client speaks plain HTTP: production's HTTPS redirect would answer every request with a 301.
SECURE_SSL_REDIRECT = False
# The API parses JSON bodies only (an upload says format="multipart"): the test client sends what it accepts.
REST_FRAMEWORK = {**REST_FRAMEWORK, "TEST_REQUEST_DEFAULT_FORMAT": "json"}  # noqa: F405
# The schema and docs as the demo serves them; tests of the production default switch it off themselves.
JIANGJIN_API_DOCS_PUBLIC = True
