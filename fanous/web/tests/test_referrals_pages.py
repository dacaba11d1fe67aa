"""The referral pages through the Django client (SPEC §8, §12): the form calls the service,
refusals are shown and save nothing, outsiders get 404 and change nothing, stale versions
conflict."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from fanous.conftest import World, assessed_case, local_today, ok
from fanous.referrals.models import Referral
from fanous.web.tests.followup_support import plan_body
from fanous.web.tests.referrals_support import a_case, client_for, make_clinic, send

pytestmark = pytest.mark.django_db


def form_body(case: dict[str, Any], clinic: Any, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "record_id": "7c1d3a1e-0000-4000-8000-000000000001",
        "need": "urgent_medical",
        "service_type": "primary_health",
        "provider": str(clinic.pk),
        "kind": "standard",
        "sections": ["identity", "contact", "caregiver"],
        "reason": "فحص طبي للسعال المزمن",
        "accompaniment": ["transport"],
        "accompaniment_notes": "",
        "override_reason": "",
    }
    body.update(extra)
    return body


def new_url(case: dict[str, Any]) -> str:
    return f"/cases/{case['id']}/referrals/new/"


def test_the_form_proposes_the_shown_need_and_the_minimal_default_sections(world: World) -> None:
    """§12: the sender chooses from a minimal default; sensitive sections are never ticked."""
    make_clinic(world)
    case = a_case(world)
    html = client_for(world, "alice", "ar").get(new_url(case)).content.decode()
    assert 'dir="rtl"' in html
    assert 'data-need="urgent_medical"' in html  # ill health, shown by the assessment
    assert 'data-count="1"' in html
    assert "عيادة الأمل" in html
    ticked = re.findall(r'name="sections" value="(\w+)" id="[\w-]+" checked', html)
    assert ticked == ["identity", "contact", "caregiver"]
    assert 'data-consent="1"' in html
    assert 'name="override_reason"' not in html


def test_the_specialised_type_offers_sensitive_sections_marked_and_unticked(world: World) -> None:
    make_clinic(world)
    case = a_case(world)
    client = client_for(world, "alice")
    res = client.get(
        new_url(case),
        {"kind": "specialised", "need": "urgent_medical"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="share",
    )
    html = res.content.decode()
    assert html.startswith('<div id="share" data-kind="specialised"')
    assert 'data-section="sensitive_disclosures" data-default="0" data-sensitive="1"' in html
    assert not re.search(r'value="sensitive_disclosures" id="[\w-]+" checked', html)


def test_changing_the_service_reloads_the_providers(world: World) -> None:
    make_clinic(world)
    case = a_case(world)
    res = client_for(world, "alice").get(
        new_url(case),
        {"need": "out_of_school", "service_type": "primary_health"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="pathway",
    )
    html = res.content.decode()
    assert html.startswith('<div id="pathway" data-need="out_of_school"')
    assert 'data-service-type="formal_education"' in html  # the need's own pathway
    assert 'id="no-provider"' in html


def test_sending_from_the_form_creates_the_referral_with_what_was_ticked(world: World) -> None:
    clinic = make_clinic(world)
    case = a_case(world)
    res = client_for(world, "alice").post(new_url(case), form_body(case, clinic))
    referral = Referral.objects.get()
    assert res.status_code == 302
    assert res["Location"] == f"/referrals/{referral.pk}/"
    assert referral.status == "sent"
    assert referral.sections == ["identity", "contact", "caregiver"]
    assert referral.accompaniment == ["transport"]
    # A second post of the same form (double click) does not send twice.
    client_for(world, "alice").post(new_url(case), form_body(case, clinic))
    assert Referral.objects.count() == 1


def test_without_consent_or_ground_the_form_shows_the_refusal_and_saves_nothing(
    world: World,
) -> None:
    """§12: information goes only with consent or a recorded best-interests ground."""
    clinic = make_clinic(world)
    case = a_case(world, sharing=False)
    client = client_for(world, "alice")
    page = client.get(new_url(case)).content.decode()
    assert 'data-consent="0"' in page
    assert 'name="override_reason"' in page
    assert 'id="override-explained"' in page
    res = client.post(new_url(case), form_body(case, clinic))
    assert res.status_code == 422
    html = res.content.decode()
    assert 'role="alert"' in html
    assert 'data-code="referral_consent_missing"' in html
    assert 'id="override-error"' in html
    assert not Referral.objects.exists()


def test_a_ground_makes_the_caseworker_referral_wait_for_the_supervisor(world: World) -> None:
    clinic = make_clinic(world)
    case = a_case(world, sharing=False)
    body = form_body(case, clinic, override_reason="خطر على حياة الطفل")
    client_for(world, "alice").post(new_url(case), body)
    assert Referral.objects.get().status == "pending_approval"
    html = client_for(world, "bob").get("/referrals/overrides/").content.decode()
    assert 'id="overrides" data-count="1"' in html
    assert "خطر على حياة الطفل" in html


def test_missing_reason_and_provider_are_shown_next_to_the_fields(world: World) -> None:
    clinic = make_clinic(world)
    case = a_case(world)
    res = client_for(world, "alice").post(
        new_url(case), form_body(case, clinic, reason="", provider="")
    )
    assert res.status_code == 422
    html = res.content.decode()
    assert 'id="form-errors"' in html
    assert 'aria-invalid="true"' in html
    assert 'id="provider-error"' in html
    assert not Referral.objects.exists()


def test_a_section_the_type_does_not_allow_is_refused_with_the_reason(world: World) -> None:
    clinic = make_clinic(world)
    case = a_case(world)
    body = form_body(case, clinic, sections=["identity", "sensitive_disclosures"])
    res = client_for(world, "alice").post(new_url(case), body)
    assert res.status_code == 422
    assert 'data-reason="referral_section_not_allowed"' in res.content.decode()
    assert not Referral.objects.exists()


def test_a_plan_action_prefills_the_service_and_the_reason(world: World) -> None:
    make_clinic(world)
    alice = world.api("alice")
    case = assessed_case(alice, {"ill_health": True}, kinds=("initial", "comprehensive"))
    plan = plan_body(local_today())
    plan["goals"][0]["actions"][0]["service_type"] = "primary_health"
    data = ok(alice.put(f"/cases/{case['id']}/plan", {**plan, "version": case["version"]}))
    action_id = data["plan"]["goals"][0]["actions"][0]["id"]
    html = client_for(world, "alice").get(new_url(case), {"action": action_id}).content.decode()
    assert 'data-service-type="primary_health"' in html
    assert f'name="plan_action" value="{action_id}"' in html
    assert "وساطة مع صاحب العمل" in html


@pytest.mark.parametrize("name", ["dave", "carol", "cora", "sam"])
def test_outsiders_get_404_on_the_new_referral_form_and_send_nothing(
    world: World, name: str
) -> None:
    clinic = make_clinic(world)
    case = a_case(world)
    client = client_for(world, name)
    assert client.get(new_url(case)).status_code == 404
    assert client.post(new_url(case), form_body(case, clinic)).status_code == 404
    assert not Referral.objects.exists()


@pytest.mark.parametrize("name", ["dave", "carol", "cora", "adam"])
def test_outsiders_get_404_on_the_referral_page_and_cannot_act(world: World, name: str) -> None:
    clinic = make_clinic(world)
    referral = send(world, a_case(world), clinic)
    client = client_for(world, name)
    assert client.get(f"/referrals/{referral['id']}/").status_code == 404
    for action in ("acknowledge", "accept", "revoke", "close"):
        res = client.post(
            f"/referrals/{referral['id']}/{action}/",
            {f"{action}-version": referral["version"], f"{action}-reason": "x"},
        )
        assert res.status_code == 404
    row = Referral.objects.get()
    assert (row.status, row.version) == ("sent", referral["version"])
    assert referral["reference"] not in client.get("/referrals/").content.decode()


def test_the_provider_page_shows_what_is_shared_and_nothing_of_the_case(world: World) -> None:
    """§1, §12: a service provider sees only what the referral shares."""
    clinic = make_clinic(world)
    case = a_case(world)
    referral = send(world, case, clinic)
    html = client_for(world, "sam").get(f"/referrals/{referral['id']}/").content.decode()
    assert 'id="shared-name"' in html
    assert "أحمد" in html
    assert f"/cases/{case['id']}/" not in html
    assert 'id="case-link"' not in html
    assert "ورشة الحدادة" not in html
    assert "سعال مزمن" not in html
    assert 'id="shared-risk"' not in html
    assert 'data-risk="' not in html
    assert 'data-act="acknowledge"' in html
    assert 'data-act="revoke"' not in html
    assert client_for(world, "sam").get(f"/cases/{case['id']}/").status_code == 404


def test_the_sender_page_links_back_to_the_case_and_may_revoke(world: World) -> None:
    clinic = make_clinic(world)
    case = a_case(world)
    referral = send(world, case, clinic)
    html = client_for(world, "alice").get(f"/referrals/{referral['id']}/").content.decode()
    assert f'href="/cases/{case["id"]}/"' in html
    assert 'data-act="revoke"' in html
    assert 'data-act="accept"' not in html
    assert 'data-step="sent" data-state="done"' in html
    assert 'data-step="acknowledged" data-state="current"' in html


def test_a_stale_version_is_a_conflict_and_changes_nothing(world: World) -> None:
    clinic = make_clinic(world)
    referral = send(world, a_case(world), clinic)
    sam = client_for(world, "sam")
    url = f"/referrals/{referral['id']}"
    res = sam.post(f"{url}/acknowledge/", {"acknowledge-version": referral["version"]})
    assert res.status_code == 302
    res = sam.post(f"{url}/accept/", {"accept-version": referral["version"]})
    assert res.status_code == 409
    html = res.content.decode()
    assert 'data-action="reload"' in html
    assert f'href="{url}/"' in html
    assert Referral.objects.get().status == "acknowledged"


def test_declining_needs_a_reason(world: World) -> None:
    clinic = make_clinic(world)
    referral = send(world, a_case(world), clinic)
    url = f"/referrals/{referral['id']}/decline/"
    sam = client_for(world, "sam")
    res = sam.post(url, {"decline-version": referral["version"], "decline-reason": " "})
    assert res.status_code == 422
    assert 'data-code="referral_reason_required"' in res.content.decode()
    assert Referral.objects.get().status == "sent"
    body = {"decline-version": referral["version"], "decline-reason": "خارج منطقتنا"}
    assert sam.post(url, body).status_code == 302
    assert Referral.objects.get().decline_reason == "خارج منطقتنا"


def test_the_sender_records_the_answers_of_a_service_outside_fanous(world: World) -> None:
    clinic = make_clinic(world, in_app=False)
    referral = send(world, a_case(world), clinic)
    html = client_for(world, "alice").get(f"/referrals/{referral['id']}/").content.decode()
    assert 'id="record-answer"' in html
    assert 'data-act="accept"' in html
    assert 'data-in-app="0"' in html


def test_the_inbox_lists_urgent_first_and_the_htmx_refresh_returns_the_list(world: World) -> None:
    clinic = make_clinic(world)
    case = a_case(world)
    standard = send(world, case, clinic)
    urgent = send(world, case, clinic, kind="urgent")
    sam = client_for(world, "sam")
    html = sam.get("/referrals/inbox/").content.decode()
    assert 'hx-trigger="every 30s' in html
    assert html.index(urgent["id"]) < html.index(standard["id"])
    Referral.objects.filter(pk=standard["id"]).update(
        acknowledge_by=timezone.now() - timedelta(hours=1)
    )
    part = sam.get(
        "/referrals/inbox/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="referral-inbox"
    ).content.decode()
    assert part.startswith('<ul class="list-group list-group-flush" id="referral-inbox"')
    assert 'data-overdue="acknowledge"' in part


def test_the_sending_list_puts_overdue_first_and_filters_by_status(world: World) -> None:
    clinic = make_clinic(world)
    case = a_case(world)
    first = send(world, case, clinic, kind="urgent")
    late = send(world, case, clinic)
    Referral.objects.filter(pk=late["id"]).update(
        acknowledge_by=timezone.now() - timedelta(hours=1)
    )
    alice = client_for(world, "alice")
    html = alice.get("/referrals/").content.decode()
    assert html.index(late["id"]) < html.index(first["id"])
    bob_html = client_for(world, "bob").get("/referrals/").content.decode()
    assert late["id"] in bob_html
    closed = alice.get("/referrals/", {"status": "closed"}).content.decode()
    assert 'id="referral-list" data-count="0"' in closed
    dave_html = client_for(world, "dave").get("/referrals/").content.decode()
    assert dave_html.count("data-referral=") == 0


def test_the_provider_lands_on_the_inbox_and_others_cannot_open_it(world: World) -> None:
    res = client_for(world, "sam").get("/")
    assert res.status_code == 302
    assert res["Location"] == "/referrals/inbox/"
    assert client_for(world, "sam").get("/referrals/").status_code == 302
    assert client_for(world, "alice").get("/referrals/inbox/").status_code == 403
    assert client_for(world, "alice").get("/referrals/overrides/").status_code == 403
    assert client_for(world, "alice").get("/").status_code == 200


def test_the_overrides_count_shows_only_for_the_supervisor(world: World) -> None:
    clinic = make_clinic(world)
    send(world, a_case(world, sharing=False), clinic, override_reason="خطر")
    template = Template("{% load fanous_referrals %}{% referral_overrides_count %}")
    for name, expected in (("bob", True), ("erin", False), ("alice", False), ("sam", False)):
        request = RequestFactory().get("/")
        request.user = world.users[name]
        html = template.render(Context({"request": request}))
        assert ('data-count="1"' in html) is expected, name


def test_the_case_panel_and_the_plan_action_link_offer_to_refer(world: World) -> None:
    from fanous.accounts.access import Actor
    from fanous.cases.models import Case
    from fanous.referrals.selectors.referrals import case_referrals

    clinic = make_clinic(world)
    case = a_case(world)
    referral = send(world, case, clinic)
    row = Case.objects.get(pk=case["id"])
    panel = Template(
        '{% include "web/referrals/partials/_case_referrals.html" %}'
        '{% include "web/referrals/partials/_action_refer.html" %}'
    )
    for name, can_refer in (("alice", True), ("bob", True)):
        user = world.users[name]
        html = panel.render(
            Context(
                {
                    "user": user,
                    "case": row,
                    "action": {"id": "a1"},
                    "ui_lang": "en",
                    "referrals": case_referrals(actor=Actor.of(user), case_id=row.pk),
                }
            )
        )
        assert f'data-referral="{referral["id"]}"' in html
        assert ('id="refer-button"' in html) is can_refer
        assert 'data-refer-action="a1"' in html
    empty = panel.render(
        Context({"user": world.users["cora"], "case": row, "action": {"id": "a1"}, "referrals": []})
    )
    assert 'id="refer-button"' not in empty
    assert "data-refer-action" not in empty
