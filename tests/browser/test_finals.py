"""«Итоговые оценки» in a real browser (issue 7 items 1-2; R3.1, R3.2): the teacher opens the finals
from the journal page, sees each student's marks counted, average and the proposed final under the
college's rule, sets the proposed final of a student with enough marks, is refused for a student with
too few until ticking the confirmation — the period then closes itself —, and the class teacher finds that student in «Мало оценок» from
the group's journals. Real stack (real Keycloak, the real services); screens saved at 1280 and 360 px."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.keycloak_login import code_flow_token, identity_admin, password_token

from .conftest import DESKTOP, PHONE, Account, horizontal_overflow, log_in, screenshot
from .test_teacher_day import Api, a_year_holding, college_today

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@dataclass
class Finals:
    portal: str
    teacher: Account
    class_teacher: Account
    group_id: str
    discipline_id: str
    student: Account  # Белов, who reads his «Итоговые оценки»


@pytest.fixture(scope="module")
def finals(stack_platform) -> Finals:  # type: ignore[no-untyped-def]
    """A group with a class teacher and two students, mathematics 2 hours a week with an exam this
    semester: Белов has five marks (4.20), Шарова two."""
    gateway, issuer = stack_platform.gateway_url, stack_platform.issuer
    suffix = uuid.uuid4().hex[:6]
    admin_password = f"Adm-{uuid.uuid4().hex[:10]}"
    identity_admin(
        {**os.environ, **stack_platform.env_for("identity")},
        *("create-person", "--role", "admin", "--last-name", "Итогова", "--first-name", "Вера"),
        *("--username", f"fadmin{suffix}", "--password", admin_password),
        bin_dir=str(stack_platform.venv_bin),
    )
    admin = Api(gateway, password_token(issuer, f"fadmin{suffix}", admin_password))

    def person(role: str, last: str, first: str) -> dict[str, str]:
        created: dict[str, str] = admin.send(
            "POST", "/api/v1/people", {"role": role, "last_name": last, "first_name": first}
        )
        return created

    teacher, class_teacher = (
        person("teacher", "Громова", "Ольга"),
        person("class_teacher", "Лебедева", "Инна"),
    )
    students = [person("student", "Белов", "Игорь"), person("student", "Шарова", "Дарья")]
    group = admin.send("POST", "/api/v1/groups", {"name": f"ИТ-{suffix}"})
    group_id = group["group_id"]
    admin.send("PATCH", f"/api/v1/groups/{group_id}", {"class_teacher_id": class_teacher["person_id"]})
    for student in students:
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
    row = {"discipline_id": discipline_id, "semester": semester, "total_hours": 72, "weekly_hours": 2}
    admin.send(
        "PUT",
        f"/api/v1/groups/{group_id}/curriculum?year_id={year_id}",
        {"rows": [{**row, "control_form": "exam"}]},
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
    for student, values in ((students[0], ("5", "4", "4", "3", "5")), (students[1], ("4", "3"))):
        for value in values:
            teacher_api.send(
                "POST",
                "/api/v1/marks",
                {
                    "student_id": student["person_id"],
                    "group_id": group_id,
                    "discipline_id": discipline_id,
                    "lesson_date": day.isoformat(),
                    "value": value,
                    "kind_of_work": "test",
                },
            )
    return Finals(
        gateway,
        teacher_account,
        Account(class_teacher["username"], class_teacher["temporary_password"]),
        group_id,
        discipline_id,
        Account(students[0]["username"], students[0]["temporary_password"]),
    )


def test_the_teacher_sets_finals_with_the_warning_and_the_class_teacher_sees_too_few_marks(
    finals: Finals, browser: Browser
) -> None:
    context = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", viewport=DESKTOP)  # type: ignore[arg-type]
    page = context.new_page()
    log_in(page, finals.portal, finals.teacher)
    page.goto(f"{finals.portal}/journal/{finals.group_id}/{finals.discipline_id}")
    page.get_by_role("link", name="Итоговые оценки").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Итоговые оценки")
    expect(page.locator(".finals-rule")).to_contain_text("среднее арифметическое")
    belov = page.locator("tr", has_text="Белов")
    sharova = page.locator("tr", has_text="Шарова")
    expect(belov).to_contain_text("5 из 5")
    expect(belov).to_contain_text("4.20")
    expect(belov.get_by_role("combobox")).to_have_value("4")
    expect(sharova).to_contain_text("Недостаточно оценок (нужно не менее 5)")
    expect(belov.get_by_text("Недостаточно оценок")).to_have_count(0)
    screenshot(page, "finals-teacher")
    assert horizontal_overflow(page) == 0

    belov.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("status")).to_have_text("Итоговая оценка сохранена.")
    expect(page.locator("tr", has_text="Белов").locator(".final-value")).to_have_text("4")

    sharova = page.locator("tr", has_text="Шарова")
    sharova.get_by_role("combobox").select_option("3")
    sharova.get_by_role("textbox").fill("Пропуски по болезни")
    sharova.get_by_role("button", name="Сохранить").click()
    sharova = page.locator("tr", has_text="Шарова")
    expect(sharova.get_by_role("alert")).to_contain_text(
        "есть 2): отметьте «Подтверждаю: оценок недостаточно»"
    )
    expect(sharova.get_by_role("textbox")).to_have_value("Пропуски по болезни")
    screenshot(page, "finals-not-enough-marks")
    sharova.get_by_label("Подтверждаю: оценок недостаточно").check()
    sharova.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("status")).to_have_text("Итоговая оценка сохранена.")
    sharova = page.locator("tr", has_text="Шарова")
    expect(sharova.locator(".final-value")).to_have_text("3")
    expect(sharova).to_contain_text("выставлена при недостатке оценок")
    # Both finals are set: the period closed itself (slice B) and the forms are gone.
    expect(page.get_by_role("heading", name="Период закрыт")).to_be_visible()
    expect(page.get_by_role("button", name="Сохранить")).to_have_count(0)
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    assert horizontal_overflow(page) == 0
    screenshot(page, "finals-set")
    context.close()

    context = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", viewport=DESKTOP)  # type: ignore[arg-type]
    page = context.new_page()
    log_in(page, finals.portal, finals.class_teacher)
    page.goto(f"{finals.portal}/journal/{finals.group_id}")
    page.get_by_role("link", name="Мало оценок").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Мало оценок")
    row = page.locator("tr", has_text="Шарова")
    expect(row).to_contain_text("2 из 5")
    expect(page.locator("tr", has_text="Белов")).to_have_count(0)
    screenshot(page, "finals-too-few-marks")
    context.close()
