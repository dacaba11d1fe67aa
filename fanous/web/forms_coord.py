"""Forms of the SOP pages: they parse input and build the new SOP data dict.

Whether the result is a valid SOP is decided by the pydantic schemas, through
fanous.sop.services (sop_create_draft, sop_update_draft); these forms only parse numbers,
choices and check boxes, and map the schemas' reasons back to the fields they name.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django import forms
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from fanous.core.errors import translate
from fanous.domain.errors import Reason
from fanous.domain.sop import RiskLevel

LEVELS = ("high", "medium", "low")
DEADLINES = ("assessment_due_days", "plan_due_days")
FREQUENCIES = ("follow_up_initial", "follow_up_stable", "follow_up_visits_impossible")

DEADLINE_LABELS = {
    "assessment_due_days": _("Comprehensive assessment due (days after the initial assessment)"),
    "plan_due_days": _("Case plan due (days after the comprehensive assessment)"),
}
FREQUENCY_LABELS = {
    "follow_up_initial": _("Follow-up, initial phase"),
    "follow_up_stable": _("Follow-up, once stable"),
    "follow_up_visits_impossible": _("Follow-up, if visits are not possible"),
}


def _number(label: str) -> forms.IntegerField:
    # No bounds here on purpose: the SOP schemas say what is allowed, with their reasons.
    return forms.IntegerField(
        label=label, required=False, widget=forms.NumberInput(attrs={"class": "form-control"})
    )


def _risk_label(code: object) -> str:
    try:
        return gettext(RiskLevel(str(code)).label)
    except ValueError:
        return str(code)


def reason_message(reason: Reason, labels: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """A reason of the SOP schemas in the user's language, codes shown as their labels.

    ``labels`` maps a parameter name to {code: label} (the facts and rules a form knows);
    a list of codes ("a, b") is labelled item by item.
    """
    params: dict[str, Any] = dict(reason.params)
    for key, names in (labels or {}).items():
        if key in params:
            codes = str(params[key]).split(", ")
            params[key] = ", ".join(f"“{names[c]}”" if c in names else c for c in codes)
    setting = str(params.get("setting", ""))
    if setting in DEADLINE_LABELS:
        params["setting"] = str(DEADLINE_LABELS[setting])
    elif setting in FREQUENCY_LABELS:
        params["setting"] = str(FREQUENCY_LABELS[setting])
    for key in ("higher", "lower"):
        if key in params:
            params[key] = _risk_label(params[key])
    return translate(reason.message, params)


class ReasonsMixin:
    """Shows each reason of the SOP schemas next to the field it is about, and lists them all
    (with the field's name, or where in the SOP the problem is) for the summary."""

    fields: dict[str, forms.Field]
    reason_items: list[dict[str, Any]]

    def field_for_location(self, location: str, params: Mapping[str, object]) -> str | None:
        """The form field a reason of the SOP schemas is about, if any."""
        return None

    def field_caption(self, name: str) -> str:
        """What the summary calls the field ``name`` (its label, with its group if needed)."""
        return str(self.fields[name].label or name)

    def code_labels(self) -> dict[str, dict[str, str]]:
        """Labels of the codes reasons may name, by parameter name (see reason_message)."""
        return {}

    def attach_reasons(self, reasons: Sequence[Reason]) -> list[dict[str, Any]]:
        """Add each reason to its field; return them all for the error summary."""
        items: list[dict[str, Any]] = []
        for reason in reasons:
            message = reason_message(reason, self.code_labels())
            location = str(reason.params.get("location", ""))
            name = self.field_for_location(location, reason.params)
            item: dict[str, Any] = {
                "code": reason.code,
                "type": str(reason.params.get("type", "")),
                "message": message,
                "location": location,
            }
            if name and name in self.fields:
                self.add_error(name, message)  # type: ignore[attr-defined]
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}-errors"  # type: ignore[index]
                item["field_id"] = self[name].auto_id  # type: ignore[index]
                item["field_label"] = self.field_caption(name)
            items.append(item)
        self.reason_items = items
        return items


class NewVersionForm(ReasonsMixin, forms.Form):
    version = forms.CharField(
        label=_("New version number"),
        max_length=20,
        widget=forms.TextInput(attrs={"class": "form-control", "dir": "ltr"}),
    )
    endorsed_on = forms.DateField(
        label=_("Endorsement date"),
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}, format="%Y-%m-%d"),
    )

    def build(self, source: dict[str, Any]) -> dict[str, Any]:
        data = copy.deepcopy(source)
        data["version"] = self.cleaned_data["version"].strip()
        data["endorsed_on"] = self.cleaned_data["endorsed_on"].isoformat()
        return data

    def field_for_location(self, location: str, params: Mapping[str, object]) -> str | None:
        return location if location in ("version", "endorsed_on") else None


def suggest_next_version(current: str, taken: Iterable[str]) -> str:
    """1.0 -> 1.1 (or the next free number): a suggestion the coordinator may change."""
    used = set(taken)
    match = re.match(r"^(.*?)(\d+)$", current)
    prefix, n = (match.group(1), int(match.group(2))) if match else (current + ".", 0)
    candidate = f"{prefix}{n + 1}"
    while candidate in used:
        n += 1
        candidate = f"{prefix}{n + 1}"
    return candidate


class SopDraftForm(ReasonsMixin, forms.Form):
    """Base of the draft forms: the row version the coordinator started from."""

    row_version = forms.IntegerField(widget=forms.HiddenInput)

    def build(self, source: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError


# --------------------------------------------------------------------------- timeframes


class TimeframesForm(SopDraftForm):
    def __init__(
        self,
        data: Any = None,
        *,
        timeframes: dict[str, Any],
        initial: dict[str, Any] | None = None,
    ) -> None:
        initial = dict(initial or {})
        for level in LEVELS:
            values = timeframes.get(level) or {}
            for name in DEADLINES:
                initial.setdefault(f"{level}-{name}", values.get(name))
            for name in FREQUENCIES:
                freq = values.get(name) or {}
                initial.setdefault(f"{level}-{name}-times", freq.get("times"))
                initial.setdefault(f"{level}-{name}-period_days", freq.get("period_days"))
        super().__init__(data, initial=initial)
        for level in LEVELS:
            for name in DEADLINES:
                self.fields[f"{level}-{name}"] = _number(str(DEADLINE_LABELS[name]))
            for name in FREQUENCIES:
                self.fields[f"{level}-{name}-times"] = _number(gettext("Times"))
                self.fields[f"{level}-{name}-period_days"] = _number(gettext("Every (days)"))

    def rows(self) -> list[dict[str, Any]]:
        """Bound fields by level, for the template."""
        return [
            {
                "level": level,
                "deadlines": [self[f"{level}-{name}"] for name in DEADLINES],
                "frequencies": [
                    {
                        "label": FREQUENCY_LABELS[name],
                        "times": self[f"{level}-{name}-times"],
                        "period": self[f"{level}-{name}-period_days"],
                    }
                    for name in FREQUENCIES
                ],
            }
            for level in LEVELS
        ]

    def build(self, source: dict[str, Any]) -> dict[str, Any]:
        data = copy.deepcopy(source)
        timeframes = data.setdefault("timeframes", {})
        for level in LEVELS:
            values = timeframes.setdefault(level, {})
            for name in DEADLINES:
                _set_or_drop(values, name, self.cleaned_data.get(f"{level}-{name}"))
            for name in FREQUENCIES:
                times = self.cleaned_data.get(f"{level}-{name}-times")
                period = self.cleaned_data.get(f"{level}-{name}-period_days")
                if times is None and period is None:
                    values.pop(name, None)
                else:
                    # Half a frequency is left for the schema to refuse, with its reason.
                    values[name] = {
                        k: v
                        for k, v in (("times", times), ("period_days", period))
                        if v is not None
                    }
        return data

    def field_for_location(self, location: str, params: Mapping[str, object]) -> str | None:
        parts = location.split(".")
        if parts[:1] != ["timeframes"]:
            return None
        if len(parts) >= 3 and parts[1] in LEVELS:
            if parts[2] in DEADLINES:
                return f"{parts[1]}-{parts[2]}"
            if parts[2] in FREQUENCIES:
                sub = parts[3] if len(parts) > 3 else "times"
                return f"{parts[1]}-{parts[2]}-{sub}"
        # A rule across levels names the setting and the higher level it refuses.
        setting, level = str(params.get("setting", "")), str(params.get("higher", ""))
        if level in LEVELS and setting in DEADLINES:
            return f"{level}-{setting}"
        if level in LEVELS and setting in FREQUENCIES:
            return f"{level}-{setting}-times"
        return None

    def field_caption(self, name: str) -> str:
        level, _, rest = name.partition("-")
        setting = rest.removesuffix("-times").removesuffix("-period_days")
        label = DEADLINE_LABELS.get(setting) or FREQUENCY_LABELS.get(setting) or setting
        return f"{_risk_label(level)}: {label}"


def _set_or_drop(values: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        values.pop(key, None)
    else:
        values[key] = value


# --------------------------------------------------------------------------- closure


def _level_choices() -> list[tuple[str, str]]:
    return [("", gettext("No limit"))] + [
        (level.value, gettext(level.label))
        for level in (RiskLevel.NONE, RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH)
    ]


class ClosureForm(SopDraftForm):
    """Each closure reason's conditions (SPEC §9)."""

    def __init__(
        self,
        data: Any = None,
        *,
        closure: dict[str, Any],
        reason_labels: Sequence[str],
        flag_labels: Sequence[tuple[str, str]],
        initial: dict[str, Any] | None = None,
    ) -> None:
        initial = dict(initial or {})
        self.reasons = list(closure.get("reasons", []))
        for i, reason in enumerate(self.reasons):
            initial.setdefault(f"c{i}-min_age", reason.get("min_age"))
            initial.setdefault(f"c{i}-max_age_exclusive", reason.get("max_age_exclusive"))
            initial.setdefault(f"c{i}-max_risk_level", reason.get("max_risk_level") or "")
            initial.setdefault(f"c{i}-requires_flags", list(reason.get("requires_flags", [])))
            initial.setdefault(
                f"c{i}-requires_plan_completed", bool(reason.get("requires_plan_completed"))
            )
        super().__init__(data, initial=initial)
        self.reason_labels = list(reason_labels)
        for i in range(len(self.reasons)):
            self.fields[f"c{i}-min_age"] = _number(gettext("Minimum age"))
            self.fields[f"c{i}-max_age_exclusive"] = _number(gettext("Under the age of"))
            self.fields[f"c{i}-max_risk_level"] = forms.ChoiceField(
                label=gettext("Highest risk level allowed"),
                choices=_level_choices(),
                required=False,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.fields[f"c{i}-requires_flags"] = forms.MultipleChoiceField(
                label=gettext("Required checklist items"),
                choices=list(flag_labels),
                required=False,
                widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            )
            self.fields[f"c{i}-requires_plan_completed"] = forms.BooleanField(
                label=gettext("Every action of the case plan completed"),
                required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "code": reason.get("code", ""),
                "label": self.reason_labels[i] if i < len(self.reason_labels) else "",
                "ages": [self[f"c{i}-min_age"], self[f"c{i}-max_age_exclusive"]],
                "max_risk": self[f"c{i}-max_risk_level"],
                "flags": self[f"c{i}-requires_flags"],
                "plan_completed": self[f"c{i}-requires_plan_completed"],
            }
            for i, reason in enumerate(self.reasons)
        ]

    def build(self, source: dict[str, Any]) -> dict[str, Any]:
        data = copy.deepcopy(source)
        for i, reason in enumerate(data.get("closure", {}).get("reasons", [])):
            cd = self.cleaned_data
            _set_or_drop(reason, "min_age", cd.get(f"c{i}-min_age"))
            _set_or_drop(reason, "max_age_exclusive", cd.get(f"c{i}-max_age_exclusive"))
            _set_or_drop(reason, "max_risk_level", cd.get(f"c{i}-max_risk_level") or None)
            flags = list(cd.get(f"c{i}-requires_flags") or [])
            _set_or_drop(reason, "requires_flags", flags or None)
            reason["requires_plan_completed"] = bool(cd.get(f"c{i}-requires_plan_completed"))
        return data

    def field_caption(self, name: str) -> str:
        match = re.match(r"^c(\d+)-", name)
        i = int(match.group(1)) if match else -1
        reason = self.reason_labels[i] if 0 <= i < len(self.reason_labels) else ""
        label = str(self.fields[name].label or name)
        return f"{reason}: {label}" if reason else label

    def field_for_location(self, location: str, params: Mapping[str, object]) -> str | None:
        match = re.match(r"^closure\.reasons\.(\d+)(?:\.(\w+))?", location)
        if not match:
            return None
        field = match.group(2) or "min_age"
        names = {
            "min_age": "min_age",
            "max_age_exclusive": "max_age_exclusive",
            "max_risk_level": "max_risk_level",
            "requires_flags": "requires_flags",
            "requires_plan_completed": "requires_plan_completed",
        }
        return f"c{match.group(1)}-{names.get(field, 'min_age')}"


# --------------------------------------------------------------------------- risk matrix


class MatrixForm(SopDraftForm):
    """The level of each floor rule of one concern's matrix, and whether it is locked."""

    def __init__(
        self,
        data: Any = None,
        *,
        concern_index: int,
        concern: dict[str, Any],
        rule_labels: Sequence[str],
        rule_conditions: Sequence[Sequence[str]] = (),
        initial: dict[str, Any] | None = None,
    ) -> None:
        initial = dict(initial or {})
        self.rule_conditions = list(rule_conditions)
        self.concern_index = concern_index
        self.concern = concern
        self.rules = list(concern.get("matrix", {}).get("rules", []))
        for i, rule in enumerate(self.rules):
            if rule.get("effect") == "floor":
                initial.setdefault(f"r{i}-level", rule.get("level") or "")
                initial.setdefault(f"r{i}-locked", bool(rule.get("locked")))
        super().__init__(data, initial=initial)
        self.rule_labels = list(rule_labels)
        choices = [
            (level.value, gettext(level.label))
            for level in (RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.NONE)
        ]
        for i, rule in enumerate(self.rules):
            if rule.get("effect") != "floor":
                continue
            self.fields[f"r{i}-level"] = forms.ChoiceField(
                label=gettext("Level"),
                choices=choices,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.fields[f"r{i}-locked"] = forms.BooleanField(
                label=gettext("Locked"),
                required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )

    def rows(self) -> list[dict[str, Any]]:
        out = []
        for i, rule in enumerate(self.rules):
            editable = f"r{i}-level" in self.fields
            out.append(
                {
                    "index": i,
                    "code": rule.get("code", ""),
                    "label": self.rule_labels[i] if i < len(self.rule_labels) else "",
                    "conditions": (
                        self.rule_conditions[i] if i < len(self.rule_conditions) else []
                    ),
                    "effect": rule.get("effect", ""),
                    "level": self[f"r{i}-level"] if editable else None,
                    "locked": self[f"r{i}-locked"] if editable else None,
                }
            )
        return out

    def build(self, source: dict[str, Any]) -> dict[str, Any]:
        data = copy.deepcopy(source)
        rules = data["concerns"][self.concern_index]["matrix"]["rules"]
        for i, rule in enumerate(rules):
            if f"r{i}-level" not in self.fields:
                continue
            rule["level"] = self.cleaned_data[f"r{i}-level"]
            rule["locked"] = bool(self.cleaned_data.get(f"r{i}-locked"))
        return data

    def code_labels(self) -> dict[str, dict[str, str]]:
        lang = (get_language() or "ar").split("-")[0]

        def label(item: dict[str, Any]) -> str:
            value = item.get("label") or {}
            return str(value.get(lang) or value.get("en") or value.get("ar") or item.get("code"))

        facts = {str(f.get("code")): label(f) for f in self.concern.get("facts", [])}
        return {
            "concern": {str(self.concern.get("code")): label(self.concern)},
            "rule": {str(r.get("code")): label(r) for r in self.rules},
            "fact": facts,
            "facts": facts,
        }

    def field_caption(self, name: str) -> str:
        match = re.match(r"^r(\d+)-", name)
        i = int(match.group(1)) if match else -1
        rule = self.rule_labels[i] if 0 <= i < len(self.rule_labels) else ""
        label = str(self.fields[name].label or name)
        return f"{rule}: {label}" if rule else label

    def field_for_location(self, location: str, params: Mapping[str, object]) -> str | None:
        prefix = f"concerns.{self.concern_index}"
        if location != prefix and not location.startswith(prefix + "."):
            return None
        match = re.match(rf"^{re.escape(prefix)}\.matrix\.rules\.(\d+)", location)
        index: int | None = int(match.group(1)) if match else None
        if index is None and "rule" in params:
            # A check of the whole concern that names the rule it refuses.
            codes = [rule.get("code") for rule in self.rules]
            index = codes.index(params["rule"]) if params["rule"] in codes else None
        if index is None and params.get("type") == "worst_form_not_locked_high":
            # The floor rule whose only condition is one of the worst forms named.
            forms_named = set(str(params.get("facts", "")).split(", "))
            index = next(
                (i for i, rule in enumerate(self.rules) if _only_fact(rule) in forms_named),
                None,
            )
        if index is not None and f"r{index}-level" in self.fields:
            return f"r{index}-level"
        return None


def _only_fact(rule: dict[str, Any]) -> str | None:
    """The fact of a rule whose one condition is a flag, or an "any" of one fact."""
    when = rule.get("when") or []
    if len(when) != 1:
        return None
    condition = when[0]
    if condition.get("kind") == "flag":
        return str(condition.get("fact"))
    facts = condition.get("facts") or []
    if condition.get("kind") == "any" and len(facts) == 1 and not condition.get("category"):
        return str(facts[0])
    return None
