"""Forms of the intake wizard (SPEC §3). They parse input only: every rule is the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fanous.cases.models import Consent, Sex
from fanous.cases.services.intake import IMMEDIATE_NEEDS
from fanous.domain.sop import Sop

NEED_LABELS = {
    "medical": _("Medical help"),
    "food": _("Food"),
    "shelter": _("Shelter"),
    "protection": _("Protection from immediate danger"),
    "psychosocial": _("Psychosocial support"),
    "other": _("Other"),
}

SOURCE_CHOICES = [
    ("outreach", _("Outreach")),
    ("helpline", _("Helpline")),
    ("referral", _("Referral from another agency")),
    ("walk_in", _("Walk-in")),
]

NATIONALITY_CHOICES = [
    ("", "—"),
    ("SY", _("Syria")),
    ("JO", _("Jordan")),
    ("IQ", _("Iraq")),
    ("PS", _("Palestine")),
    ("LB", _("Lebanon")),
    ("YE", _("Yemen")),
    ("SD", _("Sudan")),
    ("EG", _("Egypt")),
    ("other", _("Other")),
]

LEGAL_STATUS_CHOICES = [
    ("", "—"),
    ("refugee", _("Refugee")),
    ("asylum_seeker", _("Asylum seeker")),
    ("host", _("Host community")),
    ("idp", _("Internally displaced")),
    ("migrant", _("Migrant")),
    ("stateless", _("Stateless")),
]

EDUCATION_CHOICES = [
    ("", "—"),
    ("enrolled", _("Enrolled and attending")),
    ("irregular", _("Enrolled, attends irregularly")),
    ("out_of_school", _("Dropped out of school")),
    ("never_enrolled", _("Never enrolled")),
]

DECISION_CHOICES = [
    ("yes", _("Given")),
    ("no", _("Refused")),
    ("", _("Not asked yet")),
]

RELATION_CHOICES = [
    ("mother", _("Mother")),
    ("father", _("Father")),
    ("grandparent", _("Grandparent")),
    ("sibling", _("Adult sibling")),
    ("relative", _("Other relative")),
    ("other", _("Other")),
]


class CodesField(forms.MultipleChoiceField):
    """Checkboxes whose codes the service checks (an unknown code is its refusal, not ours)."""

    def valid_value(self, value: Any) -> bool:
        return True


class IntakeForm(forms.Form):
    """Bootstrap classes and, after a refusal, aria-invalid on the fields concerned."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.RadioSelect):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    def flag_errors(self) -> None:
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = attrs.get("class", "") + " is-invalid"
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self.add_prefix(name)}-error"


class SearchForm(IntakeForm):
    name = forms.CharField(label=_("Child's name"), max_length=200, required=False)
    age_or_year = forms.IntegerField(
        label=_("Age or birth year (approximate)"),
        required=False,
        min_value=0,
        max_value=2100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    caregiver = forms.CharField(label=_("Caregiver's name"), max_length=200, required=False)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)


class NeedsForm(IntakeForm):
    needs = CodesField(
        label=_("Immediate needs"),
        required=False,
        choices=[(code, NEED_LABELS.get(code, code)) for code in IMMEDIATE_NEEDS],
        widget=forms.CheckboxSelectMultiple,
    )
    needs_notes = forms.CharField(
        label=_("What was done, or needs to be done, right away"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ChildForm(IntakeForm):
    given_name = forms.CharField(label=_("Given name"), max_length=80)
    father_name = forms.CharField(label=_("Father's name"), max_length=80, required=False)
    grandfather_name = forms.CharField(label=_("Grandfather's name"), max_length=80, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=80, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    birth_date = forms.DateField(
        label=_("Birth date"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    birth_date_estimated = forms.BooleanField(
        label=_("The birth date is estimated"), required=False
    )
    nationality = forms.ChoiceField(
        label=_("Nationality"), choices=NATIONALITY_CHOICES, required=False
    )
    legal_status = forms.ChoiceField(
        label=_("Legal status"), choices=LEGAL_STATUS_CHOICES, required=False
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "dir": "ltr", "autocomplete": "off"}),
    )
    current_address = forms.CharField(label=_("Address"), max_length=300, required=False)
    source = forms.ChoiceField(
        label=_("How the child was identified"), choices=SOURCE_CHOICES, initial="outreach"
    )
    eligibility_criteria = CodesField(
        label=_("Eligibility criteria the child meets"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, sop: Sop, lang: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        criteria = self.fields["eligibility_criteria"]
        assert isinstance(criteria, CodesField)
        criteria.choices = [(c.code, c.label.get(lang)) for c in sop.eligibility.criteria]

    def child_data(self) -> dict[str, Any]:
        names = (
            "given_name",
            "father_name",
            "grandfather_name",
            "family_name",
            "sex",
            "birth_date",
            "birth_date_estimated",
            "nationality",
            "legal_status",
            "phone",
            "current_address",
        )
        return {n: self.cleaned_data[n] for n in names}


class ConsentForm(IntakeForm):
    """One decision per purpose and giver; who the caregiver is and how consent was given."""

    caregiver_name = forms.CharField(label=_("Caregiver's name"), max_length=200, required=False)
    caregiver_relation = forms.ChoiceField(
        label=_("Relation to the child"), choices=RELATION_CHOICES, required=False
    )
    method = forms.ChoiceField(
        label=_("How consent was given"), choices=Consent.Method.choices, initial="verbal"
    )
    recorded_on = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    batch = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, sop: Sop, lang: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.purposes: list[dict[str, Any]] = []
        for purpose in sop.consent_purposes:
            row: dict[str, Any] = {
                "purpose": purpose,
                "label": purpose.label.get(lang),
                "fields": [],
                "decisions": [],
            }
            for giver in (Consent.Giver.CAREGIVER, Consent.Giver.CHILD):
                name = f"{giver.value}__{purpose.code}"
                self.fields[name] = forms.ChoiceField(
                    label=giver.label,
                    choices=DECISION_CHOICES,
                    required=False,
                    initial="",
                    widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                )
                row["fields"].append(name)
                row["decisions"].append((giver.value, self[name]))
            self.purposes.append(row)

    def decisions(self) -> list[tuple[str, str, bool]]:
        """(purpose, giver, given) for each decision recorded in this form."""
        out = []
        for row in self.purposes:
            for name in row["fields"]:
                value = self.cleaned_data.get(name)
                if value in ("yes", "no"):
                    giver, purpose = name.split("__", 1)
                    out.append((purpose, giver, value == "yes"))
        return out

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not self.decisions():
            raise forms.ValidationError(
                _("Record at least one decision: consent given or refused."), code="empty"
            )
        return data


class RegistrationForm(IntakeForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    workplace_name = forms.CharField(label=_("Workplace name"), max_length=200, required=False)
    workplace_location = forms.CharField(
        label=_("Workplace location"), max_length=300, required=False
    )
    workplace_contact = forms.CharField(
        label=_("Workplace contact"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    work_type = forms.CharField(label=_("Type of work"), max_length=64, required=False)
    tasks = forms.CharField(
        label=_("Tasks"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    hours_per_day = forms.IntegerField(
        label=_("Hours of work per day"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    days_per_week = forms.IntegerField(
        label=_("Days of work per week"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    whereabouts_when_not_working = forms.CharField(
        label=_("Where the child is when not working"), max_length=300, required=False
    )
    concern_hazardous_work = forms.BooleanField(
        label=_("Concern: hazardous or dangerous work"), required=False
    )
    education_status = forms.ChoiceField(
        label=_("Education status"), choices=EDUCATION_CHOICES, required=False
    )
    immediate_protection_risks = forms.CharField(
        label=_("Immediate protection risks"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    health_wellbeing = forms.CharField(
        label=_("The child's health and wellbeing"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def registration_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class NotEligibleForm(IntakeForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why the child is not eligible (as explained to the family)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    referred_to = forms.CharField(
        label=_("Service the child and family are referred to"), max_length=200, required=False
    )
    feedback = forms.CharField(
        label=_("Feedback to the referring agency"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
