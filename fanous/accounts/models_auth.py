"""Authentication state: TOTP devices, recovery codes, failed log-ins and lock-outs.

Imported by fanous.accounts.models so that Django registers the models of this app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class TwoFactorDevice(models.Model):
    """A user's confirmed TOTP authenticator. The secret is sealed (see twofactor.seal) and
    never shown again after enrolment."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor"
    )
    secret_sealed = models.CharField(max_length=255)
    confirmed_at = models.DateTimeField(default=timezone.now)
    # The time step of the last code accepted: a code is good once.
    last_counter = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"2fa of {self.user_id}"


class RecoveryCode(models.Model):
    """A one-time code for when the phone is lost; only its keyed hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "code_hash"], name="recovery_user_hash")]

    def __str__(self) -> str:
        return f"recovery code of {self.user_id}"


class LoginFailure(models.Model):
    """A failed log-in (password or second factor), by the username typed, known or not."""

    class Kind(models.TextChoices):
        PASSWORD = "password", "password"
        OTP = "otp", "otp"

    username = models.CharField(max_length=150)
    ip = models.GenericIPAddressField(null=True, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    # Set when the user logs in successfully: the count for the username starts again
    # (the count for the address does not).
    cleared = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["username", "at"], name="loginfail_user_at"),
            models.Index(fields=["ip", "at"], name="loginfail_ip_at"),
        ]

    def __str__(self) -> str:
        return f"failure for {self.username}"


class LoginLock(models.Model):
    """A username locked until a time, after too many failures."""

    username = models.CharField(max_length=150)
    created_at = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["username", "until"], name="loginlock_user_until")]

    def __str__(self) -> str:
        return f"lock of {self.username}"
