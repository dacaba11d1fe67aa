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
    USERS_MANAGE = "users_manage"


_CASEWORK = {
    Permission.CASE_CREATE,
    Permission.CASE_VIEW,
    Permission.CASE_EDIT,
    Permission.SOP_VIEW,
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
        }
    ),
    Role.AGENCY_ADMIN: frozenset({Permission.SOP_VIEW, Permission.USERS_MANAGE}),
    Role.COORDINATOR: frozenset(
        {Permission.SOP_VIEW, Permission.SOP_MANAGE, Permission.REPORTS_AGGREGATE}
    ),
    Role.SERVICE_PROVIDER: frozenset(),
    Role.HELPLINE_COUNSELLOR: frozenset(
        {Permission.CASE_CREATE, Permission.CASE_VIEW, Permission.SOP_VIEW}
    ),
}


def has_permission(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())
