"""`make bench`: the base settings with what production adds to every request (DEBUG off,
persistent connections with their health check, WhiteNoise), on a disposable PostgreSQL
database (issue 6). Without production's secrets and HTTPS: the bench talks plain HTTP on
loopback.

Not for serving users: it adds the bench-only URLconf (config/urls_bench.py) with the bare
Django view used as the throughput yardstick, and uses the test keyring when no keyring is
configured (synthetic data only).
"""

import os

import dj_database_url

from .base import *  # noqa: F403
from .base import DATABASES, MIDDLEWARE

BENCH_DATABASE_URL = "postgres://fanous:fanous@127.0.0.1:5432/fanous_bench"

DEBUG = False
ROOT_URLCONF = "config.urls_bench"
DATABASES["default"] = dj_database_url.parse(
    os.environ.get("DATABASE_URL", BENCH_DATABASE_URL), conn_max_age=600
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # as config.settings.prod
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]
# Logins of the bench's synthetic users need neither a second factor nor a session limit.
FANOUS_REQUIRE_2FA = False
FANOUS_SESSION_IDLE_MINUTES = 0
FANOUS_SESSION_MAX_HOURS = 0
# Synthetic data only: the public test keyring when no real one is configured.
if not os.environ.get("FANOUS_KEYS") and not os.environ.get("FANOUS_KEYS_FILE"):
    FANOUS_KEYS_TEST_KEYRING = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
