"""Helpers of the authentication tests: log in through the real door, enrol a device."""

from __future__ import annotations

from typing import Any

from django.test import Client

from fanous.accounts import twofactor
from fanous.accounts.models import User

PASSWORD = "pass-for-tests-123"


def log_in(client: Client, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password, **extra})


def enrol(user: User) -> str:
    """Give the user a confirmed authenticator; returns its secret (for computing codes)."""
    secret = twofactor.new_secret()
    codes = twofactor.enrol(user=user, secret=secret, code=current_code(secret))
    assert codes is not None
    return secret


def current_code(secret: str) -> str:
    return twofactor.totp(secret, twofactor.counter_at())
