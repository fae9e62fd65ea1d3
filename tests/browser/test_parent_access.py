"""An adult student and their parent's access (issue 8 item 5, 152-ФЗ) in a real browser: the parent's
home says the diary of their 18-year-old child is closed; the student opens «Доступ родителей» from the
home page, reads why, «Разрешить» → the parent's home lists the child again and the diary opens;
«Отозвать» → closed again. Real stack (devstack's test profile, real Keycloak); people set up through
the REST API as the administration would. Screenshots at 1280 and 360 px."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.keycloak_login import identity_admin, password_token

from .conftest import DESKTOP, PHONE, Account, horizontal_overflow, log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
CLOSED = "Доступ к дневнику вашего ребёнка закрыт"


class Api:
    def __init__(self, base: str, token: str) -> None:
        self.client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    def send(self, method: str, path: str, body: dict[str, Any], expect: int = 201) -> Any:
        response = self.client.request(method, path, json=body)
        assert response.status_code == expect, f"{path}: {response.status_code} {response.text}"
        return response.json()


@dataclass
class Family:
    portal: str
    student: Account
    parent: Account
    child_name: str
    parent_name: str


@pytest.fixture(scope="module")
def family(stack_platform) -> Family:  # type: ignore[no-untyped-def]
    """A student of 19 with no consent given, and their parent."""
    gateway, issuer = stack_platform.gateway_url, stack_platform.issuer
    suffix = uuid.uuid4().hex[:6]
    admin_password = f"Adm-{uuid.uuid4().hex[:10]}"
    identity_admin(
        {**os.environ, **stack_platform.env_for("identity")},
        *("create-person", "--role", "admin", "--last-name", "Согласиев", "--first-name", "Илья"),
        *("--username", f"cadmin{suffix}", "--password", admin_password),
        bin_dir=str(stack_platform.venv_bin),
    )
    admin = Api(gateway, password_token(issuer, f"cadmin{suffix}", admin_password))
    student = admin.send(
        "POST",
        "/api/v1/people",
        {"role": "student", "last_name": "Журавлёва", "first_name": "Дарья", "middle_name": "Игоревна"},
    )
    parent = admin.send(
        "POST", "/api/v1/people", {"role": "parent", "last_name": "Журавлёв", "first_name": "Игорь"}
    )
    admin.send(
        "POST", f"/api/v1/students/{student['person_id']}/guardians", {"parent_id": parent["person_id"]}
    )
    born = date(date.today().year - 19, 1, 15).isoformat()
    admin.send("PUT", f"/api/v1/people/{student['person_id']}/birth-date", {"birth_date": born}, expect=200)
    return Family(
        portal=gateway,
        student=Account(student["username"], student["temporary_password"]),
        parent=Account(parent["username"], parent["temporary_password"]),
        child_name="Журавлёва Дарья Игоревна",
        parent_name="Журавлёв Игорь",
    )


def test_an_adult_student_grants_and_withdraws_their_parents_access(
    page: Page, browser: Browser, family: Family
) -> None:
    parent_context = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", viewport=DESKTOP)  # type: ignore[arg-type]
    parent_context.set_default_timeout(20_000)
    parent = parent_context.new_page()
    try:
        log_in(parent, family.portal, family.parent)
        expect(parent.get_by_text(CLOSED)).to_be_visible()
        expect(parent.get_by_role("link", name=family.child_name)).to_have_count(0)
        screenshot(parent, "parent-access-closed")

        log_in(page, family.portal, family.student)
        page.get_by_role("link", name="Доступ родителей").click()
        page.wait_for_url(f"{family.portal}/parent-access")
        expect(page.locator("h1")).to_have_text("Доступ родителей к моим данным")
        expect(page.get_by_text("Вам исполнилось 18 лет")).to_be_visible()
        row = page.locator("table.parent-access tbody tr")
        expect(row).to_contain_text(family.parent_name)
        expect(row).to_contain_text("не давалось")
        screenshot(page, "student-parent-access")

        row.get_by_role("button", name="Разрешить").click()
        expect(page.get_by_text("Доступ разрешён.")).to_be_visible()
        expect(row).to_contain_text("дано")
        screenshot(page, "student-parent-access-granted")

        parent.reload()
        expect(parent.get_by_text(CLOSED)).to_have_count(0)
        parent.get_by_role("link", name=family.child_name).click()
        expect(parent.locator("h1")).to_contain_text(family.child_name)
        screenshot(parent, "parent-access-diary-open")

        page.get_by_role("button", name="Отозвать").click()
        expect(page.get_by_text("Доступ отозван.")).to_be_visible()
        expect(row).to_contain_text("отозвано")
        parent.goto(f"{family.portal}/")
        expect(parent.get_by_text(CLOSED)).to_be_visible()

        page.set_viewport_size(PHONE)  # type: ignore[arg-type]
        assert horizontal_overflow(page) == 0, "«Доступ родителей» scrolls sideways at 360 px"
        parent.set_viewport_size(PHONE)  # type: ignore[arg-type]
        assert horizontal_overflow(parent) == 0, "the parent's home scrolls sideways at 360 px"
    finally:
        parent_context.close()
