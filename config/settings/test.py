"""The test suite: `make test` (SQLite by default, PostgreSQL when DATABASE_URL says so)."""

from .base import *  # noqa: F403
from .base import DATABASES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE"}
DATABASES["default"]["CONN_MAX_AGE"] = 0
LANGUAGE_CODE = "en"

# Tasks run at once, in the test's thread (after the transaction commits, like the worker).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
FANOUS_BASE_URL = "https://fanous.example"
