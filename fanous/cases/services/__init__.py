"""Writes on cases. Each service: permission, facts, domain decision, save, audit — atomic."""

from .assessment import assessment_record, review_record, risk_override_set
from .closure import case_reopen, closure_approve, closure_reject, closure_request
from .followup import follow_up_record
from .intake import (
    ChildData,
    case_assign,
    case_declare_not_eligible,
    case_identify,
    case_refer_out,
    case_register,
    case_update_child,
    consent_record,
    consent_withdraw,
    household_member_add,
    registration_update,
)
from .plan import (
    ActionData,
    GoalData,
    PlanData,
    plan_action_set_status,
    plan_approve,
    plan_reject,
    plan_save_and_submit,
    plan_save_draft,
    plan_submit,
)

__all__ = [
    "ActionData",
    "ChildData",
    "GoalData",
    "PlanData",
    "assessment_record",
    "case_assign",
    "case_declare_not_eligible",
    "case_identify",
    "case_refer_out",
    "case_register",
    "case_reopen",
    "case_update_child",
    "closure_approve",
    "closure_reject",
    "closure_request",
    "consent_record",
    "consent_withdraw",
    "follow_up_record",
    "household_member_add",
    "plan_action_set_status",
    "plan_approve",
    "plan_reject",
    "plan_save_and_submit",
    "plan_save_draft",
    "plan_submit",
    "registration_update",
    "review_record",
    "risk_override_set",
]
