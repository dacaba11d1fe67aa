"""Referrals, transfers and emergency cash: the rules of SPEC §8, §10 and §12.

Pure functions of plain values. The Django services load the facts, ask these
functions, and store what they answer; a refusal is a :class:`DomainError` whose
code API clients rely on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from fanous.domain.errors import DomainError, Reason
from fanous.domain.i18n import gettext_noop
from fanous.domain.sop.referrals import ReferralPolicy, ReferralType

__all__ = [
    "CashStatus",
    "ConsentBasis",
    "ReferralAction",
    "ReferralDeadlines",
    "ReferralStatus",
    "Side",
    "TransferAction",
    "TransferStatus",
    "cash_blockers",
    "chosen_sections",
    "consent_basis",
    "default_sections",
    "needs_shown",
    "referral_deadlines",
    "referral_next",
    "referral_overdue",
    "service_gaps",
    "transfer_next",
]


# --------------------------------------------------------------------------- referrals


class ReferralStatus(StrEnum):
    """Lifecycle of a referral (SPEC §8): tracked until the service is delivered."""

    PENDING_APPROVAL = "pending_approval"  # no consent: waits for a supervisor's override
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    DELIVERED = "delivered"
    CLOSED = "closed"
    REVOKED = "revoked"
    CANCELLED = "cancelled"  # the override was refused

    @property
    def is_open(self) -> bool:
        return self in _OPEN

    @property
    def label(self) -> str:
        """English msgid of the status's name."""
        return _LABELS[(type(self), self.value)]

    @property
    def awaits_receiver(self) -> bool:
        """The receiving service has something to do."""
        return self in (ReferralStatus.SENT, ReferralStatus.ACKNOWLEDGED, ReferralStatus.ACCEPTED)


_OPEN = frozenset(
    {
        ReferralStatus.PENDING_APPROVAL,
        ReferralStatus.SENT,
        ReferralStatus.ACKNOWLEDGED,
        ReferralStatus.ACCEPTED,
        ReferralStatus.DELIVERED,
        ReferralStatus.DECLINED,
    }
)


class ReferralAction(StrEnum):
    APPROVE_OVERRIDE = "approve_override"
    REFUSE_OVERRIDE = "refuse_override"
    ACKNOWLEDGE = "acknowledge"
    ACCEPT = "accept"
    DECLINE = "decline"
    DELIVER = "deliver"
    CLOSE = "close"
    REVOKE = "revoke"

    @property
    def label(self) -> str:
        """English msgid of the step's name."""
        return _LABELS[(type(self), self.value)]


class Side(StrEnum):
    """Who acts on a referral or a transfer."""

    SENDER = "sender"  # the case's caseworker (or anyone on the sending case team)
    SENDER_SUPERVISOR = "sender_supervisor"
    RECEIVER = "receiver"  # a user of the receiving service
    RECEIVER_SUPERVISOR = "receiver_supervisor"

    @property
    def label(self) -> str:
        """English msgid of the side's name."""
        return _LABELS[(type(self), self.value)]


_S = ReferralStatus
_A = ReferralAction
_SENDING = frozenset({Side.SENDER, Side.SENDER_SUPERVISOR})
_RECEIVING = frozenset({Side.RECEIVER})

# (from, action) -> (to, who may do it)
REFERRAL_TRANSITIONS: Mapping[
    tuple[ReferralStatus, ReferralAction], tuple[ReferralStatus, frozenset[Side]]
] = {
    (_S.PENDING_APPROVAL, _A.APPROVE_OVERRIDE): (_S.SENT, frozenset({Side.SENDER_SUPERVISOR})),
    (_S.PENDING_APPROVAL, _A.REFUSE_OVERRIDE): (_S.CANCELLED, frozenset({Side.SENDER_SUPERVISOR})),
    (_S.SENT, _A.ACKNOWLEDGE): (_S.ACKNOWLEDGED, _RECEIVING),
    (_S.SENT, _A.ACCEPT): (_S.ACCEPTED, _RECEIVING),
    (_S.ACKNOWLEDGED, _A.ACCEPT): (_S.ACCEPTED, _RECEIVING),
    (_S.SENT, _A.DECLINE): (_S.DECLINED, _RECEIVING),
    (_S.ACKNOWLEDGED, _A.DECLINE): (_S.DECLINED, _RECEIVING),
    (_S.ACCEPTED, _A.DELIVER): (_S.DELIVERED, _RECEIVING),
    (_S.DELIVERED, _A.CLOSE): (_S.CLOSED, _SENDING),
    (_S.DECLINED, _A.CLOSE): (_S.CLOSED, _SENDING),
    (_S.SENT, _A.REVOKE): (_S.REVOKED, _SENDING),
    (_S.ACKNOWLEDGED, _A.REVOKE): (_S.REVOKED, _SENDING),
    (_S.ACCEPTED, _A.REVOKE): (_S.REVOKED, _SENDING),
    (_S.PENDING_APPROVAL, _A.REVOKE): (_S.REVOKED, _SENDING),
}

# Actions that need a written reason.
REASON_REQUIRED = frozenset({_A.DECLINE, _A.REVOKE, _A.REFUSE_OVERRIDE})


def referral_next(
    status: ReferralStatus,
    action: ReferralAction,
    sides: Iterable[Side],
    *,
    receiver_in_app: bool = True,
    reason: str = "",
) -> ReferralStatus:
    """The status after ``action``, or DomainError.

    ``sides`` are the parts the actor plays (a supervisor of the sender is both
    SENDER and SENDER_SUPERVISOR). A service that does not use Fanous cannot answer
    in the app; then the sender records its answers (``receiver_in_app=False``).
    """
    step = REFERRAL_TRANSITIONS.get((status, action))
    if step is None:
        raise DomainError(
            "referral_transition_not_allowed",
            gettext_noop(
                "A referral that is %(referral_status)s cannot take the step “%(referral_action)s”."
            ),
            {"referral_status": status.value, "referral_action": action.value},
        )
    target, allowed = step
    acting = set(sides)
    if not receiver_in_app and allowed == _RECEIVING:
        allowed = allowed | _SENDING
    if not acting & allowed:
        raise DomainError(
            "referral_side_not_allowed",
            gettext_noop(
                "Only the %(side)s can do this on a referral. Ask them, or check that you "
                "opened the right referral."
            ),
            {"side": sorted(allowed)[0].value},
        )
    if action in REASON_REQUIRED and not reason.strip():
        raise DomainError(
            "referral_reason_required",
            gettext_noop("Give the reason; the other side and the case history will show it."),
        )
    return target


class ConsentBasis(StrEnum):
    CONSENT = "consent"
    BEST_INTERESTS = "best_interests"


def consent_basis(
    *, has_consent: bool, override_reason: str, is_supervisor: bool
) -> tuple[ConsentBasis, bool]:
    """On what ground information may be shared (SPEC §8, §12), and whether it waits.

    Returns ``(basis, needs_approval)``. With the consent for information sharing on
    record, the referral goes. Without it, only on a recorded best-interests or safety
    ground: a supervisor's own override goes at once; a caseworker's request waits
    for the supervisor. Without consent and without a reason: refused.
    """
    if has_consent:
        return ConsentBasis.CONSENT, False
    if not override_reason.strip():
        raise DomainError(
            "referral_consent_missing",
            gettext_noop(
                "The caregiver and child have not consented to sharing information with "
                "service providers. Record their consent first, or give the best-interests "
                "or safety ground for a supervisor to approve."
            ),
        )
    return ConsentBasis.BEST_INTERESTS, not is_supervisor


def default_sections(policy: ReferralPolicy, kind: ReferralType) -> tuple[str, ...]:
    """The minimal set proposed on a new referral: default sections the type allows."""
    return tuple(s.code for s in policy.sections if s.default and s.code in kind.sections)


def chosen_sections(
    policy: ReferralPolicy, kind: ReferralType, chosen: Sequence[str]
) -> tuple[str, ...]:
    """Validate what the sender chose to share; ordered as in the protocol.

    A section outside the referral type is refused, not silently dropped: the sender
    must know the receiver will not see it.
    """
    reasons = [
        Reason(
            "referral_section_not_allowed",
            gettext_noop("A %(type)s referral cannot carry %(section)s."),
            {"type": kind.code, "section": code},
        )
        for code in dict.fromkeys(chosen)
        if code not in kind.sections or policy.section(code) is None
    ]
    if reasons:
        raise DomainError(
            "referral_sections_invalid",
            gettext_noop("Some of what you chose to share is not allowed for this referral."),
            reasons=reasons,
        )
    wanted = set(chosen)
    return tuple(s.code for s in policy.sections if s.code in wanted)


@dataclass(frozen=True)
class ReferralDeadlines:
    acknowledge_by: datetime
    respond_by: datetime
    deliver_by: datetime


def referral_deadlines(
    policy: ReferralPolicy, *, urgent: bool, sent_at: datetime
) -> ReferralDeadlines:
    """When the receiver must acknowledge, answer, and deliver (SOP referral timeframes)."""
    frame = policy.timeframe(urgent)
    return ReferralDeadlines(
        acknowledge_by=sent_at + timedelta(hours=frame.acknowledge_hours),
        respond_by=sent_at + timedelta(hours=frame.respond_hours),
        deliver_by=sent_at + timedelta(days=frame.deliver_days),
    )


def referral_overdue(
    status: ReferralStatus, deadlines: ReferralDeadlines, now: datetime
) -> str | None:
    """Which answer is late: ``"acknowledge"``, ``"respond"``, ``"deliver"`` or None."""
    if status is ReferralStatus.SENT and now > deadlines.acknowledge_by:
        return "respond" if now > deadlines.respond_by else "acknowledge"
    if status is ReferralStatus.ACKNOWLEDGED and now > deadlines.respond_by:
        return "respond"
    if status is ReferralStatus.ACCEPTED and now > deadlines.deliver_by:
        return "deliver"
    return None


def needs_shown(policy: ReferralPolicy, facts: Mapping[str, object]) -> tuple[str, ...]:
    """The needs the assessment facts reveal, in the SOP's order (the pathways' inputs)."""
    return tuple(
        need.code
        for need in policy.needs
        if any(match.holds(facts.get(match.fact)) for match in need.shown_by)
    )


def service_gaps(
    policy: ReferralPolicy, needs: Iterable[str], available: Iterable[str]
) -> tuple[str, ...]:
    """Needs that no available service type meets: service gaps for advocacy (§12)."""
    have = set(available)
    gaps = []
    for code in dict.fromkeys(needs):
        need = policy.need(code)
        if need is not None and not have & set(need.service_types):
            gaps.append(code)
    return tuple(gaps)


# --------------------------------------------------------------------------- transfers


class TransferStatus(StrEnum):
    """A case moving to another agency (SPEC §9, §10): both supervisors approve."""

    REQUESTED = "requested"  # by the caseworker; the sending supervisor decides
    APPROVED = "approved"  # by the sending supervisor; the receiving agency decides
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"

    @property
    def is_pending(self) -> bool:
        return self in (TransferStatus.REQUESTED, TransferStatus.APPROVED)

    @property
    def label(self) -> str:
        """English msgid of the status's name."""
        return _LABELS[(type(self), self.value)]


class TransferAction(StrEnum):
    APPROVE = "approve"
    ACCEPT = "accept"
    DECLINE = "decline"
    CANCEL = "cancel"

    @property
    def label(self) -> str:
        """English msgid of the step's name."""
        return _LABELS[(type(self), self.value)]


_T = TransferStatus
_TA = TransferAction
TRANSFER_TRANSITIONS: Mapping[
    tuple[TransferStatus, TransferAction], tuple[TransferStatus, frozenset[Side]]
] = {
    (_T.REQUESTED, _TA.APPROVE): (_T.APPROVED, frozenset({Side.SENDER_SUPERVISOR})),
    (_T.REQUESTED, _TA.CANCEL): (_T.CANCELLED, _SENDING),
    (_T.REQUESTED, _TA.DECLINE): (_T.CANCELLED, frozenset({Side.SENDER_SUPERVISOR})),
    (_T.APPROVED, _TA.CANCEL): (_T.CANCELLED, _SENDING),
    (_T.APPROVED, _TA.ACCEPT): (_T.ACCEPTED, frozenset({Side.RECEIVER_SUPERVISOR})),
    (_T.APPROVED, _TA.DECLINE): (_T.DECLINED, frozenset({Side.RECEIVER_SUPERVISOR})),
}


def transfer_next(
    status: TransferStatus, action: TransferAction, sides: Iterable[Side], *, reason: str = ""
) -> TransferStatus:
    """The status after ``action`` on a transfer, or DomainError."""
    step = TRANSFER_TRANSITIONS.get((status, action))
    if step is None:
        raise DomainError(
            "transfer_transition_not_allowed",
            gettext_noop(
                "A transfer that is %(transfer_status)s cannot take the step “%(transfer_action)s”."
            ),
            {"transfer_status": status.value, "transfer_action": action.value},
        )
    target, allowed = step
    if not set(sides) & allowed:
        raise DomainError(
            "transfer_side_not_allowed",
            gettext_noop("Only the %(side)s can do this on a transfer."),
            {"side": sorted(allowed)[0].value},
        )
    if action in (TransferAction.DECLINE, TransferAction.CANCEL) and not reason.strip():
        raise DomainError(
            "transfer_reason_required",
            gettext_noop("Give the reason; the other agency and the case history will show it."),
        )
    return target


# --------------------------------------------------------------------------- emergency cash


class CashStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        """English msgid of the status's name."""
        return _LABELS[(type(self), self.value)]


def cash_blockers(
    *,
    amount: Decimal,
    max_per_disbursement: Decimal,
    max_per_case: Decimal,
    case_total: Decimal,
    budget_balance: Decimal,
    currency: str,
) -> list[Reason]:
    """Why a disbursement from the case emergency fund cannot be made (SPEC §8).

    ``case_total`` is what the case has already received (approved); the budget's
    balance is what the agency has left. Empty list: it can be made.
    """
    reasons: list[Reason] = []
    if amount <= 0:
        reasons.append(
            Reason("cash_amount_positive", gettext_noop("The amount must be more than zero."))
        )
        return reasons
    if amount > max_per_disbursement:
        reasons.append(
            Reason(
                "cash_over_disbursement_limit",
                gettext_noop("The SOP allows at most %(limit)s %(currency)s in one disbursement."),
                {"limit": str(max_per_disbursement), "currency": currency},
            )
        )
    if case_total + amount > max_per_case:
        reasons.append(
            Reason(
                "cash_over_case_limit",
                gettext_noop(
                    "This case has received %(total)s %(currency)s; the SOP allows at most "
                    "%(limit)s %(currency)s per case."
                ),
                {"total": str(case_total), "limit": str(max_per_case), "currency": currency},
            )
        )
    if amount > budget_balance:
        reasons.append(
            Reason(
                "cash_over_balance",
                gettext_noop(
                    "The emergency fund has %(balance)s %(currency)s left, less than the amount."
                ),
                {"balance": str(budget_balance), "currency": currency},
            )
        )
    return reasons


# Keyed by enum type too: values such as "accept" repeat across the enums.
_LABELS: dict[tuple[type[StrEnum], str], str] = {
    (ReferralStatus, ReferralStatus.PENDING_APPROVAL.value): gettext_noop(
        "awaiting the supervisor's approval"
    ),
    (ReferralStatus, ReferralStatus.SENT.value): gettext_noop("sent"),
    (ReferralStatus, ReferralStatus.ACKNOWLEDGED.value): gettext_noop("acknowledged"),
    (ReferralStatus, ReferralStatus.ACCEPTED.value): gettext_noop("accepted"),
    (ReferralStatus, ReferralStatus.DECLINED.value): gettext_noop("declined"),
    (ReferralStatus, ReferralStatus.DELIVERED.value): gettext_noop("service delivered"),
    (ReferralStatus, ReferralStatus.CLOSED.value): gettext_noop("closed"),
    (ReferralStatus, ReferralStatus.REVOKED.value): gettext_noop("revoked"),
    (ReferralStatus, ReferralStatus.CANCELLED.value): gettext_noop("cancelled"),
    (ReferralAction, ReferralAction.APPROVE_OVERRIDE.value): gettext_noop(
        "Approve sharing in the child's best interests"
    ),
    (ReferralAction, ReferralAction.REFUSE_OVERRIDE.value): gettext_noop(
        "Refuse sharing without consent"
    ),
    (ReferralAction, ReferralAction.ACKNOWLEDGE.value): gettext_noop("Acknowledge receipt"),
    (ReferralAction, ReferralAction.ACCEPT.value): gettext_noop("Accept"),
    (ReferralAction, ReferralAction.DECLINE.value): gettext_noop("Decline"),
    (ReferralAction, ReferralAction.DELIVER.value): gettext_noop("Service delivered"),
    (ReferralAction, ReferralAction.CLOSE.value): gettext_noop("Close the referral"),
    (ReferralAction, ReferralAction.REVOKE.value): gettext_noop("Revoke"),
    (Side, Side.SENDER.value): gettext_noop("sending caseworker"),
    (Side, Side.SENDER_SUPERVISOR.value): gettext_noop("sending caseworker's supervisor"),
    (Side, Side.RECEIVER.value): gettext_noop("receiving service"),
    (Side, Side.RECEIVER_SUPERVISOR.value): gettext_noop("receiving agency's supervisor"),
    (TransferStatus, TransferStatus.REQUESTED.value): gettext_noop(
        "awaiting the supervisor's approval"
    ),
    (TransferStatus, TransferStatus.APPROVED.value): gettext_noop("awaiting the receiving agency"),
    (TransferStatus, TransferStatus.ACCEPTED.value): gettext_noop("accepted"),
    (TransferStatus, TransferStatus.DECLINED.value): gettext_noop("declined"),
    (TransferStatus, TransferStatus.CANCELLED.value): gettext_noop("cancelled"),
    (TransferAction, TransferAction.APPROVE.value): gettext_noop("Approve the transfer"),
    (TransferAction, TransferAction.ACCEPT.value): gettext_noop("Accept the case"),
    (TransferAction, TransferAction.DECLINE.value): gettext_noop("Decline"),
    (TransferAction, TransferAction.CANCEL.value): gettext_noop("Cancel the transfer"),
    (CashStatus, CashStatus.REQUESTED.value): gettext_noop("awaiting approval"),
    (CashStatus, CashStatus.APPROVED.value): gettext_noop("approved"),
    (CashStatus, CashStatus.REJECTED.value): gettext_noop("rejected"),
}


def transfer_overdue(
    status: TransferStatus,
    *,
    requested_at: datetime,
    approved_at: datetime | None,
    window: timedelta,
    now: datetime,
) -> str | None:
    """Which answer on a pending transfer is late: ``"approve"`` (the sending supervisor),
    ``"accept"`` (the receiving agency) or None. The window is the SOP's urgent answer time:
    a child waits between two agencies no longer than an urgent referral would."""
    if status is TransferStatus.REQUESTED and now > requested_at + window:
        return "approve"
    if status is TransferStatus.APPROVED and now > (approved_at or requested_at) + window:
        return "accept"
    return None
