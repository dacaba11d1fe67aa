"""Agencies, areas, teams and users. Access is derived from these rows at query time."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fanous.domain.roles import Role


class Area(models.Model):
    """Country, governorate, district or camp. SOPs are agreed per area."""

    class Kind(models.TextChoices):
        COUNTRY = "country", _("Country")
        GOVERNORATE = "governorate", _("Governorate")
        DISTRICT = "district", _("District")
        CAMP = "camp", _("Camp")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT)
    name_ar = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)
    name_fr = models.CharField(max_length=120, blank=True)

    def __str__(self) -> str:
        return self.code

    def name(self, lang: str) -> str:
        return getattr(self, f"name_{lang}", "") or self.name_en or self.name_ar

    def sop_area(self) -> Area:
        """The area whose SOP applies: the nearest ancestor of kind country/governorate."""
        node: Area | None = self
        while node is not None:
            if node.kind in (self.Kind.COUNTRY, self.Kind.GOVERNORATE):
                return node
            node = node.parent
        return self


class Agency(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(max_length=32, unique=True)
    name_ar = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    name_fr = models.CharField(max_length=200, blank=True)
    # Where the agency works by default; new cases are opened in this area.
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.code

    def name(self, lang: str) -> str:
        return getattr(self, f"name_{lang}", "") or self.name_en or self.name_ar


class User(AbstractUser):
    class Language(models.TextChoices):
        AR = "ar", _("Arabic")
        EN = "en", _("English")
        FR = "fr", _("French")

    role = models.CharField(max_length=32, choices=[(r.value, r.value) for r in Role])
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.AR)
    arabic_digits = models.BooleanField(default=False)
    phone = models.CharField(max_length=32, blank=True)

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


class Team(models.Model):
    """A supervisor and the caseworkers they supervise, within one agency."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=120)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervised_teams"
    )

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="uniq_team_member")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.team_id}"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def valid(self) -> ApiTokenQuerySet:
        return self.filter(expires_at__gt=timezone.now(), revoked_at__isnull=True)


class ApiToken(models.Model):
    """Bearer token for the API; only its hash is stored."""

    key_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"token of {self.user_id}"

    @classmethod
    def issue(cls, user: User) -> tuple[ApiToken, str]:
        raw = secrets.token_urlsafe(32)
        token = cls.objects.create(
            key_hash=_hash_token(raw),
            user=user,
            expires_at=timezone.now() + timedelta(hours=settings.FANOUS_TOKEN_TTL_HOURS),
        )
        return token, raw

    @classmethod
    def lookup(cls, raw: str) -> ApiToken | None:
        return cls.objects.valid().select_related("user").filter(key_hash=_hash_token(raw)).first()


# Authentication state (two-factor, lock-out) lives in its own module.
from fanous.accounts.models_auth import (  # noqa: E402
    LoginFailure,
    LoginLock,
    RecoveryCode,
    TwoFactorDevice,
)

__all__ = [
    "Agency",
    "ApiToken",
    "Area",
    "LoginFailure",
    "LoginLock",
    "RecoveryCode",
    "Team",
    "TeamMembership",
    "TwoFactorDevice",
    "User",
]
