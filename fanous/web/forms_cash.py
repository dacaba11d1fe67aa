"""Forms of the emergency cash pages: parsing only; the services check every rule."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fanous.domain.sop.referrals import EmergencyCash

from .forms_followup import DATE, MarkedForm

AMOUNT = forms.TextInput(
    attrs={"class": "form-control num", "inputmode": "decimal", "dir": "ltr", "autocomplete": "off"}
)
_LATIN = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬،", "01234567890123456789.,,")


class AmountField(forms.DecimalField):
    """A decimal typed with Latin or Arabic-Indic digits, with or without thousands commas."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = value.translate(_LATIN).replace(",", "").replace(" ", "").strip()
        return super().to_python(value)


class CashRequestForm(MarkedForm):
    record_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    amount = AmountField(
        label=_("Amount"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=AMOUNT,
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"), widget=forms.Select(attrs={"class": "form-select"})
    )
    note = forms.CharField(
        label=_("Note for the supervisor"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )

    def __init__(self, *args: Any, policy: EmergencyCash, lang: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        purpose: Any = self.fields["purpose"]
        purpose.choices = [("", "—")] + [(p.code, p.label.get(lang)) for p in policy.purposes]


class CashDecisionForm(MarkedForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 1}),
    )


class BudgetForm(MarkedForm):
    record_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    name = forms.CharField(
        label=_("Name"), max_length=120, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    amount = AmountField(
        label=_("Amount allocated"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=AMOUNT,
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)
    is_active = forms.BooleanField(
        label=_("Open for new requests"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
