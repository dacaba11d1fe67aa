"""Forms of the follow-up, review, closure and supervision pages: parsing only.

Every rule (dates, statuses, who may decide, closure criteria) is checked by the services.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fanous.cases.models import FollowUp, Review
from fanous.cases.services.followup import CHECK_VALUES, FOLLOW_UP_CHECKS
from fanous.domain.sop import FollowUpPhase, Sop

# Labels of the follow-up checks of SPEC §8 (codes from services.followup).
CHECK_LABELS: dict[str, Any] = {
    "medical_support_received": _("Medical support received and treatment followed"),
    "injury_prevention": _("Injuries and ill health prevented at home and at work"),
    "school_enrolment_attendance": _("School enrolment, attendance and progress"),
    "employer_mediation_effect": _(
        "Mediation with the employer changed behaviour or working conditions"
    ),
    "safety_equipment_used": _("Safety equipment used"),
    "parents_attitude_changed": _("Change in the parents' behaviour and attitude"),
    "parents_livelihood_participation": _("Parents take part in livelihood programmes"),
    "vocational_training_progress": _(
        "Attendance and progress in vocational training, mentoring or job placement"
    ),
    "other_children_in_household": _("The other children in the household are doing well"),
}
CHECK_ANSWER_LABELS: dict[str, Any] = {
    "yes": _("Yes"),
    "no": _("No"),
    "partly": _("Partly"),
    "n/a": _("N/A"),
}
PHASE_LABELS: dict[str, Any] = {
    FollowUpPhase.INITIAL.value: _("Initial phase"),
    FollowUpPhase.STABLE.value: _("Stable phase: the plan is under way"),
    FollowUpPhase.VISITS_IMPOSSIBLE.value: _("Visits are not possible"),
}


class MarkedForm(forms.Form):
    """Fields with errors get Bootstrap's is-invalid and point to their message."""

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}-error"


DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
TEXT = {"class": "form-control", "rows": 3}


class FollowUpForm(MarkedForm):
    record_id = forms.UUIDField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label=_("Type of follow-up"),
        choices=FollowUp.Kind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    happened_on = forms.DateField(label=_("Date"), widget=DATE)
    child_seen = forms.BooleanField(
        label=_("The child was seen"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs=TEXT)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["record_id"].initial = uuid.uuid4()
        for code in FOLLOW_UP_CHECKS:
            self.fields[f"check_{code}"] = forms.ChoiceField(
                label=CHECK_LABELS.get(code, code),
                choices=[("", _("Not checked"))]
                + [(v, CHECK_ANSWER_LABELS[v]) for v in CHECK_VALUES],
                required=False,
                widget=forms.RadioSelect,
            )

    def check_rows(self) -> list[dict[str, Any]]:
        """The checks with their answers, for the template's radio button groups."""
        rows = []
        for code in FOLLOW_UP_CHECKS:
            bound = self[f"check_{code}"]
            rows.append(
                {
                    "code": code,
                    "name": bound.html_name,
                    "label": bound.label,
                    "value": bound.value() or "",
                    "answers": [(v, CHECK_ANSWER_LABELS[v]) for v in CHECK_VALUES],
                }
            )
        return rows

    def checks(self) -> dict[str, str]:
        return {
            code: self.cleaned_data[f"check_{code}"]
            for code in FOLLOW_UP_CHECKS
            if self.cleaned_data.get(f"check_{code}")
        }


class ReviewForm(MarkedForm):
    record_id = forms.UUIDField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Review.Kind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    participants = forms.CharField(
        label=_("Participants"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )
    summary = forms.CharField(
        label=_("Summary of the discussion"), max_length=4000, widget=forms.Textarea(attrs=TEXT)
    )
    decisions = forms.CharField(
        label=_("Decisions"), required=False, max_length=4000, widget=forms.Textarea(attrs=TEXT)
    )
    follow_up_phase = forms.ChoiceField(
        label=_("Follow-up phase"),
        required=False,
        choices=[("", _("No change"))] + list(PHASE_LABELS.items()),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, kinds: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["record_id"].initial = uuid.uuid4()
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]


class ClosureForm(MarkedForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.ChoiceField(label=_("Closure reason"), widget=forms.RadioSelect)
    flags = forms.MultipleChoiceField(
        label=_("Checks"), required=False, widget=forms.CheckboxSelectMultiple
    )
    justification = forms.CharField(
        label=_("Why the case can close"), max_length=4000, widget=forms.Textarea(attrs=TEXT)
    )
    transition_plan = forms.CharField(
        label=_("Transition plan"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXT),
    )

    def __init__(self, *args: Any, sop: Sop, lang: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [  # type: ignore[attr-defined]
            (r.code, r.label.get(lang)) for r in sop.closure.reasons
        ]
        self.fields["flags"].choices = [  # type: ignore[attr-defined]
            (f.code, f.label.get(lang)) for f in sop.closure.flags
        ]


class DecisionForm(MarkedForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    subject = forms.ChoiceField(choices=[("plan", "plan"), ("closure", "closure")])
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("return", "return")])
    note = forms.CharField(
        label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs=TEXT)
    )


class AssignForm(MarkedForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    caseworker = forms.TypedChoiceField(
        label=_("Caseworker"), coerce=int, widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["caseworker"].choices = choices  # type: ignore[attr-defined]
