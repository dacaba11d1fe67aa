"""Transfer of a case to another agency (SPEC §9 "a more specialised service", §10 children
on the move): with the consent for information sharing (or a recorded best-interests
ground), approved by the sending supervisor, accepted or declined by a supervisor of the
receiving agency.

Nothing of the case reaches the receiving agency before it accepts: the request carries
only a note written for it. On acceptance the case, the child and (when no sibling's case
stays behind) the household move to the receiving agency in one transaction; the sending
agency keeps a frozen snapshot and the history up to that moment.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from fanous.accounts.access import Actor, supervised_user_ids
from fanous.accounts.models import Agency, TeamMembership, User
from fanous.accounts.permissions import Permission
from fanous.audit.models import Event
from fanous.audit.services import diff, record, snapshot
from fanous.cases.models import OPEN_STATUSES, Case, Child, Household
from fanous.cases.services.common import TRACKED as CASE_TRACKED
from fanous.cases.services.common import (
    before_of,
    child_age,
    effective_consents,
    load_case,
    local_today,
    sop_for,
)
from fanous.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from fanous.domain import referrals as rules
from fanous.domain.errors import DomainError
from fanous.domain.referrals import CashStatus, TransferAction, TransferStatus
from fanous.domain.roles import Role
from fanous.notifications.kinds import Kind
from fanous.notifications.services import notify
from fanous.referrals.models import CaseTransfer, CashDisbursement
from fanous.referrals.selectors.transfers import PENDING, sides_of, transfers_visible_to

# Written on emergency-cash requests still waiting when their case leaves the agency: the
# sending agency's budget no longer pays for a case it does not manage.
CASH_REJECTED_ON_TRANSFER = gettext_noop(
    "Rejected automatically: the case was transferred to another agency. The receiving "
    "agency can request emergency cash from its own fund."
)

AUDITED = ("status", "to_agency_id", "basis", "approved_by_id", "decided_by_id")


def transfer_link(transfer: CaseTransfer) -> str:
    return f"/transfers/{transfer.pk}/"


def _audit(transfer: CaseTransfer, *, actor: Actor, before: dict[str, Any], summary: str) -> Event:
    return record(
        actor=actor.user,
        action=Event.Action.TRANSFER,
        obj=transfer,
        case=transfer.case,
        changes=diff(before, snapshot(transfer, AUDITED)),
        summary=summary,
        sop_version=transfer.sop_version.version,
    )


def _next(transfer: CaseTransfer, action: TransferAction, actor: Actor, reason: str = "") -> str:
    """Ask the domain. Acting from the wrong side is a permission refusal (403)."""
    try:
        return rules.transfer_next(
            TransferStatus(transfer.status), action, sides_of(actor, transfer), reason=reason
        ).value
    except DomainError as exc:
        if exc.code == "transfer_side_not_allowed":
            raise PermissionDeniedError(exc.message, exc.params, code=exc.code) from exc
        if exc.code == "transfer_transition_not_allowed":
            raise ConflictError(exc.message, exc.params, code=exc.code) from exc
        raise


def sending_supervisors(case: Case) -> list[User]:
    """Who approves: the supervisor(s) of the case's caseworker (any of the agency's
    supervisors when nobody is assigned)."""
    users = User.objects.filter(
        is_active=True, role=Role.SUPERVISOR.value, agency_id=case.agency_id
    )
    if case.caseworker_id is not None:
        users = users.filter(
            pk__in=TeamMembership.objects.filter(user_id=case.caseworker_id).values(
                "team__supervisor_id"
            )
        )
    return list(users)


def receiving_supervisors(transfer: CaseTransfer) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, role=Role.SUPERVISOR.value, agency_id=transfer.to_agency_id
        )
    )


def _sending_people(transfer: CaseTransfer) -> list[User]:
    ids = {transfer.requested_by_id, transfer.approved_by_id}
    caseworker = transfer.snapshot.get("caseworker_id")
    if isinstance(caseworker, int):
        ids.add(caseworker)
    return list(User.objects.filter(pk__in=[i for i in ids if i is not None]))


def take_snapshot(case: Case, transfer: CaseTransfer) -> dict[str, Any]:
    """What the sending agency keeps of the case once it has left (read-only record)."""
    worker = case.caseworker
    return {
        "case_number": case.case_number,
        "child_name": case.child.full_name,
        "sex": case.child.sex,
        "birth_date": case.child.birth_date.isoformat(),
        "risk_level": case.risk_level,
        "status": case.status,
        "identified_at": case.identified_at.isoformat() if case.identified_at else None,
        "registered_at": case.registered_at.isoformat() if case.registered_at else None,
        "plan_approved_at": case.plan_approved_at.isoformat() if case.plan_approved_at else None,
        "caseworker_id": worker.pk if worker else None,
        "caseworker_name": (worker.get_full_name() or worker.username) if worker else "",
        "from_agency": transfer.from_agency.code,
        "to_agency": transfer.to_agency.code,
        "case_version": case.version,
    }


def _load(actor: Actor, transfer_id: UUID, expected_version: int) -> CaseTransfer:
    transfer = (
        transfers_visible_to(actor).select_for_update(of=("self",)).filter(pk=transfer_id).first()
    )
    if transfer is None:
        raise NotFoundError("No transfer with this identifier is visible to you.")
    if transfer.version != expected_version:
        raise ConflictError(
            "This transfer was changed by someone else since you opened it (your version "
            "%(yours)s, current %(current)s). Reload it and decide again.",
            {"yours": expected_version, "current": transfer.version},
        )
    return transfer


def _require_text(value: str, field: str, message: str) -> str:
    text = value.strip()
    if not text:
        raise ValidationFailed(message, code=field)
    return text


@transaction.atomic
def transfer_request(
    *,
    actor: Actor,
    case_id: UUID,
    expected_version: int,
    record_id: UUID | None,
    to_agency_id: UUID,
    reason: str,
    note_to_receiver: str,
    override_reason: str = "",
) -> CaseTransfer:
    """Ask to transfer an open case to another agency.

    By the case team (the assigned caseworker or their supervisor), with the consent for
    information sharing on record or a best-interests ground. A supervisor's own request
    is approved at once and offered to the receiving agency. Idempotent by ``record_id``.
    """
    actor.require(Permission.REFERRAL_SEND)
    if record_id is not None:
        existing = transfers_visible_to(actor).filter(pk=record_id).first()
        if existing is not None and existing.case_id == case_id:
            return existing
        if existing is not None or CaseTransfer.objects.filter(pk=record_id).exists():
            raise ConflictError(
                "This identifier is already used by another record. Generate a new one.",
                code="id_taken",
            )
    case = load_case(actor, case_id, expected_version)
    is_assigned = case.caseworker_id == actor.id
    is_supervisor = actor.can(Permission.TRANSFER_APPROVE) and (
        is_assigned
        or case.caseworker_id is None
        or supervised_user_ids(actor).filter(user_id=case.caseworker_id).exists()
    )
    if not (is_assigned or is_supervisor):
        raise PermissionDeniedError(
            "Only the assigned caseworker or their supervisor can transfer this case."
        )
    if case.status not in OPEN_STATUSES:
        raise ConflictError(
            "A case that is %(status)s cannot be transferred. Only open cases move to "
            "another agency.",
            {"status": case.status},
            code="transfer_case_not_open",
        )
    target = Agency.objects.filter(pk=to_agency_id, is_active=True).first()
    if target is None:
        raise ValidationFailed("Choose an active agency to transfer the case to.", code="to_agency")
    if target.pk == case.agency_id:
        raise ValidationFailed(
            "The case is already with this agency. To give it to another caseworker of "
            "your agency, reassign it instead.",
            code="to_agency",
        )
    reason = _require_text(
        reason,
        "reason",
        gettext_noop("Give the reason for the transfer; your supervisor reads it."),
    )
    note = _require_text(
        note_to_receiver,
        "note_to_receiver",
        gettext_noop(
            "Write a note for the receiving agency: what the child needs from them, without "
            "the child's name."
        ),
    )
    if CaseTransfer.objects.filter(case=case, status__in=PENDING).exists():
        raise ConflictError(
            "This case already has a transfer waiting for a decision. Cancel it before "
            "asking for another one.",
            code="transfer_pending",
        )
    sop_row, sop = sop_for(case)
    purpose = sop.referrals.consent_purpose if sop.referrals else "information_sharing"
    consents = effective_consents(case, sop, child_age(case, local_today(sop)))
    try:
        basis, _waits = rules.consent_basis(
            has_consent=purpose in consents,
            override_reason=override_reason,
            is_supervisor=is_supervisor,
        )
    except DomainError as exc:
        raise ValidationFailed(
            "The caregiver and child have not consented to sharing the case's information "
            "with another agency. Record their consent first, or give the best-interests or "
            "safety ground for the transfer.",
            code="transfer_consent_missing",
        ) from exc
    now = timezone.now()
    transfer = CaseTransfer(
        case=case,
        from_agency=case.agency,
        to_agency=target,
        status=TransferStatus.REQUESTED.value,
        reason=reason,
        note_to_receiver=note,
        basis=basis.value,
        override_reason=override_reason.strip() if basis != rules.ConsentBasis.CONSENT else "",
        requested_by=actor.user,
        requested_at=now,
        sop_version=sop_row,
    )
    if record_id is not None:
        transfer.id = record_id
    before = dict.fromkeys(AUDITED)
    if is_supervisor:
        transfer.status = TransferStatus.APPROVED.value
        transfer.approved_by = actor.user
        transfer.approved_at = now
    transfer.snapshot = take_snapshot(case, transfer)
    transfer.sending_caseworker_id = case.caseworker_id
    try:
        with transaction.atomic():
            transfer.save(force_insert=True)
    except IntegrityError as exc:  # a concurrent request won the one pending slot
        raise ConflictError(
            "This case already has a transfer waiting for a decision. Cancel it before "
            "asking for another one.",
            code="transfer_pending",
        ) from exc
    _audit(transfer, actor=actor, before=before, summary="transfer requested")
    if is_supervisor:
        _offer(transfer)
    else:
        notify(
            users=sending_supervisors(case),
            kind=Kind.TRANSFER_REQUESTED,
            params={"case_number": case.case_number, "agency": target.code},
            link=transfer_link(transfer),
        )
    return transfer


def _offer(transfer: CaseTransfer) -> None:
    """Tell the receiving agency's supervisors, without a word of the case."""
    notify(
        users=receiving_supervisors(transfer),
        kind=Kind.TRANSFER_INCOMING,
        params={"agency": transfer.from_agency.code},
        link=transfer_link(transfer),
    )


@transaction.atomic
def transfer_approve(*, actor: Actor, transfer_id: UUID, expected_version: int) -> CaseTransfer:
    """The sending supervisor approves: the request is offered to the receiving agency."""
    actor.require(Permission.TRANSFER_APPROVE)
    transfer = _load(actor, transfer_id, expected_version)
    before = snapshot(transfer, AUDITED)
    transfer.status = _next(transfer, TransferAction.APPROVE, actor)
    transfer.approved_by = actor.user
    transfer.approved_at = timezone.now()
    transfer.version += 1
    transfer.save()
    _audit(transfer, actor=actor, before=before, summary="transfer approved")
    _offer(transfer)
    return transfer


@transaction.atomic
def transfer_cancel(
    *, actor: Actor, transfer_id: UUID, expected_version: int, reason: str
) -> CaseTransfer:
    """The sending team withdraws a pending transfer (or the supervisor refuses a request)."""
    transfer = _load(actor, transfer_id, expected_version)
    before = snapshot(transfer, AUDITED)
    transfer.status = _next(transfer, TransferAction.CANCEL, actor, reason)
    transfer.decided_by = actor.user
    transfer.decided_at = timezone.now()
    transfer.decision_note = reason.strip()
    transfer.version += 1
    transfer.save()
    _audit(transfer, actor=actor, before=before, summary="transfer cancelled")
    if transfer.requested_by_id != actor.id:
        notify(
            users=[transfer.requested_by],
            kind=Kind.TRANSFER_DECIDED,
            params={
                "case_number": transfer.case.case_number,
                "agency": transfer.to_agency.code,
                "transfer_status": transfer.status,
            },
            link=transfer_link(transfer),
        )
    return transfer


def _tell_sender(transfer: CaseTransfer) -> None:
    notify(
        users=_sending_people(transfer),
        kind=Kind.TRANSFER_DECIDED,
        params={
            "case_number": transfer.snapshot.get("case_number", ""),
            "agency": transfer.to_agency.code,
            "transfer_status": transfer.status,
        },
        link=transfer_link(transfer),
    )


@transaction.atomic
def transfer_decline(
    *, actor: Actor, transfer_id: UUID, expected_version: int, reason: str
) -> CaseTransfer:
    """A supervisor of the receiving agency declines; the case stays where it is."""
    actor.require(Permission.TRANSFER_APPROVE)
    transfer = _load(actor, transfer_id, expected_version)
    if actor.agency_id != transfer.to_agency_id:
        raise PermissionDeniedError(
            "Only a supervisor of the receiving agency can decline a transfer. To withdraw "
            "it, cancel it.",
            code="transfer_side_not_allowed",
        )
    before = snapshot(transfer, AUDITED)
    transfer.status = _next(transfer, TransferAction.DECLINE, actor, reason)
    transfer.decided_by = actor.user
    transfer.decided_at = timezone.now()
    transfer.decision_note = reason.strip()
    transfer.version += 1
    transfer.save()
    _audit(transfer, actor=actor, before=before, summary="transfer declined")
    _tell_sender(transfer)
    return transfer


def _receiving_caseworker(
    actor: Actor, transfer: CaseTransfer, caseworker_id: int | None
) -> User | None:
    if caseworker_id is None:
        return None
    worker = User.objects.filter(
        pk=caseworker_id,
        is_active=True,
        role=Role.CASEWORKER.value,
        agency_id=transfer.to_agency_id,
    ).first()
    if worker is None or not supervised_user_ids(actor).filter(user_id=caseworker_id).exists():
        raise ValidationFailed(
            "You can assign the case only to an active caseworker of your team, or leave it "
            "unassigned and assign it later.",
            code="caseworker_id",
        )
    return worker


def _reject_open_cash(case: Case, actor: Actor, sop_version: str) -> int:
    now = timezone.now()
    count = 0
    for cash in CashDisbursement.objects.select_for_update().filter(
        case=case, status=CashStatus.REQUESTED.value
    ):
        cash.status = CashStatus.REJECTED.value
        cash.decided_by = actor.user
        cash.decided_at = now
        cash.decision_note = CASH_REJECTED_ON_TRANSFER
        cash.version += 1
        cash.save()
        record(
            actor=actor.user,
            action=Event.Action.CASH,
            obj=cash,
            case=case,
            changes={"status": [CashStatus.REQUESTED.value, CashStatus.REJECTED.value]},
            summary="emergency cash rejected: case transferred",
            sop_version=sop_version,
        )
        count += 1
    return count


@transaction.atomic
def transfer_accept(
    *, actor: Actor, transfer_id: UUID, expected_version: int, caseworker_id: int | None = None
) -> CaseTransfer:
    """A supervisor of the receiving agency accepts: the case moves, in one transaction.

    The case (and its child and household) belong to the receiving agency from now on;
    it is assigned to ``caseworker_id`` of the supervisor's team, or left unassigned in
    the agency's intake. Open referrals stay with their services; emergency-cash
    requests still waiting are rejected (the sending agency's fund no longer pays). The
    sending agency keeps the snapshot and the history up to this moment.
    """
    actor.require(Permission.TRANSFER_APPROVE)
    transfer = _load(actor, transfer_id, expected_version)
    if actor.agency_id != transfer.to_agency_id:
        raise PermissionDeniedError(
            "Only a supervisor of the receiving agency can accept a transfer.",
            code="transfer_side_not_allowed",
        )
    new_status = _next(transfer, TransferAction.ACCEPT, actor)
    worker = _receiving_caseworker(actor, transfer, caseworker_id)
    # The receiving supervisor cannot see the case yet (that is the point), so it is
    # locked directly, through the transfer that grants this one step.
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("child", "agency", "caseworker", "sop_version")
        .get(pk=transfer.case_id)
    )
    if case.agency_id != transfer.from_agency_id or case.status not in OPEN_STATUSES:
        raise ConflictError(
            "The case is no longer open with the sending agency, so it cannot be accepted. "
            "Ask the sending agency about it.",
            code="transfer_case_not_open",
        )
    sop_row, _sop = sop_for(case)
    transfer.snapshot = take_snapshot(case, transfer)
    transfer.sending_caseworker_id = case.caseworker_id

    cash_rejected = _reject_open_cash(case, actor, sop_row.version)

    before_case = before_of(case)
    old_agency = case.agency.code
    case.agency = transfer.to_agency
    case.caseworker = worker
    case.version += 1
    case.sop_version = sop_row
    case.save()
    Child.objects.filter(pk=case.child_id).update(agency=transfer.to_agency)
    household_id = case.child.household_id
    if household_id is not None:
        # A sibling's case still with the sending agency keeps the household there.
        siblings_stay = (
            Case.objects.filter(child__household_id=household_id, agency_id=transfer.from_agency_id)
            .exclude(pk=case.pk)
            .exists()
        )
        if not siblings_stay:
            Household.objects.filter(pk=household_id).update(agency=transfer.to_agency)

    transfer.status = new_status
    transfer.decided_by = actor.user
    transfer.version += 1
    changes = diff(before_case, snapshot(case, CASE_TRACKED))
    changes["agency"] = [old_agency, transfer.to_agency.code]
    changes["transfer"] = [None, str(transfer.pk)]
    changes["transfer_status"] = [TransferStatus.APPROVED.value, new_status]
    if cash_rejected:
        changes["cash_rejected"] = [None, cash_rejected]
    event = record(
        actor=actor.user,
        action=Event.Action.TRANSFER,
        obj=case,
        case=case,
        changes=changes,
        summary=f"transferred from {old_agency} to {transfer.to_agency.code}",
        sop_version=sop_row.version,
    )
    # The record the sending agency keeps ends with this event, included.
    transfer.decided_at = event.at
    transfer.save()
    _tell_sender(transfer)
    return transfer


def transfers_consent_withdrawn(*, actor: Actor, case_id: UUID) -> int:
    """Cancel the pending transfers of a case that relied on the withdrawn sharing consent.

    Called inside the transaction that records the withdrawal (SPEC §12). A transfer
    requested on a best-interests ground stays for the supervisors to decide.
    """
    count = 0
    pending = (
        CaseTransfer.objects.select_for_update(of=("self",))
        .filter(case_id=case_id, status__in=PENDING, basis=rules.ConsentBasis.CONSENT.value)
        .select_related("case", "to_agency", "from_agency", "requested_by", "sop_version")
    )
    for transfer in pending:
        before = snapshot(transfer, AUDITED)
        transfer.status = TransferStatus.CANCELLED.value
        transfer.decided_by = actor.user
        transfer.decided_at = timezone.now()
        transfer.decision_note = "consent withdrawn"
        transfer.version += 1
        transfer.save()
        _audit(
            transfer, actor=actor, before=before, summary="transfer cancelled: consent withdrawn"
        )
        notify(
            users=_sending_people(transfer),
            kind=Kind.TRANSFER_DECIDED,
            params={
                "case_number": transfer.case.case_number,
                "agency": transfer.to_agency.code,
                "transfer_status": transfer.status,
            },
            link=transfer_link(transfer),
        )
        count += 1
    return count
