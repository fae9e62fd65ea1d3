"""Login and logout as a person does them: Keycloak's Russian form, the portal, «Выйти» as a POST form."""

from __future__ import annotations

import os
import uuid

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.keycloak_login import identity_admin

from .conftest import Account, log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_a_teacher_logs_in_on_the_russian_form_and_logs_out(stack_platform, page: Page) -> None:  # type: ignore[no-untyped-def]
    stack = stack_platform
    portal = stack.gateway_url
    password = f"Teach-{uuid.uuid4().hex[:10]}"
    suffix = uuid.uuid4().hex[:6]
    env = {**os.environ, **stack.env_for("identity")}
    identity_admin(
        env,
        *("create-person", "--role", "teacher", "--last-name", "Входова", "--first-name", "Анна"),
        *("--username", f"lteacher{suffix}", "--password", password),
        bin_dir=str(stack.venv_bin),
    )
    page.goto(f"{portal}/login")
    page.wait_for_selector("#kc-login")
    assert page.locator("html").get_attribute("lang") == "ru"
    screenshot(page, "keycloak-login-ru")
    log_in(page, portal, Account(f"lteacher{suffix}", password, temporary=False))
    expect(page.locator(".site-header .who")).to_contain_text("Анна")
    screenshot(page, "portal-logged-in")

    # «Выйти» is a POST form with the session's CSRF token; a GET /logout does nothing.
    assert httpx.get(f"{portal}/logout", timeout=30).status_code == 405
    logout = page.locator('form[action="/logout"]')
    assert logout.get_attribute("method") == "post"
    assert logout.locator('input[name="logout_token"]').get_attribute("value")
    logout.locator("button").click()
    page.wait_for_url(f"{portal}/")
    expect(page.locator('.site-header a[href="/login"]')).to_be_visible()
    screenshot(page, "portal-logged-out")
    # The Keycloak session ended too: /login asks for the password again.
    page.goto(f"{portal}/login")
    page.wait_for_selector("#kc-login")


def test_the_api_docs_render_from_the_gateways_own_files(stack_platform, page: Page) -> None:  # type: ignore[no-untyped-def]
    portal = stack_platform.gateway_url
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{portal}/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("ejournal")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    screenshot(page, "api-docs")
    assert requested and all(url.startswith(f"{portal}/") for url in requested), requested
