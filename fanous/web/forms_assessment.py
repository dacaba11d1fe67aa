"""Forms of the assessment and case-plan pages: parsing only, the services decide.

The assessment form is generated from the SOP in force and the case's protection concerns
(SPEC §4-§6): no fact, label or range is written here. Ranges and codes are checked by the
same service the API calls; the form only turns posted strings into typed values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fanous.cases.models import PlanGoal
from fanous.domain.sop import FactDef, FactType, Sop

FIELD_PREFIX = "fact_"


def fact_field_name(code: str) -> str:
    """The HTML name of a fact's input (SOP codes may hold dots, awkward in ids and CSS)."""
    return FIELD_PREFIX + code.replace(".", "__")


def _code_of(name: str) -> str:
    return name[len(FIELD_PREFIX) :].replace("__", ".")


# The free-text domains of SPEC §5 (comprehensive) and the notes of the initial assessment
# (SPEC §3). Keys are stored in Assessment.narrative; the API uses the same keys.
NARRATIVE_DOMAINS: dict[str, tuple[tuple[str, Any, Any], ...]] = {
    "initial": (
        (
            "notes",
            _("Immediate needs and observations"),
            _(
                "Immediate physical protection and health concerns, access to food, shelter, "
                "health care and education, and anything else you observed."
            ),
        ),
    ),
    "comprehensive": (
        (
            "family_environment",
            _("Family environment"),
            _(
                "Living situation and contact with parents, the family's ability to meet basic "
                "needs, signs of neglect, the parents' attitude to child labour and their role in "
                "the child's work, household income and the use of the child's income."
            ),
        ),
        (
            "workplace",
            _("Workplace"),
            _(
                "Where and with whom, tasks, hours and schedule, voluntary or forced, freedom of "
                "movement, abuse or violence, hazards and their consequences, pay and who "
                "receives it."
            ),
        ),
        (
            "discrimination",
            _("Discrimination and marginalisation"),
            _("Discrimination or marginalisation of the child and the family."),
        ),
        (
            "other_children",
            _("Other children in the household"),
            _(
                "Are they working, in school or in early childhood programmes, facing other "
                "protection risks? Each may need their own case."
            ),
        ),
        (
            "child_wishes",
            _("The child's wishes and needs, in the child's own words"),
            _("Write what the child said, as the child said it."),
        ),
        (
            "sources_checked",
            _("Visits made and sources checked"),
            _(
                "Home, community and workplace visits where safe; information checked with "
                "several sources."
            ),
        ),
    ),
}

NARRATIVE_MAX = 4000


YES, NO, NOT_KNOWN = "yes", "no", ""
YES_NO_CHOICES = ((YES, _("Yes")), (NO, _("No")), (NOT_KNOWN, _("Not known")))


class YesNoNotKnownField(forms.Field):
    """A yes/no fact answered Yes, No or Not known: True, False or None.

    Not known is the default, so that a question the caseworker could not ask at the first
    contact is left out of the facts instead of being recorded as "no". "on" (the former
    checkbox) still reads as yes.
    """

    widget = forms.RadioSelect

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        assert isinstance(self.widget, forms.RadioSelect)
        self.widget.choices = YES_NO_CHOICES

    def to_python(self, value: Any) -> bool | None:
        if value in (None, "", NOT_KNOWN):
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("yes", "on", "true", "1"):
            return True
        if text in ("no", "off", "false", "0"):
            return False
        raise forms.ValidationError(_("Choose Yes, No or Not known."), code="invalid")

    def prepare_value(self, value: Any) -> str:
        """The choice to show checked: "yes", "no" or "" (not known)."""
        try:
            parsed = self.to_python(value)
        except forms.ValidationError:
            return NOT_KNOWN
        return NOT_KNOWN if parsed is None else (YES if parsed else NO)


@dataclass
class Section:
    """A collapsible part of the assessment form."""

    key: str
    title: str
    field_names: list[str]
    hazard_group: bool = False
    sensitive: set[str] = field(default_factory=set)


def _catalogue(sop: Sop, concerns: Iterable[str]) -> list[FactDef]:
    """The facts of the case's concerns, each code once, in SOP order."""
    seen: dict[str, FactDef] = {}
    for code in dict.fromkeys(concerns):
        for fact in sop.concern(code).facts:
            seen.setdefault(fact.code, fact)
    return list(seen.values())


class AssessmentForm(forms.Form):
    """Answers of an initial or comprehensive assessment, one field per SOP fact."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    record_id = forms.UUIDField(widget=forms.HiddenInput, required=False)
    assessed_on = forms.DateField(
        label=_("Date of the assessment"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )

    def __init__(
        self,
        *args: Any,
        sop: Sop,
        concerns: Sequence[str],
        kind: str,
        lang: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self._args = {"sop": sop, "concerns": concerns, "kind": kind, "lang": lang}
        self.facts_by_name: dict[str, FactDef] = {}
        self.sections: list[Section] = []
        catalogue = _catalogue(sop, concerns)
        for fact in catalogue:
            if fact.category == "age":
                continue  # computed by the server from the birth date, never asked
            name = fact_field_name(fact.code)
            self.facts_by_name[name] = fact
            self.fields[name] = self._field(fact, lang)
        self._build_sections(sop, concerns, catalogue, lang)
        self.narrative_names: list[tuple[str, str]] = []
        for key, label, help_text in NARRATIVE_DOMAINS[kind]:
            name = f"narrative_{key}"
            self.fields[name] = forms.CharField(
                label=label,
                help_text=help_text,
                required=False,
                max_length=NARRATIVE_MAX,
                widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
            )
            self.narrative_names.append((key, name))
        # Codes posted that this SOP does not know: handed to the service, which refuses them
        # with its own message (the form must not silently drop an answer).
        self.extra_facts: dict[str, Any] = {}
        if self.is_bound:
            for key in self.data:
                if key.startswith(FIELD_PREFIX) and key not in self.fields:
                    value = self.data.get(key)
                    known: dict[Any, bool] = {"on": True, YES: True, NO: False}
                    self.extra_facts[_code_of(key)] = known.get(value, value)

    @staticmethod
    def _field(fact: FactDef, lang: str) -> forms.Field:
        label = fact.label.get(lang)
        if fact.type is FactType.BOOL:
            return YesNoNotKnownField(label=label)
        if fact.type is FactType.INT:
            attrs: dict[str, Any] = {"class": "form-control", "inputmode": "numeric"}
            if fact.min_value is not None:
                attrs["min"] = fact.min_value
            if fact.max_value is not None:
                attrs["max"] = fact.max_value
            # No min/max validators here: the service checks the SOP's range and says why.
            return forms.IntegerField(
                label=label, required=False, widget=forms.NumberInput(attrs=attrs)
            )
        choices = [("", _("Not known"))] + [(c.code, c.label.get(lang)) for c in fact.choices]
        # A plain CharField: an unknown choice reaches the service, which refuses it.
        return forms.CharField(
            label=label,
            required=False,
            widget=forms.Select(choices=choices, attrs={"class": "form-select"}),
        )

    def _build_sections(
        self, sop: Sop, concerns: Sequence[str], catalogue: list[FactDef], lang: str
    ) -> None:
        def names(categories: tuple[str, ...]) -> list[str]:
            return [
                fact_field_name(f.code)
                for f in catalogue
                if f.category in categories and f.category != "hazard"
            ]

        self._add("work", _("Type of work and worst forms"), names(("work_type", "worst_form")))
        self._add(
            "conditions", _("Conditions: hours, violence, freedom and pay"), names(("conditions",))
        )
        grouped: set[str] = set()
        for code in dict.fromkeys(concerns):
            concern = sop.concern(code)
            for group, facts in concern.hazards_by_group():
                fields = [fact_field_name(f.code) for f in facts]
                fields = [n for n in fields if n not in grouped]
                grouped.update(fields)
                self._add(
                    "hazard-" + group.code.replace(".", "-"),
                    group.label.get(lang),
                    fields,
                    hazard_group=True,
                )
        ungrouped = [
            fact_field_name(f.code)
            for f in catalogue
            if f.category == "hazard" and fact_field_name(f.code) not in grouped
        ]
        self._add("hazard-other", _("Workplace hazards"), ungrouped, hazard_group=True)
        self._add("other-risks", _("Other protection risks"), names(("other_risk",)))
        self._add("protective", _("Protective factors"), names(("protective",)))
        self._add("context", _("Other information"), names(("context",)))

    def _add(
        self, key: str, title: Any, field_names: list[str], hazard_group: bool = False
    ) -> None:
        if not field_names:
            return
        sensitive = {n for n in field_names if self.facts_by_name[n].sensitive}
        self.sections.append(Section(key, str(title), field_names, hazard_group, sensitive))

    def bound_copy(self) -> AssessmentForm:
        """This form bound to its initial values (the preview of an untouched form)."""
        if self.is_bound:
            return self
        data: dict[str, str] = {}
        for name, value in self.initial.items():
            if name not in self.fields or value is None or value == "":
                continue
            if isinstance(value, bool):
                data[name] = YES if value else NO
            else:
                data[name] = str(value)
        return AssessmentForm(data, **self._args)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ reading

    def section_rows(self) -> list[dict[str, Any]]:
        """Sections with their bound fields, for the template."""
        rows = []
        for section in self.sections:
            bound = [self[n] for n in section.field_names]
            rows.append(
                {
                    "section": section,
                    "fields": [
                        {
                            "field": b,
                            "type": self.facts_by_name[b.name].type.value,
                            "sensitive": b.name in section.sensitive,
                            "value": b.value(),
                            "choices": YES_NO_CHOICES,
                        }
                        for b in bound
                    ],
                    "has_errors": any(b.errors for b in bound) if self.is_bound else False,
                    "answered": sum(1 for b in bound if b.value() not in (None, "")),
                }
            )
        return rows

    def not_known_count(self) -> int:
        """How many questions of the form are still without an answer (Not known or blank)."""
        return sum(1 for name in self.facts_by_name if self[name].value() in (None, ""))

    def facts(self) -> dict[str, Any]:
        """The answers as SOP fact codes and typed values (Not known and blanks left out).

        Works on a form that did not validate (the live preview): fields that did not parse
        are left out.
        """
        data = getattr(self, "cleaned_data", {})
        out: dict[str, Any] = {}
        for name, fact in self.facts_by_name.items():
            if name not in data:
                continue
            value = data[name]
            # Not known (None) is left out: the risk matrix treats a missing fact as a
            # condition that does not hold, and lists it among the facts still missing.
            if value is not None and value != "":
                out[fact.code] = value
        out.update(self.extra_facts)
        return out

    def narrative(self) -> dict[str, str]:
        data = getattr(self, "cleaned_data", {})
        return {key: data[name].strip() for key, name in self.narrative_names if data.get(name)}

    def field_for_fact(self, code: str) -> str | None:
        name = fact_field_name(code)
        return name if name in self.fields else None


def assessment_initial(
    facts: Mapping[str, Any], narrative: Mapping[str, str], kind: str
) -> dict[str, Any]:
    """Initial values of the form from earlier answers (fact codes -> field names)."""
    initial: dict[str, Any] = {fact_field_name(code): value for code, value in facts.items()}
    for key, _label, _help in NARRATIVE_DOMAINS[kind]:
        if narrative.get(key):
            initial[f"narrative_{key}"] = narrative[key]
    return initial


# ====================================================================== case plan

SERVICE_TYPES: tuple[tuple[str, Any], ...] = (
    ("", _("No service type")),
    ("direct_support", _("Direct support by the caseworker")),
    ("health", _("Health")),
    ("education", _("Education")),
    ("livelihoods", _("Livelihoods")),
    ("mhpss", _("Mental health and psychosocial support")),
    ("legal", _("Legal")),
    ("gbv", _("Gender-based violence services")),
    ("cash", _("Emergency cash")),
    ("food", _("Food assistance")),
    ("vocational", _("Vocational training")),
    ("wash", _("Water, sanitation and hygiene")),
    ("other", _("Other")),
)

MAX_GOALS = 30
MAX_ACTIONS = 30
TEXT = {"class": "form-control"}


def _textarea(rows: int = 2) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "class": "form-control"})


class PlanForm(forms.Form):
    """The plan's own fields: version, causes, views and the safety plan (SPEC §7)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    root_causes = forms.CharField(
        label=_("Root causes"),
        help_text=_("Behavioural or cultural, economic, or both."),
        required=False,
        max_length=4000,
        widget=_textarea(3),
    )
    child_views = forms.CharField(
        label=_("The child's views"), required=False, max_length=4000, widget=_textarea(3)
    )
    caregiver_views = forms.CharField(
        label=_("The caregivers' views"), required=False, max_length=4000, widget=_textarea(3)
    )
    safety_contacts = forms.CharField(
        label=_("Who to call"), required=False, max_length=2000, widget=_textarea()
    )
    safe_places = forms.CharField(
        label=_("Safe places"), required=False, max_length=2000, widget=_textarea()
    )
    warning_signs = forms.CharField(
        label=_("Warning signs"), required=False, max_length=2000, widget=_textarea()
    )
    protective_equipment = forms.CharField(
        label=_("Protective equipment"), required=False, max_length=2000, widget=_textarea()
    )

    SAFETY_FIELDS = ("safety_contacts", "safe_places", "warning_signs", "protective_equipment")
    VIEW_FIELDS = ("root_causes", "child_views", "caregiver_views")


class GoalForm(forms.Form):
    horizon = forms.ChoiceField(
        label=_("Horizon"),
        choices=PlanGoal.Horizon.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    kind = forms.ChoiceField(
        label=_("Need or want"),
        choices=PlanGoal.Kind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    description = forms.CharField(label=_("Goal"), max_length=2000, widget=_textarea())


class ActionForm(forms.Form):
    description = forms.CharField(label=_("Action to take"), max_length=2000, widget=_textarea())
    responsible = forms.CharField(
        label=_("Responsible"), max_length=200, widget=forms.TextInput(attrs=TEXT)
    )
    due_on = forms.DateField(
        label=_("Due date"), widget=forms.DateInput(attrs={"type": "date", **TEXT})
    )
    service_type = forms.CharField(
        label=_("Service type"),
        required=False,
        max_length=64,
        widget=forms.Select(choices=SERVICE_TYPES, attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A type written through the API that the list does not have is kept, not lost.
        current = self["service_type"].value() or ""
        if current and current not in dict(SERVICE_TYPES):
            widget = self.fields["service_type"].widget
            assert isinstance(widget, forms.Select)
            widget.choices = [*SERVICE_TYPES, (current, current)]


GOAL_KEYS = ("horizon", "kind", "description")
ACTION_KEYS = ("description", "responsible", "due_on", "service_type")


def blank_goal() -> dict[str, Any]:
    return {
        "horizon": PlanGoal.Horizon.IMMEDIATE,
        "kind": PlanGoal.Kind.NEED,
        "description": "",
        "actions": [blank_action()],
    }


def blank_action() -> dict[str, Any]:
    return {"description": "", "responsible": "", "due_on": "", "service_type": ""}


def _int(value: Any, default: int = 0) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return default


def rows_from_post(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The goal and action rows as typed in the page (raw strings), in order."""
    rows = []
    for i in range(min(_int(data.get("goals")), MAX_GOALS)):
        goal: dict[str, Any] = {k: str(data.get(f"g{i}-{k}", "")) for k in GOAL_KEYS}
        goal["actions"] = [
            {k: str(data.get(f"g{i}-a{j}-{k}", "")) for k in ACTION_KEYS}
            for j in range(min(_int(data.get(f"g{i}-actions")), MAX_ACTIONS))
        ]
        rows.append(goal)
    return rows


def rows_from_plan(plan: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Rows from a stored plan (case_out's "plan"), goals in order of horizon."""
    if not plan or not plan.get("goals"):
        return [blank_goal()]
    order = {h: n for n, h in enumerate(PlanGoal.Horizon.values)}
    goals = sorted(plan["goals"], key=lambda g: order.get(g["horizon"], 99))
    return [
        {
            "horizon": g["horizon"],
            "kind": g["kind"],
            "description": g["description"],
            "actions": [
                {
                    "description": a["description"],
                    "responsible": a["responsible"],
                    "due_on": a["due_on"].isoformat() if a["due_on"] else "",
                    "service_type": a["service_type"],
                }
                for a in g["actions"]
            ],
        }
        for g in goals
    ]


def _is_blank_action(row: Mapping[str, Any]) -> bool:
    return not any(str(row.get(k, "")).strip() for k in ("description", "responsible", "due_on"))


def _is_blank_goal(row: Mapping[str, Any]) -> bool:
    return not str(row.get("description", "")).strip() and all(
        _is_blank_action(a) for a in row.get("actions", [])
    )


def apply_row_op(rows: list[dict[str, Any]], op: str) -> tuple[list[dict[str, Any]], str]:
    """Add or remove a row ("add_goal", "add_action-1", "remove_goal-0", "remove_action-0-2").

    Returns the rows and the HTML id of the field to focus next.
    """
    parts = op.split("-")
    verb = parts[0]
    idx = [_int(p, -1) for p in parts[1:]]
    if verb == "add_goal" and len(rows) < MAX_GOALS:
        rows.append(blank_goal())
        return rows, f"id_g{len(rows) - 1}-description"
    if verb == "add_action" and idx and 0 <= idx[0] < len(rows):
        actions = rows[idx[0]]["actions"]
        if len(actions) < MAX_ACTIONS:
            actions.append(blank_action())
            return rows, f"id_g{idx[0]}-a{len(actions) - 1}-description"
    if verb == "remove_goal" and idx and 0 <= idx[0] < len(rows):
        rows.pop(idx[0])
        return rows, "add-goal"
    if verb == "remove_action" and len(idx) == 2 and 0 <= idx[0] < len(rows):
        actions = rows[idx[0]]["actions"]
        if 0 <= idx[1] < len(actions):
            actions.pop(idx[1])
            return rows, f"id_g{idx[0]}-description"
    return rows, ""


@dataclass
class GoalRow:
    index: int
    form: GoalForm
    actions: list[tuple[int, ActionForm]]


def goal_forms(rows: list[dict[str, Any]], *, bound: bool) -> list[GoalRow]:
    """Forms for the rows, numbered from 0. Bound forms validate; unbound ones only show."""
    out = []
    for i, row in enumerate(rows):
        prefix = f"g{i}"
        if bound:
            gform = GoalForm({f"{prefix}-{k}": row.get(k, "") for k in GOAL_KEYS}, prefix=prefix)
        else:
            gform = GoalForm(initial={k: row.get(k, "") for k in GOAL_KEYS}, prefix=prefix)
        actions = []
        for j, act in enumerate(row.get("actions", [])):
            aprefix = f"{prefix}-a{j}"
            if bound:
                aform = ActionForm(
                    {f"{aprefix}-{k}": act.get(k, "") for k in ACTION_KEYS}, prefix=aprefix
                )
            else:
                aform = ActionForm(initial={k: act.get(k, "") for k in ACTION_KEYS}, prefix=aprefix)
            actions.append((j, aform))
        out.append(GoalRow(i, gform, actions))
    return out


def drop_blank_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows left empty are not goals: a page that offers an empty row must not save one."""
    kept = []
    for row in rows:
        if _is_blank_goal(row):
            continue
        kept.append({**row, "actions": [a for a in row["actions"] if not _is_blank_action(a)]})
    return kept
