"""Bidi isolation for printed pages (WeasyPrint ignores <bdi> and ``unicode-bidi``).

The Unicode isolate controls do in the text what <bdi> does in a browser: a phone number
stays "+962 79 111 2233" inside an Arabic line, and an Arabic name does not pull the
neighbouring digits and punctuation of an English line into its right-to-left run.
"""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

LRI, FSI, PDI = "\u2066", "\u2068", "\u2069"

# Digits joined by time, range and date separators: "8:00-16:00", "14/03/2013".
_NUMBER_RUN = re.compile(r"\d+(?:[:\-–/.,]\d+)*")


@register.filter
def ltr(value: Any) -> SafeString:
    """Always left to right: phone numbers, references, dates, codes."""
    text = "" if value is None else str(value)
    if not text:
        return mark_safe("")
    return mark_safe(f"{LRI}{conditional_escape(text)}{PDI}")


@register.filter
def isolate(value: Any) -> SafeString:
    """Names and free text: their own direction (first strong letter), cut off from ours."""
    text = "" if value is None else str(value)
    if not text:
        return mark_safe("")
    return mark_safe(f"{FSI}{conditional_escape(text)}{PDI}")


@register.filter
def ltr_numbers(value: Any) -> SafeString:
    """Free text whose number runs stay in order ("8:00-16:00" after Arabic words)."""
    text = "" if value is None else str(value)
    if not text:
        return mark_safe("")
    parts, last = [], 0
    for match in _NUMBER_RUN.finditer(text):
        parts.append(str(conditional_escape(text[last : match.start()])))
        parts.append(f"{LRI}{conditional_escape(match.group(0))}{PDI}")
        last = match.end()
    parts.append(str(conditional_escape(text[last:])))
    return mark_safe(f"{FSI}{''.join(parts)}{PDI}")
