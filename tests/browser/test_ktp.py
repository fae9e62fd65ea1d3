"""The KTP page in a real browser: a teacher opens «КТП» from the journal page, adds two topics, moves
one up and saves (the order kept), a bad hours value is refused in place with the rows kept; the admin
finds the discipline still without a KTP in «Дисциплины без КТП» from the home page. Real stack (real
Keycloak, the real services); each screen saved at 1280 and 360 px."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.keycloak_login import identity_admin, password_token

from .conftest import DESKTOP, Account, log_in, screenshot
from .test_teacher_day import Api, a_year_holding, college_today

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@dataclass
class Plan:
    portal: str
    teacher: Account
    admin: Account
    group_id: str
    group_name: str
    maths: str
    physics: str


@pytest.fixture(scope="module")
def plan(stack_platform) -> Plan:  # type: ignore[no-untyped-def]
    """A group with two disciplines taught by one teacher, neither with a KTP yet, in a year holding today."""
    gateway, issuer = stack_platform.gateway_url, stack_platform.issuer
    suffix = uuid.uuid4().hex[:6]
    admin_password = f"Adm-{uuid.uuid4().hex[:10]}"
    identity_admin(
        {**os.environ, **stack_platform.env_for("identity")},
        *("create-person", "--role", "admin", "--last-name", "Планова", "--first-name", "Ирина"),
        *("--username", f"kadmin{suffix}", "--password", admin_password),
        bin_dir=str(stack_platform.venv_bin),
    )
    admin = Api(gateway, password_token(issuer, f"kadmin{suffix}", admin_password))
    teacher = admin.send(
        "POST", "/api/v1/people", {"role": "teacher", "last_name": "Соколова", "first_name": "Анна"}
    )
    group_name = f"ТМ-{suffix}"
    group = admin.send("POST", "/api/v1/groups", {"name": group_name})
    ids = []
    for code, name in ((f"ЕН.{suffix}", "Математика"), (f"ОП.{suffix}", "Физика")):
        discipline = admin.send(
            "POST", "/api/v1/disciplines", {"code": code, "name": name, "kind": "discipline"}
        )
        admin.send(
            "POST",
            "/api/v1/teaching-loads",
            {
                "teacher_id": teacher["person_id"],
                "group_id": group["group_id"],
                "discipline_id": discipline["discipline_id"],
            },
        )
        ids.append(discipline["discipline_id"])
    a_year_holding(admin, college_today())
    return Plan(
        gateway,
        Account(teacher["username"], teacher["temporary_password"]),
        Account(f"kadmin{suffix}", admin_password, temporary=False),
        group["group_id"],
        group_name,
        *ids,
    )


def titles(page: Page) -> list[str]:
    return [
        page.input_value(f"tbody tr:nth-child({i + 1}) input[name=title]")
        for i in range(page.locator("input[name=title]").count())
    ]


def test_a_teacher_writes_the_ktp_and_the_admin_sees_what_is_missing(plan: Plan, browser: Browser) -> None:
    teacher = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", viewport=DESKTOP)  # type: ignore[arg-type]
    page = teacher.new_page()
    log_in(page, plan.portal, plan.teacher)
    page.goto(f"{plan.portal}/journal/{plan.group_id}/{plan.maths}")
    page.get_by_role("link", name="КТП дисциплины").click()
    expect(page.get_by_text("В плане пока нет тем.")).to_be_visible()

    page.get_by_role("button", name="Добавить тему").click()
    page.get_by_role("button", name="Добавить тему").click()
    page.get_by_label("Тема 1", exact=True).fill("Тема 1.2. Производная")
    page.get_by_label("Тема 2", exact=True).fill("Тема 1.1. Пределы")
    page.get_by_label("Вид занятия, тема 2").select_option("practical")
    page.get_by_role("button", name="Выше: тема 2").click()
    assert titles(page) == ["Тема 1.1. Пределы", "Тема 1.2. Производная"]
    page.get_by_role("button", name="Сохранить КТП").click()
    expect(page.get_by_role("status")).to_have_text("КТП сохранён.")
    assert titles(page) == ["Тема 1.1. Пределы", "Тема 1.2. Производная"]
    expect(page.get_by_text("всего часов по плану: 4")).to_be_visible()
    screenshot(page, "ktp-teacher")

    page.get_by_role("button", name="Добавить тему").click()
    page.get_by_label("Тема 3", exact=True).fill("Тема 1.3. Интеграл")
    page.get_by_label("Часы, тема 3").fill("два")
    page.get_by_role("button", name="Сохранить КТП").click()
    expect(page.get_by_role("alert")).to_contain_text("Строка 3: часы")
    assert titles(page)[-1] == "Тема 1.3. Интеграл"
    screenshot(page, "ktp-refused")
    page.get_by_role("button", name="Удалить тему 3").click()
    assert titles(page) == ["Тема 1.1. Пределы", "Тема 1.2. Производная"]
    teacher.close()

    admin = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", viewport=DESKTOP)  # type: ignore[arg-type]
    page = admin.new_page()
    log_in(page, plan.portal, plan.admin)
    page.goto(f"{plan.portal}/")
    page.get_by_role("link", name="Дисциплины без КТП").click()
    row = page.locator("tr", has_text=plan.group_name)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Физика")
    expect(row).to_contain_text("Соколова")
    screenshot(page, "ktp-missing")
    row.get_by_role("link", name="Открыть").click()
    expect(page.get_by_text("В плане пока нет тем.")).to_be_visible()
    admin.close()
