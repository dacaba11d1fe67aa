"""Referral, transfer and emergency-cash rules (SPEC §8 referrals and cash, §9-§10 transfers,
§12 information sharing). Pure: no database."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fanous.domain.errors import DomainError
from fanous.domain.referrals import (
    REFERRAL_TRANSITIONS,
    TRANSFER_TRANSITIONS,
    ConsentBasis,
    ReferralAction,
    ReferralStatus,
    Side,
    TransferAction,
    TransferStatus,
    cash_blockers,
    chosen_sections,
    consent_basis,
    default_sections,
    needs_shown,
    referral_deadlines,
    referral_next,
    referral_overdue,
    service_gaps,
    transfer_next,
)
from fanous.domain.sop import parse_sop

from .support import PROPERTY, default_sop, default_sop_data

S, A = ReferralStatus, ReferralAction
SENDER = {Side.SENDER}
SUPERVISOR = {Side.SENDER, Side.SENDER_SUPERVISOR}
RECEIVER = {Side.RECEIVER}


def policy():
    sop = default_sop()
    assert sop.referrals is not None
    return sop.referrals


# --------------------------------------------------------------- §8 lifecycle


@pytest.mark.parametrize(
    ("status", "action", "sides", "expected"),
    [
        (S.SENT, A.ACKNOWLEDGE, RECEIVER, S.ACKNOWLEDGED),
        (S.SENT, A.ACCEPT, RECEIVER, S.ACCEPTED),
        (S.ACKNOWLEDGED, A.ACCEPT, RECEIVER, S.ACCEPTED),
        (S.ACKNOWLEDGED, A.DECLINE, RECEIVER, S.DECLINED),
        (S.ACCEPTED, A.DELIVER, RECEIVER, S.DELIVERED),
        (S.DELIVERED, A.CLOSE, SENDER, S.CLOSED),
        (S.DECLINED, A.CLOSE, SUPERVISOR, S.CLOSED),
        (S.SENT, A.REVOKE, SENDER, S.REVOKED),
        (S.ACCEPTED, A.REVOKE, SUPERVISOR, S.REVOKED),
        (S.PENDING_APPROVAL, A.APPROVE_OVERRIDE, SUPERVISOR, S.SENT),
        (S.PENDING_APPROVAL, A.REFUSE_OVERRIDE, SUPERVISOR, S.CANCELLED),
    ],
)
def test_spec_8_referral_lifecycle_steps(status, action, sides, expected):
    assert referral_next(status, action, sides, reason="r") is expected


@pytest.mark.parametrize(
    ("status", "action", "sides", "code"),
    [
        (S.SENT, A.ACCEPT, SENDER, "referral_side_not_allowed"),
        (S.SENT, A.REVOKE, RECEIVER, "referral_side_not_allowed"),
        (S.PENDING_APPROVAL, A.APPROVE_OVERRIDE, SENDER, "referral_side_not_allowed"),
        (S.PENDING_APPROVAL, A.ACCEPT, RECEIVER, "referral_transition_not_allowed"),
        (S.CLOSED, A.REVOKE, SUPERVISOR, "referral_transition_not_allowed"),
        (S.DELIVERED, A.REVOKE, SENDER, "referral_transition_not_allowed"),
        (S.REVOKED, A.ACCEPT, RECEIVER, "referral_transition_not_allowed"),
    ],
)
def test_spec_8_referral_steps_refused(status, action, sides, code):
    with pytest.raises(DomainError) as err:
        referral_next(status, action, sides, reason="r")
    assert err.value.code == code


@pytest.mark.parametrize("action", [A.DECLINE, A.REVOKE, A.REFUSE_OVERRIDE])
def test_spec_8_decline_revoke_and_refusal_need_a_reason(action):
    source = next(s for (s, a) in REFERRAL_TRANSITIONS if a is action)
    allowed = REFERRAL_TRANSITIONS[(source, action)][1]
    with pytest.raises(DomainError) as err:
        referral_next(source, action, allowed, reason="  ")
    assert err.value.code == "referral_reason_required"


def test_spec_8_a_service_outside_fanous_has_its_answers_recorded_by_the_sender():
    assert referral_next(S.SENT, A.ACCEPT, SENDER, receiver_in_app=False) is S.ACCEPTED
    with pytest.raises(DomainError):
        referral_next(S.SENT, A.ACCEPT, SENDER, receiver_in_app=True)


@given(
    status=st.sampled_from(list(ReferralStatus)),
    action=st.sampled_from(list(ReferralAction)),
    sides=st.sets(st.sampled_from(list(Side))),
)
@PROPERTY
def test_spec_8_no_step_leaves_a_final_referral_and_none_returns_to_pending(status, action, sides):
    """Closed, revoked and cancelled referrals are final; nothing goes back to waiting for
    an override once it has been sent."""
    try:
        new = referral_next(status, action, sides, reason="r")
    except DomainError:
        return
    assert status not in (S.CLOSED, S.REVOKED, S.CANCELLED)
    assert new is not S.PENDING_APPROVAL


def test_spec_8_every_status_but_the_final_ones_has_a_way_out():
    sources = {s for (s, _) in REFERRAL_TRANSITIONS}
    assert sources == {s for s in ReferralStatus if s.is_open}


# --------------------------------------------------------------- §12 consent and sharing


@pytest.mark.parametrize(
    ("consent", "ground", "supervisor", "expected"),
    [
        (True, "", False, (ConsentBasis.CONSENT, False)),
        (True, "ground", True, (ConsentBasis.CONSENT, False)),
        (False, "danger to life", False, (ConsentBasis.BEST_INTERESTS, True)),
        (False, "danger to life", True, (ConsentBasis.BEST_INTERESTS, False)),
    ],
)
def test_spec_12_sharing_needs_consent_or_a_supervised_best_interests_ground(
    consent, ground, supervisor, expected
):
    assert (
        consent_basis(has_consent=consent, override_reason=ground, is_supervisor=supervisor)
        == expected
    )


@pytest.mark.parametrize("supervisor", [False, True])
def test_spec_12_no_consent_and_no_ground_is_refused(supervisor):
    with pytest.raises(DomainError) as err:
        consent_basis(has_consent=False, override_reason=" ", is_supervisor=supervisor)
    assert err.value.code == "referral_consent_missing"


def test_spec_12_the_default_share_is_minimal_and_never_sensitive():
    p = policy()
    for kind in p.types:
        defaults = default_sections(p, kind)
        assert set(defaults) <= set(kind.sections)
        assert not any(p.section(code).sensitive for code in defaults)
    assert default_sections(p, p.referral_type("standard")) == ("identity", "contact", "caregiver")


def test_spec_12_a_section_the_referral_type_does_not_allow_is_refused_not_dropped():
    p = policy()
    with pytest.raises(DomainError) as err:
        chosen_sections(p, p.referral_type("standard"), ["identity", "sensitive_disclosures"])
    assert [r.params["section"] for r in err.value.reasons] == ["sensitive_disclosures"]


@given(chosen=st.lists(st.sampled_from([s.code for s in policy().sections])))
@PROPERTY
def test_spec_12_what_is_shared_never_exceeds_the_type(chosen):
    p = policy()
    for kind in p.types:
        try:
            out = chosen_sections(p, kind, chosen)
        except DomainError:
            assert set(chosen) - set(kind.sections)
            continue
        assert set(out) == set(chosen) <= set(kind.sections)


def test_spec_2_sop_refuses_a_sensitive_default_section():
    data = copy.deepcopy(default_sop_data())
    sections = data["referrals"]["sections"]
    next(s for s in sections if s["sensitive"])["default"] = True
    with pytest.raises(DomainError):
        parse_sop(data)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("needs", 0, "service_types"), ["no_such_service"]),
        (("service_types", 0, "sector"), "no_such_sector"),
        (("types", 0, "sections"), ["no_such_section"]),
        (("needs", 0, "shown_by"), [{"fact": "no_such_fact", "equals": True}]),
        (("consent_purpose",), "no_such_purpose"),
        (("urgent", "respond_hours"), 10_000),
    ],
)
def test_spec_2_referral_annex_references_must_exist(path, value):
    data = copy.deepcopy(default_sop_data())
    node = data["referrals"]
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(DomainError):
        parse_sop(data)


def test_spec_2_an_sop_without_the_annex_is_still_valid():
    data = copy.deepcopy(default_sop_data())
    del data["referrals"]
    assert parse_sop(data).referrals is None


# --------------------------------------------------------------- §8 deadlines


SENT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_spec_8_urgent_referrals_are_answered_faster():
    p = policy()
    urgent = referral_deadlines(p, urgent=True, sent_at=SENT)
    standard = referral_deadlines(p, urgent=False, sent_at=SENT)
    assert urgent.respond_by < standard.respond_by
    assert urgent.acknowledge_by == SENT + timedelta(hours=p.urgent.acknowledge_hours)


@pytest.mark.parametrize(
    ("status", "hours_later", "expected"),
    [
        (S.SENT, 1, None),
        (S.SENT, 73, "acknowledge"),
        (S.SENT, 169, "respond"),
        (S.ACKNOWLEDGED, 100, None),
        (S.ACKNOWLEDGED, 169, "respond"),
        (S.ACCEPTED, 24 * 29, None),
        (S.ACCEPTED, 24 * 31, "deliver"),
        (S.DELIVERED, 24 * 365, None),
        (S.DECLINED, 24 * 365, None),
    ],
)
def test_spec_8_overdue_referrals_are_flagged(status, hours_later, expected):
    deadlines = referral_deadlines(policy(), urgent=False, sent_at=SENT)
    assert referral_overdue(status, deadlines, SENT + timedelta(hours=hours_later)) == expected


# --------------------------------------------------------------- §2 pathways and gaps


@pytest.mark.parametrize(
    ("facts", "needs"),
    [
        ({}, ()),
        ({"attends_school": False}, ("out_of_school",)),
        ({"attends_school": True}, ()),
        ({"attends_school": None}, ()),
        (
            {"ill_health": True, "family_meets_basic_needs": False},
            ("urgent_medical", "family_income"),
        ),
        ({"trafficking": True}, ("worst_forms_exit",)),
        ({"sexual_abuse": True}, ("sexual_violence_response",)),
        ({"lives_with_caregivers": False}, ("family_separation",)),
    ],
)
def test_spec_2_pathways_propose_needs_from_the_assessment(facts, needs):
    assert needs_shown(policy(), facts) == needs


def test_spec_2_a_true_answer_never_matches_a_numeric_one():
    from fanous.domain.sop import FactMatch

    assert not FactMatch(fact="x", equals=1).holds(True)
    assert FactMatch(fact="x", at_least=40).holds(45)
    assert not FactMatch(fact="x", below=10).holds(True)


def test_spec_12_a_need_no_available_service_meets_is_a_gap():
    p = policy()
    needs = ("out_of_school", "disability_support")
    assert service_gaps(p, needs, ["formal_education"]) == ("disability_support",)
    assert service_gaps(p, needs, ["non_formal_education", "rehabilitation"]) == ()
    assert service_gaps(p, needs, []) == needs


# --------------------------------------------------------------- §9-§10 transfers


T, TA = TransferStatus, TransferAction


@pytest.mark.parametrize(
    ("status", "action", "sides", "expected"),
    [
        (T.REQUESTED, TA.APPROVE, SUPERVISOR, T.APPROVED),
        (T.APPROVED, TA.ACCEPT, {Side.RECEIVER_SUPERVISOR}, T.ACCEPTED),
        (T.APPROVED, TA.DECLINE, {Side.RECEIVER_SUPERVISOR}, T.DECLINED),
        (T.REQUESTED, TA.CANCEL, SENDER, T.CANCELLED),
        (T.APPROVED, TA.CANCEL, SUPERVISOR, T.CANCELLED),
    ],
)
def test_spec_10_transfer_needs_both_supervisors(status, action, sides, expected):
    assert transfer_next(status, action, sides, reason="r") is expected


@pytest.mark.parametrize(
    ("status", "action", "sides"),
    [
        (T.REQUESTED, TA.APPROVE, SENDER),
        (T.REQUESTED, TA.ACCEPT, {Side.RECEIVER_SUPERVISOR}),
        (T.APPROVED, TA.ACCEPT, SUPERVISOR),
        (T.ACCEPTED, TA.CANCEL, SUPERVISOR),
    ],
)
def test_spec_10_transfer_steps_refused(status, action, sides):
    with pytest.raises(DomainError):
        transfer_next(status, action, sides, reason="r")


def test_transfer_transitions_only_start_from_pending():
    assert {s for (s, _) in TRANSFER_TRANSITIONS} == {s for s in TransferStatus if s.is_pending}


# --------------------------------------------------------------- §8 emergency cash


def blockers(amount, case_total="0", balance="1000"):
    return [
        r.code
        for r in cash_blockers(
            amount=Decimal(amount),
            max_per_disbursement=Decimal("100"),
            max_per_case=Decimal("300"),
            case_total=Decimal(case_total),
            budget_balance=Decimal(balance),
            currency="JOD",
        )
    ]


@pytest.mark.parametrize(
    ("amount", "case_total", "balance", "codes"),
    [
        ("50", "0", "1000", []),
        ("100", "200", "100", []),
        ("0", "0", "1000", ["cash_amount_positive"]),
        ("100.01", "0", "1000", ["cash_over_disbursement_limit"]),
        ("60", "250", "1000", ["cash_over_case_limit"]),
        ("80", "0", "79.99", ["cash_over_balance"]),
        (
            "150",
            "250",
            "10",
            ["cash_over_disbursement_limit", "cash_over_case_limit", "cash_over_balance"],
        ),
    ],
)
def test_spec_8_emergency_cash_limits(amount, case_total, balance, codes):
    assert blockers(amount, case_total, balance) == codes


@given(
    amounts=st.lists(st.decimals(min_value=1, max_value=100, places=2), max_size=20),
    balance=st.decimals(min_value=0, max_value=1000, places=2),
)
@PROPERTY
def test_spec_8_approving_only_what_passes_never_overspends(amounts, balance):
    """Whatever the order of requests, a fund that approves only what cash_blockers allows
    never goes below zero and no case gets more than the SOP's limit."""
    left, total = balance, Decimal(0)
    for amount in amounts:
        if not cash_blockers(
            amount=amount,
            max_per_disbursement=Decimal("100"),
            max_per_case=Decimal("300"),
            case_total=total,
            budget_balance=left,
            currency="JOD",
        ):
            left -= amount
            total += amount
    assert left >= 0
    assert total <= Decimal("300")


def test_every_status_step_and_side_has_its_own_label():
    """Values repeat across the enums ("accept", "approved"); each keeps its own label."""
    from fanous.domain.referrals import CashStatus

    assert ReferralAction.ACCEPT.label == "Accept"
    assert TransferAction.ACCEPT.label == "Accept the case"
    assert TransferStatus.APPROVED.label == "awaiting the receiving agency"
    assert CashStatus.APPROVED.label == "approved"
    for enum in (ReferralStatus, ReferralAction, Side, TransferStatus, TransferAction, CashStatus):
        assert all(member.label for member in enum)
