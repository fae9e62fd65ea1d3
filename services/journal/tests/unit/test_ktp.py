"""The KTP (R2.2) and lessons that follow it, with homework for chosen students (R2.3), against
in-memory fakes: stable topic ids, topics in use, who may write and read, the loads without a KTP."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from chassis.auth import Principal
from chassis.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from ejournal.journal.v1 import events_pb2 as events
from ejournal.journal.v1 import journal_pb2 as jpb
from journal_service.application.handlers import JournalHandlers
from journal_service.application.ktp import GetKtp, ListDisciplinesWithoutKtp, SetKtp
from journal_service.application.lessons import ListLessons, RecordLesson
from journal_service.domain import ktp, model, year
from journal_service.domain.ktp import TopicDraft
from journal_service.domain.lessons import HomeworkKind, LessonKind
from journal_service.domain.year import BellPair, DateSpan

from .fakes import FakeGuardians, FakePersonDirectory, FakeStore, fake_unit_of_work, person_directory

TODAY = date(2026, 10, 15)
GROUP, OTHER_GROUP, MATH, ENGLISH = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
TEACHER, CLASS_TEACHER = uuid.uuid4(), uuid.uuid4()
STUDENTS = [uuid.uuid4() for _ in range(3)]
SUBGROUP = uuid.uuid4()


def person(*roles: str, subject: uuid.UUID | None = None) -> Principal:
    return Principal(subject=str(subject or uuid.uuid4()), roles=frozenset(roles), token="t")


AS_TEACHER = person("teacher", subject=TEACHER)
ADMIN = person("admin")


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    store.groups.add(model.Group(GROUP, "ИС-21", class_teacher_id=CLASS_TEACHER))
    store.groups.add(model.Group(OTHER_GROUP, "ИС-22"))
    for student in STUDENTS:
        store.groups.enrollments.add((GROUP, student))
    for discipline_id, code in ((MATH, "ЕН.01"), (ENGLISH, "ОГСЭ.03")):
        store.disciplines.add(model.Discipline(discipline_id, code, code, model.DisciplineKind.DISCIPLINE))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), TEACHER, GROUP, MATH))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), TEACHER, GROUP, ENGLISH))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), TEACHER, OTHER_GROUP, MATH))
    store.bells.items = [BellPair(1, 510, 600), BellPair(2, 610, 700)]
    store.subgroups.items.append(year.Subgroup(SUBGROUP, GROUP, ENGLISH, "подгруппа 1", (STUDENTS[0],)))
    return store


@pytest.fixture
def handlers(store: FakeStore) -> JournalHandlers:
    return JournalHandlers(
        uow=lambda: fake_unit_of_work(store),
        guardians=FakeGuardians(),
        today=lambda: TODAY,
        people=person_directory(FakePersonDirectory()),
    )


def topic(title: str, topic_id: uuid.UUID | None = None, hours: int = 2) -> TopicDraft:
    return TopicDraft(topic_id, title, hours, LessonKind.LECTURE)


def set_ktp(*topics: TopicDraft, group_id: uuid.UUID = GROUP, discipline_id: uuid.UUID = MATH) -> SetKtp:
    return SetKtp(group_id, discipline_id, None, topics)


def lesson(**changes: object) -> RecordLesson:
    fields: dict[str, object] = {
        "group_id": GROUP,
        "subgroup_id": None,
        "discipline_id": MATH,
        "lesson_date": date(2026, 10, 14),
        "pair_number": 1,
        "topic": "",
        "kind": LessonKind.LECTURE,
    }
    fields.update(changes)
    return RecordLesson(**fields)  # type: ignore[arg-type]


async def test_topics_keep_their_ids_and_order_when_the_ktp_is_replaced(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    first = await handlers.ktps.set(
        set_ktp(topic("Тема 1.1. Пределы"), topic("Тема 1.2. Производная")), AS_TEACHER
    )
    assert [(t.position, t.title) for t in first.topics] == [
        (1, "Тема 1.1. Пределы"),
        (2, "Тема 1.2. Производная"),
    ]
    limits, derivative = first.topics
    second = await handlers.ktps.set(
        set_ktp(
            topic("Тема 1.0. Введение", hours=4),
            topic("Производная", derivative.id),
            topic("Пределы", limits.id),
        ),
        ADMIN,
    )
    assert second.id == first.id
    assert [(t.position, t.id, t.title) for t in second.topics][1:] == [
        (2, derivative.id, "Производная"),
        (3, limits.id, "Пределы"),
    ]
    assert second.total_hours == 8
    event = store.events_of(events.KtpSet)[-1]
    assert (event.ktp_id, event.topic_count, event.total_hours, event.actor_id) == (
        str(first.id),
        3,
        8,
        ADMIN.subject,
    )
    read = await handlers.ktps.get(GetKtp(GROUP, MATH, None), person("class_teacher", subject=CLASS_TEACHER))
    assert read == second
    assert await handlers.ktps.get(GetKtp(GROUP, ENGLISH, None), person("deputy")) is None


@pytest.mark.parametrize(
    ("topics", "error", "code"),
    [
        ((), InvalidArgument, "empty_ktp"),
        ((topic("a"),) * 301, InvalidArgument, "too_many_ktp_topics"),
        ((topic("a", hours=0),), InvalidArgument, "invalid_topic_hours"),
        ((topic("a", hours=201),), InvalidArgument, "invalid_topic_hours"),
        ((topic("a", uuid.uuid4()),), NotFound, "ktp_topic_not_found"),
    ],
)
async def test_bad_ktps_are_refused_and_write_nothing(
    handlers: JournalHandlers,
    store: FakeStore,
    topics: tuple[TopicDraft, ...],
    error: type[Exception],
    code: str,
) -> None:
    with pytest.raises(error) as refused:
        await handlers.ktps.set(set_ktp(*topics), AS_TEACHER)
    assert getattr(refused.value, "code", None) == code
    assert (store.ktps.items, store.subjects) == ({}, [])


async def test_a_topic_named_twice_is_refused(handlers: JournalHandlers) -> None:
    plan = await handlers.ktps.set(set_ktp(topic("a")), AS_TEACHER)
    kept = plan.topics[0].id
    with pytest.raises(InvalidArgument) as refused:
        await handlers.ktps.set(set_ktp(topic("a", kept), topic("b", kept)), AS_TEACHER)
    assert refused.value.code == "duplicate_ktp_topic"


async def test_who_may_set_a_ktp(handlers: JournalHandlers, store: FakeStore) -> None:
    cases: list[tuple[SetKtp, Principal, str]] = [
        (set_ktp(topic("a")), person("teacher"), "not_teaching_this_group"),
        (set_ktp(topic("a")), person("director"), "role_required"),
        (set_ktp(topic("a")), person("class_teacher", subject=CLASS_TEACHER), "role_required"),
        (set_ktp(topic("a"), group_id=uuid.uuid4()), ADMIN, "group_not_found"),
        (set_ktp(topic("a"), discipline_id=uuid.uuid4()), ADMIN, "discipline_not_found"),
        (SetKtp(GROUP, MATH, SUBGROUP, (topic("a"),)), ADMIN, "subgroup_not_found"),
    ]
    for cmd, actor, code in cases:
        with pytest.raises((PermissionDenied, NotFound)) as refused:
            await handlers.ktps.set(cmd, actor)
        assert getattr(refused.value, "code", None) == code
    for actor in (person("teacher"), person("student"), person("parent")):
        with pytest.raises(NotFound):
            await handlers.ktps.get(GetKtp(GROUP, MATH, None), actor)
    subgroup_plan = await handlers.ktps.set(SetKtp(GROUP, ENGLISH, SUBGROUP, (topic("Unit 1"),)), AS_TEACHER)
    assert subgroup_plan.subgroup_id == SUBGROUP
    assert store.subjects == ["journal.ktp.set.v1"]


async def test_a_subgroups_teacher_sets_that_subgroups_ktp_only(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    subgroup_teacher = uuid.uuid4()
    store.loads.add(model.TeachingLoad(uuid.uuid4(), subgroup_teacher, GROUP, ENGLISH, SUBGROUP))
    as_subgroup_teacher = person("teacher", subject=subgroup_teacher)
    own = await handlers.ktps.set(SetKtp(GROUP, ENGLISH, SUBGROUP, (topic("Unit 1"),)), as_subgroup_teacher)
    assert own.subgroup_id == SUBGROUP
    with pytest.raises(PermissionDenied) as refused:
        await handlers.ktps.set(SetKtp(GROUP, ENGLISH, None, (topic("Unit 1"),)), as_subgroup_teacher)
    assert refused.value.code == "not_teaching_this_group"


async def test_a_lesson_takes_its_topic_from_the_ktp_and_the_topic_then_stays(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    plan = await handlers.ktps.set(
        set_ktp(topic("Тема 1.1. Пределы"), topic("Тема 1.2. Производная")), AS_TEACHER
    )
    limits = plan.topics[0]
    recorded = await handlers.lessons.record(lesson(ktp_topic_id=limits.id), AS_TEACHER)
    assert (recorded.lesson.topic, recorded.lesson.ktp_topic_id) == ("Тема 1.1. Пределы", limits.id)
    assert store.events_of(events.LessonRecorded)[0].ktp_topic_id == str(limits.id)
    own_words = await handlers.lessons.record(
        lesson(ktp_topic_id=limits.id, topic="Пределы, часть 2", pair_number=2), AS_TEACHER
    )
    assert own_words.lesson.topic == "Пределы, часть 2"
    with pytest.raises(FailedPrecondition) as in_use:
        await handlers.ktps.set(set_ktp(topic("Тема 1.2. Производная", plan.topics[1].id)), AS_TEACHER)
    assert in_use.value.code == "ktp_topic_in_use"
    kept = await handlers.ktps.set(set_ktp(topic("Пределы", limits.id)), AS_TEACHER)
    assert [t.id for t in kept.topics] == [limits.id]


async def test_a_topic_of_another_ktp_or_an_unknown_one_is_refused(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    other_group = await handlers.ktps.set(set_ktp(topic("чужая"), group_id=OTHER_GROUP), AS_TEACHER)
    english = await handlers.ktps.set(set_ktp(topic("Unit 1"), discipline_id=ENGLISH), AS_TEACHER)
    for foreign in (other_group.topics[0].id, english.topics[0].id):
        with pytest.raises(FailedPrecondition) as refused:
            await handlers.lessons.record(lesson(ktp_topic_id=foreign), AS_TEACHER)
        assert refused.value.code == "ktp_topic_of_other_discipline"
    with pytest.raises(NotFound) as unknown:
        await handlers.lessons.record(lesson(ktp_topic_id=uuid.uuid4()), AS_TEACHER)
    assert unknown.value.code == "ktp_topic_not_found"
    with pytest.raises(InvalidArgument) as no_topic:
        await handlers.lessons.record(lesson(), AS_TEACHER)
    assert no_topic.value.code == "missing_topic"
    assert store.lessons.items == {}


async def test_a_subgroups_lesson_takes_the_groups_or_its_own_ktp(handlers: JournalHandlers) -> None:
    whole = await handlers.ktps.set(set_ktp(topic("Unit 1"), discipline_id=ENGLISH), AS_TEACHER)
    own = await handlers.ktps.set(SetKtp(GROUP, ENGLISH, SUBGROUP, (topic("Unit 1a"),)), AS_TEACHER)
    for pair, plan in ((1, whole), (2, own)):
        recorded = await handlers.lessons.record(
            lesson(
                discipline_id=ENGLISH, subgroup_id=SUBGROUP, pair_number=pair, ktp_topic_id=plan.topics[0].id
            ),
            AS_TEACHER,
        )
        assert recorded.lesson.topic == plan.topics[0].title
    with pytest.raises(FailedPrecondition):
        await handlers.lessons.record(
            lesson(
                discipline_id=ENGLISH,
                pair_number=2,
                lesson_date=date(2026, 10, 13),
                ktp_topic_id=own.topics[0].id,
            ),
            AS_TEACHER,
        )


async def test_homework_for_chosen_students(handlers: JournalHandlers, store: FakeStore) -> None:
    chosen = (STUDENTS[2], STUDENTS[0], STUDENTS[2])
    recorded = await handlers.lessons.record(
        lesson(
            topic="Пределы",
            homework="Реферат",
            homework_kind=HomeworkKind.INDEPENDENT_WORK,
            homework_student_ids=chosen,
        ),
        AS_TEACHER,
    )
    assert recorded.lesson.homework_student_ids == tuple(sorted({STUDENTS[0], STUDENTS[2]}, key=str))
    assert recorded.lesson.homework_kind is HomeworkKind.INDEPENDENT_WORK
    event = store.events_of(events.LessonRecorded)[0]
    assert event.homework_kind == jpb.HOMEWORK_KIND_INDEPENDENT_WORK
    assert sorted(event.homework_student_ids) == sorted(str(s) for s in recorded.lesson.homework_student_ids)
    again = await handlers.lessons.record(
        lesson(
            topic="Пределы",
            homework="Реферат",
            homework_kind=HomeworkKind.INDEPENDENT_WORK,
            homework_student_ids=chosen,
        ),
        AS_TEACHER,
    )
    assert (again.created, again.lesson.id) == (False, recorded.lesson.id)
    listed = await handlers.lessons.of_group(
        ListLessons(GROUP, MATH, DateSpan(date(2026, 10, 1), date(2026, 10, 31))),
        person("class_teacher", subject=CLASS_TEACHER),
    )
    assert listed[0].homework_student_ids == recorded.lesson.homework_student_ids
    assert [(a.action, a.actor_id) for a in store.audits] == [("homework.read", str(CLASS_TEACHER))]


@pytest.mark.parametrize(
    ("changes", "error", "code"),
    [
        ({"homework_student_ids": (uuid.uuid4(),)}, FailedPrecondition, "student_not_in_group"),
        (
            {"discipline_id": ENGLISH, "subgroup_id": SUBGROUP, "homework_student_ids": (STUDENTS[1],)},
            FailedPrecondition,
            "student_not_in_subgroup",
        ),
        (
            {"homework": "", "homework_student_ids": (STUDENTS[0],)},
            InvalidArgument,
            "homework_details_without_homework",
        ),
        (
            {"homework": "", "homework_kind": HomeworkKind.INDEPENDENT_WORK},
            InvalidArgument,
            "homework_details_without_homework",
        ),
        (
            {"homework_student_ids": tuple(uuid.uuid4() for _ in range(201))},
            InvalidArgument,
            "too_many_homework_students",
        ),
    ],
)
async def test_bad_homework_is_refused_and_writes_nothing(
    handlers: JournalHandlers, store: FakeStore, changes: dict[str, object], error: type[Exception], code: str
) -> None:
    fields: dict[str, object] = {"topic": "Пределы", "homework": "Упражнения 1–5"}
    fields.update(changes)
    with pytest.raises(error) as refused:
        await handlers.lessons.record(lesson(**fields), AS_TEACHER)
    assert getattr(refused.value, "code", None) == code
    assert (store.lessons.items, store.subjects) == ({}, [])


async def test_the_loads_without_a_ktp_on_a_date_and_the_deadline(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    opened = year.new_academic_year(
        "2026/2027",
        DateSpan(date(2026, 9, 1), date(2027, 8, 31)),
        DateSpan(date(2026, 9, 1), date(2026, 12, 31)),
        DateSpan(date(2027, 1, 12), date(2027, 6, 30)),
    )
    store.years.items[opened.id] = opened
    await handlers.ktps.set(set_ktp(topic("Тема 1.1")), AS_TEACHER)  # set on TODAY (15 October)
    before = await handlers.ktps.without_ktp(
        ListDisciplinesWithoutKtp(opened.id, date(2026, 9, 5)), person("deputy")
    )
    assert (before.deadline, before.past_deadline, len(before.loads)) == (date(2026, 9, 10), False, 3)
    now = await handlers.ktps.without_ktp(ListDisciplinesWithoutKtp(opened.id, None), ADMIN)
    assert (now.as_of, now.past_deadline) == (TODAY, True)
    assert {(m.group_id, m.discipline_id) for m in now.loads} == {(GROUP, ENGLISH), (OTHER_GROUP, MATH)}
    for actor in (AS_TEACHER, person("class_teacher"), person("student")):
        with pytest.raises(PermissionDenied):
            await handlers.ktps.without_ktp(ListDisciplinesWithoutKtp(opened.id, None), actor)
    with pytest.raises(NotFound) as no_year:
        await handlers.ktps.without_ktp(ListDisciplinesWithoutKtp(uuid.uuid4(), None), ADMIN)
    assert no_year.value.code == "academic_year_not_found"


def test_the_deadline_is_10_september_of_the_years_first_calendar_year() -> None:
    assert ktp.deadline_of(date(2027, 9, 1)) == date(2027, 9, 10)


def test_the_homework_kinds_mirror_the_proto() -> None:
    names = {n.removeprefix("HOMEWORK_KIND_") for n, _ in jpb.HomeworkKind.items()} - {"UNSPECIFIED"}
    assert names == {kind.name for kind in HomeworkKind}
