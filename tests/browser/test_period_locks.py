"""Period locks and reopen requests in a real browser (issue 7 item 5; R1.5): the semester is closed,
the teacher finds «Период закрыт» on the journal page with the grid read-only and files «Подать заявку
на открытие» with a reason; the deputy opens «Заявки на открытие» from the home page and approves it for
48 hours; the teacher sees «Открыт до …» and the grid editable again. Real stack (real Keycloak, the
real services); screens saved at 1280 and 360 px. (The window running out is proven with an injected
clock in services/journal/tests/integration/test_period_locks_grpc.py.)"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.keycloak_login import code_flow_token, identity_admin, password_token

from .conftest import DESKTOP, Account, horizontal_overflow, log_in, screenshot
from .test_teacher_day import Api, a_year_holding, college_today

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@dataclass
class Locked:
    portal: str
    teacher: Account
    deputy: Account
    group_id: str
    discipline_id: str
    group_name: str


@pytest.fixture(scope="module")
def locked(stack_platform) -> Locked:  # type: ignore[no-untyped-def]
    """A group with a student and a mark in mathematics today; the semester closed by the admin."""
    gateway, issuer = stack_platform.gateway_url, stack_platform.issuer
    suffix = uuid.uuid4().hex[:6]
    admin_password = f"Adm-{uuid.uuid4().hex[:10]}"
    identity_admin(
        {**os.environ, **stack_platform.env_for("identity")},
        *("create-person", "--role", "admin", "--last-name", "Замкова", "--first-name", "Нина"),
        *("--username", f"ladmin{suffix}", "--password", admin_password),
        bin_dir=str(stack_platform.venv_bin),
    )
    admin = Api(gateway, password_token(issuer, f"ladmin{suffix}", admin_password))

    def person(role: str, last: str, first: str) -> dict[str, str]:
        created: dict[str, str] = admin.send(
            "POST", "/api/v1/people", {"role": role, "last_name": last, "first_name": first}
        )
        return created

    teacher, deputy = person("teacher", "Соколова", "Мария"), person("deputy", "Орлов", "Павел")
    student = person("student", "Зайцев", "Кирилл")
    group_name = f"ЗП-{suffix}"
    group_id = admin.send("POST", "/api/v1/groups", {"name": group_name})["group_id"]
    admin.send("POST", f"/api/v1/groups/{group_id}/students", {"student_id": student["person_id"]})
    discipline_id = admin.send(
        "POST", "/api/v1/disciplines", {"code": f"ЕН.{suffix}", "name": "Математика", "kind": "discipline"}
    )["discipline_id"]
    admin.send(
        "POST",
        "/api/v1/teaching-loads",
        {"teacher_id": teacher["person_id"], "group_id": group_id, "discipline_id": discipline_id},
    )
    day = college_today()
    year_id, semester = a_year_holding(admin, day)
    teacher_account = Account(teacher["username"], f"{teacher['temporary_password']}-Own", temporary=False)
    teacher_api = Api(
        gateway,
        code_flow_token(
            issuer,
            f"{gateway}/auth/callback",
            teacher["username"],
            teacher["temporary_password"],
            teacher_account.password,
        ),
    )
    mark = {
        "student_id": student["person_id"],
        "group_id": group_id,
        "discipline_id": discipline_id,
        "lesson_date": day.isoformat(),
        "value": "4",
    }
    teacher_api.send("POST", "/api/v1/marks", mark)
    admin.send(
        "POST",
        f"/api/v1/groups/{group_id}/disciplines/{discipline_id}/period-locks",
        {"year_id": year_id, "semester": semester},
    )
    # The lock holds for the API too: the same mark again is refused with the journal's reason.
    refused = teacher_api.send("POST", "/api/v1/marks", mark, expected=(409,))
    assert refused["error"]["code"] == "period_closed"
    return Locked(
        gateway,
        teacher_account,
        Account(deputy["username"], deputy["temporary_password"]),
        group_id,
        discipline_id,
        group_name,
    )


def test_closed_request_approved_by_the_deputy_and_open_for_48_hours(
    locked: Locked, browser: Browser
) -> None:
    journal = f"{locked.portal}/journal/{locked.group_id}/{locked.discipline_id}"
    teacher_view = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", viewport=DESKTOP)  # type: ignore[arg-type]
    page = teacher_view.new_page()
    log_in(page, locked.portal, locked.teacher)
    page.goto(journal)
    lock = page.locator("section.period-lock")
    expect(lock.get_by_role("heading", name="Период закрыт")).to_be_visible()
    expect(lock).to_contain_text("итоговые оценки выставлены")
    expect(page.locator("#journal-grid")).to_have_attribute("data-editable", "0")
    screenshot(page, "period-locks-closed")
    assert horizontal_overflow(page) == 0

    lock.get_by_label("Чтобы исправить, укажите причину").fill("Ошибка в оценке Зайцева за контрольную")
    lock.get_by_role("button", name="Подать заявку на открытие").click()
    expect(page.locator("section.period-lock")).to_contain_text("ждёт решения заместителя директора")
    expect(page.get_by_role("button", name="Подать заявку на открытие")).to_have_count(0)
    screenshot(page, "period-locks-requested")

    deputy_view = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", viewport=DESKTOP)  # type: ignore[arg-type]
    deputy = deputy_view.new_page()
    log_in(deputy, locked.portal, locked.deputy)
    deputy.goto(f"{locked.portal}/")
    deputy.get_by_role("link", name="Заявки на открытие").click()
    expect(deputy.get_by_role("heading", level=1)).to_have_text("Заявки на открытие")
    row = deputy.locator("tr", has_text=locked.group_name)
    expect(row).to_contain_text("Математика")
    expect(row).to_contain_text("Соколова Мария")
    expect(row).to_contain_text("Ошибка в оценке Зайцева за контрольную")
    expect(row.get_by_label("Открыть на")).to_have_value("48")
    screenshot(deputy, "period-locks-deputy")
    assert horizontal_overflow(deputy) == 0
    row.get_by_role("button", name="Одобрить").click()
    expect(deputy.get_by_role("status")).to_have_text("Заявка одобрена: период открыт.")
    expect(deputy.locator("tr", has_text=locked.group_name)).to_have_count(0)

    page.goto(journal)
    reopened = page.locator("section.period-lock")
    expect(reopened.get_by_role("heading")).to_contain_text("Открыт до ")
    expect(page.locator("#journal-grid")).to_have_attribute("data-editable", "1")
    screenshot(page, "period-locks-reopened")
    assert horizontal_overflow(page) == 0
    deputy_view.close()
    teacher_view.close()
