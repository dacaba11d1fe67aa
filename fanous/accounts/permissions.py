"""What each role may do. One table; services check it, whatever door the request came in."""

from __future__ import annotations

from enum import StrEnum

from fanous.domain.roles import Role


class Permission(StrEnum):
    CASE_CREATE = "case_create"
    CASE_VIEW = "case_view"
    CASE_EDIT = "case_edit"
    PLAN_APPROVE = "plan_approve"
    CLOSURE_APPROVE = "closure_approve"
    RISK_OVERRIDE = "risk_override"
    CASE_REOPEN = "case_reopen"
    SOP_VIEW = "sop_view"
    SOP_MANAGE = "sop_manage"
    REPORTS_AGGREGATE = "reports_aggregate"
    # The agency's own dashboard: aggregate figures of all its cases, no child named.
    REPORTS_AGENCY = "reports_agency"
    USERS_MANAGE = "users_manage"
    REFERRAL_SEND = "referral_send"
    REFERRAL_RECEIVE = "referral_receive"
    SERVICE_MAP_MANAGE = "service_map_manage"
    TRANSFER_APPROVE = "transfer_approve"
    CASH_APPROVE = "cash_approve"
    BUDGET_MANAGE = "budget_manage"
    # Case lists to CSV/XLSX: de-identified by default; identified only for supervisors.
    CASE_EXPORT = "case_export"
    CASE_EXPORT_IDENTIFIED = "case_export_identified"


_CASEWORK = {
    Permission.CASE_CREATE,
    Permission.CASE_VIEW,
    Permission.CASE_EDIT,
    Permission.SOP_VIEW,
    Permission.REFERRAL_SEND,
    Permission.CASE_EXPORT,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CASEWORKER: frozenset(_CASEWORK),
    Role.SUPERVISOR: frozenset(
        _CASEWORK
        | {
            Permission.PLAN_APPROVE,
            Permission.CLOSURE_APPROVE,
            Permission.RISK_OVERRIDE,
            Permission.CASE_REOPEN,
            Permission.TRANSFER_APPROVE,
            Permission.CASH_APPROVE,
            Permission.CASE_EXPORT_IDENTIFIED,
        }
    ),
    Role.AGENCY_ADMIN: frozenset(
        {
            Permission.SOP_VIEW,
            Permission.USERS_MANAGE,
            Permission.SERVICE_MAP_MANAGE,
            Permission.BUDGET_MANAGE,
            Permission.REPORTS_AGENCY,
        }
    ),
    Role.COORDINATOR: frozenset(
        {
            Permission.SOP_VIEW,
            Permission.SOP_MANAGE,
            Permission.REPORTS_AGGREGATE,
            Permission.SERVICE_MAP_MANAGE,
        }
    ),
    Role.SERVICE_PROVIDER: frozenset({Permission.REFERRAL_RECEIVE}),
    Role.HELPLINE_COUNSELLOR: frozenset(
        {Permission.CASE_CREATE, Permission.CASE_VIEW, Permission.SOP_VIEW}
    ),
}


def has_permission(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())
