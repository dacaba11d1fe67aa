"""WCAG 2.1 AA on the main pages, checked by axe-core in a real browser, in Arabic on a
phone (390 px) and English on a desktop (1280 px).

axe-core (MPL-2.0) comes from the npm registry and is copied by `make assets` into
tests/vendor/, so the test needs no Node. Serious and critical violations fail the test; the
message lists each rule, the elements it found and axe's help text.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fanous.conftest import World, child_payload, ok
from fanous.sop.models import SopVersion

from .followup_support import LOW, at_comprehensive, plan_approved, plan_pending
from .test_coord_sop_views import make_draft

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_RUN = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
    resultTypes: ['violations'],
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 6).map((n) => n.target.join(' ')),
      summary: v.nodes.slice(0, 3).map((n) => n.failureSummary.replace(/\\s+/g, ' ')).join(' | '),
    }));
}"""


# What axe does not check in its WCAG tags, checked here: ids are unique (4.1.1 in WCAG 2.0),
# no positive tabindex (a focus order other than the reading order, 2.4.3), the first thing
# the Tab key reaches is the skip link (2.4.1), and <html> says its language and direction.
STRUCTURE = """() => {
  const problems = [];
  const seen = new Map();
  for (const el of document.querySelectorAll('[id]')) {
    seen.set(el.id, (seen.get(el.id) || 0) + 1);
  }
  for (const [id, n] of seen) if (n > 1) problems.push(`duplicate id #${id} (${n} times)`);
  for (const el of document.querySelectorAll('[tabindex]')) {
    if (el.tabIndex > 0) problems.push(`positive tabindex on ${el.outerHTML.slice(0, 80)}`);
  }
  const first = document.querySelector(
    'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select, textarea'
  );
  if (!first || first.getAttribute('href') !== '#main') {
    problems.push(`first focusable is not the skip link: ${first && first.outerHTML.slice(0, 80)}`);
  }
  const html = document.documentElement;
  if (!html.lang) problems.push('no lang on <html>');
  if (!['rtl', 'ltr'].includes(html.dir)) problems.push('no dir on <html>');
  return problems;
}"""
# Content behind a disclosure is checked too: open every <details> and the phone's menu.
OPEN_EVERYTHING = """() => {
  document.querySelectorAll('details').forEach((d) => { d.open = true; });
  document.querySelectorAll('.navbar-collapse').forEach((n) => n.classList.add('show'));
}"""


def axe_violations(page: Any, label: str) -> list[str]:
    """axe's serious and critical violations on the page, one readable line each, and the
    structural problems axe leaves to the page (STRUCTURE)."""
    page.wait_for_load_state("load")
    problems = [f"[{label}] {p}" for p in page.evaluate(STRUCTURE)]
    page.evaluate(OPEN_EVERYTHING)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    for v in page.evaluate(AXE_RUN):
        problems.append(
            f"[{label}] {v['id']} ({v['impact']}): {v['help']} -> {v['targets']} :: {v['summary']}"
        )
    return problems


def sop_error_state(page: Any, draft_id: str) -> None:
    """The coordinator's timeframes form refused by the SOP schema (errors shown)."""
    page.goto(f"/sop/{draft_id}/timeframes/")
    page.fill("input[name='high-plan_due_days']", "-3")
    page.click("#timeframes-form button[type=submit]")
    page.wait_for_selector("#form-errors[role=alert]")


def plan_with_rows_added(page: Any, case_id: str) -> None:
    """The plan editor after a goal was added (the HTMX partial swapped in)."""
    page.goto(f"/cases/{case_id}/plan")
    rows = page.locator("[id^=id_g][id$=-description]").count()
    page.click("#add-goal")
    page.wait_for_function(
        f"document.querySelectorAll('[id^=id_g][id$=-description]').length > {rows}"
    )
    # The clicked button's colour transition must be over before axe reads the colours:
    # half-way through, it measured a blend of two states (a contrast of 1.5).
    page.mouse.move(0, 0)
    page.wait_for_function("document.getAnimations().length === 0")


def build_cases(world: World) -> dict[str, str]:
    """One case at each step the pages need, built through the API as the other tests do."""
    alice = world.api("alice")
    identified = ok(alice.post("/cases", child_payload()), 201)
    at_plan = at_comprehensive(alice, facts=LOW, birth=at_date(2011), name="سارة")
    in_follow_up = plan_approved(world, name="يوسف")
    pending = plan_pending(world, name="ليلى")
    draft = make_draft(world)
    return {
        "draft": str(draft.pk),
        "identified": identified["id"],
        "at_plan": at_plan["id"],
        "follow_up": in_follow_up["id"],
        "pending": pending["id"],
    }


def at_date(year: int) -> Any:
    from datetime import date

    return date(year, 5, 1)


def pages_of(cases: dict[str, str]) -> dict[str, list[tuple[str, str]]]:
    """The pages each persona checks: (label, path)."""
    sop = SopVersion.objects.get(status=SopVersion.Status.IN_FORCE)
    return {
        "alice": [
            ("caseload", "/"),
            ("case", f"/cases/{cases['follow_up']}/"),
            ("registration-consent", f"/cases/{cases['identified']}/register/consent/"),
            ("assessment", f"/cases/{cases['at_plan']}/assessments/new?kind=initial"),
            ("plan", f"/cases/{cases['at_plan']}/plan"),
            ("follow-up", f"/cases/{cases['follow_up']}/follow-ups/new"),
            ("agenda", "/agenda/"),
            ("preferences", "/preferences/"),
        ],
        "bob": [("approvals", "/supervision/")],
        "cora": [("sop", f"/sop/{sop.pk}/")],
    }


def states_of(cases: dict[str, str]) -> dict[str, list[tuple[str, Callable[[Any], None]]]]:
    """States reached by acting on a page: errors shown, rows added."""
    return {
        "alice": [("plan-goal-added", lambda p: plan_with_rows_added(p, cases["at_plan"]))],
        "cora": [("sop-errors", lambda p: sop_error_state(p, cases["draft"]))],
    }


@pytest.mark.parametrize(("lang", "width"), [("ar", 390), ("en", 1280)])
def test_main_pages_have_no_serious_wcag_violations(
    world: World, login: Any, browser: Any, live_server: Any, lang: str, width: int
) -> None:
    cases = build_cases(world)
    problems: list[str] = []

    # The log-in page, before anyone is logged in.
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        locale=lang,
        base_url=live_server.url,
        bypass_csp=True,
    )
    try:
        anonymous = context.new_page()
        anonymous.goto(f"/accounts/login/?lang={lang}")
        problems += axe_violations(anonymous, f"{lang}:login")
    finally:
        context.close()

    for user, pages in pages_of(cases).items():
        page = login(user, lang=lang, width=width)
        assert page.get_attribute("html", "lang") == lang
        assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
        for label, path in pages:
            response = page.goto(path)
            assert response.status == 200, (label, path, response.status)
            problems += axe_violations(page, f"{lang}:{user}:{label}")
        for label, act in states_of(cases).get(user, []):
            act(page)
            problems += axe_violations(page, f"{lang}:{user}:{label}")
    assert not problems, "\n".join(problems)
