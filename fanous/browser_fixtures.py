"""Browser test fixtures (``browser``, ``login``): Playwright driving Debian's Chromium
(never a downloaded browser).

fanous/conftest.py offers them to every app's tests. They are defined once: a second copy
of the session ``browser`` fixture (imported into another conftest) would start a second
Playwright inside the first one's event loop and fail.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# beside it are still synchronous, so Django's async guard must stand down here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("FANOUS_CHROMIUM", "/usr/bin/chromium")
# The flags that work on these machines: headless, no sandbox as root, and no background
# networking (the closed network refuses it and Chromium would keep retrying).
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `bash .ci/run setup` (apt chromium)")
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="fanous-chromium-")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def login(browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """login("alice", lang="ar", width=390) -> a logged-in page of that user."""
    contexts: list[Any] = []

    def _login(
        username: str, *, lang: str = "ar", width: int = 1280, password: str = "pass-for-tests-123"
    ) -> Any:
        from fanous.accounts.models import User

        User.objects.filter(username=username).update(language=lang)
        context = browser.new_context(
            viewport={"width": width, "height": 900},
            locale=lang,
            base_url=live_server.url,
            # Playwright's own wait_for_function evaluates strings, which our CSP forbids.
            bypass_csp=True,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit].btn-primary")
        # The home page, or where it sends the role (a service provider lands on its inbox).
        page.wait_for_url(
            lambda url: url.startswith(live_server.url) and "/accounts/login" not in url
        )
        return page

    yield _login
    for context in contexts:
        context.close()
