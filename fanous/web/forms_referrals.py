"""Forms of the referral pages: parsing only.

What may be shared, on which ground, to which service, and who may take which step are
decided by fanous.referrals.services.referrals and the domain; these forms only turn the
posted text into values (the choices come from the SOP in force).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fanous.referrals.services.referrals import ACCOMPANIMENT

from .forms_followup import MarkedForm

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}

ACCOMPANIMENT_LABELS: dict[str, Any] = {
    "transport": _("Transport to the service"),
    "translation": _("Interpretation"),
    "forms": _("Help with forms and documents"),
    "escort": _("Escort by the caseworker"),
}
assert set(ACCOMPANIMENT_LABELS) == set(ACCOMPANIMENT)


class ReferralForm(MarkedForm):
    """A new referral. Choices are the SOP's needs, service types and types, and the
    services of the map that offer the chosen type (set by the view)."""

    record_id = forms.UUIDField(widget=forms.HiddenInput)
    plan_action = forms.UUIDField(required=False, widget=forms.HiddenInput)
    need = forms.ChoiceField(label=_("Need"), required=False, widget=forms.Select(attrs=SELECT))
    service_type = forms.ChoiceField(label=_("Service"), widget=forms.Select(attrs=SELECT))
    provider = forms.ChoiceField(label=_("Service provider"), widget=forms.RadioSelect)
    kind = forms.ChoiceField(label=_("Type of referral"), widget=forms.Select(attrs=SELECT))
    sections = forms.MultipleChoiceField(
        label=_("What to share"), required=False, widget=forms.CheckboxSelectMultiple
    )
    override_reason = forms.CharField(
        label=_("Best-interests or safety ground"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
    )
    accompaniment = forms.MultipleChoiceField(
        label=_("Accompaniment"),
        required=False,
        choices=list(ACCOMPANIMENT_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    accompaniment_notes = forms.CharField(
        label=_("Notes on the accompaniment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )
    reason = forms.CharField(
        label=_("Reason for the referral"),
        max_length=4000,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        needs: list[tuple[str, Any]],
        service_types: list[tuple[str, Any]],
        providers: list[tuple[str, str]],
        kinds: list[tuple[str, str]],
        sections: list[tuple[str, str]],
        hx_url: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if hx_url:
            # Changing the need or the service reloads the services offered; changing the
            # type reloads what may be shared (HTMX, the form's current values included).
            for name, target in (
                ("need", "#pathway"),
                ("service_type", "#pathway"),
                ("kind", "#share"),
            ):
                self.fields[name].widget.attrs.update(
                    {
                        "hx-get": hx_url,
                        "hx-trigger": "change",
                        "hx-target": target,
                        "hx-swap": "outerHTML",
                        "hx-include": "#referral-form",
                    }
                )
        for name, choices in (
            ("need", [("", "—"), *needs]),
            ("service_type", service_types),
            ("provider", providers),
            ("kind", kinds),
            ("sections", sections),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices


class ReferralActForm(MarkedForm):
    """One step of a referral; the text a step needs is checked by the service."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )
    outcome = forms.CharField(
        label=_("Outcome of the service"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )
    feedback = forms.CharField(
        label=_("Feedback on the referral"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )
