"""Retention (issue 4, SPEC §12): closed cases older than the SOP's period are anonymised.

Each area's SOP in force says after how many years (``data_protection.retention``) a case
that left case management (closed, not eligible, referred out) loses everything that
identifies the child, the family or the people around them. What stays is what the
inter-agency reports count: area, agency, sex, birth *year*, nationality, legal status,
disability, risk level and factors, statuses, every date, the closure reason and the
referral statuses.

Rules:

* a child is anonymised only when none of their cases is still inside retention (a case
  reopened elsewhere or a second case keeps the child identifiable);
* a household (address, phone, notes, members) is wiped only when no child of it still has
  a case inside retention, so a sibling's open case keeps the household;
* each case is anonymised in its own transaction, recorded in ``CaseAnonymisation`` and in
  one ``anonymise`` audit event. A run can stop at any point and be started again: cases
  already done are skipped, so re-running does nothing.

The audit log itself is not rewritten (it is append-only and hash-chained).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from fanous.accounts.models import Area
from fanous.audit.models import Event
from fanous.audit.services import record
from fanous.cases.models import (
    Assessment,
    Case,
    CasePlan,
    Child,
    ClosureRequest,
    Consent,
    FollowUp,
    Household,
    HouseholdMember,
    PlanAction,
    PlanGoal,
    Registration,
    Review,
    RiskChange,
)
from fanous.core.errors import NotFoundError
from fanous.domain.sop.protection import Retention
from fanous.domain.workflow import CaseStatus
from fanous.notifications.models import Notification
from fanous.protection.models import CaseAnonymisation
from fanous.referrals.models import CaseTransfer, CashDisbursement, Referral
from fanous.sop.models import SopVersion
from fanous.sop.selectors import active_sop

# Cases that left case management; retention is counted from when they did.
ENDED_STATUSES = (
    CaseStatus.CLOSED.value,
    CaseStatus.NOT_ELIGIBLE.value,
    CaseStatus.REFERRED_OUT.value,
)

# Identifying fields per model, wiped to empty. Everything else (codes, flags, numbers,
# statuses, dates) is kept for the de-identified statistics.
CHILD_FIELDS = (
    "given_name",
    "father_name",
    "grandfather_name",
    "family_name",
    "phone",
    "languages",
    "current_address",
)
# The name search index: the normalised name key and/or its replacement, the blind index
# of the encrypted name. Whichever the model has is cleared (see _name_index_fields).
NAME_INDEX_FIELDS = ("name_key", "name_digest")
HOUSEHOLD_FIELDS = ("address", "phone", "notes")
MEMBER_FIELDS = ("name", "protection_concerns")
CONSENT_FIELDS = ("giver_name", "notes", "withdrawn_reason")
CASE_FIELDS = ("immediate_needs_notes", "not_eligible_reason")
REGISTRATION_FIELDS = (
    "workplace_name",
    "workplace_location",
    "workplace_contact",
    "tasks",
    "whereabouts_when_not_working",
    "immediate_protection_risks",
    "health_wellbeing",
)
PLAN_FIELDS = (
    "root_causes",
    "child_views",
    "caregiver_views",
    "safety_contacts",
    "safe_places",
    "warning_signs",
    "protective_equipment",
    "decision_note",
)
GOAL_FIELDS = ("description",)
ACTION_FIELDS = ("description", "responsible")
FOLLOW_UP_FIELDS = ("notes",)
REVIEW_FIELDS = ("participants", "summary", "decisions")
CLOSURE_FIELDS = ("justification", "transition_plan", "decision_note")
RISK_CHANGE_FIELDS = ("reason",)
REFERRAL_FIELDS = (
    "reason",
    "override_reason",
    "accompaniment_notes",
    "decline_reason",
    "outcome",
    "feedback",
    "revoke_reason",
)
TRANSFER_FIELDS = ("reason", "note_to_receiver", "override_reason", "decision_note")
CASH_FIELDS = ("note", "decision_note")
# Notification params that could name the child (none do today; kept for safety).
NOTIFICATION_PARAMS = ("child_name", "name", "caregiver_name")


@dataclass
class RetentionRun:
    """What one run found and did."""

    today: date
    dry_run: bool
    due: list[UUID] = field(default_factory=list)  # old enough and not yet anonymised
    anonymised: list[UUID] = field(default_factory=list)
    kept_for_sibling_or_other_case: list[UUID] = field(default_factory=list)
    areas_without_sop: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "dry_run": self.dry_run,
            "due": len(self.due),
            "anonymised": len(self.anonymised),
            "kept": len(self.kept_for_sibling_or_other_case),
            "areas_without_sop": self.areas_without_sop,
        }


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _ended_at() -> Coalesce:
    # A case declared not eligible or referred out has no closed_at: its last change is when.
    return Coalesce("closed_at", "updated_at", output_field=models.DateTimeField())


@dataclass(frozen=True)
class _Due:
    case_id: UUID
    ended_at: datetime
    years: int
    sop: SopVersion


def _due_cases(today: date, run: RetentionRun) -> dict[UUID, _Due]:
    """Ended cases past their area's retention period and not yet anonymised."""
    due: dict[UUID, _Due] = {}
    area_ids = (
        Case.objects.filter(status__in=ENDED_STATUSES, anonymisation__isnull=True)
        .values_list("area_id", flat=True)
        .distinct()
    )
    for area in Area.objects.filter(pk__in=list(area_ids)).order_by("code"):
        try:
            sop_row, sop = active_sop(area)
        except NotFoundError:
            run.areas_without_sop.append(area.code)
            continue
        retention = sop.data_protection.retention if sop.data_protection else Retention()
        cutoff_day = _years_before(today, retention.closed_case_years)
        cutoff = datetime.combine(cutoff_day, time.min, tzinfo=ZoneInfo(sop.timezone))
        rows = (
            Case.objects.filter(area=area, status__in=ENDED_STATUSES, anonymisation__isnull=True)
            .annotate(ended=_ended_at())
            .filter(ended__lt=cutoff)
            .values_list("pk", "ended")
        )
        for pk, ended in rows:
            due[pk] = _Due(pk, ended, retention.closed_case_years, sop_row)
    return due


def _releasable(case_ids: Iterable[UUID], due: dict[UUID, _Due]) -> bool:
    """True if every one of these cases is due or already anonymised."""
    rest = [pk for pk in case_ids if pk not in due]
    return not rest or not Case.objects.filter(pk__in=rest, anonymisation__isnull=True).exists()


def _name_index_fields() -> tuple[str, ...]:
    # The name index is being replaced (name_key -> name_digest): clear the ones that exist.
    concrete = {f.name for f in Child._meta.concrete_fields}
    return tuple(f for f in NAME_INDEX_FIELDS if f in concrete)


def _blank(model: type[models.Model], names: Iterable[str]) -> dict[str, Any]:
    """The empty value of each field: NULL where allowed, else an empty string or bytes."""
    out: dict[str, Any] = {}
    for name in names:
        f = model._meta.get_field(name)
        if getattr(f, "null", False):
            out[name] = None
        elif isinstance(f, models.BinaryField):
            out[name] = b""
        else:
            out[name] = ""
    return out


def _wipe(qs: QuerySet[Any], fields: Iterable[str]) -> int:
    return qs.update(**_blank(qs.model, fields))


def _deidentified_shared(shared: dict[str, Any]) -> dict[str, Any]:
    """A referral's frozen snapshot without what identifies anyone."""
    out: dict[str, Any] = {}
    if isinstance(identity := shared.get("identity"), dict):
        birth = str(identity.get("birth_date") or "")
        out["identity"] = {
            "sex": identity.get("sex"),
            "age": identity.get("age"),
            "birth_date": f"{birth[:4]}-07-01" if len(birth) >= 4 else None,
            "birth_date_estimated": True,
            "nationality": identity.get("nationality"),
            "disability": identity.get("disability"),
        }
    if isinstance(contact := shared.get("contact"), dict):
        out["contact"] = {"area": contact.get("area")}
    if isinstance(caregivers := shared.get("caregiver"), list):
        out["caregiver"] = [
            {"relation": c.get("relation")} for c in caregivers if isinstance(c, dict)
        ]
    if "risk_level" in shared:
        out["risk_level"] = shared["risk_level"]
    if isinstance(work := shared.get("work"), dict):
        out["work"] = {
            k: work.get(k) for k in ("work_type", "hours_per_day", "days_per_week", "conditions")
        }
    if "education" in shared:
        out["education"] = shared["education"]
    if isinstance(health := shared.get("health"), dict):
        out["health"] = {"concerns": health.get("concerns", [])}
    if "sensitive_disclosures" in shared:
        out["sensitive_disclosures"] = shared["sensitive_disclosures"]
    return out


def _deidentified_transfer_snapshot(snap: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in snap.items() if k not in ("child_name", "caseworker_name")}
    birth = str(snap.get("birth_date") or "")
    if len(birth) >= 4:
        out["birth_date"] = f"{birth[:4]}-07-01"
    return out


def _anonymise_one(item: _Due, due: dict[UUID, _Due], now: datetime) -> bool:
    """Anonymise one case in its own transaction; False if it must wait (or is done)."""
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("child")
            .filter(pk=item.case_id, anonymisation__isnull=True)
            .first()
        )
        if case is None:  # done by a concurrent run
            return False
        child = case.child
        if not _releasable(child.cases.values_list("pk", flat=True), due):
            return False
        wiped: dict[str, list[str]] = {}

        def wipe(label: str, qs: QuerySet[Any], fields: tuple[str, ...]) -> None:
            if _wipe(qs, fields):
                wiped[label] = list(fields)

        # The child: identity gone, birth year kept (1 July, marked estimated).
        wipe("child", Child.objects.filter(pk=child.pk), CHILD_FIELDS + _name_index_fields())
        Child.objects.filter(pk=child.pk).update(
            birth_date=date(child.birth_date.year, 7, 1), birth_date_estimated=True
        )
        wipe("household_member", HouseholdMember.objects.filter(child=child), MEMBER_FIELDS)
        if child.household_id is not None:
            siblings = Case.objects.filter(child__household_id=child.household_id)
            if _releasable(siblings.values_list("pk", flat=True), due):
                wipe("household", Household.objects.filter(pk=child.household_id), HOUSEHOLD_FIELDS)
                wipe(
                    "household_member",
                    HouseholdMember.objects.filter(household_id=child.household_id),
                    MEMBER_FIELDS,
                )
        # The case and everything written about it.
        wipe("case", Case.objects.filter(pk=case.pk), CASE_FIELDS)
        wipe("consent", Consent.objects.filter(case=case), CONSENT_FIELDS)
        wipe("registration", Registration.objects.filter(case=case), REGISTRATION_FIELDS)
        # Encrypted at rest: compared in Python, not in SQL.
        if Assessment.objects.filter(case=case).update(narrative={}):
            wiped["assessment"] = ["narrative"]
        wipe("plan", CasePlan.objects.filter(case=case), PLAN_FIELDS)
        wipe("plan_goal", PlanGoal.objects.filter(plan__case=case), GOAL_FIELDS)
        wipe("plan_action", PlanAction.objects.filter(goal__plan__case=case), ACTION_FIELDS)
        wipe("follow_up", FollowUp.objects.filter(case=case), FOLLOW_UP_FIELDS)
        wipe("review", Review.objects.filter(case=case), REVIEW_FIELDS)
        wipe("closure_request", ClosureRequest.objects.filter(case=case), CLOSURE_FIELDS)
        wipe("risk_change", RiskChange.objects.filter(case=case), RISK_CHANGE_FIELDS)
        wipe("cash", CashDisbursement.objects.filter(case=case), CASH_FIELDS)
        referral_ids: list[str] = []
        for referral in Referral.objects.filter(case=case).only("pk", "shared"):
            referral_ids.append(str(referral.pk))
            Referral.objects.filter(pk=referral.pk).update(
                shared=_deidentified_shared(referral.shared or {}),
                **_blank(Referral, REFERRAL_FIELDS),
            )
        if referral_ids:
            wiped["referral"] = [*REFERRAL_FIELDS, "shared"]
        for transfer in CaseTransfer.objects.filter(case=case).only("pk", "snapshot"):
            CaseTransfer.objects.filter(pk=transfer.pk).update(
                snapshot=_deidentified_transfer_snapshot(transfer.snapshot or {}),
                **_blank(CaseTransfer, TRANSFER_FIELDS),
            )
            wiped["transfer"] = [*TRANSFER_FIELDS, "snapshot"]
        # Notifications link to the case or its referrals; drop any param naming someone.
        links = Q(link__contains=str(case.pk))
        for rid in referral_ids:
            links |= Q(link__contains=rid)
        for note in Notification.objects.filter(links):
            params = {k: v for k, v in note.params.items() if k not in NOTIFICATION_PARAMS}
            if params != note.params:
                Notification.objects.filter(pk=note.pk).update(params=params)
                wiped["notification"] = list(NOTIFICATION_PARAMS)
        anonymisation = CaseAnonymisation.objects.create(
            case=case,
            anonymised_at=now,
            closed_at=item.ended_at,
            retention_years=item.years,
            sop_version=item.sop,
        )
        record(
            actor=None,
            action=Event.Action.ANONYMISE,
            obj=anonymisation,
            case=case,
            changes={
                "wiped": {k: sorted(v) for k, v in sorted(wiped.items())},
                "ended_at": item.ended_at,
                "retention_years": item.years,
            },
            summary="case anonymised (retention)",
            sop_version=item.sop.version,
        )
    return True


def apply_retention(
    *, today: date | None = None, dry_run: bool = False, batch_size: int = 200
) -> RetentionRun:
    """Anonymise every ended case past its SOP's retention period (see module docstring).

    ``today`` (in each SOP's time zone) defaults to now; ``dry_run`` only counts.
    """
    now = timezone.now()
    day = today or now.date()
    run = RetentionRun(today=day, dry_run=dry_run)
    due = _due_cases(day, run)
    run.due = sorted(due, key=str)
    for start in range(0, len(run.due), batch_size):
        for pk in run.due[start : start + batch_size]:
            if dry_run:
                child_cases = Case.objects.filter(child__cases=pk).values_list("pk", flat=True)
                if _releasable(child_cases, due):
                    run.anonymised.append(pk)
                else:
                    run.kept_for_sibling_or_other_case.append(pk)
                continue
            if _anonymise_one(due[pk], due, now):
                run.anonymised.append(pk)
            elif not CaseAnonymisation.objects.filter(case_id=pk).exists():
                run.kept_for_sibling_or_other_case.append(pk)
    return run
