"""Need to know beyond the case (issue 4 must-show, SPEC §1 and §12): a sensitive section
is hidden from an unassigned caseworker of the same agency; explicit shares; grants never
allow writes; another agency never sees anything.

Personas (fanous/conftest.py): alice is assigned, bob supervises her, carol is a
caseworker of the same agency in another team, erin supervises that other team, dave and
dora are agency B, sam is a service provider.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fanous.audit.models import Event
from fanous.conftest import World, assessed_case, local_today, ok
from fanous.notifications.models import Notification
from fanous.protection.models import CaseAccessGrant

pytestmark = pytest.mark.django_db

SECTIONS = ["sexual_violence", "caafag", "trafficking", "health"]
HEALTH = "Asthma-needs-inhaler-7391"  # unique: finding it anywhere means it leaked
FACTS = {"sexual_abuse": True, "sv.incident_disclosed": True, "caafag.recruitment_risk": True}
SENSITIVE_RULES = {"sexual_abuse", "incident_disclosed", "recruitment_risk"}
LABELS = ("Sexual abuse", "إساءة جنسية", "Survivor of sexual violence", "Risk of recruitment")


@pytest.fixture
def case(world: World) -> dict[str, Any]:
    """Alice's case: a sexual-violence disclosure, CAAFAG recruitment risk, a health note."""
    return assessed_case(
        world.api("alice"),
        FACTS,
        concerns=["child_labour", "caafag", "sexual_violence"],
        registration={"health_wellbeing": HEALTH, "work_type": "Car workshop"},
    )


def share(
    world: World, by: str, to: str, case_id: str, *, sensitive: bool = False, days: int = 7
) -> Any:
    return world.api(by).post(
        f"/access/cases/{case_id}/shares",
        {
            "user_id": world.users[to].pk,
            "reason": "Cover during Alice's annual leave",
            "until": (local_today() + timedelta(days=days)).isoformat(),
            "include_sensitive": sensitive,
        },
    )


def grants_of(api: Any, case_id: str) -> list[dict[str, Any]]:
    res = api.get(f"/access/cases/{case_id}")
    assert res.status_code == 200, res.content
    rows: list[dict[str, Any]] = res.json()
    return rows


def web(world: World, name: str) -> Client:
    client = Client()
    user = world.users[name]
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    return client


def rules(case_json: dict[str, Any]) -> set[str]:
    return {f["rule"] for c in case_json["risk"]["factors"] for f in c["factors"]}


def seen_by(world: World, name: str, case_id: str) -> dict[str, Any]:
    """What ``name`` reads of the case through the API (case, history, assessments) and
    the web page; asserts that each door answers 200."""
    api = world.api(name)
    page = web(world, name).get(f"/cases/{case_id}/")
    assert page.status_code == 200
    return {
        "case": ok(api.get(f"/cases/{case_id}")),
        "history": ok(api.get(f"/cases/{case_id}/history")),
        "assessments": ok(api.get(f"/cases/{case_id}/assessments")),
        "risk_changes": ok(api.get(f"/cases/{case_id}/risk-changes")),
        "page": page.content.decode(),
    }


def hidden(world: World, name: str, case_id: str) -> None:
    """404 at every door, and the case is not in their caseload."""
    api = world.api(name)
    for path in ("", "/history", "/assessments"):
        assert api.get(f"/cases/{case_id}{path}").status_code == 404
    assert web(world, name).get(f"/cases/{case_id}/").status_code == 404
    assert case_id not in {c["id"] for c in ok(api.get("/cases"))["items"]}


def test_a_sensitive_section_is_hidden_from_an_unassigned_caseworker_of_the_same_agency(
    world: World, case: dict[str, Any]
) -> None:
    cid = case["id"]
    # Without a grant: nothing, as for anyone outside the case's team.
    hidden(world, "carol", cid)

    # A share without the sensitive sections: the case, not its sensitive sections.
    ok(share(world, "alice", "carol", cid), 201)
    seen = seen_by(world, "carol", cid)
    got = seen["case"]
    assert got["case_number"] == case["case_number"]
    assert got["concerns"] == ["child_labour"]
    assert "health_wellbeing" not in got["registration"]
    assert got["registration"]["work_type"] == "Car workshop"
    assert not rules(got) & SENSITIVE_RULES
    assert got["risk"]["level"] == "high"  # the level stays: it drives the deadlines
    assert got["restricted_sections"] == SECTIONS
    assert got["access"]["kind"] == "share"
    assert got["access"]["read_only"] is True
    for a in seen["assessments"]:
        assert not set(a["facts"]) & set(FACTS)
    for e in seen["history"]:
        assert not any(k.endswith("health_wellbeing") for k in e["changes"])
        for value in e["changes"].get("concerns", []) or []:
            assert not set(value or []) & {"caafag", "sexual_violence"}
    page = seen["page"]
    assert 'id="restricted-notice"' in page
    assert 'data-section="sexual_violence"' in page
    assert 'data-section="health"' in page
    assert 'id="shared-banner"' in page
    for what in (seen["case"], seen["history"], seen["assessments"], seen["risk_changes"], page):
        text = str(what)
        assert HEALTH not in text
        assert not [label for label in LABELS if label in text]
    # The assigned caseworker sees it all, with no notice.
    mine = ok(world.api("alice").get(f"/cases/{cid}"))
    assert set(mine["concerns"]) == {"child_labour", "caafag", "sexual_violence"}
    assert mine["registration"]["health_wellbeing"] == HEALTH
    assert mine["restricted_sections"] == []
    assert mine["access"] is None
    assert SENSITIVE_RULES <= rules(mine)

    # With the sensitive sections (only the supervisor may include them).
    refused = share(world, "alice", "carol", cid, sensitive=True)
    assert refused.status_code == 403
    ok(share(world, "bob", "carol", cid, sensitive=True), 201)
    seen = seen_by(world, "carol", cid)
    assert set(seen["case"]["concerns"]) == {"child_labour", "caafag", "sexual_violence"}
    assert seen["case"]["registration"]["health_wellbeing"] == HEALTH
    assert seen["case"]["restricted_sections"] == []
    assert SENSITIVE_RULES <= rules(seen["case"])
    assert 'id="restricted-notice"' not in seen["page"]

    # Revoked: 404 again.
    bob = world.api("bob")
    listing = grants_of(bob, cid)
    for live in listing:
        if live["state"] == "live":
            ok(bob.post(f"/access/cases/{cid}/grants/{live['id']}/revoke"))
    listing = grants_of(bob, cid)
    assert {g["state"] for g in listing} == {"revoked"}
    hidden(world, "carol", cid)

    # Expired (the end is a time on the grant row, not a wait): 404 again.
    grant = ok(share(world, "alice", "carol", cid), 201)
    assert ok(world.api("carol").get(f"/cases/{cid}"))["id"] == cid
    CaseAccessGrant.objects.filter(pk=grant["id"]).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    hidden(world, "carol", cid)
    listing = grants_of(bob, cid)
    assert listing[0]["state"] == "expired"


def test_a_shared_case_is_in_the_colleagues_caseload_and_they_are_told(
    world: World, case: dict[str, Any]
) -> None:
    ok(share(world, "alice", "carol", case["id"]), 201)
    items = ok(world.api("carol").get("/cases"))["items"]
    assert case["id"] in {c["id"] for c in items}
    note = Notification.objects.get(user=world.users["carol"])
    assert note.kind == "case_shared"
    assert note.params["case_number"] == case["case_number"]


def test_reads_through_a_share_are_audited_with_the_grant(
    world: World, case: dict[str, Any]
) -> None:
    grant = ok(share(world, "alice", "carol", case["id"]), 201)
    ok(world.api("carol").get(f"/cases/{case['id']}"))
    read = Event.objects.filter(action=Event.Action.READ, actor=world.users["carol"]).get()
    assert read.changes == {"section": "case", "via": "share", "grant": grant["id"]}
    shared = Event.objects.get(object_id=grant["id"], action=Event.Action.UPDATE)
    assert shared.summary == "case shared"
    assert shared.changes["reason"] == "Cover during Alice's annual leave"
    assert shared.sop_version == case["sop_version"]
    # The assigned caseworker's reads carry no grant.
    ok(world.api("alice").get(f"/cases/{case['id']}"))
    mine = Event.objects.filter(action=Event.Action.READ, actor=world.users["alice"]).last()
    assert mine is not None
    assert "via" not in mine.changes


@pytest.mark.parametrize(
    ("by", "to", "status", "code"),
    [
        ("alice", "dave", 422, "share_not_colleague"),  # another agency's caseworker
        ("alice", "sam", 422, "share_not_colleague"),  # a service provider
        ("alice", "adam", 422, "share_not_colleague"),  # the agency admin has no CASE_VIEW
        ("alice", "bob", 422, "share_not_needed"),  # already sees it
        ("carol", "erin", 404, "not_found"),  # not her case
        ("dave", "dora", 404, "not_found"),  # another agency
        ("sam", "carol", 403, "forbidden"),  # a provider cannot share cases
    ],
)
def test_sharing_is_refused_and_saves_nothing(
    world: World, case: dict[str, Any], by: str, to: str, status: int, code: str
) -> None:
    res = share(world, by, to, case["id"])
    assert res.status_code == status, res.content
    assert res.json()["code"] == code
    assert res.json()["message"]
    assert not CaseAccessGrant.objects.exists()
    assert not Event.objects.filter(summary="case shared").exists()


def test_a_share_has_a_reason_and_ends_within_the_sops_limit(
    world: World, case: dict[str, Any]
) -> None:
    res = share(world, "alice", "carol", case["id"], days=31)  # share_max_days is 30
    assert res.status_code == 422
    assert res.json()["code"] == "share_too_long"
    res = share(world, "alice", "carol", case["id"], days=-1)
    assert res.status_code == 422
    assert res.json()["code"] == "date_past"
    res = world.api("alice").post(
        f"/access/cases/{case['id']}/shares",
        {"user_id": world.users["carol"].pk, "reason": "leave", "until": str(local_today())},
    )
    assert res.status_code == 422
    assert res.json()["code"] == "reason_required"
    assert not CaseAccessGrant.objects.exists()
    ok(share(world, "alice", "carol", case["id"], days=30), 201)


def test_grants_never_allow_writes(world: World, case: dict[str, Any]) -> None:
    cid = case["id"]
    ok(share(world, "bob", "carol", cid, sensitive=True), 201)
    carol = world.api("carol")
    version = ok(carol.get(f"/cases/{cid}"))["version"]
    for method, path, body in (
        ("patch", f"/cases/{cid}/child", {"version": version, "child": {"given_name": "X"}}),
        (
            "post",
            f"/cases/{cid}/assessments",
            {"kind": "comprehensive", "assessed_on": str(local_today()), "facts": {}},
        ),
        ("post", f"/cases/{cid}/consents", {"purpose": "services", "giver": "child", "given": 0}),
        ("post", f"/access/cases/{cid}/shares", {"user_id": world.users["erin"].pk}),
    ):
        res = getattr(carol, method)(path, body)
        assert res.status_code in (404, 422), (path, res.status_code)
    after = ok(world.api("alice").get(f"/cases/{cid}"))
    assert after["version"] == version
    # The pages that change a case refuse a reader through a grant.
    client = web(world, "carol")
    for path in (
        f"/cases/{cid}/assessments/new",
        f"/cases/{cid}/registration/edit",
        f"/cases/{cid}/child/edit",
        f"/cases/{cid}/referrals/new/",
    ):
        assert client.get(path).status_code in (403, 404), path
    page = client.get(f"/cases/{cid}/").content.decode()
    assert 'id="child-edit-link"' not in page
    assert 'id="registration-edit-link"' not in page


def test_another_agency_never_sees_anything(world: World, case: dict[str, Any]) -> None:
    ok(share(world, "bob", "carol", case["id"], sensitive=True), 201)
    for name in ("dave", "dora", "sam"):
        hidden(world, name, case["id"]) if name != "sam" else None
        assert world.api(name).get(f"/access/cases/{case['id']}").status_code in (403, 404)
    # A grant row pointing at another agency's user gives nothing either.
    CaseAccessGrant.objects.update(user=world.users["dave"])
    hidden(world, "dave", case["id"])


def test_the_web_share_form_shares_lists_and_revokes(world: World, case: dict[str, Any]) -> None:
    cid = case["id"]
    bob = web(world, "bob")
    page = bob.get(f"/cases/{cid}/access/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="share-form"' in html
    assert 'name="include_sensitive"' in html
    # The caseworker may share, not the sensitive sections.
    alice_page = web(world, "alice").get(f"/cases/{cid}/access/").content.decode()
    assert 'id="share-form"' in alice_page
    assert 'name="include_sensitive"' not in alice_page
    refused = bob.post(
        f"/cases/{cid}/access/",
        {"user": world.users["carol"].pk, "until": str(local_today()), "reason": "short"},
    )
    assert refused.status_code == 422
    assert 'data-error-for="reason"' in refused.content.decode()
    assert not CaseAccessGrant.objects.exists()
    res = bob.post(
        f"/cases/{cid}/access/",
        {
            "user": world.users["carol"].pk,
            "until": str(local_today() + timedelta(days=3)),
            "reason": "Joint home visit next week",
        },
    )
    assert res.status_code == 302
    grant = CaseAccessGrant.objects.get()
    assert not grant.include_sensitive
    assert grant.granted_by == world.users["bob"]
    html = bob.get(f"/cases/{cid}/access/").content.decode()
    assert f'data-grant="{grant.pk}"' in html
    assert 'data-state="live"' in html
    # Carol reads it, and the case page links to the access page.
    assert 'id="case-access-link"' in web(world, "carol").get(f"/cases/{cid}/").content.decode()
    assert bob.post(f"/cases/{cid}/access/{grant.pk}/revoke").status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_by == world.users["bob"]
    # A caseworker of another team cannot revoke or see the list.
    assert web(world, "dave").get(f"/cases/{cid}/access/").status_code == 404
