"""Shared fixtures: the personas every access test uses, and an API client per persona.

Personas (STYLE.md): the assigned caseworker (alice), her supervisor (bob), a caseworker of
the same agency not assigned (carol, in another team), a caseworker of another agency
(dave), a coordinator (cora), a service provider (sam), an agency admin (adam) and a
helpline counsellor (hana).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from fanous.accounts.models import Agency, ApiToken, Area, Team, TeamMembership, User
from fanous.browser_fixtures import browser, login  # noqa: F401 (fixtures for every app's tests)
from fanous.domain.roles import Role
from fanous.sop.services import sop_install_default


@dataclass
class ApiClient:
    """JSON client authenticated with a bearer token, as a phone app would be."""

    user: User
    token: str
    client: Client

    def _call(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}
        kwargs.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
        if body is not None:
            kwargs["data"] = json.dumps(body, default=str)
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method)(f"/api/v1{path}", **kwargs)

    def get(self, path: str, **headers: str) -> Any:
        return self._call("get", path, **headers)

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self._call("post", path, body if body is not None else {}, **headers)

    def put(self, path: str, body: Any, **headers: str) -> Any:
        return self._call("put", path, body, **headers)

    def patch(self, path: str, body: Any, **headers: str) -> Any:
        return self._call("patch", path, body, **headers)


@dataclass
class World:
    area: Area
    agency_a: Agency
    agency_b: Agency
    users: dict[str, User]

    def api(self, name: str) -> ApiClient:
        user = self.users[name]
        _, raw = ApiToken.issue(user)
        return ApiClient(user=user, token=raw, client=Client())


def make_user(username: str, role: Role, agency: Agency | None) -> User:
    return User.objects.create_user(
        username=username,
        password="pass-for-tests-123",
        role=role.value,
        agency=agency,
        first_name=username.title(),
    )


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> None:
    """Each test starts without what an earlier one left in the per-process caches
    (fanous.core.ttlcache: the time zone of an agency's SOP...)."""
    from fanous.core.ttlcache import forget_all

    forget_all()


@pytest.fixture
def world(db: Any) -> World:
    area = Area.objects.create(
        code="JO-AM", kind=Area.Kind.GOVERNORATE, name_ar="عمّان", name_en="Amman", name_fr="Amman"
    )
    sop_install_default(area=area)
    agency_a = Agency.objects.create(code="AGN-A", name_ar="وكالة أ", name_en="Agency A", area=area)
    agency_b = Agency.objects.create(code="AGN-B", name_ar="وكالة ب", name_en="Agency B", area=area)
    users = {
        "alice": make_user("alice", Role.CASEWORKER, agency_a),
        "bob": make_user("bob", Role.SUPERVISOR, agency_a),
        "carol": make_user("carol", Role.CASEWORKER, agency_a),
        "erin": make_user("erin", Role.SUPERVISOR, agency_a),
        "dave": make_user("dave", Role.CASEWORKER, agency_b),
        "dora": make_user("dora", Role.SUPERVISOR, agency_b),
        "cora": make_user("cora", Role.COORDINATOR, None),
        "sam": make_user("sam", Role.SERVICE_PROVIDER, agency_b),
        "adam": make_user("adam", Role.AGENCY_ADMIN, agency_a),
        "hana": make_user("hana", Role.HELPLINE_COUNSELLOR, agency_a),
    }
    team_a = Team.objects.create(agency=agency_a, name="Team A1", supervisor=users["bob"])
    team_a2 = Team.objects.create(agency=agency_a, name="Team A2", supervisor=users["erin"])
    team_b = Team.objects.create(agency=agency_b, name="Team B1", supervisor=users["dora"])
    TeamMembership.objects.create(team=team_a, user=users["alice"])
    TeamMembership.objects.create(team=team_a2, user=users["carol"])
    TeamMembership.objects.create(team=team_b, user=users["dave"])
    return World(area=area, agency_a=agency_a, agency_b=agency_b, users=users)


def child_payload(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "child": {
            "given_name": "أحمد",
            "father_name": "محمود",
            "family_name": "الخطيب",
            "sex": "m",
            "birth_date": date(2013, 3, 14).isoformat(),
        },
        "eligibility_criteria": ["in_child_labour"],
        "immediate_needs": [],
        "source": "outreach",
    }
    body.update(overrides)
    return body


def local_today() -> date:
    """Today in the demo SOP's time zone (Amman), where deadlines are counted."""
    return datetime.now(ZoneInfo("Asia/Amman")).date()


def ok(res: Any, status: int = 200) -> dict[str, Any]:
    assert res.status_code == status, res.content.decode()
    return res.json()  # type: ignore[no-any-return]


def registered_case(
    api: ApiClient,
    *,
    child: dict[str, Any] | None = None,
    concerns: list[str] | None = None,
    registration: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A case identified, consented (caregiver and child) and registered through the API."""
    body = child_payload()
    body["child"].update(child or {})
    if concerns:
        body["concerns"] = concerns
    case = ok(api.post("/cases", body), 201)
    cid = case["id"]
    for giver in ("caregiver", "child"):
        ok(
            api.post(
                f"/cases/{cid}/consents", {"purpose": "services", "giver": giver, "given": True}
            ),
            201,
        )
    version = ok(api.get(f"/cases/{cid}"))["version"]
    return ok(api.post(f"/cases/{cid}/register", {"version": version, **(registration or {})}))


def assessed_case(
    api: ApiClient,
    facts: dict[str, Any],
    *,
    kinds: Iterable[str] = ("initial",),
    narrative: dict[str, str] | None = None,
    **registered: Any,
) -> dict[str, Any]:
    """A registered case with assessments of `kinds` recorded today with `facts`."""
    cid = registered_case(api, **registered)["id"]
    for kind in kinds:
        body = {"kind": kind, "assessed_on": local_today().isoformat(), "facts": facts}
        if narrative and kind == "comprehensive":
            body["narrative"] = narrative
        ok(api.post(f"/cases/{cid}/assessments", body), 201)
    return ok(api.get(f"/cases/{cid}"))
