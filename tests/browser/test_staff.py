"""The admin's «Сотрудники» in a real browser (slice H4, issue 8 items 1 and 10): the admin opens it from
the home page, adds a teacher (the login and the one-time password shown), picks a group to see its
disciplines, assigns the teacher «председатель ПЦК» for a discipline in that group, is refused a class
teacher's role for a group in Russian next to the form with the values kept, and revokes the assignment.

Real stack (devstack's test profile, real Keycloak, identity and the journal). The admin is created with
the identity admin CLI; the group, the discipline and its teaching load through the REST API. Every key
screen is saved at 1280 and 360 px.
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
LETTERS = "абвгдежзиклмнопрстуфх"


@pytest.fixture(scope="module")
def college(stack_platform) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """An admin; a group with a discipline taught in it (so the scope picker lists it)."""
    suffix = uuid.uuid4().hex[:6]
    password = f"Stf-{uuid.uuid4().hex[:10]}"
    identity_admin(
        {**os.environ, **stack_platform.env_for("identity")},
        *("create-person", "--role", "admin", "--last-name", "Кадрова", "--first-name", "Ольга"),
        *("--username", f"sadmin{suffix}", "--password", password),
        bin_dir=str(stack_platform.venv_bin),
    )
    token = password_token(stack_platform.issuer, f"sadmin{suffix}", password)
    with httpx.Client(
        base_url=stack_platform.gateway_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as api:

        def send(path: str, body: dict[str, str]) -> dict[str, str]:
            reply = api.post(path, json=body)
            assert reply.status_code == 201, reply.text
            created: dict[str, str] = reply.json()
            return created

        group = send("/api/v1/groups", {"name": f"ПЦК-{suffix}"})["group_id"]
        code = f"ОП.{suffix}"
        discipline = send("/api/v1/disciplines", {"code": code, "name": "Математика", "kind": "discipline"})
        teacher = send("/api/v1/people", {"role": "teacher", "last_name": "Нагрузкина", "first_name": "Вера"})
        send(
            "/api/v1/teaching-loads",
            {
                "teacher_id": teacher["person_id"],
                "group_id": group,
                "discipline_id": discipline["discipline_id"],
            },
        )
    return {
        "username": f"sadmin{suffix}",
        "password": password,
        "group": group,
        "group_name": f"ПЦК-{suffix}",
        "discipline": f"{code} Математика",
        "surname": "Председателева" + "".join(random.choice(LETTERS) for _ in range(5)),
    }


def test_the_admin_adds_a_teacher_assigns_and_revokes_a_scoped_role(
    page: Page, college, stack_platform
) -> None:  # type: ignore[no-untyped-def]
    portal = stack_platform.gateway_url
    log_in(page, portal, Account(college["username"], college["password"], temporary=False))
    page.get_by_role("link", name="Сотрудники").click()
    expect(page.locator("h1")).to_have_text("Сотрудники")

    # «Добавить сотрудника»: the login and the one-time password are shown once.
    page.get_by_label("Фамилия").fill(college["surname"])
    page.get_by_label("Имя", exact=True).fill("Нина")
    page.get_by_label("Отчество (если есть)").fill("Петровна")
    page.locator("#new_role").select_option(label="Преподаватель")
    page.get_by_role("button", name="Добавить сотрудника").click()
    created = page.locator("section.slip")
    expect(created).to_contain_text("Сотрудник добавлен")
    expect(created).to_contain_text(f"{college['surname']} Нина Петровна — Преподаватель")
    expect(created.locator("code.credential")).to_have_count(2)
    screenshot(page, "staff-added")
    name = f"{college['surname']} Нина Петровна"
    row = page.locator("table.staff tbody tr", has_text=name)
    expect(row).to_contain_text("Преподаватель — весь колледж")

    # The group's disciplines for the scope picker, then «председатель ПЦК» for that discipline.
    page.locator("#pick_group").select_option(label=college["group_name"])
    page.get_by_role("button", name="Показать дисциплины").click()
    page.locator("#person_id").select_option(label=name)
    page.locator("#assign_role").select_option(label="Председатель ПЦК")
    page.get_by_label("Область действия").select_option(label="дисциплина в группе")
    expect(page.locator("#group_id")).to_have_value(college["group"])
    page.locator("#discipline_id").select_option(label=college["discipline"])
    screenshot(page, "staff-assign-form")
    page.get_by_role("button", name="Назначить роль").click()
    expect(page.locator(".notice")).to_have_text("Роль назначена.")
    row = page.locator("table.staff tbody tr", has_text=name)
    scoped = f"Председатель ПЦК — {college['discipline']} в группе {college['group_name']}"
    expect(row).to_contain_text(scoped)
    screenshot(page, "staff-assigned")

    # A class teacher's group is the journal's fact: refused in Russian, the values kept.
    page.locator("#person_id").select_option(label=name)
    page.locator("#assign_role").select_option(label="Классный руководитель")
    page.get_by_label("Область действия").select_option(label="группа")
    page.locator("#group_id").select_option(label=college["group_name"])
    page.get_by_role("button", name="Назначить роль").click()
    expect(page.locator("#role-problem")).to_contain_text(
        "Роль «классный руководитель» не назначается на область «группа»"
    )
    expect(page.locator("#assign_role")).to_have_value("class_teacher")
    expect(page.get_by_label("Область действия")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "staff-refused")

    # The list is searched by name (the lane's staff run to several pages); «Отозвать» the scoped role:
    # the teacher keeps their own, and the page shows her alone after it.
    page.goto(f"{portal}/staff")
    page.get_by_label("Поиск по фамилии, имени или логину").fill(college["surname"].lower())
    page.get_by_role("button", name="Найти").click()
    expect(page.get_by_role("status")).to_have_text("Найдено сотрудников: 1. Все сотрудники")
    expect(page.locator("table.staff tbody tr")).to_have_count(1)
    row = page.locator("table.staff tbody tr", has_text=name)
    row.get_by_role("button", name=f"Отозвать: {scoped} ({name})").click()
    expect(page.locator(".notice")).to_have_text("Роль отозвана.")
    row = page.locator("table.staff tbody tr", has_text=name)
    expect(row).not_to_contain_text("Председатель ПЦК")
    expect(row).to_contain_text("Преподаватель — весь колледж")
    expect(page.get_by_role("status").last).to_contain_text("Показан один сотрудник")
    screenshot(page, "staff-revoked")
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    assert horizontal_overflow(page) == 0
