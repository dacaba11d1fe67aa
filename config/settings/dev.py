"""Local development: `make run`."""

from .base import *  # noqa: F403

DEBUG = True

# E-mail copies of notifications are printed by the worker (`manage.py db_worker`).
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# The demo users (`make run`) log in with their password only; turn this on to try the
# two-factor enrolment (supervisors, agency admins and coordinators are then sent to it).
FANOUS_REQUIRE_2FA = False
