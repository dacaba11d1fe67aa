"""The case workflow: the transition table, roles and guards (SPEC §1, §3-§9)."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from fanous.domain.errors import DomainError
from fanous.domain.roles import Role
from fanous.domain.sop import RiskLevel
from fanous.domain.workflow import (
    ACTION_ROLES,
    TRANSITIONS,
    Action,
    CaseFacts,
    CaseStatus,
    allowed_actions,
    apply,
    guard,
    transition,
)

S, A = CaseStatus, Action

# The flow of SPEC §3-§9, written out once more by hand: the table must say exactly this.
EXPECTED_FLOW = {
    (S.IDENTIFIED, A.REGISTER): S.REGISTERED,
    (S.IDENTIFIED, A.DECLARE_NOT_ELIGIBLE): S.NOT_ELIGIBLE,
    (S.NOT_ELIGIBLE, A.REFER_OUT): S.REFERRED_OUT,
    (S.NOT_ELIGIBLE, A.REOPEN): S.IDENTIFIED,
    (S.REFERRED_OUT, A.REOPEN): S.IDENTIFIED,
    (S.REGISTERED, A.RECORD_INITIAL_ASSESSMENT): S.INITIAL_ASSESSMENT,
    (S.INITIAL_ASSESSMENT, A.RECORD_INITIAL_ASSESSMENT): S.INITIAL_ASSESSMENT,
    (S.INITIAL_ASSESSMENT, A.RECORD_COMPREHENSIVE_ASSESSMENT): S.COMPREHENSIVE_ASSESSMENT,
    (S.COMPREHENSIVE_ASSESSMENT, A.RECORD_COMPREHENSIVE_ASSESSMENT): S.COMPREHENSIVE_ASSESSMENT,
    (S.IMPLEMENTATION, A.RECORD_COMPREHENSIVE_ASSESSMENT): S.IMPLEMENTATION,
    (S.COMPREHENSIVE_ASSESSMENT, A.SUBMIT_PLAN): S.PLAN_PENDING_APPROVAL,
    (S.PLAN_PENDING_APPROVAL, A.APPROVE_PLAN): S.PLAN_APPROVED,
    (S.PLAN_PENDING_APPROVAL, A.REJECT_PLAN): S.COMPREHENSIVE_ASSESSMENT,
    (S.PLAN_APPROVED, A.START_IMPLEMENTATION): S.IMPLEMENTATION,
    (S.IMPLEMENTATION, A.REVISE_PLAN): S.PLAN_PENDING_APPROVAL,
    (S.REGISTERED, A.REQUEST_CLOSURE): S.CLOSURE_REQUESTED,
    (S.INITIAL_ASSESSMENT, A.REQUEST_CLOSURE): S.CLOSURE_REQUESTED,
    (S.COMPREHENSIVE_ASSESSMENT, A.REQUEST_CLOSURE): S.CLOSURE_REQUESTED,
    (S.PLAN_APPROVED, A.REQUEST_CLOSURE): S.CLOSURE_REQUESTED,
    (S.IMPLEMENTATION, A.REQUEST_CLOSURE): S.CLOSURE_REQUESTED,
    (S.CLOSURE_REQUESTED, A.APPROVE_CLOSURE): S.CLOSED,
    (S.CLOSURE_REQUESTED, A.REJECT_CLOSURE): S.IMPLEMENTATION,
    (S.CLOSED, A.REOPEN): S.REGISTERED,
}


def ready(status: CaseStatus, **changes: object) -> CaseFacts:
    """A case where every precondition is met, acted on by its own team."""
    facts = CaseFacts(
        status=status,
        risk_level=RiskLevel.HIGH,
        age=14,
        eligible=True,
        consents=frozenset({"services", "information_sharing"}),
        required_consents=frozenset({"services"}),
        has_initial_assessment=True,
        has_comprehensive_assessment=True,
        plan_goals=2,
        plan_actions=3,
        open_plan_actions=1,
        safety_plan_recorded=True,
        high_risk_discussed=True,
        actor_is_assigned=True,
        actor_supervises=True,
        not_eligible_reason="over 18",
    )
    return replace(facts, **changes)  # type: ignore[arg-type]


def codes(action: Action, facts: CaseFacts, role: Role) -> list[str]:
    return [reason.code for reason in guard(action, facts, role)]


def test_spec_3_to_9_the_transition_table_is_the_documented_flow():
    assert dict(TRANSITIONS) == EXPECTED_FLOW


@pytest.mark.parametrize(("status", "action"), list(itertools.product(CaseStatus, Action)))
def test_spec_3_to_9_every_status_action_pair_is_allowed_exactly_when_in_the_table(status, action):
    facts = ready(status)
    in_table = (status, action) in TRANSITIONS
    assert (codes(action, facts, Role.SUPERVISOR) == []) is in_table
    assert ("transition_not_allowed" in codes(action, facts, Role.SUPERVISOR)) is not in_table
    if in_table:
        assert apply(action, facts, Role.SUPERVISOR) is TRANSITIONS[(status, action)]
        assert transition(status, action) is TRANSITIONS[(status, action)]
    else:
        with pytest.raises(DomainError) as refused:
            transition(status, action)
        assert refused.value.code == "transition_not_allowed"
        with pytest.raises(DomainError) as refused_apply:
            apply(action, facts, Role.SUPERVISOR)
        assert refused_apply.value.code == "action_refused"
        assert "transition_not_allowed" in refused_apply.value.codes


def test_spec_1_action_roles():
    supervisor_only = {A.APPROVE_PLAN, A.REJECT_PLAN, A.APPROVE_CLOSURE, A.REJECT_CLOSURE, A.REOPEN}
    intake = {A.REGISTER, A.DECLARE_NOT_ELIGIBLE, A.REFER_OUT}
    for action in Action:
        if action in supervisor_only:
            expected = {Role.SUPERVISOR}
        elif action in intake:
            expected = {Role.CASEWORKER, Role.SUPERVISOR, Role.HELPLINE_COUNSELLOR}
        else:
            expected = {Role.CASEWORKER, Role.SUPERVISOR}
        assert ACTION_ROLES[action] == expected, action


# --------------------------------------------------------------------------- registration


def test_spec_3_registration_without_consent_is_refused():
    facts = ready(S.IDENTIFIED, consents=frozenset({"information_sharing"}))
    with pytest.raises(DomainError) as refused:
        apply(A.REGISTER, facts, Role.CASEWORKER)
    assert refused.value.code == "action_refused"
    assert refused.value.codes == ("consent_missing",)
    assert refused.value.reasons[0].params == {"purposes": "services"}
    assert A.REGISTER not in allowed_actions(facts, Role.CASEWORKER)


def test_spec_3_registration_needs_every_required_consent():
    facts = ready(
        S.IDENTIFIED,
        consents=frozenset(),
        required_consents=frozenset({"services", "information_sharing"}),
    )
    reasons = guard(A.REGISTER, facts, Role.CASEWORKER)
    assert [r.code for r in reasons] == ["consent_missing"]
    assert reasons[0].params["purposes"] == "information_sharing, services"


@pytest.mark.parametrize("eligible", [None, False])
def test_spec_3_registration_of_a_child_not_found_eligible_is_refused(eligible):
    assert codes(A.REGISTER, ready(S.IDENTIFIED, eligible=eligible), Role.CASEWORKER) == [
        "not_eligible"
    ]


def test_spec_3_a_not_eligible_decision_needs_its_reason():
    facts = ready(S.IDENTIFIED, not_eligible_reason="  ")
    assert codes(A.DECLARE_NOT_ELIGIBLE, facts, Role.CASEWORKER) == ["not_eligible_reason_missing"]


def test_spec_11_a_helpline_counsellor_can_register_but_not_assess():
    identified = ready(S.IDENTIFIED, actor_is_assigned=False, actor_supervises=False)
    assert apply(A.REGISTER, identified, Role.HELPLINE_COUNSELLOR) is S.REGISTERED
    registered = replace(identified, status=S.REGISTERED)
    assert codes(A.RECORD_INITIAL_ASSESSMENT, registered, Role.HELPLINE_COUNSELLOR) == [
        "role_not_allowed"
    ]


# --------------------------------------------------------------------------- roles


def test_spec_9_a_caseworker_cannot_approve_a_closure():
    facts = ready(S.CLOSURE_REQUESTED)
    with pytest.raises(DomainError) as refused:
        apply(A.APPROVE_CLOSURE, facts, Role.CASEWORKER)
    assert refused.value.codes == ("role_not_allowed",)
    assert apply(A.APPROVE_CLOSURE, facts, Role.SUPERVISOR) is S.CLOSED


def test_spec_7_a_caseworker_cannot_approve_their_own_plan():
    assert codes(A.APPROVE_PLAN, ready(S.PLAN_PENDING_APPROVAL), Role.CASEWORKER) == [
        "role_not_allowed"
    ]


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.SERVICE_PROVIDER, Role.AGENCY_ADMIN])
@pytest.mark.parametrize("status", list(CaseStatus))
def test_spec_1_roles_outside_case_work_cannot_move_a_case(role, status):
    assert allowed_actions(ready(status), role) == []


def test_spec_1_a_caseworker_acts_only_on_cases_assigned_to_them():
    facts = ready(S.REGISTERED, actor_is_assigned=False)
    assert codes(A.RECORD_INITIAL_ASSESSMENT, facts, Role.CASEWORKER) == ["not_assigned"]
    assert apply(
        A.RECORD_INITIAL_ASSESSMENT, replace(facts, actor_is_assigned=True), Role.CASEWORKER
    ) is (S.INITIAL_ASSESSMENT)


def test_spec_1_a_supervisor_decides_only_for_their_own_team():
    outside = ready(S.PLAN_PENDING_APPROVAL, actor_is_assigned=False, actor_supervises=False)
    assert codes(A.APPROVE_PLAN, outside, Role.SUPERVISOR) == ["not_supervisor_of_case"]
    assert codes(A.REOPEN, replace(outside, status=S.CLOSED), Role.SUPERVISOR) == [
        "not_supervisor_of_case"
    ]


def test_spec_1_a_supervisor_holding_a_case_does_the_field_work_but_not_the_approval():
    holding = ready(S.COMPREHENSIVE_ASSESSMENT, actor_is_assigned=True, actor_supervises=False)
    assert apply(A.SUBMIT_PLAN, holding, Role.SUPERVISOR) is S.PLAN_PENDING_APPROVAL
    pending = replace(holding, status=S.PLAN_PENDING_APPROVAL)
    assert codes(A.APPROVE_PLAN, pending, Role.SUPERVISOR) == ["not_supervisor_of_case"]


# --------------------------------------------------------------------------- steps


def test_spec_5_comprehensive_assessment_needs_the_initial_one():
    facts = ready(S.INITIAL_ASSESSMENT, has_initial_assessment=False)
    assert codes(A.RECORD_COMPREHENSIVE_ASSESSMENT, facts, Role.CASEWORKER) == [
        "initial_assessment_missing"
    ]


@pytest.mark.parametrize(("goals", "actions"), [(0, 0), (1, 0), (0, 1)])
def test_spec_7_an_empty_plan_cannot_be_submitted(goals, actions):
    facts = ready(S.COMPREHENSIVE_ASSESSMENT, plan_goals=goals, plan_actions=actions)
    assert codes(A.SUBMIT_PLAN, facts, Role.CASEWORKER) == ["plan_empty"]


def test_spec_7_a_plan_needs_the_comprehensive_assessment():
    facts = ready(S.COMPREHENSIVE_ASSESSMENT, has_comprehensive_assessment=False)
    assert codes(A.SUBMIT_PLAN, facts, Role.CASEWORKER) == ["comprehensive_assessment_missing"]


def test_spec_4_and_7_a_high_risk_plan_needs_a_safety_plan_and_a_supervisor_discussion():
    facts = ready(S.COMPREHENSIVE_ASSESSMENT, safety_plan_recorded=False, high_risk_discussed=False)
    assert codes(A.SUBMIT_PLAN, facts, Role.CASEWORKER) == [
        "safety_plan_missing",
        "high_risk_not_discussed",
    ]
    assert codes(A.REVISE_PLAN, replace(facts, status=S.IMPLEMENTATION), Role.CASEWORKER) == [
        "safety_plan_missing",
        "high_risk_not_discussed",
    ]
    assert codes(
        A.APPROVE_PLAN, replace(facts, status=S.PLAN_PENDING_APPROVAL), Role.SUPERVISOR
    ) == ["safety_plan_missing"]


def test_spec_4_a_high_risk_case_is_discussed_before_implementation_starts():
    facts = ready(S.PLAN_APPROVED, high_risk_discussed=False)
    assert codes(A.START_IMPLEMENTATION, facts, Role.CASEWORKER) == ["high_risk_not_discussed"]


@pytest.mark.parametrize("level", [RiskLevel.NONE, RiskLevel.LOW, RiskLevel.MEDIUM])
def test_spec_4_below_high_risk_no_safety_plan_or_discussion_is_required(level):
    facts = ready(
        S.COMPREHENSIVE_ASSESSMENT,
        risk_level=level,
        safety_plan_recorded=False,
        high_risk_discussed=False,
    )
    assert apply(A.SUBMIT_PLAN, facts, Role.CASEWORKER) is S.PLAN_PENDING_APPROVAL
    assert (
        apply(A.START_IMPLEMENTATION, replace(facts, status=S.PLAN_APPROVED), Role.CASEWORKER)
        is S.IMPLEMENTATION
    )


@pytest.mark.parametrize(
    ("requested_from", "back_to"),
    [
        (None, S.IMPLEMENTATION),
        (S.REGISTERED, S.REGISTERED),
        (S.PLAN_APPROVED, S.PLAN_APPROVED),
        (S.IMPLEMENTATION, S.IMPLEMENTATION),
    ],
)
def test_spec_9_a_rejected_closure_returns_the_case_where_it_was(requested_from, back_to):
    facts = ready(S.CLOSURE_REQUESTED, closure_requested_from=requested_from)
    assert apply(A.REJECT_CLOSURE, facts, Role.SUPERVISOR) is back_to


@pytest.mark.parametrize(
    ("plan_in_force", "back_to"),
    [(False, S.COMPREHENSIVE_ASSESSMENT), (True, S.IMPLEMENTATION)],
)
def test_spec_7_a_returned_plan_goes_back_to_drafting_or_a_returned_revision_to_implementation(
    plan_in_force, back_to
):
    facts = ready(S.PLAN_PENDING_APPROVAL, plan_in_force=plan_in_force)
    assert apply(A.REJECT_PLAN, facts, Role.SUPERVISOR) is back_to


def test_spec_3_to_9_allowed_actions_of_a_case_in_implementation():
    facts = ready(S.IMPLEMENTATION)
    assert allowed_actions(facts, Role.CASEWORKER) == [
        A.RECORD_COMPREHENSIVE_ASSESSMENT,
        A.REVISE_PLAN,
        A.REQUEST_CLOSURE,
    ]
    assert allowed_actions(replace(facts, status=S.CLOSURE_REQUESTED), Role.SUPERVISOR) == [
        A.APPROVE_CLOSURE,
        A.REJECT_CLOSURE,
    ]


def test_spec_3_to_9_statuses_open_and_terminal():
    assert [s for s in CaseStatus if s.is_open] == [
        S.REGISTERED,
        S.INITIAL_ASSESSMENT,
        S.COMPREHENSIVE_ASSESSMENT,
        S.PLAN_PENDING_APPROVAL,
        S.PLAN_APPROVED,
        S.IMPLEMENTATION,
        S.CLOSURE_REQUESTED,
    ]
    assert {s for s in CaseStatus if s.is_terminal} == {S.CLOSED, S.REFERRED_OUT}
    assert all(status.value == status.name.lower() for status in CaseStatus)
    assert all(action.value == action.name.lower() for action in Action)
    assert all(
        status.label and action.label for status, action in zip(CaseStatus, Action, strict=False)
    )
