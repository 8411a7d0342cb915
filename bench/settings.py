"""Settings for bench/api_bench.py only: the product's settings plus the bare comparison endpoint."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-never-used-in-production-3f9a1c")

from jiangjin.settings.base import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# Connections live as long as their worker, so that the CPU each PostgreSQL backend spends can be
# attributed to the endpoint under test (the product reconnects every DATABASE_CONN_MAX_AGE seconds).
DATABASES["default"]["CONN_MAX_AGE"] = None  # noqa: F405
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
