"""Issue 6's flow in a real browser: a teacher opens today's pair from «Сегодня», records the lesson
with a KTP topic and homework for a chosen student, marks the group's attendance and three marks by
keyboard (a value outside the dictionary refused in place); the parent reads them in the week's
diary; the class teacher gives an absence its reason in «Пропуски»; the admin reads the journal
without being able to write.

Real stack (devstack's test profile, real Keycloak, the real services). The college is set up through
the REST API as the administration would (people, group, discipline, load, bell schedule, a year
holding today, the timetable, the KTP); each key screen is saved at 1280 and 360 px.
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.keycloak_login import code_flow_token, identity_admin, password_token
from tests.e2e.semesters import holding

from .conftest import DESKTOP, PHONE, Account, horizontal_overflow, log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

TOPIC = "Тема 2.3. Производная сложной функции"
HOMEWORK = "Учебник, § 14, № 231–235"
STUDENTS = (("Алексеев", "Андрей"), ("Борисова", "Вера"), ("Васильев", "Глеб"))


class Api:
    def __init__(self, base: str, token: str) -> None:
        self.client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    def send(self, method: str, path: str, body: Any = None, expected: tuple[int, ...] = (200, 201)) -> Any:
        response = self.client.request(method, path, json=body)
        assert response.status_code in expected, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None


@dataclass
class College:
    portal: str
    day: date
    today_path: str
    teacher: Account
    parent: Account
    class_teacher: Account
    admin: Account
    group_id: str
    group_name: str
    discipline_id: str
    student_ids: list[str]
    earlier_lesson_id: str


def college_today() -> date:
    """Return the college's today (the stack's default time zone), moved back from a Sunday."""
    today = datetime.now(ZoneInfo("Europe/Moscow")).date()
    return today - timedelta(days=1) if today.isoweekday() == 7 else today


def a_year_holding(admin: Api, day: date) -> tuple[str, int]:
    """Return the academic year holding `day` and the semester number; open one when there is none
    (the lane's semesters as the end-to-end tests pick them: tests/e2e/semesters.py)."""
    found = holding(admin, day)
    assert found is not None, f"no semester holds {day}"
    return found.year_id, found.number


@pytest.fixture(scope="module")
def college(stack_platform) -> College:  # type: ignore[no-untyped-def]
    """A group of three students with a parent, its class teacher, a teacher with the load and a pair
    today in the timetable, a KTP, and an earlier pair of today already recorded with Борисова absent."""
    gateway, issuer = stack_platform.gateway_url, stack_platform.issuer
    suffix = uuid.uuid4().hex[:6]
    admin_password = f"Adm-{uuid.uuid4().hex[:10]}"
    identity_admin(
        {**os.environ, **stack_platform.env_for("identity")},
        *("create-person", "--role", "admin", "--last-name", "Журналова", "--first-name", "Ирина"),
        *("--username", f"jadmin{suffix}", "--password", admin_password),
        bin_dir=str(stack_platform.venv_bin),
    )
    admin = Api(gateway, password_token(issuer, f"jadmin{suffix}", admin_password))

    def person(role: str, last: str, first: str) -> dict[str, str]:
        body = {"role": role, "last_name": last, "first_name": first}
        created: dict[str, str] = admin.send("POST", "/api/v1/people", body)
        return created

    teacher = person("teacher", "Орлова", "Нина")
    class_teacher = person("class_teacher", "Кузнецова", "Мария")
    students = [person("student", last, first) for last, first in STUDENTS]
    parent = person("parent", "Алексеева", "Елена")
    admin.send(
        "POST", f"/api/v1/students/{students[0]['person_id']}/guardians", {"parent_id": parent["person_id"]}
    )
    group_name = f"ИСП-{suffix}"
    group = admin.send("POST", "/api/v1/groups", {"name": group_name})
    admin.send(
        "PATCH", f"/api/v1/groups/{group['group_id']}", {"class_teacher_id": class_teacher["person_id"]}
    )
    for student in students:
        admin.send(
            "POST", f"/api/v1/groups/{group['group_id']}/students", {"student_id": student["person_id"]}
        )
    discipline = admin.send(
        "POST",
        "/api/v1/disciplines",
        {"code": "ЕН.01", "name": "Элементы высшей математики", "kind": "discipline"},
    )
    load = {"teacher_id": teacher["person_id"], "group_id": group["group_id"]}
    admin.send("POST", "/api/v1/teaching-loads", {**load, "discipline_id": discipline["discipline_id"]})
    if len(admin.send("GET", "/api/v1/bell-schedule")["pairs"]) < 2:
        pairs = [("08:30", "10:00"), ("10:10", "11:40"), ("12:10", "13:40"), ("13:50", "15:20")]
        admin.send(
            "PUT",
            "/api/v1/bell-schedule",
            {
                "pairs": [
                    {"number": n, "starts_at": a, "ends_at": b} for n, (a, b) in enumerate(pairs, start=1)
                ]
            },
        )
    day = college_today()
    year_id, semester = a_year_holding(admin, day)
    entry = {"weekday": day.isoweekday(), "pair_number": 1, "discipline_id": discipline["discipline_id"]}
    admin.send(
        "PUT",
        f"/api/v1/groups/{group['group_id']}/timetable?year_id={year_id}&semester={semester}",
        {"entries": [{**entry, "teacher_id": teacher["person_id"], "room": "305"}]},
    )
    admin.send(
        "PUT",
        f"/api/v1/groups/{group['group_id']}/disciplines/{discipline['discipline_id']}/ktp",
        {
            "topics": [
                {"title": "Тема 2.2. Производная", "hours": 2, "kind": "lecture"},
                {"title": TOPIC, "hours": 2, "kind": "practical"},
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
    # Pair 2 of the same day, recorded through the API: Борисова absent (no reason yet), a 4 for Васильев.
    earlier = teacher_api.send(
        "POST",
        "/api/v1/lessons",
        {
            "group_id": group["group_id"],
            "discipline_id": discipline["discipline_id"],
            "lesson_date": day.isoformat(),
            "pair_number": 2,
            "topic": "Тема 2.2. Производная",
            "kind": "lecture",
        },
    )["lesson"]
    statuses = ("present", "absent", "present")
    teacher_api.send(
        "PUT",
        f"/api/v1/lessons/{earlier['lesson_id']}/attendance",
        {
            "entries": [
                {"student_id": s["person_id"], "status": st} for s, st in zip(students, statuses, strict=True)
            ]
        },
    )
    teacher_api.send(
        "POST",
        "/api/v1/marks",
        {"student_id": students[2]["person_id"], "lesson_id": earlier["lesson_id"], "value": "4"},
    )
    today_path = (
        "/" if day == datetime.now(ZoneInfo("Europe/Moscow")).date() else f"/today?date={day.isoformat()}"
    )
    return College(
        portal=gateway,
        day=day,
        today_path=today_path,
        teacher=teacher_account,
        parent=Account(parent["username"], parent["temporary_password"]),
        class_teacher=Account(class_teacher["username"], class_teacher["temporary_password"]),
        admin=Account(f"jadmin{suffix}", admin_password, temporary=False),
        group_id=group["group_id"],
        group_name=group_name,
        discipline_id=discipline["discipline_id"],
        student_ids=[s["person_id"] for s in students],
        earlier_lesson_id=earlier["lesson_id"],
    )


def cell(page: Page, student_id: str, lesson_id: str) -> Any:
    return page.locator(f'tr[data-student="{student_id}"] td[data-lesson="{lesson_id}"]')


def marks_in(page: Page, student_id: str, lesson_id: str) -> list[str]:
    return cell(page, student_id, lesson_id).locator(".marks .mark").all_inner_texts()


def test_a_teacher_records_todays_pair_attendance_marks_and_homework_and_the_parent_reads_them(
    page: Page, browser: Browser, college: College
) -> None:
    portal = college.portal
    alekseev, borisova, vasiliev = college.student_ids
    log_in(page, portal, college.teacher)
    if college.today_path != "/":
        page.goto(f"{portal}{college.today_path}")
    pair = page.locator(".today-list li").first
    expect(pair).to_contain_text("1 пара")
    expect(pair).to_contain_text(f"{college.group_name} — ЕН.01 Элементы высшей математики, ауд. 305")
    expect(pair).to_contain_text("Занятие ещё не записано")
    screenshot(page, "teacher-today")

    # The pair's link opens the journal with the lesson form filled with today's date and pair 1.
    pair.get_by_role("link", name="Записать занятие").click()
    expect(page.locator("h1")).to_contain_text(f"Журнал: {college.group_name}")
    expect(page.locator("#lesson_date")).to_have_value(college.day.strftime("%d.%m.%Y"))
    expect(page.locator("#pair_number")).to_have_value("1")
    page.locator("#ktp_topic_id").select_option(label=f"2. {TOPIC} (2 ч)")
    page.locator("#kind").select_option(label="Практическое занятие")
    page.locator("#homework").fill(HOMEWORK)
    page.locator("#homework_deadline").fill((college.day + timedelta(days=7)).strftime("%d.%m.%Y"))
    page.locator(f'input[name="homework_student_ids"][value="{alekseev}"]').check()  # for him only
    page.get_by_role("button", name="Записать занятие").click()
    expect(page.get_by_role("status").first).to_contain_text("Занятие записано")
    opened = page.locator("th.lesson.opened")
    lesson_id = opened.get_attribute("data-lesson") or ""
    assert lesson_id, "the recorded lesson's column is opened"
    expect(opened).to_have_attribute("title", f"{TOPIC} · Задание: {HOMEWORK}")

    # Attendance of the whole group: «все» (everyone present), then «н» on Борисова → one request.
    first_cell = cell(page, alekseev, lesson_id).locator(".cell-input")
    expect(first_cell).to_be_focused()
    opened.get_by_role("button", name="все").click()
    page.keyboard.press("ArrowDown")
    page.keyboard.type("н")
    page.keyboard.press("Enter")
    expect(page.locator("#grid-status")).to_have_text("Посещаемость сохранена: отсутствуют или опоздали — 1")
    expect(cell(page, borisova, lesson_id).locator(".att")).to_have_text("н")

    # Three marks by keyboard: Васильев 4 (the focus is on his cell now), Алексеев 5, then a 7 the
    # college's dictionary does not have, refused in place with the journal's reason, and a 3.
    expect(cell(page, vasiliev, lesson_id).locator(".cell-input")).to_be_focused()
    page.keyboard.type("4")
    page.keyboard.press("Enter")
    expect(page.locator("#grid-status")).to_have_text("Сохранено: 4")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    expect(page.locator("#grid-status")).to_have_text("Сохранено: 5")
    page.keyboard.press("ArrowUp")
    page.keyboard.type("7")
    page.keyboard.press("Enter")
    refused = cell(page, alekseev, lesson_id)
    expect(refused).to_have_class(re.compile(r"\brefused\b"))
    expect(page.locator("#grid-status")).to_contain_text("Не сохранено: «7»")
    expect(refused.locator(".cell-input")).to_have_value("7")  # what was typed stays
    page.keyboard.press("ArrowUp")
    refused.hover()
    expect(refused.locator(".cell-error")).to_be_visible()
    screenshot(page, "teacher-journal-refused")
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    expect(page.locator("#grid-status")).to_have_text("Сохранено: 3")
    expect(refused).not_to_have_class(re.compile(r"\brefused\b"))

    # Everything is in the journal: the page read again shows it.
    page.reload()
    assert marks_in(page, alekseev, lesson_id) == ["5", "3"]
    assert marks_in(page, vasiliev, lesson_id) == ["4"]
    expect(cell(page, borisova, lesson_id)).to_have_attribute("data-status", "absent")
    expect(cell(page, alekseev, lesson_id)).to_have_attribute("data-status", "present")
    screenshot(page, "teacher-journal")

    # The parent of Алексеев reads it in the week's diary, on a phone too.
    with parent_page(browser) as parent:
        log_in(parent, portal, college.parent)
        parent.get_by_role("link", name="дневник на неделю").click()
        expect(parent.locator("h1")).to_have_text("Дневник: Алексеев Андрей")
        row = parent.locator(".diary-day tr", has_text=TOPIC)
        expect(row).to_contain_text("Элементы высшей математики")
        expect(row).to_contain_text(HOMEWORK)
        expect(row.locator("td.marks")).to_have_text("5 3")
        screenshot(parent, "parent-week")
        parent.set_viewport_size(PHONE)  # type: ignore[arg-type]
        assert horizontal_overflow(parent) == 0, "the week's diary scrolls sideways at 360 px"


def parent_page(browser: Browser) -> Any:
    """Open a second, separate browser profile (the parent's own device)."""

    class Profile:
        def __enter__(self) -> Page:
            self.context: BrowserContext = browser.new_context(
                locale="ru-RU",
                timezone_id="Europe/Moscow",
                viewport=DESKTOP,  # type: ignore[arg-type]
            )
            self.context.set_default_timeout(20_000)
            return self.context.new_page()

        def __exit__(self, *exc: object) -> None:
            self.context.close()

    return Profile()


def test_the_class_teacher_gives_an_absence_its_reason(page: Page, college: College) -> None:
    log_in(page, college.portal, college.class_teacher)
    page.locator(".led-groups").get_by_role("link", name="Пропуски").click()
    expect(page.locator("h1")).to_have_text(f"Пропуски: {college.group_name}")
    row = page.locator("table.cards tbody tr", has_text="Борисова Вера").first
    expect(row).to_contain_text("н — отсутствовал")
    row.locator("select").select_option(label="Болезнь")
    screenshot(page, "class-teacher-absences")
    page.get_by_role("button", name="Сохранить причины").click()
    expect(page.locator(".notice")).to_contain_text("Причины сохранены:")
    row = page.locator("table.cards tbody tr", has_text="Борисова Вера").first
    expect(row.locator("select")).to_have_value("illness")
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    assert horizontal_overflow(page) == 0, "«Пропуски» scroll sideways at 360 px"


def test_the_admin_reads_the_journal_without_writing(page: Page, college: College) -> None:
    log_in(page, college.portal, college.admin)
    page.locator("#journal_group").select_option(label=college.group_name)
    page.get_by_role("button", name="Открыть журналы").click()
    expect(page.locator("h1")).to_have_text(f"Журналы группы {college.group_name}")
    page.get_by_role("link", name="ЕН.01 Элементы высшей математики").first.click()
    expect(page.locator(".readonly")).to_contain_text("только для чтения")
    expect(page.locator("table.journal-grid")).to_contain_text("Васильев Глеб")
    assert page.locator(".cell-input").count() == 0, "no cell can be typed into"
    assert page.locator("#lesson-form").count() == 0, "no lesson form"
    vasiliev = college.student_ids[2]
    expect(page.locator(f'tr[data-student="{vasiliev}"] .mark').first).to_have_text("4")
    screenshot(page, "admin-journal-readonly")
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    assert horizontal_overflow(page) == 0, "the journal page scrolls sideways at 360 px (only its grid may)"


def test_nothing_typed_is_lost_when_a_save_fails_or_the_session_ends(page: Page, college: College) -> None:
    """The grid's own recovery: the journal not answering (503) and an ended session (the portal's
    redirect to the login) are played by the browser's network layer; the real save follows."""
    portal = college.portal
    alekseev, _, vasiliev = college.student_ids
    lesson_id = college.earlier_lesson_id
    log_in(page, portal, college.teacher)
    page.goto(f"{portal}/journal/{college.group_id}/{college.discipline_id}?lesson={lesson_id}")
    marks_url = f"{portal}/journal/{college.group_id}/{college.discipline_id}/marks"
    down = {
        "ok": False,
        "code": "unavailable",
        "message": "Журнал сейчас не отвечает. Введённое осталось на странице.",
    }
    page.route(marks_url, lambda route: route.fulfill(status=503, json=down))
    target = cell(page, alekseev, lesson_id)
    expect(target.locator(".cell-input")).to_be_focused()
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    expect(target).to_have_class(re.compile(r"\bunsaved\b"))
    expect(target.locator(".cell-input")).to_have_value("5")
    expect(page.locator("#grid-status")).to_contain_text("Журнал сейчас не отвечает")
    expect(page.get_by_role("button", name="Повторить сохранение")).to_be_visible()
    screenshot(page, "teacher-journal-unsaved")

    # The session ends: the portal answers the save with its redirect to the login page.
    page.unroute(marks_url)
    page.route(marks_url, lambda route: route.fulfill(status=303, headers={"Location": "/login?next=%2F"}))
    other = cell(page, vasiliev, lesson_id)
    other.locator(".cell-input").click()
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    expect(page.locator("#grid-status")).to_contain_text("Сеанс истёк. Введённое не потеряно")
    expect(other.locator(".cell-input")).to_have_value("3")

    # Back to normal: one click sends both, nothing was lost.
    page.unroute(marks_url)
    page.get_by_role("button", name="Повторить сохранение").click()
    expect(page.get_by_role("button", name="Повторить сохранение")).to_be_hidden()
    expect(target.locator(".mark").last).to_have_text("5")
    expect(other.locator(".mark").last).to_have_text("3")
    page.reload()
    assert "5" in marks_in(page, alekseev, lesson_id) and "3" in marks_in(page, vasiliev, lesson_id)
