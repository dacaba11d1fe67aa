"""What a notification says, by kind: English msgids filled with the notification's params."""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext_noop


class Kind(StrEnum):
    REFERRAL_RECEIVED = "referral_received"
    REFERRAL_OVERRIDE_REQUESTED = "referral_override_requested"
    REFERRAL_OVERRIDE_DECIDED = "referral_override_decided"
    REFERRAL_ANSWERED = "referral_answered"
    REFERRAL_DELIVERED = "referral_delivered"
    REFERRAL_REVOKED = "referral_revoked"
    REFERRAL_OVERDUE = "referral_overdue"
    REFERRAL_CONSENT_WITHDRAWN = "referral_consent_withdrawn"
    TRANSFER_REQUESTED = "transfer_requested"
    TRANSFER_INCOMING = "transfer_incoming"
    TRANSFER_DECIDED = "transfer_decided"
    TRANSFER_OVERDUE = "transfer_overdue"
    CASH_REQUESTED = "cash_requested"
    CASH_DECIDED = "cash_decided"
    CASE_SHARED = "case_shared"
    BREAK_GLASS_USED = "break_glass_used"


MESSAGES: dict[Kind, str] = {
    Kind.REFERRAL_RECEIVED: gettext_noop("New referral %(reference)s for %(service)s."),
    Kind.REFERRAL_OVERRIDE_REQUESTED: gettext_noop(
        "Referral %(reference)s waits for your approval to share information without consent."
    ),
    Kind.REFERRAL_OVERRIDE_DECIDED: gettext_noop(
        "Referral %(reference)s: your supervisor's decision is “%(referral_status)s”."
    ),
    Kind.REFERRAL_ANSWERED: gettext_noop(
        "Referral %(reference)s to %(service)s is now %(referral_status)s."
    ),
    Kind.REFERRAL_DELIVERED: gettext_noop(
        "Referral %(reference)s: %(service)s reports the service delivered."
    ),
    Kind.REFERRAL_REVOKED: gettext_noop("Referral %(reference)s was revoked by the sender."),
    Kind.REFERRAL_OVERDUE: gettext_noop(
        "Referral %(reference)s to %(service)s is overdue: no answer in time."
    ),
    Kind.REFERRAL_CONSENT_WITHDRAWN: gettext_noop(
        "Referral %(reference)s: the family withdrew their consent to share information. "
        "Finish only the service already agreed, share nothing further and keep no copy."
    ),
    Kind.TRANSFER_REQUESTED: gettext_noop(
        "Case %(case_number)s: transfer to %(agency)s waits for your approval."
    ),
    Kind.TRANSFER_INCOMING: gettext_noop("%(agency)s asks you to take over a case."),
    Kind.TRANSFER_DECIDED: gettext_noop(
        "Case %(case_number)s: the transfer to %(agency)s is %(transfer_status)s."
    ),
    Kind.TRANSFER_OVERDUE: gettext_noop(
        "A case transfer has waited more than %(hours)s hours for an answer."
    ),
    Kind.CASH_REQUESTED: gettext_noop(
        "Case %(case_number)s: emergency cash of %(amount)s %(currency)s waits for your approval."
    ),
    Kind.CASH_DECIDED: gettext_noop(
        "Case %(case_number)s: emergency cash of %(amount)s %(currency)s was %(cash_status)s."
    ),
    Kind.CASE_SHARED: gettext_noop(
        "Case %(case_number)s was shared with you (read only) until %(until)s."
    ),
    Kind.BREAK_GLASS_USED: gettext_noop(
        "Case %(case_number)s: %(user)s opened it with emergency (break-glass) access. "
        "The reason is on the case's access page."
    ),
}


# A kind may say more precisely what happened, by one of its params: the overdue reminder
# names the answer that is late (fanous.domain.referrals.referral_overdue).
VARIANTS: dict[tuple[Kind, str, str], str] = {
    (Kind.REFERRAL_REVOKED, "why", "consent_withdrawn"): gettext_noop(
        "Referral %(reference)s was revoked: the family withdrew their consent to share "
        "information. Do not use what it shared."
    ),
    (Kind.REFERRAL_OVERDUE, "which", "acknowledge"): gettext_noop(
        "Referral %(reference)s to %(service)s is overdue: it was not acknowledged in time."
    ),
    (Kind.REFERRAL_OVERDUE, "which", "respond"): gettext_noop(
        "Referral %(reference)s to %(service)s is overdue: it was not accepted or declined in time."
    ),
    (Kind.REFERRAL_OVERDUE, "which", "deliver"): gettext_noop(
        "Referral %(reference)s to %(service)s is overdue: the service was not delivered in time."
    ),
    (Kind.TRANSFER_OVERDUE, "which", "approve"): gettext_noop(
        "Case %(case_number)s: the transfer to %(agency)s has waited more than %(hours)s hours "
        "for your approval."
    ),
    (Kind.TRANSFER_OVERDUE, "which", "accept"): gettext_noop(
        "%(agency)s has waited more than %(hours)s hours for your answer on a case transfer."
    ),
}
