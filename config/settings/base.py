"""Settings shared by every environment. Environment-specific modules import * from here."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.utils.translation import gettext_lazy as _

# Lets admin classes and querysets be subscripted (ModelAdmin[User]) at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = False
ALLOWED_HOSTS: list[str] = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs' Swagger UI from local static files, not a CDN
    "django_tasks",
    "django_tasks_db",  # the database task queue (worker: `manage.py db_worker`)
    "fanous.core",
    "fanous.accounts",
    "fanous.audit",
    "fanous.sop",
    "fanous.cases",
    "fanous.referrals",
    "fanous.notifications",
    "fanous.protection",
    "fanous.exports",
    "fanous.web",
    "fanous.synthetic",  # generate_synthetic and the `make bench` harness (issue 6)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "fanous.core.middleware.RequestContextMiddleware",
    "fanous.core.middleware_security.SecurityHeadersMiddleware",
    "fanous.accounts.middleware.SessionTimeoutMiddleware",
    "fanous.accounts.middleware.TwoFactorMiddleware",
    "fanous.web.middleware.UserLanguageMiddleware",
    "fanous.web.middleware.ServiceErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fanous.web.context_processors.ui",
                "fanous.web.context_processors.supervision",
                "fanous.core.middleware_security.csp_nonce",
                "fanous.accounts.middleware.two_factor_context",
            ],
        },
    },
]

# The embedded default is SQLite so that `make run` works on a bare machine;
# production points DATABASE_URL at PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'fanous.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Arabic first.
LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", _("Arabic")), ("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:caseload"
LOGOUT_REDIRECT_URL = "login"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS: list[Path] = []

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"

# Authentication hardening (fanous/accounts/twofactor.py, lockout.py, middleware.py).
# TOTP two-factor is required for these roles (optional for the others).
FANOUS_REQUIRE_2FA = True
FANOUS_2FA_REQUIRED_ROLES = ("supervisor", "agency_admin", "coordinator")
FANOUS_2FA_ISSUER = "Fanous"
# Five failures for one username within 15 minutes lock it for 15 minutes; one address
# gets more tries (an office behind one NAT), then it is throttled too.
FANOUS_LOCKOUT_ATTEMPTS = 5
FANOUS_LOCKOUT_MINUTES = 15
FANOUS_IP_THROTTLE_ATTEMPTS = 50
# A session ends after this much inactivity, and after this long whatever happens (0 = off).
FANOUS_SESSION_IDLE_MINUTES = int(os.environ.get("FANOUS_SESSION_IDLE_MINUTES", "30"))
FANOUS_SESSION_MAX_HOURS = int(os.environ.get("FANOUS_SESSION_MAX_HOURS", "12"))
# Reads of case data are audited on a few hash chains apart from the changes' chain, one
# per server process (modulo this number), so that readers never wait for one lock.
FANOUS_AUDIT_READ_CHAINS = int(os.environ.get("FANOUS_AUDIT_READ_CHAINS", "8"))
# The case page and the caseload run as prepared statements on PostgreSQL
# (fanous.core.prepared). "0" behind a pooler in transaction mode that does not keep them.
FANOUS_PREPARED_STATEMENTS = os.environ.get("FANOUS_PREPARED_STATEMENTS", "1") != "0"

# Encryption at rest (fanous/core/crypto.py, SECURITY.md "Encryption"). The keys live
# outside the database and are never derived from SECRET_KEY: FANOUS_KEYS holds the keyring
# as JSON, or FANOUS_KEYS_FILE names a JSON file holding it (readable by the app only).
FANOUS_KEYS = os.environ.get("FANOUS_KEYS", "")
FANOUS_KEYS_FILE = os.environ.get("FANOUS_KEYS_FILE", "")
FANOUS_KEYS_AUTOCREATE = False  # dev only: create the key file with fresh keys
FANOUS_KEYS_TEST_KEYRING = False  # test settings only: the public TEST keyring

# Limits on what a client may send (bad input gets a clear 4xx, never a 500).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# API tokens expire; a phone that has been offline for a fortnight logs in again.
FANOUS_TOKEN_TTL_HOURS = int(os.environ.get("FANOUS_TOKEN_TTL_HOURS", str(24 * 14)))

# Background work (e-mail copies of notifications, overdue reminders) goes through a queue
# kept in the database: no broker to run. A worker executes it: `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# Where users open Fanous: the links in e-mails are built from it.
FANOUS_BASE_URL = os.environ.get("FANOUS_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Fanous <no-reply@localhost>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint reports every rendering step at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# Export files (case lists, inter-agency report) are purged this many days after being built.
FANOUS_EXPORT_DAYS = 7
# Above this many cases, an export runs as a background task (progress on its page).
FANOUS_EXPORT_SYNC_MAX_ROWS = 2000
