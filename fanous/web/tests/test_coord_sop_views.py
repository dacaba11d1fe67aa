"""SOP pages (SPEC §2): everyone who works cases reads the version in force; only the
coordinator creates, edits and publishes drafts, and a version in force never changes."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.test import Client

from fanous.accounts.access import Actor
from fanous.conftest import World
from fanous.sop.models import SopVersion
from fanous.sop.services import sop_create_draft

pytestmark = pytest.mark.django_db


def client_for(world: World, name: str, lang: str = "en") -> Client:
    user = world.users[name]
    user.language = lang
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def in_force(world: World) -> SopVersion:
    return SopVersion.objects.get(area=world.area, status=SopVersion.Status.IN_FORCE)


def make_draft(world: World, version: str = "1.1", endorsed_on: str = "2026-10-01") -> SopVersion:
    data = copy.deepcopy(in_force(world).data)
    data["version"] = version
    data["endorsed_on"] = endorsed_on
    return sop_create_draft(actor=Actor.of(world.users["cora"]), area=world.area, data=data)


def timeframes_post(row: SopVersion, **changes: Any) -> dict[str, Any]:
    """The timeframes form as the page sends it, with ``changes`` ("high-plan_due_days": 2)."""
    body: dict[str, Any] = {"row_version": row.row_version}
    for level, values in row.data["timeframes"].items():
        for name in ("assessment_due_days", "plan_due_days"):
            body[f"{level}-{name}"] = values.get(name, "")
        for name in ("follow_up_initial", "follow_up_stable", "follow_up_visits_impossible"):
            freq = values.get(name) or {}
            body[f"{level}-{name}-times"] = freq.get("times", "")
            body[f"{level}-{name}-period_days"] = freq.get("period_days", "")
    body.update(changes)
    return body


# --------------------------------------------------------------------------- reading


def test_caseworker_reads_the_version_in_force_in_arabic(world: World) -> None:
    row = in_force(world)
    client = client_for(world, "alice", "ar")
    listing = client.get("/sop/").content.decode()
    assert f'data-sop="{row.pk}"' in listing
    assert 'data-action="new-version"' not in listing
    res = client.get(f"/sop/{row.pk}/")
    assert res.status_code == 200
    html = res.content.decode()
    assert 'dir="rtl"' in html
    # Labels of the SOP in the user's language, every concern's matrix, the timeframes.
    assert "أسوأ أشكال عمل الأطفال: الاتجار بالطفل" in html
    for code in ("child_labour", "child_marriage", "caafag"):
        assert f'data-concern="{code}"' in html
    assert 'data-level="high"' in html
    # No way to change it: no edit or publish buttons.
    for action in ("edit-timeframes", "edit-closure", "edit-matrix", "publish", "new-version"):
        assert f'data-action="{action}"' not in html
    # Printable: version and date in the print footer.
    assert "sop-print-footer" in html
    assert "@media print" in html


def test_detail_page_shows_timeframes_and_conditions_in_words(world: World) -> None:
    row = in_force(world)
    html = client_for(world, "bob").get(f"/sop/{row.pk}/").content.decode()
    assert "2 times every 7 days" in html  # high risk, initial phase
    assert "1 time every 30 days" in html  # low risk, once stable
    assert "at least 43" in html  # hours of work per week
    assert "Worst form of child labour: Trafficking of the child" in html
    assert 'data-reason="refuses_support"' in html
    assert 'data-field="max_cases"' in html


def test_a_draft_is_invisible_to_a_caseworker(world: World) -> None:
    draft = make_draft(world)
    client = client_for(world, "alice")
    assert f'data-sop="{draft.pk}"' not in client.get("/sop/").content.decode()
    for url in (
        f"/sop/{draft.pk}/",
        f"/sop/{draft.pk}/timeframes/",
        f"/sop/{draft.pk}/closure/",
        f"/sop/{draft.pk}/matrix/child_labour/",
        f"/sop/{draft.pk}/new-version/",
    ):
        assert client.get(url).status_code == 404, url


def test_service_provider_has_no_sop_pages(world: World) -> None:
    client = client_for(world, "sam")
    assert client.get("/sop/").status_code == 403
    assert client.get(f"/sop/{in_force(world).pk}/").status_code == 403


def test_review_overdue_is_flagged(world: World) -> None:
    old = make_draft(world, "0.9", "2025-01-01")
    from fanous.sop.services import sop_publish

    sop_publish(actor=Actor.of(world.users["cora"]), sop_id=old.pk)
    html = client_for(world, "alice").get("/sop/").content.decode()
    assert 'data-badge="review-overdue"' in html
    assert html.count('data-badge="review-overdue"') == 1  # the superseded one is not flagged


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("name", ["alice", "bob", "dave", "adam", "hana"])
def test_others_cannot_create_edit_or_publish_sop_versions(world: World, name: str) -> None:
    row = in_force(world)
    draft = make_draft(world)
    before = {
        r.pk: (r.status, r.row_version, copy.deepcopy(r.data)) for r in SopVersion.objects.all()
    }
    client = client_for(world, name)
    res = client.post(
        f"/sop/{row.pk}/new-version/", {"version": "9.9", "endorsed_on": "2026-11-01"}
    )
    assert res.status_code == 403
    res = client.post(
        f"/sop/{row.pk}/timeframes/", timeframes_post(row, **{"high-plan_due_days": 1})
    )
    assert res.status_code == 403
    assert client.post(f"/sop/{draft.pk}/publish/").status_code == 404
    assert client.post(f"/sop/{row.pk}/publish/").status_code in (403, 409)
    assert client.post(f"/sop/{draft.pk}/timeframes/", timeframes_post(draft)).status_code == 404
    after = {
        r.pk: (r.status, r.row_version, copy.deepcopy(r.data)) for r in SopVersion.objects.all()
    }
    assert after == before


def test_a_version_in_force_is_never_edited_even_by_the_coordinator(world: World) -> None:
    row = in_force(world)
    client = client_for(world, "cora")
    html = client.get(f"/sop/{row.pk}/").content.decode()
    assert 'data-action="edit-timeframes"' not in html
    assert 'data-action="new-version"' in html
    # The edit page of a version in force sends back to the version.
    assert client.get(f"/sop/{row.pk}/timeframes/").status_code == 302
    res = client.post(
        f"/sop/{row.pk}/timeframes/", timeframes_post(row, **{"high-plan_due_days": 1})
    )
    assert res.status_code == 409
    assert "never changed" in res.content.decode()
    row.refresh_from_db()
    assert row.data["timeframes"]["high"]["plan_due_days"] == 3


# --------------------------------------------------------------------------- the coordinator


def test_coordinator_creates_a_new_version_from_the_one_in_force(world: World) -> None:
    row = in_force(world)
    client = client_for(world, "cora")
    page = client.get(f"/sop/{row.pk}/new-version/").content.decode()
    assert 'value="1.1"' in page
    res = client.post(
        f"/sop/{row.pk}/new-version/", {"version": "1.1", "endorsed_on": "2026-11-20"}
    )
    assert res.status_code == 302
    draft = SopVersion.objects.get(area=world.area, version="1.1")
    assert draft.status == SopVersion.Status.DRAFT
    assert draft.endorsed_on.isoformat() == "2026-11-20"
    assert draft.data["timeframes"] == row.data["timeframes"]
    assert draft.data["version"] == "1.1"
    # The same number again is refused with a reason, nothing created.
    res = client.post(
        f"/sop/{row.pk}/new-version/", {"version": "1.1", "endorsed_on": "2026-11-20"}
    )
    assert res.status_code == 422
    assert 'role="alert"' in res.content.decode()
    assert SopVersion.objects.filter(area=world.area).count() == 2


def test_timeframes_are_validated_by_the_sop_schema_and_nothing_is_saved(world: World) -> None:
    draft = make_draft(world)
    client = client_for(world, "cora")
    res = client.post(
        f"/sop/{draft.pk}/timeframes/", timeframes_post(draft, **{"high-plan_due_days": 10})
    )
    assert res.status_code == 422
    html = res.content.decode()
    assert 'role="alert"' in html
    assert "must not be longer than “Medium risk” (7 days)" in html
    assert 'data-reason-type="deadline_longer_than_lower_level"' in html
    # The reason is also shown next to the field it is about, and the summary links to it.
    assert 'id="id_high-plan_due_days-errors"' in html
    assert 'href="#id_high-plan_due_days"' in html
    draft.refresh_from_db()
    assert draft.row_version == 1
    assert draft.data["timeframes"]["high"]["plan_due_days"] == 3


def test_timeframes_are_saved_through_the_service(world: World) -> None:
    draft = make_draft(world)
    client = client_for(world, "cora")
    res = client.post(
        f"/sop/{draft.pk}/timeframes/",
        timeframes_post(
            draft,
            **{"high-plan_due_days": 2, "high-follow_up_initial-times": 3},
        ),
    )
    assert res.status_code == 302
    draft.refresh_from_db()
    assert draft.row_version == 2
    assert draft.data["timeframes"]["high"]["plan_due_days"] == 2
    assert draft.data["timeframes"]["high"]["follow_up_initial"] == {"times": 3, "period_days": 7}
    # Untouched values are kept (remote notes are not on the form).
    assert draft.data["timeframes"]["high"]["remote_note"]["en"].startswith("Weekly")


def test_a_stale_row_version_is_a_conflict_not_an_overwrite(world: World) -> None:
    draft = make_draft(world)
    stale = timeframes_post(draft, **{"high-plan_due_days": 2})
    client = client_for(world, "cora")
    assert client.post(f"/sop/{draft.pk}/timeframes/", stale).status_code == 302
    stale["high-plan_due_days"] = 1
    res = client.post(f"/sop/{draft.pk}/timeframes/", stale)
    assert res.status_code == 409
    assert "Someone else changed this SOP draft" in res.content.decode()
    draft.refresh_from_db()
    assert draft.data["timeframes"]["high"]["plan_due_days"] == 2


def test_closure_criteria_are_edited_and_validated(world: World) -> None:
    draft = make_draft(world)
    client = client_for(world, "cora")
    page = client.get(f"/sop/{draft.pk}/closure/")
    assert page.status_code == 200
    reasons = draft.data["closure"]["reasons"]
    i = next(n for n, r in enumerate(reasons) if r["code"] == "refuses_support")
    body: dict[str, Any] = {"row_version": draft.row_version}
    for n, r in enumerate(reasons):
        body[f"c{n}-min_age"] = r.get("min_age", "")
        body[f"c{n}-max_age_exclusive"] = r.get("max_age_exclusive", "")
        body[f"c{n}-max_risk_level"] = r.get("max_risk_level", "")
        body[f"c{n}-requires_flags"] = r.get("requires_flags", [])
        if r.get("requires_plan_completed"):
            body[f"c{n}-requires_plan_completed"] = "on"
    invalid = {**body, f"c{i}-min_age": 18}  # not below max age 18
    res = client.post(f"/sop/{draft.pk}/closure/", invalid)
    assert res.status_code == 422
    html = res.content.decode()
    assert "the minimum age (18) must be below the age limit (18)" in html
    assert f'id="id_c{i}-min_age-errors"' in html
    draft.refresh_from_db()
    assert draft.row_version == 1
    valid = {**body, f"c{i}-min_age": 16, f"c{i}-max_risk_level": "low"}
    assert client.post(f"/sop/{draft.pk}/closure/", valid).status_code == 302
    draft.refresh_from_db()
    changed = draft.data["closure"]["reasons"][i]
    assert changed["min_age"] == 16
    assert changed["max_risk_level"] == "low"
    assert changed["requires_flags"] == ["refusal_recorded"]


def test_risk_matrix_levels_are_edited_and_worst_forms_stay_locked(world: World) -> None:
    draft = make_draft(world)
    client = client_for(world, "cora")
    rules = draft.data["concerns"][0]["matrix"]["rules"]
    body: dict[str, Any] = {"row_version": draft.row_version}
    for n, r in enumerate(rules):
        if r["effect"] == "floor":
            body[f"r{n}-level"] = r["level"]
            if r.get("locked"):
                body[f"r{n}-locked"] = "on"
    trafficking = next(n for n, r in enumerate(rules) if r["code"] == "worst_form.trafficking")
    night = next(n for n, r in enumerate(rules) if r["code"] == "night_work")
    unlocked = {k: v for k, v in body.items() if k != f"r{trafficking}-locked"}
    res = client.post(f"/sop/{draft.pk}/matrix/child_labour/", unlocked)
    assert res.status_code == 422
    html = res.content.decode()
    assert 'data-reason-type="worst_form_not_locked_high"' in html
    assert "the worst forms “Trafficking of the child” must each be covered" in html
    assert f'id="id_r{trafficking}-level-errors"' in html, "shown next to the rule's level"
    draft.refresh_from_db()
    assert draft.row_version == 1
    res = client.post(f"/sop/{draft.pk}/matrix/child_labour/", {**body, f"r{night}-level": "high"})
    assert res.status_code == 302
    draft.refresh_from_db()
    assert draft.data["concerns"][0]["matrix"]["rules"][night]["level"] == "high"


def test_coordinator_puts_a_draft_in_force_and_the_old_one_is_superseded(world: World) -> None:
    old = in_force(world)
    draft = make_draft(world)
    client = client_for(world, "cora")
    html = client.get(f"/sop/{draft.pk}/").content.decode()
    assert 'data-action="publish"' in html
    res = client.post(f"/sop/{draft.pk}/publish/")
    assert res.status_code == 302
    draft.refresh_from_db()
    old.refresh_from_db()
    assert draft.status == SopVersion.Status.IN_FORCE
    assert old.status == SopVersion.Status.SUPERSEDED
    listing = client_for(world, "alice").get("/sop/").content.decode()
    assert 'data-sop-status="superseded"' in listing
    # Publishing again is refused by the service and shown on the page.
    res = client.post(f"/sop/{draft.pk}/publish/")
    assert res.status_code == 409
    assert 'role="alert"' in res.content.decode()


def test_unknown_concern_is_404(world: World) -> None:
    draft = make_draft(world)
    res = client_for(world, "cora").get(f"/sop/{draft.pk}/matrix/nothing_here/")
    assert res.status_code == 404
