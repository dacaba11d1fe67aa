"""The case workflow: statuses, the one transition table, and the guards (SPEC §3-§9).

Services call :func:`apply` (or :func:`guard` to explain a disabled button):
an illegal transition raises, it is never just logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from fanous.domain.errors import DomainError, Reason
from fanous.domain.i18n import gettext_noop
from fanous.domain.roles import Role
from fanous.domain.sop import RiskLevel

__all__ = [
    "ACTION_ROLES",
    "TRANSITIONS",
    "Action",
    "CaseFacts",
    "CaseStatus",
    "allowed_actions",
    "apply",
    "guard",
    "transition",
]


class CaseStatus(StrEnum):
    """Where a case stands in the six steps of case management. Stored in the database."""

    IDENTIFIED = "identified"
    NOT_ELIGIBLE = "not_eligible"
    REFERRED_OUT = "referred_out"
    REGISTERED = "registered"
    INITIAL_ASSESSMENT = "initial_assessment"  # initial assessment done
    COMPREHENSIVE_ASSESSMENT = "comprehensive_assessment"  # done; plan being drafted
    PLAN_PENDING_APPROVAL = "plan_pending_approval"
    PLAN_APPROVED = "plan_approved"
    IMPLEMENTATION = "implementation"  # implementation and follow-up
    CLOSURE_REQUESTED = "closure_requested"
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        """In case management: registered and not yet closed (counts in caseloads)."""
        return self in _OPEN

    @property
    def is_terminal(self) -> bool:
        """Work has ended (closed, or referred to another service); only REOPEN leads out."""
        return self in (CaseStatus.CLOSED, CaseStatus.REFERRED_OUT)

    @property
    def label(self) -> str:
        """English msgid of the status's name."""
        return _STATUS_LABELS[self]


_OPEN = frozenset(
    {
        CaseStatus.REGISTERED,
        CaseStatus.INITIAL_ASSESSMENT,
        CaseStatus.COMPREHENSIVE_ASSESSMENT,
        CaseStatus.PLAN_PENDING_APPROVAL,
        CaseStatus.PLAN_APPROVED,
        CaseStatus.IMPLEMENTATION,
        CaseStatus.CLOSURE_REQUESTED,
    }
)

_STATUS_LABELS: dict[CaseStatus, str] = {
    CaseStatus.IDENTIFIED: gettext_noop("Identified"),
    CaseStatus.NOT_ELIGIBLE: gettext_noop("Not eligible"),
    CaseStatus.REFERRED_OUT: gettext_noop("Referred to other services"),
    CaseStatus.REGISTERED: gettext_noop("Registered"),
    CaseStatus.INITIAL_ASSESSMENT: gettext_noop("Initial assessment done"),
    CaseStatus.COMPREHENSIVE_ASSESSMENT: gettext_noop("Comprehensive assessment done"),
    CaseStatus.PLAN_PENDING_APPROVAL: gettext_noop("Case plan awaiting approval"),
    CaseStatus.PLAN_APPROVED: gettext_noop("Case plan approved"),
    CaseStatus.IMPLEMENTATION: gettext_noop("Implementation and follow-up"),
    CaseStatus.CLOSURE_REQUESTED: gettext_noop("Closure requested"),
    CaseStatus.CLOSED: gettext_noop("Closed"),
}


class Action(StrEnum):
    REGISTER = "register"
    DECLARE_NOT_ELIGIBLE = "declare_not_eligible"
    REFER_OUT = "refer_out"
    RECORD_INITIAL_ASSESSMENT = "record_initial_assessment"
    RECORD_COMPREHENSIVE_ASSESSMENT = "record_comprehensive_assessment"
    SUBMIT_PLAN = "submit_plan"
    APPROVE_PLAN = "approve_plan"
    REJECT_PLAN = "reject_plan"
    START_IMPLEMENTATION = "start_implementation"
    REVISE_PLAN = "revise_plan"
    REQUEST_CLOSURE = "request_closure"
    APPROVE_CLOSURE = "approve_closure"
    REJECT_CLOSURE = "reject_closure"
    REOPEN = "reopen"

    @property
    def label(self) -> str:
        """English msgid of the action's name (button text)."""
        return _ACTION_LABELS[self]


_ACTION_LABELS: dict[Action, str] = {
    Action.REGISTER: gettext_noop("Register"),
    Action.DECLARE_NOT_ELIGIBLE: gettext_noop("Declare not eligible"),
    Action.REFER_OUT: gettext_noop("Refer to other services"),
    Action.RECORD_INITIAL_ASSESSMENT: gettext_noop("Record initial assessment"),
    Action.RECORD_COMPREHENSIVE_ASSESSMENT: gettext_noop("Record comprehensive assessment"),
    Action.SUBMIT_PLAN: gettext_noop("Submit case plan"),
    Action.APPROVE_PLAN: gettext_noop("Approve case plan"),
    Action.REJECT_PLAN: gettext_noop("Return case plan"),
    Action.START_IMPLEMENTATION: gettext_noop("Start implementation"),
    Action.REVISE_PLAN: gettext_noop("Revise case plan"),
    Action.REQUEST_CLOSURE: gettext_noop("Request closure"),
    Action.APPROVE_CLOSURE: gettext_noop("Approve closure"),
    Action.REJECT_CLOSURE: gettext_noop("Reject closure"),
    Action.REOPEN: gettext_noop("Reopen"),
}

_S = CaseStatus
_A = Action

# Closure may be requested before any plan exists, for reasons that need none
# (the child relocated, lost contact, death); closure_blockers() checks the reason.
_CLOSABLE = (
    _S.REGISTERED,
    _S.INITIAL_ASSESSMENT,
    _S.COMPREHENSIVE_ASSESSMENT,
    _S.PLAN_APPROVED,
    _S.IMPLEMENTATION,
)

TRANSITIONS: Mapping[tuple[CaseStatus, Action], CaseStatus] = MappingProxyType(
    {
        (_S.IDENTIFIED, _A.REGISTER): _S.REGISTERED,
        (_S.IDENTIFIED, _A.DECLARE_NOT_ELIGIBLE): _S.NOT_ELIGIBLE,
        (_S.NOT_ELIGIBLE, _A.REFER_OUT): _S.REFERRED_OUT,
        (_S.NOT_ELIGIBLE, _A.REOPEN): _S.IDENTIFIED,
        (_S.REFERRED_OUT, _A.REOPEN): _S.IDENTIFIED,
        (_S.REGISTERED, _A.RECORD_INITIAL_ASSESSMENT): _S.INITIAL_ASSESSMENT,
        (_S.INITIAL_ASSESSMENT, _A.RECORD_INITIAL_ASSESSMENT): _S.INITIAL_ASSESSMENT,
        (_S.INITIAL_ASSESSMENT, _A.RECORD_COMPREHENSIVE_ASSESSMENT): _S.COMPREHENSIVE_ASSESSMENT,
        (_S.COMPREHENSIVE_ASSESSMENT, _A.RECORD_COMPREHENSIVE_ASSESSMENT): (
            _S.COMPREHENSIVE_ASSESSMENT
        ),
        (_S.COMPREHENSIVE_ASSESSMENT, _A.SUBMIT_PLAN): _S.PLAN_PENDING_APPROVAL,
        (_S.PLAN_PENDING_APPROVAL, _A.APPROVE_PLAN): _S.PLAN_APPROVED,
        (_S.PLAN_PENDING_APPROVAL, _A.REJECT_PLAN): _S.COMPREHENSIVE_ASSESSMENT,
        (_S.PLAN_APPROVED, _A.START_IMPLEMENTATION): _S.IMPLEMENTATION,
        # Re-assessments during implementation (SPEC §4: risk is re-evaluated
        # over the life of the case) do not change the status.
        (_S.IMPLEMENTATION, _A.RECORD_COMPREHENSIVE_ASSESSMENT): _S.IMPLEMENTATION,
        (_S.IMPLEMENTATION, _A.REVISE_PLAN): _S.PLAN_PENDING_APPROVAL,
        **{(status, _A.REQUEST_CLOSURE): _S.CLOSURE_REQUESTED for status in _CLOSABLE},
        (_S.CLOSURE_REQUESTED, _A.APPROVE_CLOSURE): _S.CLOSED,
        (_S.CLOSURE_REQUESTED, _A.REJECT_CLOSURE): _S.IMPLEMENTATION,
        (_S.CLOSED, _A.REOPEN): _S.REGISTERED,
    }
)

_FIELD_WORK = frozenset({Role.CASEWORKER, Role.SUPERVISOR})
_SUPERVISOR_ONLY = frozenset({Role.SUPERVISOR})
_INTAKE = frozenset({Role.CASEWORKER, Role.SUPERVISOR, Role.HELPLINE_COUNSELLOR})

# Decisions of SPEC §1 and §9 that only a supervisor takes.
_SUPERVISOR_DECISIONS = frozenset(
    {_A.APPROVE_PLAN, _A.REJECT_PLAN, _A.APPROVE_CLOSURE, _A.REJECT_CLOSURE, _A.REOPEN}
)

ACTION_ROLES: Mapping[Action, frozenset[Role]] = MappingProxyType(
    {
        _A.REGISTER: _INTAKE,
        _A.DECLARE_NOT_ELIGIBLE: _INTAKE,
        _A.REFER_OUT: _INTAKE,
        _A.RECORD_INITIAL_ASSESSMENT: _FIELD_WORK,
        _A.RECORD_COMPREHENSIVE_ASSESSMENT: _FIELD_WORK,
        _A.SUBMIT_PLAN: _FIELD_WORK,
        _A.APPROVE_PLAN: _SUPERVISOR_ONLY,
        _A.REJECT_PLAN: _SUPERVISOR_ONLY,
        _A.START_IMPLEMENTATION: _FIELD_WORK,
        _A.REVISE_PLAN: _FIELD_WORK,
        _A.REQUEST_CLOSURE: _FIELD_WORK,
        _A.APPROVE_CLOSURE: _SUPERVISOR_ONLY,
        _A.REJECT_CLOSURE: _SUPERVISOR_ONLY,
        _A.REOPEN: _SUPERVISOR_ONLY,
    }
)


@dataclass(frozen=True)
class CaseFacts:
    """What the guards need to know about a case and the actor (loaded by selectors)."""

    status: CaseStatus
    risk_level: RiskLevel
    age: int | None
    eligible: bool | None = None
    # Purposes with BOTH caregiver consent and (at or above the SOP's assent age)
    # the child's assent recorded and not withdrawn.
    consents: frozenset[str] = frozenset()
    # Purposes the SOP requires for registration.
    required_consents: frozenset[str] = frozenset()
    has_initial_assessment: bool = False
    has_comprehensive_assessment: bool = False
    plan_goals: int = 0
    plan_actions: int = 0
    open_plan_actions: int = 0
    safety_plan_recorded: bool = False
    high_risk_discussed: bool = False  # SPEC §4: discussed with the supervisor before action
    actor_is_assigned: bool = False  # the actor is the assigned caseworker
    actor_supervises: bool = False  # the actor supervises the assigned caseworker
    not_eligible_reason: str | None = None
    # The status closure was requested from: REJECT_CLOSURE returns there (a case
    # closed before planning must not land in implementation without a plan).
    closure_requested_from: CaseStatus | None = None
    # An approved plan is in force (the plan under review is a revision): REJECT_PLAN
    # then returns the case to implementation, where the approved plan goes on.
    plan_in_force: bool = False


def _reason(code: str, message: str, **params: object) -> Reason:
    return Reason(code, message, params)


def transition(status: CaseStatus, action: Action) -> CaseStatus:
    """The status ``action`` leads to from ``status``; DomainError ``transition_not_allowed``."""
    target = TRANSITIONS.get((status, action))
    if target is None:
        raise DomainError(
            "transition_not_allowed",
            gettext_noop('"%(action)s" is not possible while the case is "%(status)s".'),
            {"action": action.value, "status": status.value},
        )
    return target


def _actor_reasons(action: Action, facts: CaseFacts, role: Role) -> list[Reason]:
    if role not in ACTION_ROLES[action]:
        return [
            _reason(
                "role_not_allowed",
                gettext_noop('Your role (%(role)s) cannot "%(action)s".'),
                role=role.value,
                action=action.value,
            )
        ]
    if role is Role.CASEWORKER and not facts.actor_is_assigned:
        return [
            _reason(
                "not_assigned",
                gettext_noop(
                    "Only the caseworker assigned to this case can do this. "
                    "Ask the supervisor to assign the case to you."
                ),
            )
        ]
    if role is Role.SUPERVISOR and not facts.actor_supervises:
        # A supervisor who holds the case as its caseworker may do the field
        # work, but a decision on it belongs to the caseworker's supervisor.
        if action in _SUPERVISOR_DECISIONS or not facts.actor_is_assigned:
            return [
                _reason(
                    "not_supervisor_of_case",
                    gettext_noop(
                        "This case belongs to another supervisor's team: "
                        "only the supervisor of the assigned caseworker can do this."
                    ),
                )
            ]
    return []


def _high_risk_reasons(action: Action, facts: CaseFacts) -> list[Reason]:
    if facts.risk_level is not RiskLevel.HIGH:
        return []
    reasons = []
    if (
        action in (_A.SUBMIT_PLAN, _A.REVISE_PLAN, _A.APPROVE_PLAN)
        and not facts.safety_plan_recorded
    ):
        reasons.append(
            _reason(
                "safety_plan_missing",
                gettext_noop(
                    "This is a high-risk case: record a safety plan (who to call, safe places, "
                    "warning signs) before the case plan goes for approval."
                ),
            )
        )
    if (
        action in (_A.SUBMIT_PLAN, _A.REVISE_PLAN, _A.START_IMPLEMENTATION)
        and not facts.high_risk_discussed
    ):
        reasons.append(
            _reason(
                "high_risk_not_discussed",
                gettext_noop(
                    "This is a high-risk case: discuss it with your supervisor and record the "
                    "discussion before acting."
                ),
            )
        )
    return reasons


def _step_reasons(action: Action, facts: CaseFacts) -> list[Reason]:
    reasons: list[Reason] = []
    if action is _A.REGISTER:
        if facts.eligible is not True:
            reasons.append(
                _reason(
                    "not_eligible",
                    gettext_noop(
                        "The child has not been found eligible for case management. Check the "
                        "eligibility criteria, or declare the child not eligible and refer."
                    ),
                )
            )
        missing = sorted(facts.required_consents - facts.consents)
        if missing:
            reasons.append(
                _reason(
                    "consent_missing",
                    gettext_noop(
                        "Registration needs the caregiver's consent and the child's assent for: "
                        "%(purposes)s. Record them first."
                    ),
                    purposes=", ".join(missing),
                )
            )
    elif action is _A.DECLARE_NOT_ELIGIBLE:
        if not (facts.not_eligible_reason or "").strip():
            reasons.append(
                _reason(
                    "not_eligible_reason_missing",
                    gettext_noop(
                        "Record why the child is not eligible before declaring the child not "
                        "eligible."
                    ),
                )
            )
    elif action is _A.RECORD_COMPREHENSIVE_ASSESSMENT:
        if not facts.has_initial_assessment:
            reasons.append(
                _reason(
                    "initial_assessment_missing",
                    gettext_noop("Record the initial assessment first."),
                )
            )
    elif action in (_A.SUBMIT_PLAN, _A.REVISE_PLAN, _A.APPROVE_PLAN):
        if not facts.has_comprehensive_assessment:
            reasons.append(
                _reason(
                    "comprehensive_assessment_missing",
                    gettext_noop("Record the comprehensive assessment before the case plan."),
                )
            )
        if facts.plan_goals < 1 or facts.plan_actions < 1:
            reasons.append(
                _reason(
                    "plan_empty",
                    gettext_noop("The case plan needs at least one goal and one action."),
                )
            )
    return reasons + _high_risk_reasons(action, facts)


def guard(action: Action, facts: CaseFacts, role: Role) -> list[Reason]:
    """Why ``role`` may not do ``action`` on the case now; an empty list means allowed.

    First whether the action is possible at all (status, role, assignment);
    only if it is, the preconditions of the step (consent, assessments, plan,
    high-risk safeguards), all of them at once so the user can fix them together.
    """
    reasons: list[Reason] = []
    if (facts.status, action) not in TRANSITIONS:
        reasons.append(
            _reason(
                "transition_not_allowed",
                gettext_noop('"%(action)s" is not possible while the case is "%(status)s".'),
                action=action.value,
                status=facts.status.value,
            )
        )
    reasons += _actor_reasons(action, facts, role)
    if reasons:
        return reasons
    return _step_reasons(action, facts)


def apply(action: Action, facts: CaseFacts, role: Role) -> CaseStatus:
    """Check the guards, then return the new status; DomainError ``action_refused`` otherwise.

    REJECT_CLOSURE returns the case to the status closure was requested from
    when ``facts.closure_requested_from`` is known, else to implementation; REJECT_PLAN of
    a revision (``facts.plan_in_force``) returns the case to implementation.
    """
    reasons = guard(action, facts, role)
    if reasons:
        raise DomainError(
            "action_refused",
            gettext_noop('"%(action)s" was refused.'),
            {"action": action.value},
            reasons=reasons,
        )
    if action is _A.REJECT_PLAN and facts.plan_in_force:
        return _S.IMPLEMENTATION
    if action is _A.REJECT_CLOSURE and facts.closure_requested_from in _CLOSABLE:
        assert facts.closure_requested_from is not None
        return facts.closure_requested_from
    return transition(facts.status, action)


def allowed_actions(facts: CaseFacts, role: Role) -> list[Action]:
    """The actions ``role`` may take on the case now, in workflow order."""
    return [action for action in Action if not guard(action, facts, role)]
