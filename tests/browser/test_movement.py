"""The administration's «Движение контингента» in a real browser: the admin opens it from «Группа»,
transfers a student of the group (picked by name) to another group by order, is refused a second
movement with the journal's reason next to the form and the values kept, finds another student of the
college by name, and graduates the group by one order; the list is read back after a reload.

Real stack (devstack's test profile, real Keycloak, identity and the journal). The admin is created
with the identity admin CLI; the groups, the students and their enrolment through the REST API. Every
key screen is saved at 1280 and 360 px.
"""

from __future__ import annotations

import os
import random
import uuid
from datetime import date, timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.keycloak_login import identity_admin, password_token

from .conftest import PHONE, Account, horizontal_overflow, log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
LETTERS = "абвгдежзиклмнопрстуфх"


def tag() -> str:
    """A few Cyrillic letters: names of people made by different runs on one stack never meet."""
    return "".join(random.choice(LETTERS) for _ in range(5))


@pytest.fixture(scope="module")
def college(stack_platform) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """An admin, two groups, two students enrolled in the first a month ago, a third in no group."""
    suffix = uuid.uuid4().hex[:6]
    password = f"Mov-{uuid.uuid4().hex[:10]}"
    identity_admin(
        {**os.environ, **stack_platform.env_for("identity")},
        *("create-person", "--role", "admin", "--last-name", "Движенцева", "--first-name", "Ольга"),
        *("--username", f"madmin{suffix}", "--password", password),
        bin_dir=str(stack_platform.venv_bin),
    )
    token = password_token(stack_platform.issuer, f"madmin{suffix}", password)
    mark = tag()
    names = {"moved": f"Переводова{mark}", "stays": f"Выпускников{mark}", "elsewhere": f"Новенькая{mark}"}
    enrolled_on = (date.today() - timedelta(days=30)).isoformat()
    with httpx.Client(
        base_url=stack_platform.gateway_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as api:
        groups = {}
        for key, name in (("group", f"ДК-{suffix}"), ("other", f"ДК2-{suffix}")):
            created = api.post("/api/v1/groups", json={"name": name})
            assert created.status_code == 201, created.text
            groups[key], groups[f"{key}_name"] = created.json()["group_id"], name
        people = {}
        for key, last_name in names.items():
            person = api.post(
                "/api/v1/people", json={"role": "student", "last_name": last_name, "first_name": "Анна"}
            )
            assert person.status_code == 201, person.text
            people[key] = person.json()["person_id"]
        for key in ("moved", "stays"):
            moved = api.post(
                f"/api/v1/students/{people[key]}/movements",
                json={
                    "kind": "enrolment",
                    "on_date": enrolled_on,
                    "order_number": "№ 1-к",
                    "to_group_id": groups["group"],
                },
            )
            assert moved.status_code == 201, moved.text
    return {
        "username": f"madmin{suffix}",
        "password": password,
        **groups,
        **{f"{k}_name": v for k, v in names.items()},
        **people,
    }


def movement_rows(page: Page) -> list[list[str]]:
    """Return the list as the admin reads it: [date, student, movement, from, to, order] per row."""
    rows: list[list[str]] = page.locator("table.movements tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.innerText.trim()))"
    )
    return rows


def test_the_admin_records_a_transfer_and_graduates_the_group(page: Page, college, stack_platform) -> None:  # type: ignore[no-untyped-def]
    portal = stack_platform.gateway_url
    admin = Account(college["username"], college["password"], temporary=False)
    today = date.today()
    log_in(page, portal, admin)
    page.goto(f"{portal}/groups/{college['group']}")
    page.get_by_role("link", name="Движение контингента").click()
    expect(page.locator("h1")).to_have_text(f"Движение контингента: группа {college['group_name']}")
    assert len(movement_rows(page)) == 2  # the two enrolments
    screenshot(page, "movement-admin")

    # A transfer of a student of the group, picked by name, into the other group.
    page.get_by_label("Обучающийся").select_option(label=f"{college['moved_name']} Анна")
    page.get_by_label("Вид движения").select_option(label="Перевод в другую группу")
    page.get_by_label("Дата (первый день в новом состоянии)").fill(today.isoformat())
    page.locator("#order_number").fill("№ 12-к")
    page.get_by_label("Группа, в которую зачисляется").select_option(label=college["other_name"])
    screenshot(page, "movement-form")
    page.get_by_role("button", name="Записать движение").click()
    expect(page.locator(".notice")).to_have_text("Движение записано.")
    last = movement_rows(page)[-1]
    assert last == [
        f"{today:%d.%m.%Y}",
        f"{college['moved_name']} Анна",
        "Перевод в другую группу",
        college["group_name"],
        college["other_name"],
        "№ 12-к",
    ]

    # The same student again on the same day: the journal's reason next to the form, values kept.
    page.get_by_label("Обучающийся").select_option(label=f"{college['moved_name']} Анна")
    page.get_by_label("Вид движения").select_option(label="Академический отпуск")
    page.get_by_label("Дата (первый день в новом состоянии)").fill(today.isoformat())
    page.locator("#order_number").fill("№ 13-к")
    page.get_by_role("button", name="Записать движение").click()
    expect(page.get_by_role("alert")).to_contain_text("в один день вносится одно движение")
    expect(page.get_by_label("Дата (первый день в новом состоянии)")).to_have_attribute(
        "aria-invalid", "true"
    )
    expect(page.locator("#order_number")).to_have_value("№ 13-к")
    expect(page.get_by_label("Вид движения")).to_have_value("academic_leave")
    screenshot(page, "movement-refused")
    assert len(movement_rows(page)) == 3, "a refused movement writes nothing"

    # A student of the college outside the group is found by name.
    page.get_by_label("Начало фамилии, имени или отчества").fill(college["elsewhere_name"])
    page.get_by_role("button", name="Найти").click()
    expect(page.get_by_role("status")).to_contain_text("Найдено обучающихся: 1")
    expect(
        page.get_by_label("Обучающийся").locator("option", has_text=college["elsewhere_name"])
    ).to_have_count(1)

    # The group graduates by one order: the student still in it.
    page.get_by_label("Дата выпуска (первый день после обучения)").fill(
        (today + timedelta(days=1)).isoformat()
    )
    page.locator("#graduation_order_number").fill("№ 300-в")
    page.get_by_role("button", name="Выпустить группу").click()
    expect(page.locator(".notice")).to_contain_text("Группа выпущена")
    page.reload()
    last = movement_rows(page)[-1]
    assert last[1:] == [f"{college['stays_name']} Анна", "Выпуск", college["group_name"], "—", "№ 300-в"]
    screenshot(page, "movement-graduated")
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    assert horizontal_overflow(page) == 0
