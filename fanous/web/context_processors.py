from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language, get_language_bidi


def ui(request: HttpRequest) -> dict[str, Any]:
    """Language and direction for base.html; the user's digit preference."""
    user = getattr(request, "user", None)
    return {
        "ui_lang": get_language(),
        "ui_rtl": get_language_bidi(),
        "ui_arabic_digits": bool(user and user.is_authenticated and user.arabic_digits),
    }
