"""Template helpers of the service map pages: SOP labels and names in the page's language."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_label(labels: Any, lang: str) -> str:
    """An SOP label (ar/en/fr) in ``lang``, else English, else Arabic."""
    if labels is None:
        return ""
    return str(labels.get(lang or "ar"))


@register.filter
def provider_name(provider: Any, lang: str) -> str:
    return str(provider.name(lang or "ar"))
