"""The supervisor's approvals queue, decisions, team overview and reassignment (SPEC §1, §7, §9)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from fanous.accounts.models import Team, TeamMembership
from fanous.audit.models import Event
from fanous.cases.models import Case, CasePlan, ClosureRequest
from fanous.conftest import World, make_user
from fanous.domain.roles import Role

from .followup_support import HIGH, closure_requested, plan_approved, plan_pending

pytestmark = pytest.mark.django_db


def client_for(world: World, name: str, lang: str = "en") -> Client:
    user = world.users[name]
    user.language = lang
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def queue_ids(client: Client) -> list[str]:
    import re

    html = client.get("/supervision/").content.decode()
    return re.findall(r'data-case="([0-9a-f-]{36})"', html)


def test_the_queue_shows_only_the_supervisors_team(world: World) -> None:
    alices = plan_pending(world, worker="alice", supervisor="bob")
    carols = plan_pending(world, worker="carol", supervisor="erin", name="كارول")
    assert queue_ids(client_for(world, "bob")) == [alices["id"]]
    assert queue_ids(client_for(world, "erin")) == [carols["id"]]
    assert queue_ids(client_for(world, "dora")) == []


def test_the_queue_puts_high_risk_first_then_the_longest_waiting(world: World) -> None:
    first_low = plan_pending(world, name="الأول")
    closing = closure_requested(world, name="الثاني")
    high = plan_pending(world, facts=HIGH, birth=date(2010, 5, 1), name="الثالث")
    assert queue_ids(client_for(world, "bob")) == [high["id"], first_low["id"], closing["id"]]
    html = client_for(world, "bob").get("/supervision/").content.decode()
    assert 'data-subject="closure"' in html
    assert 'data-subject="plan"' in html
    assert 'data-nav="approvals"' in html


def test_caseworkers_have_no_approvals_or_team_pages(world: World) -> None:
    alice = client_for(world, "alice")
    assert alice.get("/supervision/").status_code == 404
    assert alice.get("/supervision/team").status_code == 404
    assert 'data-nav="approvals"' not in alice.get("/").content.decode()


def test_a_caseworker_posting_an_approval_is_refused_and_nothing_changes(world: World) -> None:
    pending = plan_pending(world)
    alice = client_for(world, "alice")
    page = alice.get(f"/supervision/cases/{pending['id']}/").content.decode()
    assert 'id="decision-form"' not in page
    assert 'id="approve"' not in page
    assert 'id="act-approve-plan"' not in alice.get(f"/cases/{pending['id']}/").content.decode()
    events = Event.objects.count()
    res = alice.post(
        f"/supervision/cases/{pending['id']}/",
        {"version": pending["version"], "subject": "plan", "decision": "approve"},
    )
    assert res.status_code in (403, 422)
    assert 'role="alert"' in res.content.decode()
    assert Case.objects.get(pk=pending["id"]).status == "plan_pending_approval"
    assert CasePlan.objects.get(case_id=pending["id"]).status == "submitted"
    assert Event.objects.count() == events

    closing = closure_requested(world, name="سامي")
    events = Event.objects.count()
    res = alice.post(
        f"/supervision/cases/{closing['id']}/",
        {"version": closing["version"], "subject": "closure", "decision": "approve"},
    )
    assert res.status_code == 403
    assert Case.objects.get(pk=closing["id"]).status == "closure_requested"
    assert ClosureRequest.objects.get(case_id=closing["id"]).decision == "pending"
    assert Event.objects.count() == events


def test_the_supervisor_approves_a_plan_and_a_closure_from_the_decision_page(
    world: World,
) -> None:
    pending = plan_pending(world)
    bob = client_for(world, "bob")
    assert 'id="act-approve-plan"' in bob.get(f"/cases/{pending['id']}/").content.decode()
    page = bob.get(f"/supervision/cases/{pending['id']}/").content.decode()
    assert 'id="safety-plan"' in page
    assert 'data-goal="immediate"' in page
    res = bob.post(
        f"/supervision/cases/{pending['id']}/",
        {"version": pending["version"], "subject": "plan", "decision": "approve"},
    )
    assert res.status_code == 302
    assert res["Location"] == "/supervision/"
    assert Case.objects.get(pk=pending["id"]).status == "plan_approved"

    closing = closure_requested(world, name="سامي")
    page = bob.get(f"/supervision/cases/{closing['id']}/").content.decode()
    assert 'data-reason="adolescent_sufficient_improvement"' in page
    res = bob.post(
        f"/supervision/cases/{closing['id']}/",
        {"version": closing["version"], "subject": "closure", "decision": "approve"},
    )
    assert res.status_code == 302
    assert Case.objects.get(pk=closing["id"]).status == "closed"


def test_returning_needs_a_note(world: World) -> None:
    pending = plan_pending(world)
    bob = client_for(world, "bob")
    url = f"/supervision/cases/{pending['id']}/"
    res = bob.post(url, {"version": pending["version"], "subject": "plan", "decision": "return"})
    assert res.status_code == 422
    assert 'id="note-error"' in res.content.decode()
    assert Case.objects.get(pk=pending["id"]).status == "plan_pending_approval"
    res = bob.post(
        url,
        {
            "version": pending["version"],
            "subject": "plan",
            "decision": "return",
            "note": "أضف خطوات مع صاحب العمل",
        },
    )
    assert res.status_code == 302
    assert Case.objects.get(pk=pending["id"]).status == "comprehensive_assessment"
    assert CasePlan.objects.get(case_id=pending["id"]).decision_note == "أضف خطوات مع صاحب العمل"


def test_a_stale_decision_is_refused_with_reload(world: World) -> None:
    pending = plan_pending(world)
    res = client_for(world, "bob").post(
        f"/supervision/cases/{pending['id']}/",
        {"version": pending["version"] - 1, "subject": "plan", "decision": "approve"},
    )
    assert res.status_code == 409
    assert 'data-action="reload"' in res.content.decode()
    assert Case.objects.get(pk=pending["id"]).status == "plan_pending_approval"


def test_team_overview_counts_open_high_risk_and_overdue_cases(world: World) -> None:
    plan_pending(world)
    plan_pending(world, facts=HIGH, birth=date(2010, 5, 1), name="سامي")
    plan_approved(world, days_ago=15, name="ليلى")  # its first follow-up is overdue
    plan_pending(world, worker="carol", supervisor="erin", name="كارول")
    html = client_for(world, "bob").get("/supervision/team").content.decode()
    assert 'data-user="alice"' in html
    assert 'data-user="carol"' not in html
    row = html.split('data-user="alice"')[1].split("</tr>")[0]
    assert "?caseworker=" in row
    counts = {
        key: row.split(f'data-count="{key}">')[1].split("</a>")[0].rsplit(">", 1)[1]
        for key in ("open", "high", "overdue")
    }
    assert counts == {"open": "3", "high": "1", "overdue": "1"}


def test_the_team_link_filters_the_caseload_by_caseworker(world: World) -> None:
    plan_pending(world)
    alex = make_user("alex", Role.CASEWORKER, world.agency_a)
    team = Team.objects.get(supervisor=world.users["bob"])
    TeamMembership.objects.create(team=team, user=alex)
    bob = client_for(world, "bob")
    assert "1 case" in bob.get(f"/?caseworker={world.users['alice'].pk}").content.decode()
    assert "0 cases" in bob.get(f"/?caseworker={alex.pk}").content.decode()


def test_the_supervisor_reassigns_a_case_within_the_team_only(world: World) -> None:
    pending = plan_pending(world)
    alex = make_user("alex", Role.CASEWORKER, world.agency_a)
    TeamMembership.objects.create(team=Team.objects.get(supervisor=world.users["bob"]), user=alex)
    bob = client_for(world, "bob")
    url = f"/cases/{pending['id']}/assign"
    page = bob.get(url).content.decode()
    assert f'value="{alex.pk}"' in page
    assert f'value="{world.users["carol"].pk}"' not in page
    res = bob.post(url, {"version": pending["version"], "caseworker": world.users["carol"].pk})
    assert res.status_code == 422
    assert Case.objects.get(pk=pending["id"]).caseworker_id == world.users["alice"].pk
    res = bob.post(url, {"version": pending["version"], "caseworker": alex.pk})
    assert res.status_code == 302
    assert Case.objects.get(pk=pending["id"]).caseworker_id == alex.pk
    res = client_for(world, "alice").post(
        url, {"version": pending["version"] + 1, "caseworker": world.users["alice"].pk}
    )
    assert res.status_code == 404, "alice no longer sees the case"


def test_a_caseworker_cannot_reassign(world: World) -> None:
    pending = plan_pending(world)
    alice = client_for(world, "alice")
    res = alice.post(
        f"/cases/{pending['id']}/assign",
        {"version": pending["version"], "caseworker": world.users["alice"].pk},
    )
    assert res.status_code in (403, 422)
    assert Case.objects.get(pk=pending["id"]).version == pending["version"]


@pytest.mark.parametrize("who", ["dave", "dora", "erin", "carol"])
def test_outsiders_get_404_on_decision_and_assign_pages_and_change_nothing(
    world: World, who: str
) -> None:
    pending = plan_pending(world)
    client = client_for(world, who)
    events = Event.objects.count()
    for url in (f"/supervision/cases/{pending['id']}/", f"/cases/{pending['id']}/assign"):
        assert client.get(url).status_code == 404
    res = client.post(
        f"/supervision/cases/{pending['id']}/",
        {"version": pending["version"], "subject": "plan", "decision": "approve"},
    )
    assert res.status_code == 404
    assert "أحمد" not in res.content.decode()
    res = client.post(
        f"/cases/{pending['id']}/assign",
        {"version": pending["version"], "caseworker": world.users["carol"].pk},
    )
    assert res.status_code == 404
    assert Event.objects.count() == events
    assert Case.objects.get(pk=pending["id"]).status == "plan_pending_approval"
