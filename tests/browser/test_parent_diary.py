"""A parent in the portal, in a real browser: Keycloak's login form, the home page, the child's diary.

Real stack (devstack's test profile, real Keycloak); the data is set up through the REST API as the
administration and a teacher would. Every key screen is saved at 1280 px and 360 px.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.keycloak_login import code_flow_token, identity_admin, password_token

from .conftest import PHONE, Account, horizontal_overflow, log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

# A real МДК name: long enough to wrap on a phone.
LONG_DISCIPLINE = (
    "МДК.01.01",
    "Разработка программных модулей программного обеспечения для компьютерных систем",
)


class Api:
    def __init__(self, base: str, token: str) -> None:
        self.client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        response = self.client.post(path, json=body)
        assert response.status_code == 201, f"{path}: {response.status_code} {response.text}"
        return response.json()


@dataclass
class College:
    portal: str
    parent: Account
    child_id: str
    child_name: str
    rows: set[tuple[str, str, str]]
    """The diary as the parent must see it: (date, «code — name», mark)."""


@pytest.fixture(scope="module")
def college(stack_platform) -> College:  # type: ignore[no-untyped-def]
    """A group with a student, their parent, two disciplines and a teacher who recorded a mark in each."""
    gateway, issuer = stack_platform.gateway_url, stack_platform.issuer
    suffix = uuid.uuid4().hex[:6]
    admin_password = f"Adm-{uuid.uuid4().hex[:10]}"
    identity_admin(
        {**os.environ, **stack_platform.env_for("identity")},
        *("create-person", "--role", "admin", "--last-name", "Браузеров", "--first-name", "Илья"),
        *("--username", f"badmin{suffix}", "--password", admin_password),
        bin_dir=str(stack_platform.venv_bin),
    )
    admin = Api(gateway, password_token(issuer, f"badmin{suffix}", admin_password))
    teacher = admin.post("/api/v1/people", {"role": "teacher", "last_name": "Орлова", "first_name": "Нина"})
    student = admin.post(
        "/api/v1/people",
        {"role": "student", "last_name": "Воробьёв", "first_name": "Константин", "middle_name": "Алексеевич"},
    )
    parent = admin.post("/api/v1/people", {"role": "parent", "last_name": "Воробьёва", "first_name": "Елена"})
    admin.post(f"/api/v1/students/{student['person_id']}/guardians", {"parent_id": parent["person_id"]})
    group = admin.post("/api/v1/groups", {"name": f"ИСП-{suffix}"})
    admin.post(f"/api/v1/groups/{group['group_id']}/students", {"student_id": student["person_id"]})
    disciplines = [("ОП.01", "Математика"), LONG_DISCIPLINE]
    teacher_api = Api(
        gateway,
        code_flow_token(
            issuer,
            f"{gateway}/auth/callback",
            teacher["username"],
            teacher["temporary_password"],
            "Teach-2026-brw",
        ),
    )
    today = date.today()
    rows = set()
    for (code, name), value in zip(disciplines, ("5", "4"), strict=True):
        discipline = admin.post("/api/v1/disciplines", {"code": code, "name": name, "kind": "discipline"})
        admin.post(
            "/api/v1/teaching-loads",
            {
                "teacher_id": teacher["person_id"],
                "group_id": group["group_id"],
                "discipline_id": discipline["discipline_id"],
            },
        )
        teacher_api.post(
            "/api/v1/marks",
            {
                "student_id": student["person_id"],
                "group_id": group["group_id"],
                "discipline_id": discipline["discipline_id"],
                "lesson_date": today.isoformat(),
                "value": value,
            },
        )
        rows.add((today.strftime("%d.%m.%Y"), f"{code} — {name}", value))
    return College(
        portal=gateway,
        parent=Account(parent["username"], parent["temporary_password"]),
        child_id=student["person_id"],
        child_name="Воробьёв Константин Алексеевич",
        rows=rows,
    )


def diary_rows(page: Page) -> set[tuple[str, str, str]]:
    cells = page.locator("table tbody tr").evaluate_all(
        # the row's data: without the links column (history, correction request) that print hides
        "rows => rows.map(r => Array.from(r.cells).filter(c => !c.classList.contains('no-print'))"
        ".map(c => c.innerText.trim()))"
    )
    return {tuple(row) for row in cells}  # type: ignore[misc]


def test_a_parent_logs_in_and_reads_the_childs_diary(page: Page, college: College) -> None:
    log_in(page, college.portal, college.parent, shots="parent")
    assert page.url == f"{college.portal}/"
    expect(page.locator("h1")).to_contain_text("Здравствуйте")
    child = page.get_by_role("link", name=college.child_name)
    expect(child).to_be_visible()
    screenshot(page, "parent-home")

    child.click()
    page.wait_for_url(f"{college.portal}/diary/{college.child_id}")
    expect(page.locator("h1")).to_have_text(f"Дневник: {college.child_name}")
    assert diary_rows(page) == college.rows
    assert college.child_id not in page.locator("main").inner_text(), "no ids on the screen"
    screenshot(page, "parent-diary")

    page.get_by_role("link", name="Уведомления").first.click()
    expect(page.locator("h1")).to_have_text("Уведомления")
    screenshot(page, "parent-notifications")


def test_the_parents_pages_fit_a_phone_screen(page: Page, college: College) -> None:
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    log_in(page, college.portal, college.parent)
    assert horizontal_overflow(page) == 0, "the home page scrolls sideways at 360 px"
    page.get_by_role("link", name=college.child_name).click()
    page.wait_for_url(f"{college.portal}/diary/{college.child_id}")
    assert diary_rows(page) == college.rows
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (
        f"the diary is {width} px wide at {PHONE['width']} px: it scrolls sideways"
    )
    for mark in page.locator("td.mark").all():
        box = mark.bounding_box()
        assert box and box["x"] + box["width"] <= PHONE["width"], "a mark is cut off"

    # Six columns cannot fit a phone: each notification becomes a card, every value under its label.
    page.goto(f"{college.portal}/notifications")
    assert horizontal_overflow(page) == 0, "the notifications scroll sideways at 360 px"
    labels = page.locator("table.cards td").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)"
    )
    assert labels[:6] == ['"Когда"', '"Что"', '"Обучающийся"', '"Дисциплина"', '"Дата занятия"', '"Оценка"']


def test_a_wrong_password_shows_keycloaks_russian_error(page: Page, stack_platform) -> None:  # type: ignore[no-untyped-def]
    portal = stack_platform.gateway_url
    page.goto(f"{portal}/login")
    expect(page.locator("#kc-login")).to_have_text("Вход")
    page.fill("#username", f"nobody-{uuid.uuid4().hex[:6]}")
    page.fill("#password", "Не-тот-пароль-1")
    page.click("#kc-login")
    expect(page.get_by_text("Неправильное имя пользователя или пароль.")).to_be_visible()
    expect(page.locator("#username")).to_have_attribute("aria-invalid", "true")
    assert not page.url.startswith(portal), "no way into the portal"
    screenshot(page, "login-wrong-password")
