"""The admin in the portal, in a real browser: opens an academic year and edits the bell schedule.

Real stack (devstack's test profile, real Keycloak, the real journal). The admin is created with the
identity admin CLI, as the first admin of a college is. Every key screen is saved at 1280 and 360 px.
"""

from __future__ import annotations

import os
import random
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.keycloak_login import identity_admin

from .conftest import PHONE, Account, horizontal_overflow, log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture(scope="module")
def admin(stack_platform) -> Account:  # type: ignore[no-untyped-def]
    """A new admin of the college, with a password of their own (not a temporary one)."""
    suffix = uuid.uuid4().hex[:6]
    password = f"Adm-{uuid.uuid4().hex[:10]}"
    identity_admin(
        {**os.environ, **stack_platform.env_for("identity")},
        *("create-person", "--role", "admin", "--last-name", "Годова", "--first-name", "Вера"),
        *("--username", f"yadmin{suffix}", "--password", password),
        bin_dir=str(stack_platform.venv_bin),
    )
    return Account(f"yadmin{suffix}", password, temporary=False)


def test_the_admin_opens_a_year_and_edits_the_bell_schedule(
    page: Page, admin: Account, stack_platform
) -> None:  # type: ignore[no-untyped-def]
    portal = stack_platform.gateway_url
    log_in(page, portal, admin)
    expect(page.locator("h1")).to_contain_text("Здравствуйте")
    screenshot(page, "admin-home")

    # «Учебный год»: a year far ahead, so that runs on the same stack never meet.
    first = random.randint(2100, 2900)
    name = f"{first}/{first + 1}"
    page.get_by_role("link", name="Учебный год").click()
    expect(page.locator("h1")).to_have_text("Учебные годы")
    page.fill("#name", name)
    for field, day in (
        ("#starts_on", f"01.09.{first}"),
        ("#ends_on", f"30.06.{first + 1}"),
        ("#semester1_starts_on", f"01.09.{first}"),
        ("#semester1_ends_on", f"28.12.{first}"),
        ("#semester2_starts_on", f"12.01.{first + 1}"),
        ("#semester2_ends_on", f"30.06.{first + 1}"),
    ):
        page.fill(field, day)
    screenshot(page, "admin-year-form")
    page.get_by_role("button", name="Открыть учебный год").click()
    expect(page.locator(".notice")).to_have_text(f"Учебный год {name} открыт.")
    row = page.locator("table.years tbody tr", has_text=name)
    expect(row).to_contain_text(f"01.09.{first} – 30.06.{first + 1}")
    expect(row).to_contain_text(f"01.09.{first} – 28.12.{first}")
    expect(row).to_contain_text(f"12.01.{first + 1} – 30.06.{first + 1}")
    screenshot(page, "admin-years")

    # The same name again: the journal refuses, the message stands by the form, nothing typed is lost.
    page.fill("#name", name)
    for field, day in (
        ("#starts_on", f"01.09.{first}"),
        ("#ends_on", f"30.06.{first + 1}"),
        ("#semester1_starts_on", f"01.09.{first}"),
        ("#semester1_ends_on", f"28.12.{first}"),
        ("#semester2_starts_on", f"12.01.{first + 1}"),
        ("#semester2_ends_on", f"30.06.{first + 1}"),
    ):
        page.fill(field, day)
    page.get_by_role("button", name="Открыть учебный год").click()
    expect(page.get_by_role("alert")).to_have_text(f"Учебный год «{name}» уже открыт")
    expect(page.locator("#name")).to_have_value(name)
    expect(page.locator("#name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#semester2_starts_on")).to_have_value(f"12.01.{first + 1}")
    screenshot(page, "admin-year-refused")

    # «Расписание звонков»: pair 2 moves by five minutes; then two values the journal and the portal refuse.
    # The schedule is the college's, shared by the lane's tests: the test puts pair 2 back at the end.
    page.get_by_role("link", name="Расписание звонков").click()
    expect(page.locator("h1")).to_have_text("Расписание звонков")
    page.get_by_label("Пара 1, начало").fill("08:30")
    page.get_by_label("Пара 1, конец").fill("10:00")
    before = bell_rows(page)
    old_start = page.get_by_label("Пара 2, начало").input_value()
    old_end = page.get_by_label("Пара 2, конец").input_value()
    page.get_by_label("Пара 2, начало").fill("10:15")
    page.get_by_label("Пара 2, конец").fill("11:45")
    page.get_by_role("button", name="Сохранить расписание").click()
    expect(page.locator(".notice")).to_have_text("Расписание звонков сохранено.")
    edited = bell_rows(page)
    assert edited[:2] == [["1", "08:30", "10:00"], ["2", "10:15", "11:45"]]
    assert edited[2:] == before[2:], "the other pairs stay"
    screenshot(page, "admin-bells")

    page.get_by_label("Пара 2, начало").fill("09:50")
    page.get_by_role("button", name="Сохранить расписание").click()
    expect(page.get_by_role("alert")).to_contain_text("Пара №2 начинается раньше, чем закончилась предыдущая")
    expect(page.get_by_label("Пара 2, начало")).to_have_value("09:50")
    screenshot(page, "admin-bells-refused")

    page.get_by_label("Пара 2, начало").fill("25:00")
    page.get_by_role("button", name="Сохранить расписание").click()
    expect(page.get_by_role("alert")).to_contain_text("Пара №2: «25:00» — не время")
    expect(page.get_by_label("Пара 2, начало")).to_have_attribute("aria-invalid", "true")
    assert bell_rows(page) == edited, "refused forms change nothing"

    if old_start and old_end:
        page.get_by_label("Пара 2, начало").fill(old_start)
        page.get_by_label("Пара 2, конец").fill(old_end)
        page.get_by_role("button", name="Сохранить расписание").click()
        expect(page.locator(".notice")).to_have_text("Расписание звонков сохранено.")


def bell_rows(page: Page) -> list[list[str]]:
    """Return the bell schedule's table as the admin reads it: [number, start, end] per pair."""
    rows: list[list[str]] = page.locator("table.bells tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.innerText.trim()))"
    )
    return rows


def test_the_year_pages_fit_a_phone_screen(page: Page, admin: Account, stack_platform) -> None:  # type: ignore[no-untyped-def]
    portal = stack_platform.gateway_url
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    log_in(page, portal, admin)
    for path in ("/", "/academic-years", "/bell-schedule"):
        page.goto(f"{portal}{path}")
        assert horizontal_overflow(page) == 0, f"{path} scrolls sideways at 360 px"
