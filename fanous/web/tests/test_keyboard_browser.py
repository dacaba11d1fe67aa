"""The HTMX widgets work with the keyboard alone (WCAG 2.1.1, 2.4.3, 2.4.7): Tab and Enter
reach the live search and its results, and add and remove rows in the case plan editor
without the focus being lost to the top of the page."""

from __future__ import annotations

from typing import Any

import pytest

from fanous.conftest import World, assessed_case

from .followup_support import LOW, at_comprehensive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACTIVE = "(() => { const a = document.activeElement; return a ? (a.id || a.tagName) : ''; })()"


def focused(page: Any, selector: str) -> bool:
    return bool(page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector))


def becomes_focused(page: Any, selector: str) -> bool:
    """Wait (up to 5 s) for ``selector`` to take the focus: HTMX moves it after the swap."""
    try:
        page.wait_for_function(
            "(s) => document.activeElement?.matches(s) ?? false", arg=selector, timeout=5000
        )
    except Exception:  # noqa: BLE001 - the assertion below names what has the focus
        return False
    return True


def tab_to(page: Any, selector: str, *, limit: int = 80) -> None:
    """Press Tab until ``selector`` has the focus (fails after ``limit`` presses)."""
    for _ in range(limit):
        if focused(page, selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}; last: {page.evaluate(ACTIVE)}")


def has_visible_focus_ring(page: Any) -> bool:
    """The focused element draws an outline (the :focus-visible style of fanous.css)."""
    style = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    return bool(style[0] != "none" and style[1] >= 2)


@pytest.mark.parametrize(("lang", "width"), [("ar", 390), ("en", 1280)])
def test_live_search_and_its_results_with_the_keyboard_only(
    world: World, login: Any, lang: str, width: int
) -> None:
    alice = world.api("alice")
    assessed_case(alice, {"hours_per_week": 10}, child={"given_name": "سارة"})
    wanted = assessed_case(alice, {"trafficking": True}, child={"given_name": "يوسف"})
    page = login("alice", lang=lang, width=width)

    # The first Tab reaches the skip link; Enter on it moves the focus into the main content.
    page.keyboard.press("Tab")
    assert focused(page, "a[href='#main']"), page.evaluate(ACTIVE)
    assert page.locator("a[href='#main']").is_visible(), "the skip link shows when focused"
    assert has_visible_focus_ring(page)
    page.keyboard.press("Enter")
    assert focused(page, "#main")

    tab_to(page, "#q")
    assert has_visible_focus_ring(page)
    page.keyboard.type("يوسف")
    page.wait_for_function("document.querySelectorAll('#caseload li.list-group-item').length == 1")
    assert focused(page, "#q"), "typing in the live search keeps the focus there"
    searches: list[str] = []
    page.on("request", lambda r: searches.append(r.url) if "q=" in r.url else None)
    with page.expect_response(lambda r: "q=" in r.url):
        page.keyboard.press("Enter")  # an explicit search too
    # Wait until that request's list is swapped in and settled: tabbing into the old list
    # would lose the focus when the new one replaces it.
    page.wait_for_function(
        "!document.querySelector('.htmx-request')"
        " && !document.querySelector('#caseload.htmx-swapping, #caseload.htmx-settling')"
        " && document.querySelectorAll('#caseload li.list-group-item').length == 1"
    )

    page.wait_for_load_state("networkidle")
    # One Enter is one search: a second one (the input's own "search" event) would replace
    # the list again under the focus of whoever tabs into it.
    assert len(searches) == 1, searches

    tab_to(page, "#caseload a")
    assert has_visible_focus_ring(page), page.evaluate(ACTIVE)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/cases/{wanted['id']}/")


@pytest.mark.parametrize(("lang", "width"), [("ar", 390), ("en", 1280)])
def test_plan_rows_are_added_and_removed_with_the_keyboard_only(
    world: World, login: Any, lang: str, width: int
) -> None:
    case = at_comprehensive(world.api("alice"), facts=LOW, birth=_birth())
    page = login("alice", lang=lang, width=width)
    page.goto(f"/cases/{case['id']}/plan")
    goals = page.locator("fieldset.goal")
    assert goals.count() == 1

    # Add a goal: the focus goes into the new goal, not back to the top of the page.
    tab_to(page, "#add-goal", limit=120)
    assert has_visible_focus_ring(page)
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('fieldset.goal').length == 2")
    page.wait_for_function("document.activeElement && document.activeElement !== document.body")
    assert becomes_focused(page, "fieldset.goal[data-goal='1'] *"), page.evaluate(ACTIVE)
    page.keyboard.type("العودة إلى المدرسة")
    assert "العودة" in page.input_value("#id_g1-description")

    # Add an action to the new goal, then remove it again, Tab and Enter only.
    actions = "fieldset.goal[data-goal='1'] .plan-action"
    before = page.locator(actions).count()
    tab_to(page, "fieldset.goal[data-goal='1'] button.add-action")
    page.keyboard.press("Enter")
    page.wait_for_function(f'document.querySelectorAll("{actions}").length == {before + 1}')
    # HTMX moves the focus after the swap settles, a moment after the row appears.
    page.wait_for_function("document.activeElement && document.activeElement !== document.body")
    assert page.input_value("#id_g1-description") == "العودة إلى المدرسة", "nothing typed is lost"
    tab_to(page, f"fieldset.goal[data-goal='1'] button[value='remove_action-1-{before}']")
    page.keyboard.press("Enter")
    page.wait_for_function(f'document.querySelectorAll("{actions}").length == {before}')
    # HTMX moves the focus after the swap settles, a moment after the row appears.
    page.wait_for_function("document.activeElement && document.activeElement !== document.body")

    # Remove the second goal.
    tab_to(page, "fieldset.goal[data-goal='1'] button[value='remove_goal-1']", limit=120)
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('fieldset.goal').length == 1")
    # HTMX moves the focus after the swap settles, a moment after the row appears.
    page.wait_for_function("document.activeElement && document.activeElement !== document.body")


def _birth() -> Any:
    from datetime import date

    return date(2011, 5, 1)
