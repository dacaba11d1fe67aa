"""Money in the emergency cash pages: two decimals, grouped thousands, digits per preference."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()

_ARABIC_INDIC = str.maketrans("0123456789,.", "٠١٢٣٤٥٦٧٨٩٬٫")


@register.filter
def money(value: Any, arabic: bool = False) -> str:
    """``1234.5`` -> ``1,234.50`` (or ``١٬٢٣٤٫٥٠`` for users who prefer Arabic digits)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return str(value)
    text = f"{amount:,.2f}"
    return text.translate(_ARABIC_INDIC) if arabic else text


@register.filter
def cents(value: Any) -> str:
    """The plain amount with two decimals, for data-* attributes and inputs (``4960.00``)."""
    if value is None or value == "":
        return ""
    try:
        return str(Decimal(str(value)).quantize(Decimal("0.01")))
    except InvalidOperation:
        return str(value)
