"""The admin opens a year from XLSX in a real browser: uploads a workbook with one bad row, reads the
report (the row refused by sheet, row and column, nothing written), fixes the row, checks again and
imports; the groups, the load and the calendar are then in the journal.

Real stack (devstack's test profile, real Keycloak, identity and the journal). The admin and a teacher
are created with the identity admin CLI, the year through the REST API. The report and the result are
saved at 1280 and 360 px.
"""

from __future__ import annotations

import os
import random
import uuid
from pathlib import Path

import httpx
import pytest
from openpyxl import Workbook
from playwright.sync_api import Page, expect

from tests.e2e.keycloak_login import identity_admin, password_token

from .conftest import PHONE, Account, horizontal_overflow, log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_the_admin_uploads_a_workbook_fixes_the_bad_row_and_imports(
    page: Page, stack_platform, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, **stack_platform.env_for("identity")}
    bins = str(stack_platform.venv_bin)
    suffix = uuid.uuid4().hex[:6]
    password = f"Adm-{uuid.uuid4().hex[:10]}"
    identity_admin(
        env,
        *("create-person", "--role", "admin", "--last-name", "Открытова", "--first-name", "Анна"),
        *("--username", f"iadmin{suffix}", "--password", password),
        bin_dir=bins,
    )
    teacher = identity_admin(
        env,
        *("create-person", "--role", "teacher", "--last-name", "Нагрузкин", "--first-name", "Пётр"),
        *("--username", f"iteach{suffix}", "--password", f"T-{uuid.uuid4().hex[:10]}"),
        bin_dir=bins,
    )["person_id"]
    token = password_token(stack_platform.issuer, f"iadmin{suffix}", password)
    first = random.randint(2100, 2900)
    api = httpx.Client(
        base_url=stack_platform.gateway_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
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

    group, code = f"ИМ-{suffix}", f"ОП.{suffix}"
    sheets: dict[str, list[list[object]]] = {
        "Группы": [
            [
                "Группа",
                "Курс",
                "Код специальности",
                "Специальность",
                "Форма обучения",
                "Классный руководитель",
            ],
            [group, 1, "09.02.07", "Информационные системы и программирование", "очная", teacher],
        ],
        "Дисциплины": [["Код", "Наименование", "Вид"], [code, "Информатика", "дисциплина"]],
        "Нагрузка": [["Группа", "Код дисциплины", "Преподаватель"], [group, code, teacher]],
        "Календарь": [
            ["Группа", "Вид периода", "Начало", "Окончание"],
            [group, "теоретическое обучение", f"01.09.{first}", f"27.12.{first}"],
            [group, "каникулы", f"20.12.{first}", f"11.01.{first + 1}"],  # overlaps the row above
        ],
    }
    bad = workbook(tmp_path / "god-s-oshibkoy.xlsx", sheets)

    portal = stack_platform.gateway_url
    log_in(page, portal, Account(f"iadmin{suffix}", password, temporary=False))
    page.goto(f"{portal}/academic-years")
    page.get_by_role("link", name="Открытие года из XLSX").click()
    expect(page.locator("h1")).to_have_text("Открытие учебного года")
    page.select_option("#year_id", label=f"{first}/{first + 1}")
    page.set_input_files("#workbook", str(bad))
    page.get_by_role("button", name="Проверить").click()

    expect(page.locator("#report .form-error")).to_contain_text("Не принято строк: 1. Ничего не записано")
    refused = page.locator("table.import-errors tbody tr")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text("Календарь")
    expect(refused.locator('td[data-label="Строка"]')).to_have_text("3")
    expect(refused.locator('td[data-label="Столбец"]')).to_have_text("Начало")
    expect(refused).to_contain_text("Периоды графика пересекаются")
    expect(refused).to_contain_text("spans_overlap")
    screenshot(page, "year-import-report")
    page.set_viewport_size(PHONE)
    assert horizontal_overflow(page) == 0
    page.set_viewport_size({"width": 1280, "height": 800})
    assert api.get("/api/v1/groups", params={"name_prefix": group}).json()["groups"] == []

    sheets["Календарь"][2] = [group, "каникулы", f"29.12.{first}", f"11.01.{first + 1}"]
    fixed = workbook(tmp_path / "god.xlsx", sheets)
    page.select_option("#year_id", label=f"{first}/{first + 1}")
    page.set_input_files("#workbook", str(fixed))
    page.get_by_role("button", name="Проверить").click()
    expect(page.locator("#report .notice")).to_contain_text("Ошибок нет")
    expect(page.locator("table.import-errors")).to_have_count(0)

    page.select_option("#year_id", label=f"{first}/{first + 1}")
    page.set_input_files("#workbook", str(fixed))
    page.get_by_role("button", name="Загрузить").click()
    expect(page.locator("#report .notice")).to_have_text("Книга загружена: всё записано.")
    groups_row = page.locator("table.import-sheets tbody tr", has_text="Группы")
    expect(groups_row.locator('td[data-label="Создано"]')).to_have_text("1")
    calendar_row = page.locator("table.import-sheets tbody tr", has_text="Календарь")
    expect(calendar_row.locator('td[data-label="Создано"]')).to_have_text("2")
    screenshot(page, "year-import-done")
    page.set_viewport_size(PHONE)
    assert horizontal_overflow(page) == 0

    found = api.get("/api/v1/groups", params={"name_prefix": group}).json()["groups"]
    assert [(g["name"], g["course_year"], g["class_teacher_id"]) for g in found] == [(group, 1, teacher)]
    calendar = api.get(f"/api/v1/groups/{found[0]['group_id']}/calendar/{year.json()['year_id']}")
    assert [s["kind"] for s in calendar.json()["spans"]] == ["theory", "holidays"]
    api.close()
