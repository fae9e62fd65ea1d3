"""«Учётные записи» of a group (issue 8 items 2, 3, 10; slice H1) in a real browser on the real stack:
the class teacher opens the page from the home page, ticks two students and «Выдать пароли и
распечатать» downloads one PDF with a page each; a student who was logged in before finds their
Keycloak session ended (logging in again asks for the password) and logs in with the password printed on
their slip; «Сбросить пароль» of one student gives a one-page slip; another class teacher asking for
this group's accounts is refused. The journal's events reach identity over real NATS (the class
teacher and the enrolments). Screenshots at 1280 and 360 px."""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.keycloak_login import identity_admin, password_token
from tests.e2e.pdf_text import after, page_strings

from .conftest import DESKTOP, PHONE, Account, horizontal_overflow, log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def page_count(pdf: bytes) -> int:
    """Count the page objects of a PDF (not the /Pages tree)."""
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


def slip_passwords(pdf: bytes) -> dict[str, str]:
    """Read each slip as a person does: login → the password printed under it."""
    return {after(strings, "Логин:"): after(strings, "Пароль:") for strings in page_strings(pdf)}


@dataclass
class Group:
    portal: str
    group_id: str
    name: str
    teacher: Account
    other_teacher: Account
    students: dict[str, Account]  # surname → account


@pytest.fixture(scope="module")
def group(stack_platform) -> Group:  # type: ignore[no-untyped-def]
    """A group led by a class teacher with two students enrolled, a parent linked to the first, and a
    second group with another class teacher; set up through the REST API as the admin would."""
    suffix = uuid.uuid4().hex[:6]
    password = f"Acc-{uuid.uuid4().hex[:10]}"
    identity_admin(
        {**os.environ, **stack_platform.env_for("identity")},
        *("create-person", "--role", "admin", "--last-name", "Учётова", "--first-name", "Инна"),
        *("--username", f"aadmin{suffix}", "--password", password),
        bin_dir=str(stack_platform.venv_bin),
    )
    token = password_token(stack_platform.issuer, f"aadmin{suffix}", password)
    mark = "".join(chr(ord("а") + int(c, 16)) for c in suffix)
    with httpx.Client(
        base_url=stack_platform.gateway_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as api:

        def send(method: str, path: str, body: dict[str, Any], expect: int = 201) -> Any:
            response = api.request(method, path, json=body)
            assert response.status_code == expect, f"{path}: {response.status_code} {response.text}"
            return response.json()

        people = {}
        for key, role, last in (
            ("teacher", "class_teacher", f"Классная{mark}"),
            ("other", "class_teacher", f"Соседняя{mark}"),
            ("first", "student", f"Первова{mark}"),
            ("second", "student", f"Вторых{mark}"),
            ("parent", "parent", f"Первов{mark}"),
        ):
            people[key] = send(
                "POST", "/api/v1/people", {"role": role, "last_name": last, "first_name": "Анна"}
            )
        send(
            "POST",
            f"/api/v1/students/{people['first']['person_id']}/guardians",
            {"parent_id": people["parent"]["person_id"]},
        )
        groups = {}
        for key, teacher in (("mine", "teacher"), ("theirs", "other")):
            created = send("POST", "/api/v1/groups", {"name": f"УЗ-{key[:1]}{suffix}"})
            groups[key] = created["group_id"]
            send(
                "PATCH",
                f"/api/v1/groups/{created['group_id']}",
                {"class_teacher_id": people[teacher]["person_id"]},
                expect=200,
            )
        for key in ("first", "second"):
            send(
                "POST",
                f"/api/v1/students/{people[key]['person_id']}/movements",
                {
                    "kind": "enrolment",
                    "on_date": (date.today() - timedelta(days=30)).isoformat(),
                    "order_number": "№ 7-к",
                    "to_group_id": groups["mine"],
                },
            )

    def account(key: str) -> Account:
        return Account(people[key]["username"], people[key]["temporary_password"])

    return Group(
        portal=stack_platform.gateway_url,
        group_id=groups["mine"],
        name=f"УЗ-m{suffix}",
        teacher=account("teacher"),
        other_teacher=account("other"),
        students={f"Первова{mark}": account("first"), f"Вторых{mark}": account("second")},
    )


def test_the_class_teacher_issues_and_resets_passwords_on_paper(
    page: Page, browser: Browser, group: Group
) -> None:
    first_name, second_name = list(group.students)
    first = group.students[first_name]
    student_context = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", viewport=DESKTOP)  # type: ignore[arg-type]
    student_context.set_default_timeout(20_000)
    student = student_context.new_page()
    try:
        # The student is logged in before the class teacher resets their password.
        log_in(student, group.portal, first)
        expect(student.locator("h1")).to_be_visible()
        # Keycloak's single sign-on session is alive: a new login goes through without the form.
        student.goto(f"{group.portal}/login")
        student.wait_for_url(f"{group.portal}/**")

        log_in(page, group.portal, group.teacher)
        page.get_by_role("link", name="Учётные записи").first.click()
        page.wait_for_url(f"{group.portal}/groups/{group.group_id}/accounts")
        expect(page.locator("h1")).to_have_text(f"Учётные записи группы {group.name}")
        # The journal's events reach identity's projection over NATS within a moment.
        for _ in range(40):
            if page.locator("table.accounts tbody tr.student").count() == 2:
                break
            page.wait_for_timeout(250)
            page.reload()
        rows = page.locator("table.accounts tbody tr")
        expect(rows.filter(has_text=first_name)).to_contain_text("не выдавался")
        expect(page.locator("table.accounts tbody tr.parent")).to_have_count(1)
        screenshot(page, "accounts")

        page.get_by_label(f"Выдать пароль: {first_name}").check()
        page.get_by_label(f"Выдать пароль: {second_name}").check()
        with page.expect_download() as issued:
            page.get_by_role("button", name="Выдать пароли и распечатать").click()
        pdf = issued.value.path().read_bytes()
        assert pdf.startswith(b"%PDF") and page_count(pdf) == 2
        passwords = slip_passwords(pdf)
        assert set(passwords) == {first.username, group.students[second_name].username}, passwords

        # The student's Keycloak session ended at once: logging in again asks for the password (the
        # portal's own session then fails at its next token refresh, within the access token's life).
        student.goto(f"{group.portal}/login")
        student.wait_for_selector("#kc-login")
        student.fill("#username", first.username)
        student.fill("#password", passwords[first.username])
        student.click("#kc-login")
        student.wait_for_url(f"{group.portal}/**")
        expect(student.locator("h1")).to_be_visible()

        page.reload()
        expect(rows.filter(has_text=first_name)).not_to_contain_text("не выдавался")
        with page.expect_download() as reset:
            rows.filter(has_text=second_name).get_by_role("button", name="Сбросить пароль").click()
        assert page_count(reset.value.path().read_bytes()) == 1
        screenshot(page, "accounts-issued")
        page.set_viewport_size(PHONE)  # type: ignore[arg-type]
        assert horizontal_overflow(page) == 0, "«Учётные записи» scrolls sideways at 360 px"
    finally:
        student_context.close()


def test_another_class_teacher_is_refused(page: Page, group: Group) -> None:
    log_in(page, group.portal, group.other_teacher)
    refused = page.goto(f"{group.portal}/groups/{group.group_id}/accounts")
    assert refused is not None and refused.status in (403, 404), refused and refused.status
    expect(page.locator("table.accounts")).to_have_count(0)
    expect(page.get_by_text("Выдать пароли и распечатать")).to_have_count(0)
    screenshot(page, "accounts-refused")
