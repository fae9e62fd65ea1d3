"""Browser fixtures: Debian's Chromium driven by Playwright (sync API), one browser per run.

The browser is the system one (`/usr/bin/chromium`, installed by scripts/bootstrap.sh); Playwright
only brings its driver. Never `playwright install`: it downloads a browser build of its own.
Screenshots go to `.stack/<lane>/screenshots/` (gitignored, emptied at the start of each run).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
# Headless, as root in CI (hence no sandbox), and quiet: no GPU, no calls home, no updates.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / ".stack" / os.environ.get("EJOURNAL_TEST_PROFILE", "test") / "screenshots"
_SAVED: list[Path] = []


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Start Chromium once for all browser tests (they all live in this package) and stop it after."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/bootstrap.sh (it installs Debian's chromium)")
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """Return a fresh browser profile of a college user: Russian, Moscow time, a desktop screen."""
    ctx = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", viewport=DESKTOP)  # type: ignore[arg-type]
    ctx.set_default_timeout(20_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """Return a new tab in a fresh profile (no cookies: nobody is logged in)."""
    return context.new_page()


def screenshot(page: Page, name: str) -> list[Path]:
    """Save the whole page as `<name>-1280.png` and `<name>-360.png`; leave the viewport as it was."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    paths = []
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)  # type: ignore[arg-type]
        path = SCREENSHOTS / f"{name}-{size['width']}.png"
        page.screenshot(path=str(path), full_page=True)
        paths.append(path)
    if before:
        page.set_viewport_size(before)
    _SAVED.extend(paths)
    return paths


def horizontal_overflow(page: Page) -> int:
    """Return how many CSS pixels the page is wider than the viewport (0: no horizontal scroll)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


@dataclass
class Account:
    """A login as the admin issued it; `temporary` until the first login changed the password."""

    username: str
    password: str
    temporary: bool = True


def log_in(page: Page, portal: str, account: Account, shots: str | None = None) -> None:
    """Log in through the portal and Keycloak's form as a person does; change a temporary password.

    With `shots`, screenshot Keycloak's login form (and the new-password form) under that name.
    """
    page.goto(f"{portal}/login")
    page.wait_for_selector("#kc-login")
    if shots:
        screenshot(page, f"{shots}-keycloak-login")
    page.fill("#username", account.username)
    page.fill("#password", account.password)
    page.click("#kc-login")
    if account.temporary:
        # Keycloak's required action «Обновление пароля» on the first login with an issued password.
        # A student's issued password is final (R1.3): Keycloak asks nothing and lets them in.
        page.wait_for_url(lambda url: url.startswith(f"{portal}/") or "/login-actions/" in url)
        if page.url.startswith(f"{portal}/"):
            account.temporary = False
            return
        page.wait_for_selector("#password-new")
        if shots:
            screenshot(page, f"{shots}-keycloak-new-password")
        account.password = f"{account.password}-Own"
        page.fill("#password-new", account.password)
        page.fill("#password-confirm", account.password)
        page.click("#kc-submit")
        account.temporary = False
    page.wait_for_url(f"{portal}/**")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say where this run's screenshots are."""
    if _SAVED:
        terminalreporter.write_line(f"browser screenshots ({len(_SAVED)}): {SCREENSHOTS}")
