"""The e-mail copy of notifications, through Django's e-mail backend.

Each mail is written in its reader's language (``User.language``) and says no more than
the in-app notification: no name, no detail of a case, only a link into Fanous, where the
reader's access decides what they see.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from fanous.notifications.models import Notification
from fanous.notifications.render import notification_text

logger = logging.getLogger(__name__)


def absolute_link(note: Notification) -> str:
    """The notification's target as a full URL (FANOUS_BASE_URL), or the notifications page."""
    path = note.link if note.link.startswith("/") and not note.link.startswith("//") else ""
    return settings.FANOUS_BASE_URL.rstrip("/") + (path or reverse("web:notifications"))


def _message(note: Notification) -> EmailMultiAlternatives:
    user = note.user
    with translation.override(user.language or settings.LANGUAGE_CODE):
        text = notification_text(note)
        context = {
            "name": user.get_full_name() or user.username,
            "text": text,
            "url": absolute_link(note),
            "lang": translation.get_language(),
            "rtl": translation.get_language_bidi(),
        }
        subject = gettext("Fanous: %(message)s") % {"message": text}
        body = render_to_string("notifications/email/notification.txt", context)
        html = render_to_string("notifications/email/notification.html", context)
    mail = EmailMultiAlternatives(
        subject=" ".join(subject.split())[:180],
        body=body,
        to=[user.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    mail.attach_alternative(html, "text/html")
    return mail


def send_emails(ids: Iterable[Any]) -> int:
    """Send each not-yet-mailed notification to its user; how many mails left.

    A notification is claimed (``emailed_at`` set) before its mail is sent, so two workers
    never send it twice; a mail the backend refuses is released for a later try.
    """
    sent = 0
    notes = Notification.objects.filter(
        pk__in=[str(i) for i in ids], emailed_at__isnull=True
    ).select_related("user")
    for note in notes:
        if not note.user.email or not note.user.is_active:
            continue
        claimed = Notification.objects.filter(pk=note.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            continue
        try:
            _message(note).send()
        except Exception:
            logger.exception("notification e-mail %s could not be sent", note.pk)
            Notification.objects.filter(pk=note.pk).update(emailed_at=None)
            continue
        sent += 1
    return sent
