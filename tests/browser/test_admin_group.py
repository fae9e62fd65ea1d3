"""The admin in the portal, in a real browser: finds a group by name in «Группы», edits its attributes
(the form starts filled with the stored ones) and its calendar graph.

Real stack (devstack's test profile, real Keycloak, the real journal). The admin is created with the
identity admin CLI; the group and an academic year are made through the REST API. Every key screen
is saved at 1280 and 360 px.
"""

from __future__ import annotations

import os
import random
import uuid

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.keycloak_login import identity_admin, password_token

from .conftest import PHONE, Account, horizontal_overflow, log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture(scope="module")
def college(stack_platform) -> tuple[Account, str, str, int, str]:  # type: ignore[no-untyped-def]
    """A new admin, a group and an academic year far ahead (runs on the same stack never meet)."""
    suffix = uuid.uuid4().hex[:6]
    password = f"Adm-{uuid.uuid4().hex[:10]}"
    identity_admin(
        {**os.environ, **stack_platform.env_for("identity")},
        *("create-person", "--role", "admin", "--last-name", "Графикова", "--first-name", "Ольга"),
        *("--username", f"gadmin{suffix}", "--password", password),
        bin_dir=str(stack_platform.venv_bin),
    )
    token = password_token(stack_platform.issuer, f"gadmin{suffix}", password)
    first = random.randint(2100, 2900)
    with httpx.Client(
        base_url=stack_platform.gateway_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as api:
        group = api.post("/api/v1/groups", json={"name": f"ИСП-{suffix}"})
        assert group.status_code == 201, group.text
        year = api.post(
            "/api/v1/academic-years",
            json={
                "name": f"{first}/{first + 1}",
                "starts_on": f"{first}-09-01",
                "ends_on": f"{first + 1}-06-30",
                "semester1": {"starts_on": f"{first}-09-01", "ends_on": f"{first}-12-28"},
                "semester2": {"starts_on": f"{first + 1}-01-12", "ends_on": f"{first + 1}-06-30"},
            },
        )
        assert year.status_code == 201, year.text
    return (
        Account(f"gadmin{suffix}", password, temporary=False),
        group.json()["group_id"],
        year.json()["year_id"],
        first,
        f"ИСП-{suffix}",
    )


def fill_row(page: Page, n: int, kind: str, starts: str, ends: str) -> None:
    page.get_by_label(f"Период {n}, вид").select_option(label=kind)
    page.get_by_label(f"Период {n}, начало").fill(starts)
    page.get_by_label(f"Период {n}, конец").fill(ends)


def graph_rows(page: Page) -> list[list[str]]:
    """Return the graph's table as the admin reads it: [kind, dates] per span."""
    rows: list[list[str]] = page.locator("table.calendar tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.innerText.trim()))"
    )
    return rows


def test_the_admin_edits_a_groups_calendar(page: Page, college, stack_platform) -> None:  # type: ignore[no-untyped-def]
    admin, group_id, year_id, first, name = college
    portal = stack_platform.gateway_url
    log_in(page, portal, admin)
    screenshot(page, "admin-group-home")
    page.get_by_role("link", name="Группы").click()
    page.get_by_label("Название начинается с").fill(name)
    page.get_by_role("button", name="Найти").click()
    screenshot(page, "admin-groups")
    page.get_by_role("link", name=name).click()
    expect(page.locator("h1")).to_have_text(f"Группа {name}")
    assert page.url.endswith(f"/groups/{group_id}")

    # The attributes: the form starts with the stored ones, saving keeps what was not touched.
    page.get_by_label("Курс").select_option("2")
    page.get_by_label("Код специальности").fill("09.02.07")
    page.get_by_label("Форма обучения").select_option(label="Очная")
    page.get_by_role("button", name="Сохранить данные группы").click()
    expect(page.locator(".notice")).to_have_text("Данные группы сохранены.")
    page.get_by_label("Код специальности").fill("9.2.7")
    page.get_by_role("button", name="Сохранить данные группы").click()
    expect(page.get_by_role("alert")).to_contain_text("специальности")
    expect(page.get_by_label("Код специальности")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Код специальности")).to_have_value("9.2.7")
    page.goto(f"{portal}/groups/{group_id}")
    expect(page.get_by_label("Курс")).to_have_value("2")
    expect(page.get_by_label("Код специальности")).to_have_value("09.02.07")
    expect(page.get_by_label("Форма обучения")).to_have_value("full_time")

    page.get_by_label("Учебный год").select_option(label=f"{first}/{first + 1}")
    page.get_by_role("button", name="Показать").click()
    expect(
        page.get_by_role("heading", name=f"Календарный учебный график на {first}/{first + 1}")
    ).to_be_visible()
    expect(page.locator(".empty")).to_have_text("График на этот учебный год пока не задан.")

    fill_row(page, 1, "Теоретическое обучение", f"01.09.{first}", f"28.12.{first}")
    fill_row(page, 2, "Каникулы", f"29.12.{first}", f"11.01.{first + 1}")
    fill_row(page, 3, "Производственная практика (ПП)", f"01.05.{first + 1}", f"30.06.{first + 1}")
    screenshot(page, "admin-group-form")
    page.get_by_role("button", name="Сохранить график").click()
    expect(page.locator(".notice")).to_have_text("График сохранён.")
    saved = [
        ["Теоретическое обучение", f"01.09.{first} – 28.12.{first}"],
        ["Каникулы", f"29.12.{first} – 11.01.{first + 1}"],
        ["Производственная практика (ПП)", f"01.05.{first + 1} – 30.06.{first + 1}"],
    ]
    assert graph_rows(page) == saved
    expect(page.get_by_label("Период 2, начало")).to_have_value(f"29.12.{first}")
    screenshot(page, "admin-group")

    # Holidays that overlap the theory: the journal refuses, the rows stay as typed.
    page.get_by_label("Период 2, начало").fill(f"20.12.{first}")
    page.get_by_role("button", name="Сохранить график").click()
    expect(page.get_by_role("alert")).to_contain_text("Периоды графика пересекаются")
    expect(page.get_by_label("Период 2, начало")).to_have_value(f"20.12.{first}")
    screenshot(page, "admin-group-refused")

    # A span past the year's end: the journal names the row, the portal marks it.
    page.get_by_label("Период 2, начало").fill(f"29.12.{first}")
    page.get_by_label("Период 3, конец").fill(f"31.07.{first + 1}")
    page.get_by_role("button", name="Сохранить график").click()
    expect(page.get_by_role("alert")).to_contain_text("Период №3 графика выходит за пределы учебного года")
    expect(page.get_by_label("Период 3, конец")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Период 3, конец")).to_have_value(f"31.07.{first + 1}")
    assert graph_rows(page) == saved, "refused forms change nothing"

    page.goto(f"{portal}/groups/{group_id}?year={year_id}")
    assert graph_rows(page) == saved


def test_the_group_page_fits_a_phone_screen(page: Page, college, stack_platform) -> None:  # type: ignore[no-untyped-def]
    admin, group_id, year_id, _, _ = college
    portal = stack_platform.gateway_url
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    log_in(page, portal, admin)
    for path in ("/", "/groups", f"/groups/{group_id}?year={year_id}"):
        page.goto(f"{portal}{path}")
        assert horizontal_overflow(page) == 0, f"{path} scrolls sideways at 360 px"
