"""The e-mail copy of notifications: after commit, one per notification, in the reader's
language, never for a rolled-back write nor to a user without an address."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from fanous.conftest import World
from fanous.notifications.kinds import MESSAGES, Kind
from fanous.notifications.models import Notification
from fanous.notifications.services import notify

PARAMS = {
    "reference": "AGN-A-2026-000001-R1",
    "service": "مركز التعليم غير النظامي",
    "service_en": "Non-formal education centre",
    "service_fr": "Centre d'éducation non formelle",
}


def _with_email(world: World, name: str, language: str) -> Any:
    user = world.users[name]
    user.email = f"{name}@example.org"
    user.language = language
    user.save(update_fields=["email", "language"])
    return user


@pytest.mark.django_db
def test_one_mail_per_notification_in_each_readers_language_after_commit(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    sam = _with_email(world, "sam", "fr")
    dora = _with_email(world, "dora", "ar")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(
            users=[sam, dora, sam],
            kind=Kind.REFERRAL_RECEIVED,
            params=PARAMS,
            link="/referrals/abc/",
        )
    assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    by_to = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_to) == ["dora@example.org", "sam@example.org"]
    for address, lang in (("sam@example.org", "fr"), ("dora@example.org", "ar")):
        with translation.override(lang):
            text = gettext(MESSAGES[Kind.REFERRAL_RECEIVED]) % {
                "reference": PARAMS["reference"],
                "service": PARAMS["service_fr"] if lang == "fr" else PARAMS["service"],
            }
            subject = gettext("Fanous: %(message)s") % {"message": text}
            hello = gettext("Open it in Fanous:")
        message = by_to[address]
        assert isinstance(message, EmailMultiAlternatives)
        assert message.subject == subject
        assert text in message.body
        assert hello in message.body
        assert "https://fanous.example/referrals/abc/" in message.body
        html, mimetype = message.alternatives[0]
        assert mimetype == "text/html"
        assert f'lang="{lang}"' in str(html)
    dora_mail = by_to["dora@example.org"]
    assert isinstance(dora_mail, EmailMultiAlternatives)
    assert 'dir="rtl"' in str(dora_mail.alternatives[0][0])
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True)
def test_nothing_is_mailed_when_the_transaction_rolls_back(world: World) -> None:
    sam = _with_email(world, "sam", "en")

    class Boom(Exception):
        pass

    def write_then_fail() -> None:
        with transaction.atomic():
            notify(users=[sam], kind=Kind.REFERRAL_REVOKED, params=PARAMS)
            raise Boom

    with pytest.raises(Boom):
        write_then_fail()
    assert mail.outbox == []
    assert Notification.objects.count() == 0
    # The same call that commits sends exactly one mail.
    with transaction.atomic():
        notify(users=[sam], kind=Kind.REFERRAL_REVOKED, params=PARAMS)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sam@example.org"]
    assert "AGN-A-2026-000001-R1" in mail.outbox[0].subject


@pytest.mark.django_db
def test_no_mail_for_a_user_without_an_address_but_the_notification_is_kept(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    bob = world.users["bob"]
    assert bob.email == ""
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(users=[bob], kind=Kind.REFERRAL_REVOKED, params=PARAMS)
    assert mail.outbox == []
    assert len(created) == 1
    created[0].refresh_from_db()
    assert created[0].emailed_at is None


@pytest.mark.django_db
def test_a_mail_is_never_sent_twice_for_the_same_notification(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from fanous.notifications.tasks import send_notification_emails

    sam = _with_email(world, "sam", "en")
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(users=[sam], kind=Kind.REFERRAL_REVOKED, params=PARAMS)
    assert len(mail.outbox) == 1
    result = send_notification_emails.enqueue([str(created[0].pk)])
    assert result.return_value == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_refused_mail_is_released_for_a_later_try(
    world: World, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    from fanous.notifications.email import send_emails

    sam = _with_email(world, "sam", "en")
    settings.EMAIL_BACKEND = "fanous.notifications.tests.test_email.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(users=[sam], kind=Kind.REFERRAL_REVOKED, params=PARAMS)
    created[0].refresh_from_db()
    assert created[0].emailed_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_emails([created[0].pk]) == 1
    assert len(mail.outbox) == 1


class RefusingBackend:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise ConnectionRefusedError("smtp down")
