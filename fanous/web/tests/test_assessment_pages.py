"""Assessment pages through the Django client: the SOP form, the live preview, refusals and
access (SPEC §3-§6)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from fanous import conftest
from fanous.audit.models import Event
from fanous.cases.models import Assessment, Case
from fanous.conftest import World, ok

pytestmark = pytest.mark.django_db


def today_iso() -> str:
    return datetime.now(ZoneInfo("Asia/Amman")).date().isoformat()


def registered_case(world: World, *, hours: tuple[int, int] | None = None) -> dict[str, Any]:
    """A case registered by alice through the API (the quickest way to a real case)."""
    extra = {"hours_per_day": hours[0], "days_per_week": hours[1]} if hours else None
    return conftest.registered_case(world.api("alice"), registration=extra)


def assessed_case(
    world: World, facts: dict[str, Any], *, comprehensive: bool = False
) -> dict[str, Any]:
    kinds = ("initial", "comprehensive") if comprehensive else ("initial",)
    return conftest.assessed_case(world.api("alice"), facts, kinds=kinds)


def client_for(world: World, name: str, lang: str = "en") -> Client:
    user = world.users[name]
    user.language = lang
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def snapshot(case_id: str) -> tuple[int, str, int, int]:
    case = Case.objects.get(pk=case_id)
    return (
        case.version,
        case.status,
        Assessment.objects.filter(case=case).count(),
        # Changes only: opening a page is a read, recorded but not a change.
        Event.objects.filter(case=case).exclude(action=Event.Action.READ).count(),
    )


def form_post(case: dict[str, Any], **facts: str) -> dict[str, str]:
    return {"version": str(case["version"]), "assessed_on": today_iso(), **facts}


def test_initial_form_is_generated_from_the_sop_with_the_hazard_checklist(world: World) -> None:
    case = registered_case(world, hours=(8, 6))
    html = client_for(world, "alice").get(f"/cases/{case['id']}/assessments/new?kind=initial")
    assert html.status_code == 200
    page = html.content.decode()
    assert 'name="fact_trafficking"' in page
    assert 'name="fact_hazard__chemicals"' in page
    for group in (
        "working_conditions",
        "closed_places",
        "open_places",
        "restrictions_abuse",
        "personal_care",
        "tools_machines",
    ):
        assert f'data-section="hazard-{group}"' in page
    assert 'name="fact_age"' not in page, "the age is computed, never asked"
    assert 'data-age="13"' in page
    # Hours from registration, so that the preview and the saved level agree.
    assert 'name="fact_hours_per_week" value="48"' in page
    assert 'hx-trigger="change delay:300ms"' in page
    assert 'aria-live="polite"' in page
    assert "narrative_child_wishes" not in page


def test_comprehensive_form_adds_the_narrative_domains(world: World) -> None:
    case = assessed_case(world, {"hours_per_week": 20, "hazard.chemicals": True})
    page = (
        client_for(world, "alice")
        .get(f"/cases/{case['id']}/assessments/new?kind=comprehensive")
        .content.decode()
    )
    for key in (
        "family_environment",
        "workplace",
        "discrimination",
        "other_children",
        "child_wishes",
        "sources_checked",
    ):
        assert f'name="narrative_{key}"' in page
    # Starts from the initial assessment's answers.
    assert 'name="fact_hazard__chemicals" id="id_fact_hazard__chemicals_yes" value="yes"' in page
    assert 'id="id_fact_hazard__chemicals_yes" value="yes" autocomplete="off" checked' in page


def test_caseworker_records_an_initial_assessment_and_the_risk_is_computed(world: World) -> None:
    case = registered_case(world)
    alice = client_for(world, "alice")
    res = alice.post(
        f"/cases/{case['id']}/assessments/new?kind=initial",
        form_post(
            case,
            fact_trafficking="yes",
            fact_hazard__chemicals="no",
            fact_hazard__dust_fumes_noise="",
            fact_hours_per_week="20",
            narrative_notes="يحتاج طعاماً",
        ),
    )
    assert res.status_code == 302
    assert res["Location"] == f"/cases/{case['id']}/"
    assessment = Assessment.objects.get(case_id=case["id"])
    assert assessment.kind == "initial"
    assert assessment.facts["trafficking"] is True
    assert assessment.facts["hazard.chemicals"] is False
    # "Not known", or a question left alone, is not an answer: it is left out of the facts.
    assert "hazard.dust_fumes_noise" not in assessment.facts
    assert "forced_or_bonded_labour" not in assessment.facts
    assert assessment.facts["hours_per_week"] == 20
    assert "age" not in assessment.facts
    assert assessment.narrative == {"notes": "يحتاج طعاماً"}
    stored = Case.objects.get(pk=case["id"])
    assert stored.status == "initial_assessment"
    assert stored.risk_level == "high"


def test_comprehensive_assessment_saves_the_child_wishes(world: World) -> None:
    case = assessed_case(world, {"hours_per_week": 20})
    res = client_for(world, "alice").post(
        f"/cases/{case['id']}/assessments/new?kind=comprehensive",
        form_post(
            case, fact_hours_per_week="20", narrative_child_wishes="أريد أن أعود إلى المدرسة"
        ),
    )
    assert res.status_code == 302
    latest = Assessment.objects.get(case_id=case["id"], kind="comprehensive")
    assert latest.narrative == {"child_wishes": "أريد أن أعود إلى المدرسة"}
    assert Case.objects.get(pk=case["id"]).status == "comprehensive_assessment"


def test_preview_shows_the_level_and_its_factors_and_stores_nothing(world: World) -> None:
    case = registered_case(world)
    before = snapshot(case["id"])
    alice = client_for(world, "alice")
    url = f"/cases/{case['id']}/assessments/preview?kind=initial"
    low = alice.post(url, form_post(case, fact_hazard__chemicals="on")).content.decode()
    assert 'data-level="low"' in low
    assert 'data-rule="any_hazard"' in low
    high = alice.post(
        url, form_post(case, fact_hazard__chemicals="on", fact_trafficking="on")
    ).content.decode()
    assert 'data-level="high"' in high
    assert 'data-rule="worst_form.trafficking"' in high
    assert "Trafficking" in high
    assert snapshot(case["id"]) == before


def test_every_yes_no_question_offers_not_known_and_starts_there(world: World) -> None:
    case = registered_case(world)
    page = (
        client_for(world, "alice")
        .get(f"/cases/{case['id']}/assessments/new?kind=initial")
        .content.decode()
    )
    for value, suffix in (("yes", "yes"), ("no", "no"), ("", "unknown")):
        assert f'id="id_fact_trafficking_{suffix}" value="{value}"' in page
    assert 'id="id_fact_trafficking_unknown" value="" autocomplete="off" checked' in page
    assert 'role="radiogroup" aria-labelledby="id_fact_trafficking-q"' in page
    assert 'type="checkbox"' not in page.split('id="assessment-form"')[1], "no yes/no checkbox"


def test_earlier_answers_prefill_yes_and_no_and_a_missing_fact_is_not_known(
    world: World,
) -> None:
    case = assessed_case(world, {"hazard.chemicals": True, "trafficking": False})
    page = (
        client_for(world, "alice")
        .get(f"/cases/{case['id']}/assessments/new?kind=comprehensive")
        .content.decode()
    )
    assert 'id="id_fact_hazard__chemicals_yes" value="yes" autocomplete="off" checked' in page
    assert 'id="id_fact_trafficking_no" value="no" autocomplete="off" checked' in page
    assert 'id="id_fact_hazard__fines_unknown" value="" autocomplete="off" checked' in page


def test_preview_counts_the_answers_not_known_yet(world: World) -> None:
    case = registered_case(world)
    alice = client_for(world, "alice")
    url = f"/cases/{case['id']}/assessments/preview?kind=initial"

    def not_known(body: dict[str, str]) -> int:
        page = alice.post(url, body).content.decode()
        return int(page.split('data-not-known="')[1].split('"')[0])

    blank = not_known(form_post(case))
    assert blank > 10
    assert not_known(form_post(case, fact_trafficking="no")) == blank - 1
    assert not_known(form_post(case, fact_trafficking="no", fact_hazard__fines="yes")) == blank - 2
    assert not_known(form_post(case, fact_trafficking="")) == blank
    page = alice.post(url, form_post(case, fact_trafficking="no")).content.decode()
    assert f"{blank - 1} answers not known yet" in page
    # "Not known" changes no level: the matrix treats a missing fact as a condition not met.
    assert 'data-level="none"' in page


def test_preview_says_why_it_cannot_compute_out_of_range_answers(world: World) -> None:
    case = registered_case(world)
    res = client_for(world, "alice").post(
        f"/cases/{case['id']}/assessments/preview?kind=initial",
        form_post(case, fact_hours_per_week="200"),
    )
    page = res.content.decode()
    assert 'data-preview-error="invalid_facts"' in page
    assert "outside the range" in page


def test_unknown_answer_code_is_refused_and_nothing_is_saved(world: World) -> None:
    case = registered_case(world)
    before = snapshot(case["id"])
    res = client_for(world, "alice").post(
        f"/cases/{case['id']}/assessments/new?kind=initial",
        form_post(case, fact_trafficking="on", fact_bogus_answer="on"),
    )
    assert res.status_code == 422
    page = res.content.decode()
    assert 'role="alert"' in page
    assert 'data-reason="fact_unknown"' in page
    assert "Unknown answer code: bogus_answer." in page
    assert 'id="id_fact_trafficking_yes" value="yes" autocomplete="off" checked' in page, (
        "the answers typed are kept"
    )
    assert snapshot(case["id"]) == before


def test_out_of_range_hours_are_refused_next_to_the_field(world: World) -> None:
    case = registered_case(world)
    before = snapshot(case["id"])
    res = client_for(world, "alice").post(
        f"/cases/{case['id']}/assessments/new?kind=initial",
        form_post(case, fact_hours_per_week="200"),
    )
    assert res.status_code == 422
    page = res.content.decode()
    assert 'data-reason="fact_range"' in page
    # Shown in the summary, under the field (whose section opens) and in the risk panel.
    assert page.count("Hours of work per week: 200 is outside the range 0 to 168") == 3
    assert 'data-preview-error="invalid_facts"' in page
    assert 'data-section="conditions" open' in page
    assert snapshot(case["id"]) == before


def test_future_date_is_refused(world: World) -> None:
    case = registered_case(world)
    before = snapshot(case["id"])
    tomorrow = (datetime.now(ZoneInfo("Asia/Amman")).date() + timedelta(days=2)).isoformat()
    res = client_for(world, "alice").post(
        f"/cases/{case['id']}/assessments/new?kind=initial",
        {**form_post(case), "assessed_on": tomorrow},
    )
    assert res.status_code == 422
    assert 'data-error="date_future"' in res.content.decode()
    assert snapshot(case["id"]) == before


def test_stale_version_shows_the_conflict_message_and_saves_nothing(world: World) -> None:
    case = registered_case(world)
    stale = form_post(case, fact_trafficking="on")
    # Someone else records an assessment meanwhile.
    ok(
        world.api("alice").post(
            f"/cases/{case['id']}/assessments",
            {"kind": "initial", "assessed_on": today_iso(), "facts": {}},
        ),
        201,
    )
    before = snapshot(case["id"])
    res = client_for(world, "alice").post(
        f"/cases/{case['id']}/assessments/new?kind=initial", stale
    )
    page = res.content.decode()
    assert res.status_code == 422
    assert 'data-error="stale"' in page
    assert "Someone else changed this case" in page
    assert snapshot(case["id"]) == before


def test_comprehensive_before_initial_explains_why(world: World) -> None:
    case = registered_case(world)
    page = (
        client_for(world, "alice")
        .get(f"/cases/{case['id']}/assessments/new?kind=comprehensive")
        .content.decode()
    )
    assert 'id="blockers"' in page
    assert 'data-reason="transition_not_allowed"' in page


def test_unknown_kind_is_not_found(world: World) -> None:
    case = registered_case(world)
    res = client_for(world, "alice").get(f"/cases/{case['id']}/assessments/new?kind=final")
    assert res.status_code == 404


def test_case_page_offers_the_next_step(world: World) -> None:
    alice = client_for(world, "alice")
    case = registered_case(world)
    page = alice.get(f"/cases/{case['id']}/").content.decode()
    assert 'id="action-initial-assessment"' in page
    assert 'id="action-comprehensive-assessment"' not in page
    assert 'id="action-case-plan"' not in page
    case = assessed_case(world, {"hours_per_week": 10}, comprehensive=True)
    page = alice.get(f"/cases/{case['id']}/").content.decode()
    assert 'id="action-initial-assessment"' not in page
    assert 'id="action-comprehensive-assessment"' in page
    assert 'id="action-case-plan"' in page


def test_another_agency_caseworker_gets_404_on_every_page_and_changes_nothing(
    world: World,
) -> None:
    case = assessed_case(world, {"hours_per_week": 10}, comprehensive=True)
    cid = case["id"]
    before = snapshot(cid)
    for name in ("dave", "carol"):
        other = client_for(world, name)
        for kind in ("initial", "comprehensive"):
            assert other.get(f"/cases/{cid}/assessments/new?kind={kind}").status_code == 404
            res = other.post(
                f"/cases/{cid}/assessments/new?kind={kind}",
                form_post(case, fact_trafficking="on"),
            )
            assert res.status_code == 404
            res = other.post(
                f"/cases/{cid}/assessments/preview?kind={kind}",
                form_post(case, fact_trafficking="on"),
            )
            assert res.status_code == 404
            assert "أحمد" not in res.content.decode()
        assert other.get(f"/cases/{cid}/plan").status_code == 404
        for op in ("save", "submit", "add_goal"):
            res = other.post(f"/cases/{cid}/plan", {"version": case["version"], "op": op})
            assert res.status_code == 404
    assert snapshot(cid) == before


def test_anonymous_user_is_sent_to_log_in(world: World) -> None:
    case = registered_case(world)
    res = Client().get(f"/cases/{case['id']}/assessments/new?kind=initial")
    assert res.status_code == 302
    assert "/accounts/login/" in res["Location"]
