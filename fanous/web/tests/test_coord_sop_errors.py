"""The SOP schemas' refusals on the coordinator's forms are msgids translated in the user's
language, shown next to the field they are about (SPEC §2; preamble: every message is
translated). Never pydantic's own English ("Input should be ...")."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation

from fanous.conftest import World
from fanous.sop.models import SopVersion

from .test_coord_sop_views import client_for, make_draft, timeframes_post

pytestmark = pytest.mark.django_db

PYDANTIC_ENGLISH = re.compile(r"Input should|Value error|Field required|String should|Extra inputs")


def matrix_post(row: SopVersion, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"row_version": row.row_version}
    for n, rule in enumerate(row.data["concerns"][0]["matrix"]["rules"]):
        if rule["effect"] == "floor":
            body[f"r{n}-level"] = rule["level"]
            if rule.get("locked"):
                body[f"r{n}-locked"] = "on"
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def rule_index(row: SopVersion, code: str) -> int:
    rules = row.data["concerns"][0]["matrix"]["rules"]
    return next(n for n, r in enumerate(rules) if r["code"] == code)


def summary(html: str) -> str:
    match = re.search(r'<div class="alert[^"]*" role="alert" id="form-errors".*?</div>', html, re.S)
    assert match, "an error summary with role=alert"
    return match.group(0)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_negative_plan_days_are_refused_next_to_the_field_in_the_users_language(
    world: World, lang: str
) -> None:
    draft = make_draft(world)
    client = client_for(world, "cora", lang)
    res = client.post(
        f"/sop/{draft.pk}/timeframes/", timeframes_post(draft, **{"high-plan_due_days": -3})
    )
    assert res.status_code == 422
    html = res.content.decode()
    assert not PYDANTIC_ENGLISH.search(html), PYDANTIC_ENGLISH.search(html)
    box = summary(html)
    assert 'data-reason-type="greater_than_equal"' in box
    assert 'data-location="timeframes.high.plan_due_days"' in box
    assert 'href="#id_high-plan_due_days"' in box, "the summary links to the field"
    assert 'id="id_high-plan_due_days-errors"' in html, "the message is next to the field"
    with translation.override(lang):
        expected = translation.gettext("The value must be at least %(ge)s.") % {"ge": 0}
    assert expected in html
    if lang == "en":
        assert "The value must be at least 0." in html
    draft.refresh_from_db()
    assert draft.data["timeframes"]["high"]["plan_due_days"] == 3, "nothing saved"


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_worst_form_rule_below_high_is_refused_next_to_the_rule_in_the_users_language(
    world: World, lang: str
) -> None:
    draft = make_draft(world)
    i = rule_index(draft, "worst_form.trafficking")
    client = client_for(world, "cora", lang)
    res = client.post(
        f"/sop/{draft.pk}/matrix/child_labour/", matrix_post(draft, **{f"r{i}-level": "medium"})
    )
    assert res.status_code == 422
    html = res.content.decode()
    assert not PYDANTIC_ENGLISH.search(html), PYDANTIC_ENGLISH.search(html)
    box = summary(html)
    assert 'data-reason-type="worst_form_not_locked_high"' in box
    assert f'href="#id_r{i}-level"' in box
    assert f'id="id_r{i}-level-errors"' in html
    assert re.search(rf'<select[^>]*class="[^"]*is-invalid[^"]*"[^>]*id="id_r{i}-level"', html)
    # The msgid passed through gettext, the codes it names shown as the SOP's labels.
    if lang == "en":
        assert (
            "Protection concern “Child labour”: the worst forms “Trafficking of the child” "
            "must each be covered by a locked floor rule at level high"
        ) in html
    else:
        assert 'dir="rtl"' in html
        assert "“الاتجار بالطفل”" in html, "the fact's Arabic label, not its code"
    draft.refresh_from_db()
    assert draft.row_version == 1


def test_an_invalid_version_number_is_refused_next_to_the_field(world: World) -> None:
    """A refusal about the new version number is shown next to that field too."""
    draft = make_draft(world)
    client = client_for(world, "cora", "ar")
    res = client.post(
        f"/sop/{draft.pk}/new-version/", {"version": "bad version!", "endorsed_on": "2026-10-01"}
    )
    assert res.status_code == 422
    html = res.content.decode()
    assert not PYDANTIC_ENGLISH.search(html)
    box = summary(html)
    assert 'data-reason-type="string_pattern_mismatch"' in box
    assert 'href="#id_version"' in box
