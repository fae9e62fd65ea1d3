"""A correction request goes round in a real browser (R3.3): the student opens «Мои оценки», files
«Запросить исправление» about a mark (an empty text refused in place), the teacher finds it in
«Запросы на исправление» from the home page, answers (without a decision refused in place, then
«Исправить оценку» with a 5), opens the mark's history from the journal grid (double click) and sees
the trail; the student reads the answer in the mark's history. The college of test_teacher_day (its own
instance for this module) with one more student, enrolled through the REST API; screens at 1280 and
360 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.keycloak_login import password_token

from .conftest import DESKTOP, Account, horizontal_overflow, log_in, screenshot
from .test_teacher_day import Api, College, college

__all__ = ["college"]  # the fixture, shared with the teacher's day

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
REQUEST_TEXT = "Я писал контрольную на пять, проверьте, пожалуйста, работу"


def test_a_student_files_a_correction_request_and_the_teacher_answers_it(
    college: College, browser: Browser, stack_platform
) -> None:  # type: ignore[no-untyped-def]
    issuer = stack_platform.issuer
    admin = Api(college.portal, password_token(issuer, college.admin.username, college.admin.password))
    teacher_api = Api(
        college.portal, password_token(issuer, college.teacher.username, college.teacher.password)
    )
    created = admin.send(
        "POST", "/api/v1/people", {"role": "student", "last_name": "Дмитриева", "first_name": "Ольга"}
    )
    student_id = created["person_id"]
    admin.send("POST", f"/api/v1/groups/{college.group_id}/students", {"student_id": student_id})
    mark = teacher_api.send(
        "POST",
        "/api/v1/marks",
        {"student_id": student_id, "lesson_id": college.earlier_lesson_id, "value": "3"},
    )
    student = Account(created["username"], created["temporary_password"])

    # The student: «Мои оценки» → «Запросить исправление» on the 3.
    as_student = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", viewport=DESKTOP)  # type: ignore[arg-type]
    as_student.set_default_timeout(20_000)
    page = as_student.new_page()
    log_in(page, college.portal, student)
    page.get_by_role("link", name="Мои оценки").click()
    page.get_by_role("link", name="Запросить исправление").first.click()
    expect(page.locator("h1")).to_have_text("История оценки")
    expect(page.locator(".mark-now")).to_have_text("3")
    page.get_by_role("button", name="Отправить запрос").click()
    expect(page.locator("#correction-problem")).to_contain_text("от 1 до 1000 символов")
    expect(page.locator("#text")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "correction-request-refused")
    page.locator("#text").fill(REQUEST_TEXT)
    page.get_by_role("button", name="Отправить запрос").click()
    expect(page.locator(".notice")).to_contain_text("Запрос отправлен преподавателю")
    expect(page.locator("table.history")).to_contain_text(REQUEST_TEXT)
    expect(page.locator("#text")).to_have_count(0)
    screenshot(page, "correction-request-filed")
    assert horizontal_overflow(page) == 0

    # The teacher: «Запросы на исправление оценок» from the home page, answered.
    as_teacher = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow", viewport=DESKTOP)  # type: ignore[arg-type]
    as_teacher.set_default_timeout(20_000)
    tpage = as_teacher.new_page()
    log_in(tpage, college.portal, college.teacher)
    tpage.goto(f"{college.portal}/")
    tpage.get_by_role("link", name="Запросы на исправление оценок").click()
    request = tpage.locator(".correction.open").first
    expect(request).to_contain_text("Дмитриева")
    expect(request).to_contain_text(REQUEST_TEXT)
    expect(request).to_contain_text("Ждёт ответа")
    request.get_by_label("Ответ обучающемуся").fill("Проверила работу: вы правы, ошибка при переносе")
    request.get_by_role("button", name="Ответить").click()
    request = tpage.locator(".correction.open").first
    expect(request.locator(".form-error")).to_contain_text("Выберите решение")
    expect(request.get_by_label("Ответ обучающемуся")).to_have_value(
        "Проверила работу: вы правы, ошибка при переносе"
    )
    screenshot(tpage, "correction-answer-refused")
    request.get_by_label("Исправить оценку").check()
    request.get_by_label("Новая оценка (если исправляете)").fill("5")
    request.get_by_role("button", name="Ответить").click()
    expect(tpage.locator(".notice")).to_contain_text("Ответ отправлен обучающемуся")
    answered = tpage.locator(".correction").first
    expect(answered).to_contain_text("Оценка исправлена: 5")
    screenshot(tpage, "correction-answered")
    assert horizontal_overflow(tpage) == 0

    # The teacher's grid: a double click on the mark opens its history.
    tpage.goto(f"{college.portal}/journal/{college.group_id}/{college.discipline_id}")
    mark_in_grid = tpage.locator(f'.mark[data-mark="{mark["mark_id"]}"]')
    expect(mark_in_grid).to_have_text("5")
    mark_in_grid.dblclick()
    expect(tpage.locator("h1")).to_have_text("История оценки")
    history = tpage.locator("table.history tbody tr")
    expect(history).to_have_count(4)
    expect(history.nth(0)).to_contain_text("Выставлена")
    expect(history.nth(1)).to_contain_text("Запрос на исправление")
    expect(history.nth(2)).to_contain_text("3 → 5")
    expect(history.nth(3)).to_contain_text("Ответ на запрос: оценка исправлена")
    screenshot(tpage, "mark-history-teacher")
    as_teacher.close()

    # The student reads the answer in the mark's history.
    page.reload()
    expect(page.locator(".mark-now")).to_have_text("5")
    expect(page.locator("table.history")).to_contain_text("Проверила работу: вы правы")
    screenshot(page, "mark-history-student")
    assert horizontal_overflow(page) == 0
    as_student.close()
