"""Forms of the correction pages: the child's details, the registration, a household member.

Parsing only. The fields are the intake wizard's (fanous/web/forms_intake.py), so a value
reads and checks the same way when it is first entered and when it is corrected; the rules
(birth date, hours, permissions, versions) are the services'.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fanous.cases.models import Sex
from fanous.cases.services.intake import CHILD_EDITABLE, REGISTRATION_FIELDS

from .forms_intake import ChildForm, IntakeForm, RegistrationForm

YES_NO_UNKNOWN = [("yes", _("Yes")), ("no", _("No")), ("", _("Not known"))]

# The relations the API accepts (fanous.cases.schemas.HouseholdMemberIn).
MEMBER_RELATIONS = [
    ("sibling", _("Brother or sister")),
    ("mother", _("Mother")),
    ("father", _("Father")),
    ("grandparent", _("Grandparent")),
    ("uncle_aunt", _("Uncle or aunt")),
    ("spouse", _("Spouse")),
    ("other", _("Other")),
]


def _keep_current_choice(form: forms.BaseForm, name: str, value: Any) -> None:
    """A value written through the API that the list does not offer is kept, not lost."""
    field = form.fields[name]
    if not value or not isinstance(field, forms.ChoiceField):
        return
    choices = list(field.choices)  # type: ignore[arg-type]
    if value not in {code for code, _label in choices}:
        field.choices = [*choices, (value, value)]


class ChangesMixin:
    """The fields whose cleaned value differs from the stored one."""

    stored: dict[str, Any]
    cleaned_data: dict[str, Any]
    editable: tuple[str, ...]

    def changes(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in self.editable
            if name in self.cleaned_data and self.cleaned_data[name] != self.stored.get(name)
        }


class ChildEditForm(ChangesMixin, IntakeForm):
    """The child's identity as identified; only the fields that change are sent."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    given_name = ChildForm.base_fields["given_name"]
    father_name = ChildForm.base_fields["father_name"]
    grandfather_name = ChildForm.base_fields["grandfather_name"]
    family_name = ChildForm.base_fields["family_name"]
    sex = ChildForm.base_fields["sex"]
    birth_date = ChildForm.base_fields["birth_date"]
    birth_date_estimated = ChildForm.base_fields["birth_date_estimated"]
    nationality = ChildForm.base_fields["nationality"]
    legal_status = ChildForm.base_fields["legal_status"]
    disability = forms.BooleanField(label=_("The child has a disability"), required=False)
    phone = ChildForm.base_fields["phone"]
    languages = forms.CharField(label=_("Languages spoken"), max_length=120, required=False)
    current_address = ChildForm.base_fields["current_address"]

    editable = CHILD_EDITABLE

    def __init__(self, *args: Any, stored: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stored = stored
        for name in ("nationality", "legal_status"):
            _keep_current_choice(self, name, stored.get(name))


class RegistrationEditForm(ChangesMixin, RegistrationForm):
    """The registration wizard's fields, prefilled with what was registered."""

    editable = REGISTRATION_FIELDS

    def __init__(self, *args: Any, stored: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stored = stored
        _keep_current_choice(self, "education_status", stored.get("education_status"))
        for name in ("hours_per_day", "days_per_week"):
            # The browser helps; the service has the last word on the range.
            self.fields[name].widget.attrs.update({"min": 0})
        self.fields["hours_per_day"].widget.attrs["max"] = 24
        self.fields["days_per_week"].widget.attrs["max"] = 7


class YesNoUnknownField(forms.TypedChoiceField):
    """Yes / No / Not known: True, False or None."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=YES_NO_UNKNOWN,
            coerce=lambda v: v == "yes",
            empty_value=None,
            required=False,
            widget=forms.RadioSelect,
            **kwargs,
        )


class HouseholdMemberForm(IntakeForm):
    """Another person of the child's household (SPEC §5), notably another child."""

    member_id = forms.UUIDField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=200)
    relation = forms.ChoiceField(label=_("Relation to the child"), choices=MEMBER_RELATIONS)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    is_caregiver = forms.BooleanField(label=_("Is a caregiver of the child"), required=False)
    works = YesNoUnknownField(label=_("Works"))
    in_school = YesNoUnknownField(label=_("Goes to school"))
    protection_concerns = forms.CharField(
        label=_("Protection concerns"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def member_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "member_id"}
