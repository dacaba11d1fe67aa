"""Production: every secret and the database come from the environment.

Run any number of these app servers (gunicorn) behind a reverse proxy, all on one
PostgreSQL. They keep no state of their own: sessions and tokens live in the database.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, FANOUS_KEYS, FANOUS_KEYS_FILE, MIDDLEWARE

DEBUG = False
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
ALLOWED_HOSTS = [h.strip() for h in os.environ["DJANGO_ALLOWED_HOSTS"].split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
if not os.environ.get("DATABASE_URL"):
    raise RuntimeError("DATABASE_URL must point at PostgreSQL in production")
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Encryption at rest: refuse to start without the keyring (FANOUS_KEYS or FANOUS_KEYS_FILE).
if not FANOUS_KEYS and not (FANOUS_KEYS_FILE and Path(FANOUS_KEYS_FILE).is_file()):
    raise ImproperlyConfigured(
        "Set FANOUS_KEYS (the keyring as JSON) or FANOUS_KEYS_FILE (the path of an existing "
        "key file): Fanous does not start without its encryption keys. See SECURITY.md."
    )

# WhiteNoise serves the collected static files, so the proxy needs no file access.
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("DJANGO_SECURE_SSL_REDIRECT", "1") == "1"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
