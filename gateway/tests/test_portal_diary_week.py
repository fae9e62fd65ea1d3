"""Portal «Дневник на неделю»: the week's days, pairs, topics, homework, marks, absences and averages."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import grpc
import pytest
from ejournal.common.v1 import common_pb2
from ejournal.identity.v1 import identity_service_pb2
from ejournal.journal.v1 import journal_pb2, journal_service_pb2

STUDENT = str(uuid.uuid4())
MATHS = str(uuid.uuid4())
HISTORY = str(uuid.uuid4())
WEEK = f"/diary/{STUDENT}/week"


async def log_in(client, idp, *, roles=("parent",), subject=None):
    """Run the portal's login round trip with the fake Keycloak; return the subject."""
    subject = subject or str(uuid.uuid4())
    started = await client.get("/login")
    query = {k: v[0] for k, v in parse_qs(urlsplit(started.headers["location"]).query).items()}
    idp.issue_tokens(subject, roles, nonce=query["nonce"])
    await client.get("/auth/callback", params={"code": "code-1", "state": query["state"]})
    return subject


def local(day: date) -> common_pb2.LocalDate:
    return common_pb2.LocalDate(year=day.year, month=day.month, day=day.day)


def a_week(fakes) -> None:
    """Monday 30.11.2026: maths at 1 (homework, marks 5 and 4×2) and history at 2 (absent)."""
    monday = date(2026, 11, 30)
    cell = journal_service_pb2.CellMark
    fakes.journal.reply(
        "GetStudentDiary",
        journal_service_pb2.GetStudentDiaryResponse(
            days=[
                journal_service_pb2.DiaryDay(
                    date=local(monday),
                    lessons=[
                        journal_service_pb2.DiaryLesson(
                            discipline_id=HISTORY,
                            pair_number=2,
                            topic="Реформы Петра I",
                            kind=journal_pb2.LESSON_KIND_SEMINAR,
                            status=journal_pb2.ATTENDANCE_STATUS_ABSENT,
                        ),
                        journal_service_pb2.DiaryLesson(
                            discipline_id=MATHS,
                            pair_number=1,
                            topic="Производная",
                            kind=journal_pb2.LESSON_KIND_LECTURE,
                            homework="№ 12–15",
                            homework_deadline=local(monday + timedelta(days=2)),
                            marks=[
                                cell(value="5", weight=1),
                                cell(value="4", weight=2, kind_of_work=journal_pb2.KIND_OF_WORK_TEST),
                            ],
                            status=journal_pb2.ATTENDANCE_STATUS_PRESENT,
                        ),
                    ],
                ),
                journal_service_pb2.DiaryDay(
                    date=local(monday + timedelta(days=3)),
                    marks_without_lesson=[
                        journal_service_pb2.DatedMark(
                            student_id=STUDENT, discipline_id=HISTORY, mark=cell(value="зач")
                        )
                    ],
                ),
            ],
            disciplines=[
                journal_pb2.Discipline(discipline_id=MATHS, code="ОП.01", name="Математика"),
                journal_pb2.Discipline(discipline_id=HISTORY, code="ОГСЭ.02", name="История"),
            ],
            averages=[
                journal_service_pb2.DisciplineAverage(discipline_id=MATHS, mean="4.50", weighted_mean="4.33")
            ],
        ),
    )
    fakes.identity.reply(
        "GetPeople",
        identity_service_pb2.GetPeopleResponse(
            people=[
                identity_service_pb2.PersonName(
                    person_id=STUDENT, last_name="Воробьёв", first_name="Константин", middle_name="Алексеевич"
                )
            ]
        ),
    )


@pytest.mark.parametrize("role", ["parent", "student", "class_teacher", "teacher", "admin"])
async def test_the_week_shows_days_pairs_topics_homework_marks_absences_and_averages(
    client, idp, fakes, role
) -> None:
    _ = await log_in(client, idp, roles=(role,))
    a_week(fakes)
    response = await client.get(f"{WEEK}?week=02.12.2026")
    assert response.status_code == 200
    page = response.text
    assert "Дневник: Воробьёв Константин Алексеевич" in page
    assert "Неделя 30.11.2026 – 06.12.2026" in page
    asked = fakes.journal.last("GetStudentDiary").request
    assert (asked.student_id, asked.date_from, asked.date_to) == (
        STUDENT,
        local(date(2026, 11, 30)),
        local(date(2026, 12, 6)),
    )
    assert "Понедельник, 30.11.2026" in page and "Четверг, 03.12.2026" in page
    assert page.index("Производная") < page.index("Реформы Петра I")  # by pair
    assert "№ 12–15" in page and "(до 02.12.2026)" in page
    assert '<span title="Ответ на занятии, вес 1">5</span> <span title="Тест, вес 2">4</span>' in page
    assert '<td data-label="Посещение" class="absent"><span>н (не был)</span>' in page
    assert '<td data-label="Посещение"><span>был</span>' in page
    assert "ОГСЭ.02 История — <strong" in page and ">зач</strong>" in page
    assert "Средние за неделю" in page and "4.50" in page and "4.33" in page
    assert 'class="cards"' in page and 'data-label="Задание"' in page  # cards on a phone
    assert f'href="{WEEK}?week=2026-11-23"' in page and f'href="{WEEK}?week=2026-12-07"' in page
    assert STUDENT not in page.split("<main>", 1)[1].split("href", 1)[0]  # no ids as text


async def test_this_week_is_the_default(client, idp, fakes) -> None:
    await log_in(client, idp)
    a_week(fakes)
    await client.get(WEEK)
    today = datetime.now(ZoneInfo("Europe/Moscow")).date()
    monday = today - timedelta(days=today.weekday())
    assert fakes.journal.last("GetStudentDiary").request.date_from == local(monday)


async def test_an_empty_week_says_so(client, idp, fakes) -> None:
    await log_in(client, idp)
    page = (await client.get(WEEK)).text
    assert "На этой неделе занятий и оценок нет." in page


async def test_a_bad_week_is_a_russian_400(client, idp, fakes) -> None:
    await log_in(client, idp)
    response = await client.get(f"{WEEK}?week=завтра")
    assert response.status_code == 400 and "Неделя — дата" in response.text
    assert fakes.journal.calls == []


@pytest.mark.parametrize(
    ("status", "http", "text"),
    [
        (grpc.StatusCode.PERMISSION_DENIED, 403, "Можно смотреть только дневник своего ребёнка"),
        (grpc.StatusCode.NOT_FOUND, 404, "Обучающийся не найден"),
        (grpc.StatusCode.UNAVAILABLE, 503, "Сервис временно недоступен"),
    ],
)
async def test_the_journals_refusal_is_the_russian_page(client, idp, fakes, status, http, text) -> None:
    await log_in(client, idp)
    code = None if status == grpc.StatusCode.UNAVAILABLE else "denied"
    fakes.journal.fail("GetStudentDiary", status, text if code else "connection refused", code)
    response = await client.get(WEEK)
    assert response.status_code == http and text in response.text
    assert fakes.identity.calls == []  # nobody is named before the journal lets the caller read


async def test_the_week_is_shown_without_the_name_when_identity_is_down(client, idp, fakes) -> None:
    await log_in(client, idp)
    a_week(fakes)
    fakes.identity.fail("GetPeople", grpc.StatusCode.UNAVAILABLE, "down")
    response = await client.get(WEEK)
    assert response.status_code == 200 and "<h1>Дневник</h1>" in response.text


async def test_homes_and_the_marks_list_link_the_week(client, idp, fakes) -> None:
    subject = await log_in(client, idp, roles=("student",))
    assert f'href="/diary/{subject}/week">Дневник на неделю' in (await client.get("/")).text
    assert f'href="/diary/{subject}/week"' in (await client.get(f"/diary/{subject}")).text
