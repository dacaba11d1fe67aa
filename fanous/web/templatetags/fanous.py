"""Template helpers: digits per user preference, labels of codes, risk badges."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

from fanous.domain.sop import RiskLevel
from fanous.domain.workflow import Action, CaseStatus

register = template.Library()

_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

RISK_CLASSES = {
    RiskLevel.HIGH: "text-bg-danger",
    RiskLevel.MEDIUM: "text-bg-warning",
    RiskLevel.LOW: "text-bg-info",
    RiskLevel.NONE: "text-bg-secondary",
}


@register.filter
def digits(value: Any, arabic: bool) -> str:
    """Arabic-Indic digits when the user prefers them; Latin otherwise."""
    text = "" if value is None else str(value)
    return text.translate(_ARABIC_INDIC) if arabic else text


@register.filter
def status_label(code: str) -> str:
    try:
        return gettext(CaseStatus(code).label)
    except ValueError:
        return code


@register.filter
def action_label(code: str) -> str:
    try:
        return gettext(Action(code).label)
    except ValueError:
        return code


@register.filter
def risk_label(code: str) -> str:
    try:
        return gettext(RiskLevel(code).label)
    except ValueError:
        return code


@register.simple_tag
def risk_badge(code: str) -> str:
    try:
        level = RiskLevel(code)
    except ValueError:
        return code
    return format_html(
        '<span class="badge rounded-pill {}" data-risk="{}">{}</span>',
        RISK_CLASSES[level],
        level.value,
        gettext(level.label),
    )


@register.filter
def iso(value: date | None) -> str:
    return value.isoformat() if value else ""
