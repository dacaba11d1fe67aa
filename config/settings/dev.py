"""Local development: `make run`."""

from .base import *  # noqa: F403
from .base import BASE_DIR, FANOUS_KEYS_FILE

DEBUG = True

# E-mail copies of notifications are printed by the worker (`manage.py db_worker`).
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# The demo users (`make run`) log in with their password only; turn this on to try the
# two-factor enrolment (supervisors, agency admins and coordinators are then sent to it).
FANOUS_REQUIRE_2FA = False

# Encryption keys: var/keys.json (git-ignored), created with fresh random keys on first use.
FANOUS_KEYS_FILE = FANOUS_KEYS_FILE or str(BASE_DIR / "var" / "keys.json")
FANOUS_KEYS_AUTOCREATE = True
