"""«Демонстрационный экзамен» and «Задолженности» in a real browser (issue 7 items 3, 4): the teacher
opens the demonstration exam from the journal page, types a student's points and the maximum and sees
the percent and the mark; the admin's new version of the table is refused in place for a gap; the
teacher records a failed first retake of a failing exam, is refused the second without a commission,
picks the commission by name and closes the debt; the student reads it in «Мои задолженности» on a
phone. Real stack (real Keycloak, the real services); screens saved at 1280 and 360 px."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.keycloak_login import code_flow_token, identity_admin, password_token

from .conftest import DESKTOP, PHONE, Account, horizontal_overflow, log_in, screenshot
from .test_teacher_day import Api, a_year_holding

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@dataclass
class College:
    portal: str
    admin: Account
    teacher: Account
    curator: Account
    student: Account
    group_id: str
    exam_discipline_id: str
    demo_discipline_id: str
    commission: str


@pytest.fixture(scope="module")
def college(stack_platform) -> College:  # type: ignore[no-untyped-def]
    """A group with two students; the teacher teaches «Разработка ПО» (a demonstration exam this
    semester) and «Физика» (an exam, where Орлов got 2); three teachers for a commission."""
    gateway, issuer = stack_platform.gateway_url, stack_platform.issuer
    suffix = uuid.uuid4().hex[:6]
    # Names hold letters only: the commission's surname is unique to the run in Cyrillic letters.
    commission = "Комиссова" + "".join("абвгдежзийклмноп"[int(c, 16)] for c in suffix)
    admin_password = f"Adm-{uuid.uuid4().hex[:10]}"
    identity_admin(
        {**os.environ, **stack_platform.env_for("identity")},
        *("create-person", "--role", "admin", "--last-name", "Долгова", "--first-name", "Вера"),
        *("--username", f"dadmin{suffix}", "--password", admin_password),
        bin_dir=str(stack_platform.venv_bin),
    )
    admin = Api(gateway, password_token(issuer, f"dadmin{suffix}", admin_password))

    def person(role: str, last: str, first: str) -> dict[str, str]:
        created: dict[str, str] = admin.send(
            "POST", "/api/v1/people", {"role": role, "last_name": last, "first_name": first}
        )
        return created

    teacher = person("teacher", "Зайцева", "Марина")
    curator = person("curator", "Кураторова", "Нина")
    for n in range(3):
        person("teacher", commission, ("Анна", "Вера", "Ирина")[n])
    students = [person("student", "Орлов", "Денис"), person("student", "Соколова", "Яна")]
    group_id = admin.send("POST", "/api/v1/groups", {"name": f"ДЭ-{suffix}"})["group_id"]
    for student in students:
        admin.send("POST", f"/api/v1/groups/{group_id}/students", {"student_id": student["person_id"]})

    def discipline(code: str, name: str) -> str:
        found: str = admin.send(
            "POST", "/api/v1/disciplines", {"code": f"{code}.{suffix}", "name": name, "kind": "discipline"}
        )["discipline_id"]
        admin.send(
            "POST",
            "/api/v1/teaching-loads",
            {"teacher_id": teacher["person_id"], "group_id": group_id, "discipline_id": found},
        )
        return found

    demo, exam = discipline("МДК", "Разработка ПО"), discipline("ОП", "Физика")
    day = datetime.now(ZoneInfo("Europe/Moscow")).date()
    year_id, semester = a_year_holding(admin, day)
    rows = [
        {"discipline_id": demo, "semester": semester, "total_hours": 72, "weekly_hours": 2},
        {"discipline_id": exam, "semester": semester, "total_hours": 72, "weekly_hours": 2},
    ]
    admin.send(
        "PUT",
        f"/api/v1/groups/{group_id}/curriculum?year_id={year_id}",
        {
            "rows": [
                {**rows[0], "control_form": "demonstration_exam"},
                {**rows[1], "control_form": "exam"},
            ]
        },
    )
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
    teacher_api.send(
        "PUT",
        f"/api/v1/groups/{group_id}/finals/{students[0]['person_id']}",
        {
            "discipline_id": exam,
            "year_id": year_id,
            "semester": semester,
            "kind": "exam",
            "value": "2",
            "confirm_not_enough_marks": True,
        },
    )
    return College(
        gateway,
        Account(f"dadmin{suffix}", admin_password, temporary=False),
        teacher_account,
        Account(curator["username"], curator["temporary_password"]),
        Account(students[0]["username"], students[0]["temporary_password"]),
        group_id,
        exam,
        demo,
        commission,
    )


def test_the_teacher_records_a_demonstration_exam_and_the_admin_is_refused_a_gap(
    college: College, browser: Browser
) -> None:
    context = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", viewport=DESKTOP)  # type: ignore[arg-type]
    page = context.new_page()
    log_in(page, college.portal, college.teacher)
    page.goto(f"{college.portal}/journal/{college.group_id}/{college.demo_discipline_id}")
    page.get_by_role("link", name="Демонстрационный экзамен").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Демонстрационный экзамен")
    expect(page.get_by_text("20–39.99 % → 3")).to_be_visible()
    orlov = page.locator("tr", has_text="Орлов")
    orlov.get_by_label("Баллы").fill("50")
    orlov.get_by_label("из").fill("45")
    orlov.get_by_role("button", name="Записать").click()
    expect(page.get_by_role("alert")).to_contain_text("Баллов (50) больше максимума (45)")
    orlov = page.locator("tr", has_text="Орлов")
    expect(orlov.get_by_label("Баллы")).to_have_value("50")
    orlov.get_by_label("Баллы").fill("27")
    orlov.get_by_role("button", name="Записать").click()
    orlov = page.locator("tr", has_text="Орлов")
    expect(orlov).to_contain_text("60.00 %")
    expect(orlov.locator(".mark")).to_have_text("4")
    expect(orlov).to_contain_text("версия 1")
    screenshot(page, "demo-exam-teacher")
    context.close()

    context = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", viewport=DESKTOP)  # type: ignore[arg-type]
    page = context.new_page()
    log_in(page, college.portal, college.admin)
    page.get_by_role("link", name="Шкала демонстрационного экзамена").click()
    expect(page.get_by_role("heading", name="Версия 1 (действует)")).to_be_visible()
    page.get_by_label("Строка 1: до, %").fill("19")
    page.get_by_role("button", name="Сохранить новую версию").click()
    expect(page.get_by_role("alert")).to_contain_text("пропуск между 19 % и 20 %")
    expect(page.get_by_label("Строка 1: до, %")).to_have_value("19")
    screenshot(page, "demo-exam-scale-admin")
    context.close()


def test_a_debt_is_retaken_before_a_commission_picked_by_name_and_the_student_reads_it(
    college: College, browser: Browser
) -> None:
    context = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", viewport=DESKTOP)  # type: ignore[arg-type]
    page = context.new_page()
    log_in(page, college.portal, college.teacher)
    page.goto(f"{college.portal}/debts/{college.group_id}")
    debt = page.locator("tr", has_text="Орлов").first
    expect(debt).to_contain_text("Первая пересдача")
    page.get_by_text("Записать пересдачу: Орлов").click()
    form = page.locator("form", has=page.get_by_role("button", name="Записать пересдачу"))
    form.get_by_label("Оценка").select_option("2")
    form.get_by_role("button", name="Записать пересдачу").click()
    expect(page.get_by_role("status")).to_have_text("Пересдача записана.")
    expect(page.locator("tr", has_text="Орлов").first).to_contain_text("Вторая пересдача — комиссией")

    page.get_by_text("Записать пересдачу: Орлов").click()
    form = page.locator("form", has=page.get_by_role("button", name="Записать пересдачу"))
    form.get_by_label("Оценка").select_option("3")
    form.get_by_role("button", name="Записать пересдачу").click()
    expect(page.get_by_role("alert")).to_contain_text("Вторая пересдача проводится комиссией")
    form = page.locator("form", has=page.get_by_role("button", name="Записать пересдачу"))
    expect(form.get_by_label("Оценка")).to_have_value("3")
    context.close()

    # The curator holds the commission's retake: the members found by surname, the chairman chosen.
    context = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", viewport=DESKTOP)  # type: ignore[arg-type]
    page = context.new_page()
    log_in(page, college.portal, college.curator)
    page.goto(f"{college.portal}/debts/{college.group_id}")
    page.get_by_text("Записать пересдачу: Орлов").click()
    form = page.locator("form", has=page.get_by_role("button", name="Записать пересдачу"))
    form.get_by_label("Оценка").select_option("3")
    form.get_by_label("Фамилия преподавателя").fill(college.commission)
    form.get_by_role("button", name="Найти").click()
    form = page.locator("form", has=page.get_by_role("button", name="Записать пересдачу"))
    members = form.locator("ul.commission li")
    expect(members).to_have_count(3)
    for n in range(3):
        members.nth(n).get_by_role("checkbox").check()
    members.nth(0).get_by_role("radio").check()
    screenshot(page, "debts-commission")
    form.get_by_role("button", name="Записать пересдачу").click()
    expect(page.get_by_role("status")).to_have_text("Пересдача записана.")
    orlov = page.locator("tr", has_text="Орлов").first
    expect(orlov).to_contain_text("Ликвидирована: 3")
    expect(orlov).to_contain_text("(комиссия)")
    screenshot(page, "debts-group")
    context.close()

    context = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", viewport=PHONE)  # type: ignore[arg-type]
    page = context.new_page()
    log_in(page, college.portal, college.student)
    page.get_by_role("link", name="Мои задолженности").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Мои академические задолженности")
    row = page.locator("tr", has_text="Физика")
    expect(row).to_contain_text("Ликвидирована: 3")
    expect(row).to_contain_text("2) ")
    assert horizontal_overflow(page) == 0
    screenshot(page, "debts-student")
    context.close()
