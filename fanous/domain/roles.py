"""The roles of SPEC §1, as the domain core knows them."""

from __future__ import annotations

from enum import StrEnum

from fanous.domain.i18n import gettext_noop

__all__ = ["Role"]


class Role(StrEnum):
    """A user's role in an agency (SPEC §1). The values are stored in the database."""

    CASEWORKER = "caseworker"
    SUPERVISOR = "supervisor"
    AGENCY_ADMIN = "agency_admin"
    COORDINATOR = "coordinator"
    SERVICE_PROVIDER = "service_provider"
    HELPLINE_COUNSELLOR = "helpline_counsellor"

    @property
    def label(self) -> str:
        """English msgid of the role's name, for the Django layer to translate."""
        return _ROLE_LABELS[self]


_ROLE_LABELS: dict[Role, str] = {
    Role.CASEWORKER: gettext_noop("Caseworker"),
    Role.SUPERVISOR: gettext_noop("Supervisor / case manager"),
    Role.AGENCY_ADMIN: gettext_noop("Agency focal point"),
    Role.COORDINATOR: gettext_noop("Inter-agency coordinator"),
    Role.SERVICE_PROVIDER: gettext_noop("Service provider"),
    Role.HELPLINE_COUNSELLOR: gettext_noop("Helpline counsellor"),
}
