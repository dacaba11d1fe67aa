"""Step 1 (SPEC §3): identification, consent and assent, eligibility, registration."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from fanous.accounts.access import Actor, cases_visible_to, supervised_user_ids
from fanous.accounts.models import Agency, Area, User
from fanous.accounts.permissions import Permission
from fanous.audit.models import Event
from fanous.audit.services import record
from fanous.core.crypto import name_digest
from fanous.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from fanous.core.fields import AUDIT_CHANGED, audit_safe_changes
from fanous.domain import timeframes as tf
from fanous.domain.eligibility import evaluate_eligibility
from fanous.domain.roles import Role
from fanous.domain.workflow import Action, CaseStatus
from fanous.sop.selectors import active_sop

from ..models import (
    Case,
    CaseNumberSequence,
    Child,
    Consent,
    Household,
    HouseholdMember,
    Registration,
)
from .common import (
    audit_child_record,
    before_of,
    case_facts,
    child_age,
    effective_consents,
    insert,
    load_case,
    local_today,
    recompute,
    replayed,
    require_edit,
    save_case,
    sop_for,
    transition,
)

IMMEDIATE_NEEDS = ("medical", "food", "shelter", "protection", "psychosocial", "other")
MAX_CHILD_AGE = 24  # older than this is a typing error, not a child


@dataclass(frozen=True)
class ChildData:
    given_name: str
    sex: str
    birth_date: date
    father_name: str = ""
    grandfather_name: str = ""
    family_name: str = ""
    birth_date_estimated: bool = False
    nationality: str = ""
    legal_status: str = ""
    disability: bool = False
    phone: str = ""
    languages: str = ""
    current_address: str = ""


def _check_birth_date(birth_date: date, today: date) -> None:
    if birth_date > today:
        raise ValidationFailed(
            "The birth date %(date)s is in the future. Enter the child's real or estimated "
            "birth date.",
            {"date": birth_date.isoformat()},
            code="birth_date_future",
        )
    if tf.age_on(birth_date, today) > MAX_CHILD_AGE:
        raise ValidationFailed(
            "A birth date of %(date)s gives an age of %(age)s years, which is not possible for "
            "a child. Check the year.",
            {"date": birth_date.isoformat(), "age": tf.age_on(birth_date, today)},
            code="birth_date_impossible",
        )


# One message per kind of code, so that each reads naturally once translated.
UNKNOWN_CODE_MESSAGES = {
    "concern": gettext_noop("Unknown protection concern: %(codes)s. Choose from: %(allowed)s."),
    "criterion": gettext_noop(
        "Unknown eligibility criterion: %(codes)s. Choose from: %(allowed)s."
    ),
    "need": gettext_noop("Unknown immediate need: %(codes)s. Choose from: %(allowed)s."),
    "purpose": gettext_noop("Unknown consent purpose: %(codes)s. Choose from: %(allowed)s."),
}


def _check_codes(kind: str, given: list[str], allowed: set[str]) -> None:
    unknown = sorted(set(given) - allowed)
    if unknown:
        raise ValidationFailed(
            UNKNOWN_CODE_MESSAGES[kind],
            {"codes": ", ".join(unknown), "allowed": ", ".join(sorted(allowed))},
            code="unknown_code",
        )


def _next_case_number(agency: Agency, today: date) -> str:
    seq, _ = CaseNumberSequence.objects.select_for_update().get_or_create(
        agency=agency, year=today.year
    )
    CaseNumberSequence.objects.filter(pk=seq.pk).update(last=F("last") + 1)
    seq.refresh_from_db()
    return f"{agency.code}-{today.year}-{seq.last:06d}"


@transaction.atomic
def case_identify(
    *,
    actor: Actor,
    case_id: UUID | None,
    child: ChildData,
    area: Area,
    concerns: list[str],
    eligibility_criteria: list[str],
    immediate_needs: list[str],
    immediate_needs_notes: str = "",
    source: str = "",
    household_address: str = "",
    household_phone: str = "",
) -> tuple[Case, bool]:
    """Record a first contact with a child (SPEC §3). Idempotent by `case_id`.

    Returns (case, created). A retry with the same id returns the case already made.
    """
    actor.require(Permission.CASE_CREATE)
    if actor.agency_id is None:
        raise PermissionDeniedError("Only staff of an agency can open cases.")
    if case_id is not None:
        existing = Case.objects.filter(pk=case_id).first()
        if existing is not None:
            if not cases_visible_to(actor).filter(pk=case_id).exists():
                raise ConflictError(
                    "This identifier is already used by another record. Generate a new one.",
                    code="id_taken",
                )
            return existing, False
    sop_row, sop = active_sop(area)
    today = local_today(sop)
    _check_birth_date(child.birth_date, today)
    concerns = concerns or [sop.primary_concern]
    _check_codes("concern", concerns, {c.code for c in sop.concerns})
    _check_codes("criterion", eligibility_criteria, {c.code for c in sop.eligibility.criteria})
    _check_codes("need", immediate_needs, set(IMMEDIATE_NEEDS))
    agency = Agency.objects.get(pk=actor.agency_id)
    age = tf.age_on(child.birth_date, today)
    eligibility = evaluate_eligibility(sop.eligibility, age, eligibility_criteria)

    household = Household.objects.create(
        agency=agency, area=area, address=household_address, phone=household_phone
    )
    child_row = Child.objects.create(
        household=household,
        agency=agency,
        name_digest=name_digest(
            " ".join(
                [child.given_name, child.father_name, child.grandfather_name, child.family_name]
            )
        ),
        **{f.name: getattr(child, f.name) for f in fields(ChildData)},
    )
    now = timezone.now()
    case = Case(
        case_number=_next_case_number(agency, today),
        child=child_row,
        agency=agency,
        area=area,
        caseworker=actor.user if actor.role == Role.CASEWORKER else None,
        created_by=actor.user,
        status=CaseStatus.IDENTIFIED,
        sop_version=sop_row,
        concerns=concerns,
        source=source,
        immediate_needs=immediate_needs,
        immediate_needs_notes=immediate_needs_notes,
        eligibility_criteria=eligibility_criteria,
        eligible=eligibility.eligible,
        identified_at=now,
    )
    if case_id is not None:
        case.id = case_id
    recompute(case, sop, today)
    case.save(force_insert=True)
    record(
        actor=actor.user,
        action=Event.Action.CREATE,
        obj=case,
        case=case,
        changes={
            "status": [None, case.status],
            "eligible": [None, case.eligible],
            "concerns": [None, concerns],
        },
        summary="identified",
        sop_version=sop_row.version,
    )
    return case, True


@transaction.atomic
def consent_record(
    *,
    actor: Actor,
    case_id: UUID,
    record_id: UUID | None,
    purpose: str,
    giver: str,
    given: bool,
    giver_name: str = "",
    giver_relation: str = "",
    method: str = Consent.Method.VERBAL,
    recorded_on: date | None = None,
    notes: str = "",
) -> tuple[Consent, bool]:
    """Consent of the caregiver, or assent/consent of the child, for one purpose (SPEC §3)."""
    require_edit(actor)
    existing = replayed(Consent, record_id, case_id, actor)
    if existing is not None:
        return existing, False
    case = load_case(actor, case_id, None)
    sop_row, sop = sop_for(case)
    _check_codes("purpose", [purpose], {p.code for p in sop.consent_purposes})
    if case.status == CaseStatus.CLOSED:
        raise ConflictError("The case is closed. Reopen it before recording consent.")
    today = local_today(sop)
    on = recorded_on or today
    if on > today:
        raise ValidationFailed("The consent date cannot be in the future.", code="date_future")
    consent = Consent(
        case=case,
        purpose=purpose,
        giver=giver,
        given=given,
        giver_name=giver_name,
        giver_relation=giver_relation,
        method=method,
        recorded_by=actor.user,
        recorded_on=on,
        notes=notes,
    )
    insert(consent, record_id)
    before = before_of(case)
    save_case(
        case,
        actor=actor,
        before=before,
        action=Event.Action.CONSENT,
        summary=f"{giver} {'gave' if given else 'refused'} consent for {purpose}",
        extra_changes={"consent": [None, {"purpose": purpose, "giver": giver, "given": given}]},
        sop_row=sop_row,
    )
    return consent, True


@transaction.atomic
def consent_withdraw(*, actor: Actor, case_id: UUID, consent_id: UUID, reason: str) -> Consent:
    """Withdrawal is recorded and honoured from now on; the original record stays."""
    require_edit(actor)
    case = load_case(actor, case_id, None)
    consent = Consent.objects.select_for_update().filter(pk=consent_id, case=case).first()
    if consent is None:
        raise NotFoundError("This consent record was not found on this case.")
    if consent.withdrawn_at is not None:
        return consent
    if not reason.strip():
        raise ValidationFailed("Say why consent was withdrawn.", code="reason_required")
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_reason = reason
    consent.version += 1
    consent.save()
    save_case(
        case,
        actor=actor,
        before=before_of(case),
        action=Event.Action.CONSENT_WITHDRAWN,
        summary=f"consent withdrawn: {consent.purpose} ({consent.giver})",
        extra_changes={"consent_withdrawn": [str(consent.pk), AUDIT_CHANGED]},
    )
    _honour_sharing_withdrawal(actor, case)
    return consent


def _honour_sharing_withdrawal(actor: Actor, case: Case) -> None:
    """Once the information-sharing consent no longer holds, nothing more leaves on it:
    pending referrals and transfers that rested on it stop, accepting services are told."""
    _, sop = sop_for(case)
    purpose = sop.referrals.consent_purpose if sop.referrals else None
    if purpose is None:
        return
    if purpose in effective_consents(case, sop, child_age(case, local_today(sop))):
        return  # another valid record still covers sharing (e.g. under the assent age)
    # Imported here: the referral services build on the case services.
    from fanous.referrals.services.referrals import referrals_consent_withdrawn
    from fanous.referrals.services.transfers import transfers_consent_withdrawn

    referrals_consent_withdrawn(actor=actor, case_id=case.pk)
    transfers_consent_withdrawn(actor=actor, case_id=case.pk)


REGISTRATION_FIELDS = (
    "workplace_name",
    "workplace_location",
    "workplace_contact",
    "work_type",
    "tasks",
    "hours_per_day",
    "days_per_week",
    "whereabouts_when_not_working",
    "concern_hazardous_work",
    "education_status",
    "immediate_protection_risks",
    "health_wellbeing",
)


@transaction.atomic
def case_register(
    *, actor: Actor, case_id: UUID, expected_version: int, data: dict[str, Any]
) -> Case:
    """Formal entry into case management: only if eligible and consent/assent given (SPEC §3)."""
    require_edit(actor)
    case = load_case(actor, case_id, expected_version)
    sop_row, sop = sop_for(case)
    today = local_today(sop)
    _check_work_time(data)
    unknown = set(data) - set(REGISTRATION_FIELDS)
    if unknown:
        raise ValidationFailed(
            "Unknown registration fields: %(f)s.", {"f": ", ".join(sorted(unknown))}
        )
    before = before_of(case)
    transition(case, Action.REGISTER, case_facts(case, actor, sop, today), actor)
    Registration.objects.create(case=case, registered_by=actor.user, sop_version=sop_row, **data)
    if case.caseworker_id is None and actor.role == Role.CASEWORKER:
        case.caseworker = actor.user
    case.registered_at = timezone.now()
    recompute(case, sop, today)
    return save_case(
        case,
        actor=actor,
        before=before,
        action=Event.Action.TRANSITION,
        summary="registered",
        extra_changes=audit_safe_changes(
            Registration,
            ((f"registration.{k}", k, None, v) for k, v in data.items() if v not in ("", None)),
        ),
        sop_row=sop_row,
    )


@transaction.atomic
def case_declare_not_eligible(
    *, actor: Actor, case_id: UUID, expected_version: int, reason: str
) -> Case:
    """The child does not meet the criteria: explain why, then refer out (SPEC §3)."""
    require_edit(actor)
    if not reason.strip():
        raise ValidationFailed(
            "Record why the child is not eligible; it is explained to the family.",
            code="reason_required",
        )
    case = load_case(actor, case_id, expected_version)
    sop_row, sop = sop_for(case)
    before = before_of(case)
    case.not_eligible_reason = reason
    transition(
        case, Action.DECLARE_NOT_ELIGIBLE, case_facts(case, actor, sop, local_today(sop)), actor
    )
    recompute(case, sop, local_today(sop))
    return save_case(
        case,
        actor=actor,
        before=before,
        action=Event.Action.TRANSITION,
        summary="not eligible",
        sop_row=sop_row,
    )


@transaction.atomic
def case_refer_out(
    *, actor: Actor, case_id: UUID, expected_version: int, referred_to: str, feedback: str = ""
) -> Case:
    require_edit(actor)
    if not referred_to.strip():
        raise ValidationFailed("Name the service the child was referred to.", code="required")
    case = load_case(actor, case_id, expected_version)
    sop_row, sop = sop_for(case)
    before = before_of(case)
    transition(case, Action.REFER_OUT, case_facts(case, actor, sop, local_today(sop)), actor)
    case.referred_out_to = referred_to
    recompute(case, sop, local_today(sop))
    return save_case(
        case,
        actor=actor,
        before=before,
        action=Event.Action.TRANSITION,
        summary="referred out",
        extra_changes={"referred_to": [None, referred_to], "feedback": [None, feedback]},
        sop_row=sop_row,
    )


@transaction.atomic
def case_assign(*, actor: Actor, case_id: UUID, expected_version: int, caseworker_id: int) -> Case:
    """A supervisor assigns the case to a caseworker of their own team."""
    if actor.role != Role.SUPERVISOR:
        raise PermissionDeniedError("Only a supervisor can assign cases.")
    case = load_case(actor, case_id, expected_version)
    worker = User.objects.filter(pk=caseworker_id, is_active=True, agency=case.agency).first()
    in_team = supervised_user_ids(actor).filter(user_id=caseworker_id).exists()
    if worker is None or worker.role != Role.CASEWORKER or not in_team:
        raise ValidationFailed(
            "You can assign a case only to an active caseworker of your team.", code="assignee"
        )
    _, sop = sop_for(case)
    before = before_of(case)
    case.caseworker = worker
    recompute(case, sop, local_today(sop))
    return save_case(case, actor=actor, before=before, summary="assigned")


def _check_work_time(data: dict[str, Any]) -> None:
    hours, days = data.get("hours_per_day"), data.get("days_per_week")
    if hours is not None and not 0 <= hours <= 24:
        raise ValidationFailed("Hours of work per day must be between 0 and 24.", code="hours")
    if days is not None and not 0 <= days <= 7:
        raise ValidationFailed("Days of work per week must be between 0 and 7.", code="days")


@transaction.atomic
def registration_update(
    *, actor: Actor, case_id: UUID, expected_version: int, changes: dict[str, Any]
) -> Case:
    """Correct the registration fields of a registered case (SPEC §3); old and new in history."""
    require_edit(actor)
    case = load_case(actor, case_id, expected_version)
    unknown = set(changes) - set(REGISTRATION_FIELDS)
    if unknown:
        raise ValidationFailed(
            "Unknown registration fields: %(f)s.", {"f": ", ".join(sorted(unknown))}
        )
    _check_work_time(changes)
    registration = Registration.objects.select_for_update().filter(case=case).first()
    if registration is None:
        raise ConflictError(
            "This child is not registered yet, so there are no registration details to correct. "
            "Complete the registration first.",
            code="not_registered",
        )
    _, sop = sop_for(case)
    old = {k: getattr(registration, k) for k in changes}
    for k, v in changes.items():
        setattr(registration, k, v)
    registration.version += 1
    registration.save()
    before = before_of(case)
    recompute(case, sop, local_today(sop))
    return save_case(
        case,
        actor=actor,
        before=before,
        summary="registration details updated",
        extra_changes=audit_safe_changes(
            Registration,
            ((f"registration.{k}", k, old[k], v) for k, v in changes.items() if old[k] != v),
        ),
    )


CHILD_EDITABLE = tuple(f.name for f in fields(ChildData))


@transaction.atomic
def case_update_child(
    *, actor: Actor, case_id: UUID, expected_version: int, changes: dict[str, Any]
) -> Case:
    """Correct the child's details; the history keeps old and new values."""
    require_edit(actor)
    case = load_case(actor, case_id, expected_version)
    _, sop = sop_for(case)
    unknown = set(changes) - set(CHILD_EDITABLE)
    if unknown:
        raise ValidationFailed("Unknown fields: %(f)s.", {"f": ", ".join(sorted(unknown))})
    if "birth_date" in changes:
        _check_birth_date(changes["birth_date"], local_today(sop))
    child: Child = case.child
    old = {k: getattr(child, k) for k in changes}
    for k, v in changes.items():
        setattr(child, k, v)
    child.refresh_name_digest()
    child.version += 1
    child.save()
    before = before_of(case)
    recompute(case, sop, local_today(sop))
    return save_case(
        case,
        actor=actor,
        before=before,
        summary="child details updated",
        # Encrypted fields are audited as changed, never with their values (SECURITY.md).
        extra_changes=audit_safe_changes(
            Child, ((f"child.{k}", k, old[k], v) for k, v in changes.items() if old[k] != v)
        ),
    )


@transaction.atomic
def household_member_add(
    *, actor: Actor, case_id: UUID, member_id: UUID | None, data: dict[str, Any]
) -> tuple[HouseholdMember, bool]:
    """Other household members, notably other children who may need a case (SPEC §5)."""
    require_edit(actor)
    if member_id is not None:
        existing = HouseholdMember.objects.filter(pk=member_id).first()
        if existing is not None:
            case_visible = cases_visible_to(actor).filter(pk=case_id).exists()
            if (
                not case_visible
                or existing.household_id != Case.objects.get(pk=case_id).child.household_id
            ):
                raise ConflictError(
                    "This identifier is already used by another record. Generate a new one.",
                    code="id_taken",
                )
            return existing, False
    case = load_case(actor, case_id, None)
    _, sop = sop_for(case)
    bd = data.get("birth_date")
    if bd is not None and bd > local_today(sop):
        raise ValidationFailed("A birth date cannot be in the future.", code="birth_date_future")
    household = case.child.household
    if household is None:
        raise ConflictError("This child has no household record.")
    member = HouseholdMember(household=household, **data)
    if member_id is not None:
        member.id = member_id
    member.save(force_insert=True)
    audit_child_record(
        actor=actor,
        obj=member,
        case=case,
        action=Event.Action.CREATE,
        fields=("relation", "works", "in_school"),
        summary="household member added",
    )
    save_case(case, actor=actor, before=before_of(case), summary="household member added")
    return member, True
