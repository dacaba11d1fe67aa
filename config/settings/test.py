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

# The suite logs users in with force_login, the browser `login` fixture and ApiToken.issue:
# the tests of fanous/accounts/tests/test_auth_*.py turn these on where they check them.
FANOUS_REQUIRE_2FA = False
FANOUS_SESSION_IDLE_MINUTES = 0
FANOUS_SESSION_MAX_HOURS = 0

# The fixed, public TEST-ONLY keyring of fanous/core/crypto.py (never for real data); the
# key tests switch keyrings with override_settings(FANOUS_KEYS=...).
FANOUS_KEYS = ""
FANOUS_KEYS_FILE = ""
FANOUS_KEYS_TEST_KEYRING = True
