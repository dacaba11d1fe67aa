"""Local development: `make run`."""

from .base import *  # noqa: F403

DEBUG = True

# E-mail copies of notifications are printed by the worker (`manage.py db_worker`).
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
