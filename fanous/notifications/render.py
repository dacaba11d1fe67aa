"""A notification's text in the active language."""

from __future__ import annotations

from typing import Any

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from fanous.core.errors import _label, translate
from fanous.notifications.kinds import MESSAGES, VARIANTS, Kind
from fanous.notifications.models import Notification


def localized_params(params: dict[str, Any], lang: str) -> dict[str, Any]:
    """Params in the reader's language: ``service_en`` stands in for ``service`` in English.

    Services store names in every language they have (``service``, ``service_en``,
    ``service_fr``), because one notification is read in the reader's language of the day.
    """
    lang = (lang or "ar")[:2]
    out = dict(params)
    for key in params:
        variant = params.get(f"{key}_{lang}")
        if variant:
            out[key] = variant
    return out


def _message(note: Notification) -> tuple[str | None, dict[str, Any]]:
    try:
        kind = Kind(note.kind)
    except ValueError:
        return None, {}
    params = note.params if isinstance(note.params, dict) else {}
    message = next(
        (
            msgid
            for (k, name, value), msgid in VARIANTS.items()
            if k is kind and params.get(name) == value
        ),
        MESSAGES[kind],
    )
    return message, localized_params(params, get_language() or "ar")


def notification_text(note: Notification) -> str:
    """What the notification says, translated into the active language."""
    message, params = _message(note)
    if message is None:
        return note.kind
    return translate(message, params)


def notification_html(note: Notification) -> SafeString:
    """The same text for a page: each value isolated in ``<bdi>``, so that an Arabic name in
    an English sentence (or a Latin reference in an Arabic one) keeps its order."""
    message, params = _message(note)
    if message is None:
        return conditional_escape(note.kind)
    values = {k: format_html("<bdi>{}</bdi>", _label(k, v)) for k, v in params.items()}
    try:
        return mark_safe(conditional_escape(gettext(message)) % values)
    except (KeyError, TypeError, ValueError):
        return conditional_escape(translate(message, params))
