"""Forms of the service map pages. They parse; fanous.referrals.services decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fanous.accounts.models import Agency, Area
from fanous.domain.sop.referrals import ReferralPolicy
from fanous.referrals.services.providers import ProviderData

# Reason codes of the service -> the form field they are shown under.
REASON_FIELDS = {
    "provider_agency_unknown": "agency",
    "provider_agency_not_yours": "agency",
    "provider_area_unknown": "area",
    "provider_name_ar_missing": "name_ar",
    "provider_sector_unknown": "sector",
    "provider_service_types_missing": "service_types",
    "provider_service_type_unknown": "service_types",
    "provider_email_invalid": "email",
    "provider_language_invalid": "languages",
    "provider_accepts_from_unknown": "accepts_from",
    "provider_capacity_negative": "capacity",
}


def _split(text: str) -> tuple[str, ...]:
    parts = text.replace("،", ",").replace(";", ",").replace(" ", ",").split(",")
    return tuple(p.strip().lower() for p in parts if p.strip())


class ProviderForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    record_id = forms.UUIDField(widget=forms.HiddenInput, required=False)
    name_ar = forms.CharField(label=_("Name in Arabic"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name in English"), max_length=200, required=False)
    name_fr = forms.CharField(label=_("Name in French"), max_length=200, required=False)
    agency = forms.ChoiceField(label=_("Agency running the service"))
    area = forms.ChoiceField(label=_("Area"))
    sector = forms.ChoiceField(label=_("Sector"))
    service_types = forms.MultipleChoiceField(
        label=_("Service types"), widget=forms.CheckboxSelectMultiple, required=False
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.CharField(label=_("Email"), max_length=254, required=False)
    contact_person = forms.CharField(label=_("Contact person"), max_length=120, required=False)
    languages = forms.CharField(
        label=_("Languages spoken"),
        help_text=_("Language codes separated by commas: ar, en, fr, ku..."),
        max_length=100,
        required=False,
    )
    opening_hours = forms.CharField(label=_("Opening hours"), max_length=200, required=False)
    eligibility = forms.CharField(
        label=_("Eligibility"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    accepts_from = forms.MultipleChoiceField(
        label=_("Accepts referrals from"),
        help_text=_("Tick none when the service takes referrals from every agency."),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    capacity = forms.IntegerField(
        label=_("Capacity (places per month)"),
        help_text=_("Leave empty when not known; 0 when the service is full."),
        required=False,
    )
    in_app = forms.BooleanField(label=_("The service uses Fanous"), required=False)
    is_active = forms.BooleanField(label=_("Active on the service map"), required=False)
    notes = forms.CharField(
        label=_("Notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        policy: ReferralPolicy | None,
        agencies: list[Agency],
        all_agencies: list[Agency],
        areas: list[Area],
        lang: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["agency"].choices = [(a.code, a.name(lang)) for a in agencies]
        fields["area"].choices = [(a.code, a.name(lang)) for a in areas]
        fields["accepts_from"].choices = [(a.code, a.name(lang)) for a in all_agencies]
        if policy is not None:
            fields["sector"].choices = [("", "—")] + [
                (s.code, s.label.get(lang)) for s in policy.sectors
            ]
            fields["service_types"].choices = [
                (s.code, s.label.get(lang)) for s in policy.service_types
            ]
        for name, field in fields.items():
            if isinstance(field.widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                field.widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "form-select")
            elif not isinstance(field.widget, forms.HiddenInput):
                field.widget.attrs.setdefault("class", "form-control")
            if name in ("phone", "email", "languages", "capacity", "name_en", "name_fr"):
                field.widget.attrs["dir"] = "ltr"
            elif name in ("address", "eligibility", "notes", "opening_hours", "contact_person"):
                field.widget.attrs["dir"] = "auto"
        fields["name_ar"].widget.attrs["dir"] = "rtl"
        fields["name_ar"].widget.attrs["lang"] = "ar"

    def data_of(self) -> ProviderData:
        c = self.cleaned_data
        return ProviderData(
            agency=c["agency"],
            area=c["area"],
            name_ar=c["name_ar"] or "",
            name_en=c["name_en"] or "",
            name_fr=c["name_fr"] or "",
            sector=c["sector"] or "",
            service_types=tuple(c["service_types"] or ()),
            address=c["address"] or "",
            phone=c["phone"] or "",
            email=c["email"] or "",
            contact_person=c["contact_person"] or "",
            languages=_split(c["languages"] or ""),
            opening_hours=c["opening_hours"] or "",
            eligibility=c["eligibility"] or "",
            accepts_from=tuple(c["accepts_from"] or ()),
            capacity=c["capacity"],
            in_app=bool(c["in_app"]),
            is_active=bool(c["is_active"]),
            notes=c["notes"] or "",
        )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Service map file (.xlsx)"),
        help_text=_("Start from an exported file: keep its columns and its first rows."),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx"}),
    )
