"""Curriculum execution (R2.5): the arithmetic of planned and delivered hours and topics, and who reads it."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from chassis.auth import Principal
from chassis.errors import DomainError
from journal_service.application.curriculum_execution import GetCurriculumExecution, ListCurriculumLag
from journal_service.application.handlers import JournalHandlers
from journal_service.domain import curriculum, ktp, lessons, model, timetable, year
from journal_service.domain import curriculum_execution as ce
from journal_service.domain.year import CalendarSpan, CalendarSpanKind, DateSpan

from .fakes import FakeGuardians, FakePersonDirectory, FakeStore, fake_unit_of_work, person_directory

YEAR = year.new_academic_year(
    "2026/2027",
    DateSpan(date(2026, 9, 1), date(2027, 8, 31)),
    DateSpan(date(2026, 9, 1), date(2026, 12, 31)),
    DateSpan(date(2027, 1, 12), date(2027, 6, 30)),
)
GROUP, BEHIND_GROUP, MATH, ENGLISH = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
CLASS_TEACHER, TEACHER = uuid.uuid4(), uuid.uuid4()
SUB_A, SUB_B = uuid.uuid4(), uuid.uuid4()
# 2026-09-01 is a Tuesday: study week 1 runs 31.08–06.09.
AS_OF = date(2026, 9, 20)


def entry(
    discipline: uuid.UUID,
    weekday: int,
    pair: int,
    parity: timetable.WeekParity = timetable.WeekParity.EVERY,
    subgroup: uuid.UUID | None = None,
    group: uuid.UUID = GROUP,
) -> timetable.TimetableEntry:
    return timetable.TimetableEntry(
        uuid.uuid4(), group, YEAR.id, 1, weekday, pair, parity, discipline, subgroup, TEACHER
    )


def row(discipline: uuid.UUID, semester: int, hours: int) -> curriculum.CurriculumRow:
    return curriculum.CurriculumRow(discipline, semester, hours, 2, curriculum.ControlForm.EXAM)


def test_the_timetable_gives_the_pairs_to_date_by_weekday_parity_and_calendar() -> None:
    entries = [
        entry(MATH, 2, 1),  # every Tuesday: 01.09, 08.09, 15.09
        entry(MATH, 4, 2, timetable.WeekParity.ODD),  # Thursdays of odd weeks: 03.09 (w1), 17.09 (w3)
        entry(ENGLISH, 2, 2, subgroup=SUB_A),  # parallel subgroups: one pair of the discipline
        entry(ENGLISH, 2, 2, subgroup=SUB_B),
    ]
    pairs = ce.scheduled_pairs(YEAR, 1, YEAR.semester1, as_of=AS_OF, entries=entries, calendar=[])
    assert pairs == {MATH: 5, ENGLISH: 3}
    # Holidays are not taught: a calendar with theory from 07.09 leaves out the first week.
    calendar = [CalendarSpan(CalendarSpanKind.THEORY, DateSpan(date(2026, 9, 7), date(2026, 12, 20)))]
    pairs = ce.scheduled_pairs(YEAR, 1, YEAR.semester1, as_of=AS_OF, entries=entries, calendar=calendar)
    assert pairs == {MATH: 3, ENGLISH: 2}


@pytest.mark.parametrize(("budget", "expected"), [(0, 0), (1, 0), (2, 1), (5, 2), (6, 3), (100, 4)])
def test_topics_fit_in_the_hours_planned(budget: int, expected: int) -> None:
    assert ce.topics_within([2, 2, 2, 4], budget) == expected


def test_execution_lag_is_planned_to_date_minus_delivered() -> None:
    facts = ce.GroupFacts(
        curriculum=[row(MATH, 1, 8), row(MATH, 2, 40), row(ENGLISH, 1, 36)],
        ktp_hours={MATH: [2, 2, 2, 2, 4]},
        entries=[entry(MATH, 2, 1), entry(MATH, 2, 2), entry(ENGLISH, 3, 1)],
        calendar=[],
        delivered=[ce.Delivered(MATH, 1, 2), ce.Delivered(ENGLISH, 1, 3)],
        delivered_topics={MATH: 1},
    )
    by = {r.discipline_id: r for r in ce.execution(YEAR, 1, AS_OF, facts)}
    # Math: 3 Tuesdays × 2 pairs = 12 hours, capped at the semester's 8; the KTP's 12 hours all fit.
    math = by[MATH]
    assert (math.planned_hours, math.planned_hours_to_date, math.delivered_hours, math.lag_hours) == (
        8,
        8,
        4,
        4,
    )
    assert (math.ktp_hours, math.ktp_topics, math.planned_topics_to_date, math.lag_topics) == (12, 5, 5, 4)
    english = by[ENGLISH]  # Wednesdays 02.09, 09.09, 16.09: on plan
    assert (english.planned_hours_to_date, english.delivered_hours, english.lag_hours, english.behind) == (
        6,
        6,
        0,
        False,
    )
    year_rows = {r.discipline_id: r for r in ce.execution(YEAR, 0, AS_OF, facts)}
    assert year_rows[MATH].planned_hours == 48


def person(*roles: str, subject: uuid.UUID | None = None) -> Principal:
    return Principal(subject=str(subject or uuid.uuid4()), roles=frozenset(roles), token="t")


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    store.years.items[YEAR.id] = YEAR
    for group, name in ((GROUP, "ИС-21"), (BEHIND_GROUP, "ИС-22")):
        store.groups.add(model.Group(group, name, class_teacher_id=CLASS_TEACHER if group == GROUP else None))
        store.curricula.items[(group, YEAR.id)] = [row(MATH, 1, 72)]
        e = entry(MATH, 2, 1, group=group)
        store.timetables.items[e.id] = e
    topic = ktp.KtpTopic(uuid.uuid4(), 1, "Пределы", 2, lessons.LessonKind.LECTURE)
    store.ktps.items[(GROUP, MATH, None)] = ktp.Ktp(uuid.uuid4(), GROUP, None, MATH, (topic,))
    for day in (date(2026, 9, 1), date(2026, 9, 8), date(2026, 9, 15)):
        store.lessons.items[uuid.uuid4()] = lessons.Lesson(
            uuid.uuid4(),
            GROUP,
            None,
            MATH,
            TEACHER,
            day,
            1,
            "т",
            lessons.LessonKind.LECTURE,
            ktp_topic_id=topic.id,
        )
    return store


@pytest.fixture
def handlers(store: FakeStore) -> JournalHandlers:
    return JournalHandlers(
        uow=lambda: fake_unit_of_work(store),
        guardians=FakeGuardians(),
        today=lambda: AS_OF,
        people=person_directory(FakePersonDirectory()),
    )


async def test_the_class_teacher_and_the_administration_read_a_group(handlers: JournalHandlers) -> None:
    query = GetCurriculumExecution(GROUP, YEAR.id, 1)
    for reader in (person("class_teacher", subject=CLASS_TEACHER), person("curator"), person("deputy")):
        found = await handlers.curriculum_execution.of_group(query, reader)
        [math] = found.rows
        assert (found.as_of, math.planned_hours_to_date, math.delivered_hours, math.delivered_topics) == (
            AS_OF,
            6,
            6,
            1,
        )
    for stranger in (person("class_teacher"), person("teacher", subject=TEACHER), person("student")):
        with pytest.raises(DomainError) as refused:
            await handlers.curriculum_execution.of_group(query, stranger)
        assert refused.value.code == "group_not_found"
    for bad, code in (
        (GetCurriculumExecution(GROUP, YEAR.id, 3), "invalid_semester"),
        (GetCurriculumExecution(GROUP, uuid.uuid4()), "academic_year_not_found"),
    ):
        with pytest.raises(DomainError) as refused:
            await handlers.curriculum_execution.of_group(bad, person("admin"))
        assert refused.value.code == code


async def test_the_lag_lists_only_the_groups_behind(handlers: JournalHandlers) -> None:
    as_of, rows = await handlers.curriculum_execution.lag(ListCurriculumLag(YEAR.id), person("director"))
    assert as_of == AS_OF
    assert [(r.group_id, r.row.discipline_id, r.row.lag_hours) for r in rows] == [(BEHIND_GROUP, MATH, 6)]
    with pytest.raises(DomainError) as refused:
        await handlers.curriculum_execution.lag(ListCurriculumLag(YEAR.id), person("class_teacher"))
    assert refused.value.code == "role_required"
