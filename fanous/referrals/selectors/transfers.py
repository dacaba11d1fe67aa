"""Reads of case transfers between agencies (SPEC §9, §10).

Need to know, in both directions:

- the receiving agency learns nothing of the case before it accepts: its supervisors see
  only the sending agency, the note written for them, the dates and the area;
- the sending team keeps a read-only record after the case has left: the snapshot taken
  at acceptance and the case history up to that moment, nothing after it.

The case itself is read only through ``cases_visible_to`` (fanous.cases.selectors), so
these rules never widen access to a case; they govern the transfer rows alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db.models import Q, QuerySet

from fanous.accounts.access import (
    Actor,
    cases_in_scope,
    supervised_user_ids,
    supervises,
    team_member_ids,
)
from fanous.accounts.models import Agency, User
from fanous.accounts.permissions import Permission
from fanous.audit.models import Event
from fanous.audit.selectors import history_row
from fanous.core.errors import NotFoundError
from fanous.domain.errors import DomainError
from fanous.domain.referrals import Side, TransferAction, TransferStatus, transfer_next
from fanous.domain.roles import Role
from fanous.referrals.models import CaseTransfer

if TYPE_CHECKING:
    from fanous.cases.models import Case

PENDING = [TransferStatus.REQUESTED.value, TransferStatus.APPROVED.value]


def _base() -> QuerySet[CaseTransfer]:
    return CaseTransfer.objects.select_related(
        "case",
        "case__child",
        "case__area",
        "from_agency",
        "to_agency",
        "requested_by",
        "approved_by",
        "decided_by",
        "sop_version",
    )


def _sending_q(actor: Actor) -> Q:
    """Transfers the actor sees as a member of the sending case team."""
    if actor.agency_id is None or not actor.can(Permission.CASE_VIEW):
        return Q(pk__in=[])
    team = [actor.id]
    if actor.role == Role.SUPERVISOR:
        team += team_member_ids(actor)
    return Q(from_agency_id=actor.agency_id) & (
        # While the case is still with the agency: whoever may see the case.
        Q(case_id__in=cases_in_scope(actor).values("id"))
        # After it left: who asked, who approved, the sending caseworker, their supervisor.
        | Q(requested_by_id__in=team)
        | Q(approved_by_id=actor.id)
        | Q(sending_caseworker_id__in=team)
    )


def _receiving_q(actor: Actor) -> Q:
    """Transfers offered to the actor's agency: its supervisors decide on them.

    A request the sending supervisor has not approved yet has not been offered: the
    receiving agency does not learn of it.
    """
    if actor.agency_id is None or not actor.can(Permission.TRANSFER_APPROVE):
        return Q(pk__in=[])
    return Q(to_agency_id=actor.agency_id, approved_at__isnull=False)


def transfers_visible_to(actor: Actor) -> QuerySet[CaseTransfer]:
    if not actor.user.is_active:
        return CaseTransfer.objects.none()
    return _base().filter(_sending_q(actor) | _receiving_q(actor))


def sides_of(actor: Actor, transfer: CaseTransfer) -> frozenset[Side]:
    """The parts the actor plays on this transfer (for fanous.domain.referrals.transfer_next).

    The sending sides are computed against the case as it stands while it is still with
    the sending agency: its assigned caseworker, and their supervisor (or any supervisor
    of the agency when nobody is assigned yet, as for unassigned intake).
    """
    sides: set[Side] = set()
    if actor.agency_id is None or not actor.user.is_active:
        return frozenset()
    case = transfer.case
    if actor.agency_id == transfer.from_agency_id and case.agency_id == transfer.from_agency_id:
        if case.caseworker_id == actor.id and actor.can(Permission.REFERRAL_SEND):
            sides.add(Side.SENDER)
        if actor.can(Permission.TRANSFER_APPROVE) and (
            case.caseworker_id is None
            or case.caseworker_id == actor.id
            or supervises(actor, case.caseworker_id)
        ):
            sides.update({Side.SENDER, Side.SENDER_SUPERVISOR})
    if actor.agency_id == transfer.to_agency_id and actor.can(Permission.TRANSFER_APPROVE):
        sides.add(Side.RECEIVER_SUPERVISOR)
    return frozenset(sides)


def is_sending_side(actor: Actor, transfer: CaseTransfer) -> bool:
    return actor.agency_id == transfer.from_agency_id


def transfer_get(*, actor: Actor, transfer_id: UUID, audit_section: str = "") -> CaseTransfer:
    """One transfer the actor may see; 404 otherwise, whether or not it exists.

    With ``audit_section``, a person reads the transfer record: logged in the audit log.
    """
    transfer = transfers_visible_to(actor).filter(pk=transfer_id).first()
    if transfer is None:
        raise NotFoundError("No transfer with this identifier is visible to you.")
    if audit_section:
        from fanous.audit.services import record_read

        record_read(actor, transfer, transfer.case_id, section=audit_section)
    return transfer


@dataclass(frozen=True)
class TransferLists:
    inbox: list[CaseTransfer]  # offered to the actor's agency
    outbox: list[CaseTransfer]  # from the actor's case team


def transfer_list_for(*, actor: Actor, limit: int = 200) -> TransferLists:
    """The actor's transfers: pending ones first, then the most recent."""
    if not actor.user.is_active:
        return TransferLists(inbox=[], outbox=[])
    order = ("-requested_at",)
    inbox = _base().filter(_receiving_q(actor)).order_by(*order)
    outbox = _base().filter(_sending_q(actor)).order_by(*order)

    def pending_first(qs: QuerySet[CaseTransfer]) -> list[CaseTransfer]:
        rows = list(qs[:limit])
        return [t for t in rows if t.status in PENDING] + [
            t for t in rows if t.status not in PENDING
        ]

    return TransferLists(inbox=pending_first(inbox), outbox=pending_first(outbox))


def transfer_inbox_count(*, actor: Actor) -> int:
    """Transfers waiting for the actor's decision (a badge in the navigation)."""
    if not actor.can(Permission.TRANSFER_APPROVE) or actor.agency_id is None:
        return 0
    incoming = CaseTransfer.objects.filter(
        to_agency_id=actor.agency_id, status=TransferStatus.APPROVED.value
    ).count()
    outgoing = (
        CaseTransfer.objects.filter(_sending_q(actor), status=TransferStatus.REQUESTED.value)
        .filter(
            Q(case__caseworker_id__in=[actor.id, *team_member_ids(actor)])
            | Q(case__caseworker__isnull=True)
        )
        .count()
    )
    return incoming + outgoing


def transfer_history(*, actor: Actor, transfer: CaseTransfer) -> QuerySet[Event]:
    """The sending agency's read-only view of the case history: up to the acceptance.

    Only for an accepted transfer seen from the sending side; nothing after the moment
    the case left (``decided_at``, the time of the acceptance event itself).
    """
    if (
        transfer.status != TransferStatus.ACCEPTED.value
        or transfer.decided_at is None
        or not is_sending_side(actor, transfer)
    ):
        return Event.objects.none()
    return (
        Event.objects.filter(case_id=transfer.case_id, at__lte=transfer.decided_at)
        .exclude(action=Event.Action.READ)
        .select_related("actor")
        .order_by("at", "id")
    )


def receiving_caseworkers(*, actor: Actor) -> list[User]:
    """Caseworkers the accepting supervisor may assign the case to: their own team."""
    if actor.role != Role.SUPERVISOR or actor.agency_id is None:
        return []
    return list(
        User.objects.filter(
            pk__in=supervised_user_ids(actor),
            role=Role.CASEWORKER.value,
            is_active=True,
            agency_id=actor.agency_id,
        ).order_by("first_name", "last_name", "username")
    )


def pending_transfer_of(*, actor: Actor, case_id: UUID) -> CaseTransfer | None:
    """The pending transfer of a case the actor may see (for the case page's link)."""
    return (
        transfers_visible_to(actor)
        .filter(case_id=case_id, status__in=PENDING, from_agency_id=actor.agency_id)
        .first()
    )


def allowed_actions(actor: Actor, transfer: CaseTransfer) -> list[TransferAction]:
    """The steps the actor may take now (the buttons shown; the services check again)."""
    sides = sides_of(actor, transfer)
    receiving = actor.agency_id == transfer.to_agency_id
    out = []
    for action in TransferAction:
        if action in (TransferAction.ACCEPT, TransferAction.DECLINE) and not receiving:
            continue
        try:
            transfer_next(TransferStatus(transfer.status), action, sides, reason="-")
        except DomainError:
            continue
        out.append(action)
    return out


def _agency(agency: Agency, lang: str) -> dict[str, Any]:
    return {"id": agency.pk, "code": agency.code, "name": agency.name(lang)}


def transfer_view(
    *, actor: Actor, transfer: CaseTransfer, lang: str, with_history: bool = False
) -> dict[str, Any]:
    """What the actor may read of a transfer: both doors (API and web) show this.

    The receiving side gets the sending agency, the note written for it, the dates and
    the area; the case's identifier only once it has accepted the case (it can then open
    it). The sending side gets the whole request and its snapshot.
    """
    sending = is_sending_side(actor, transfer)
    status = TransferStatus(transfer.status)
    out: dict[str, Any] = {
        "id": transfer.pk,
        "version": transfer.version,
        "status": status.value,
        "side": "sending" if sending else "receiving",
        "from_agency": _agency(transfer.from_agency, lang),
        "to_agency": _agency(transfer.to_agency, lang),
        "area": {"code": transfer.case.area.code, "name": transfer.case.area.name(lang)},
        "note_to_receiver": transfer.note_to_receiver,
        "requested_at": transfer.requested_at,
        "approved_at": transfer.approved_at,
        "decided_at": transfer.decided_at,
        "decision_note": "",
        "case_id": None,
        "case_number": None,
        "child_name": None,
        "reason": None,
        "basis": None,
        "override_reason": None,
        "requested_by": None,
        "approved_by": None,
        "decided_by": None,
        "snapshot": None,
        "allowed_actions": [a.value for a in allowed_actions(actor, transfer)],
        "history": None,
    }
    if not sending:
        if status is TransferStatus.ACCEPTED:
            out["case_id"] = transfer.case_id
        if status is TransferStatus.DECLINED:
            out["decision_note"] = transfer.decision_note
        return out

    def name(user: User | None) -> str | None:
        return (user.get_full_name() or user.username) if user else None

    snap = dict(transfer.snapshot)
    out.update(
        {
            "case_id": transfer.case_id,
            "case_number": snap.get("case_number") or transfer.case.case_number,
            "child_name": snap.get("child_name") or transfer.case.child.full_name,
            "reason": transfer.reason,
            "basis": transfer.basis,
            "override_reason": transfer.override_reason,
            "requested_by": name(transfer.requested_by),
            "approved_by": name(transfer.approved_by),
            "decided_by": name(transfer.decided_by),
            "decision_note": transfer.decision_note,
            "snapshot": snap,
        }
    )
    if with_history:
        out["history"] = [history_row(e) for e in transfer_history(actor=actor, transfer=transfer)]
    return out


def agencies_to_transfer_to(*, case_agency_id: UUID) -> list[Agency]:
    """Active agencies other than the case's own, for the transfer form."""
    return list(Agency.objects.filter(is_active=True).exclude(pk=case_agency_id).order_by("code"))


def information_sharing_consent(case: Case) -> bool:
    """Whether the consent the SOP requires for sharing the case with another agency is on
    record (the referrals annex's consent purpose)."""
    from fanous.cases.services.common import child_age, effective_consents, local_today, sop_for

    _row, sop = sop_for(case)
    purpose = sop.referrals.consent_purpose if sop.referrals else "information_sharing"
    return purpose in effective_consents(case, sop, child_age(case, local_today(sop)))
