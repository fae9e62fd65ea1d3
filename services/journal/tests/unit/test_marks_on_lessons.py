"""Marks on a lesson (issue 6, item 4) against in-memory fakes: several per student, kind and weight,
who may record them, and the date-only RecordMark unchanged."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from chassis.auth import Principal
from chassis.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from ejournal.journal.v1 import events_pb2 as events
from ejournal.journal.v1 import journal_pb2 as jpb
from journal_service.application.handlers import JournalHandlers
from journal_service.application.lessons import RecordLesson
from journal_service.application.marks import ListStudentMarks, RecordMark
from journal_service.domain import model, year
from journal_service.domain.lessons import LessonKind
from journal_service.domain.year import BellPair

from .fakes import FakeGuardians, FakePersonDirectory, FakeStore, fake_unit_of_work, person_directory

TODAY = date(2026, 10, 15)
LESSON_DAY = date(2026, 10, 14)
GROUP, OTHER_GROUP, MATH, ENGLISH = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
TEACHER = uuid.uuid4()
STUDENTS = [uuid.uuid4() for _ in range(3)]
SUBGROUP = uuid.uuid4()
AS_TEACHER = Principal(subject=str(TEACHER), roles=frozenset({"teacher"}), token="t")


def person(*roles: str, subject: uuid.UUID | None = None) -> Principal:
    return Principal(subject=str(subject or uuid.uuid4()), roles=frozenset(roles), token="t")


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    store.groups.add(model.Group(GROUP, "ИС-21"))
    store.groups.add(model.Group(OTHER_GROUP, "ИС-22"))
    for student in STUDENTS:
        store.groups.enrollments.add((GROUP, student))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), TEACHER, GROUP, MATH))
    store.loads.add(model.TeachingLoad(uuid.uuid4(), TEACHER, GROUP, ENGLISH))
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


async def a_lesson(handlers: JournalHandlers, subgroup: uuid.UUID | None = None) -> uuid.UUID:
    recorded = await handlers.lessons.record(
        RecordLesson(
            group_id=GROUP,
            subgroup_id=subgroup,
            discipline_id=ENGLISH if subgroup else MATH,
            lesson_date=LESSON_DAY,
            pair_number=2 if subgroup else 1,
            topic="Тема",
            kind=LessonKind.PRACTICAL,
        ),
        AS_TEACHER,
    )
    return recorded.lesson.id


def on_lesson(lesson: uuid.UUID, value: str = "5", **changes: object) -> RecordMark:
    fields: dict[str, object] = {
        "student_id": STUDENTS[0],
        "group_id": None,
        "discipline_id": None,
        "lesson_date": None,
        "value": value,
        "lesson_id": lesson,
    }
    fields.update(changes)
    return RecordMark(**fields)  # type: ignore[arg-type]


async def test_several_marks_on_one_lesson_each_with_its_kind_and_weight(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    lesson_id = await a_lesson(handlers)
    answer = await handlers.marks.record(on_lesson(lesson_id, "5"), AS_TEACHER)
    control = await handlers.marks.record(
        on_lesson(lesson_id, "3", kind_of_work=model.KindOfWork.CONTROL_WORK, weight=3), AS_TEACHER
    )
    assert (answer.lesson_id, answer.group_id, answer.discipline_id, answer.lesson_date) == (
        lesson_id,
        GROUP,
        MATH,
        LESSON_DAY,
    )
    assert (answer.kind_of_work, answer.weight) == (model.KindOfWork.ANSWER, 1)
    assert (control.kind_of_work, control.weight) == (model.KindOfWork.CONTROL_WORK, 3)
    event = store.events_of(events.MarkRecorded)[1]
    assert (event.lesson_id, event.kind_of_work, event.weight) == (
        str(lesson_id),
        jpb.KIND_OF_WORK_CONTROL_WORK,
        3,
    )
    diary = await handlers.marks.diary(
        ListStudentMarks(student_id=STUDENTS[0]), person("student", subject=STUDENTS[0])
    )
    # 5 (weight 1) and 3 (weight 3): mean 4.00, weighted (5 + 9) / 4 = 3.50.
    assert [(a.mean, a.weighted_mean) for a in diary.averages] == [(Decimal("4.00"), Decimal("3.50"))]


async def test_a_mark_by_date_only_is_an_answer_of_weight_one(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    mark = await handlers.marks.record(
        RecordMark(
            student_id=STUDENTS[1], group_id=GROUP, discipline_id=MATH, lesson_date=LESSON_DAY, value="4"
        ),
        AS_TEACHER,
    )
    assert (mark.lesson_id, mark.kind_of_work, mark.weight) == (None, model.KindOfWork.ANSWER, 1)
    event = store.events_of(events.MarkRecorded)[0]
    assert (event.lesson_id, event.kind_of_work, event.weight) == ("", jpb.KIND_OF_WORK_ANSWER, 1)


@pytest.mark.parametrize(
    ("subgroup", "changes", "actor", "error", "code"),
    [
        (False, {}, person("teacher"), PermissionDenied, "not_teaching_this_group"),
        (False, {"lesson_id": uuid.uuid4()}, AS_TEACHER, NotFound, "lesson_not_found"),
        (False, {"student_id": uuid.uuid4()}, AS_TEACHER, FailedPrecondition, "student_not_in_group"),
        (True, {"student_id": STUDENTS[1]}, AS_TEACHER, FailedPrecondition, "student_not_in_subgroup"),
        (False, {"weight": 6}, AS_TEACHER, InvalidArgument, "invalid_weight"),
        (False, {"weight": 0}, AS_TEACHER, InvalidArgument, "invalid_weight"),
        (False, {"value": "7"}, AS_TEACHER, InvalidArgument, "unknown_mark_value"),
        (False, {"group_id": OTHER_GROUP}, AS_TEACHER, InvalidArgument, "mark_lesson_mismatch"),
        (False, {"discipline_id": ENGLISH}, AS_TEACHER, InvalidArgument, "mark_lesson_mismatch"),
        (False, {"lesson_date": date(2026, 10, 13)}, AS_TEACHER, InvalidArgument, "mark_lesson_mismatch"),
    ],
)
async def test_bad_marks_on_a_lesson_are_refused_and_write_nothing(
    handlers: JournalHandlers,
    store: FakeStore,
    subgroup: bool,
    changes: dict[str, object],
    actor: Principal,
    error: type[Exception],
    code: str,
) -> None:
    lesson_id = await a_lesson(handlers, SUBGROUP if subgroup else None)
    before = list(store.subjects)
    with pytest.raises(error) as refused:
        await handlers.marks.record(on_lesson(lesson_id, **changes), actor)
    assert getattr(refused.value, "code", None) == code
    assert (store.marks.items, store.subjects) == ([], before)


async def test_the_lessons_own_group_discipline_and_date_may_be_given_too(handlers: JournalHandlers) -> None:
    lesson_id = await a_lesson(handlers, SUBGROUP)
    mark = await handlers.marks.record(
        on_lesson(lesson_id, group_id=GROUP, discipline_id=ENGLISH, lesson_date=LESSON_DAY), AS_TEACHER
    )
    assert (mark.lesson_id, mark.discipline_id) == (lesson_id, ENGLISH)
