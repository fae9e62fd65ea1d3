"""Marks on a lesson (issue 6, item 4) over real gRPC and PostgreSQL: several per student per lesson,
each with its kind of work and weight; the lesson decides group, discipline and date; a stranger
teacher and a student of another subgroup are refused with their codes and nothing is written; the
diary's averages (mean and weighted) come from the one domain function."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from chassis.grpc_client import error_code_of
from ejournal.journal.v1 import events_pb2
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as pb
from journal_service.adapters import orm

from .test_lessons_grpc import College, college, journal, lesson_request
from .test_year_structure_grpc import INVALID, Journal, day

__all__ = ["journal"]  # the fixture, shared with the lessons' tests

pytestmark = pytest.mark.integration


def mark(c: College, lesson_id: str, value: str, **changes: Any) -> pb.RecordMarkRequest:
    fields: dict[str, Any] = {"student_id": c.students[0], "lesson_id": lesson_id, "value": value}
    fields.update(changes)
    return pb.RecordMarkRequest(**fields)


async def test_several_marks_on_one_lesson_and_the_diarys_averages(journal: Journal) -> None:
    c = await college(journal)
    stub = journal.stub
    as_teacher = journal.md(c.teacher, "teacher")
    lesson = (await stub.RecordLesson(lesson_request(c), metadata=as_teacher)).lesson
    before = len(await journal.outbox())

    answer = (await stub.RecordMark(mark(c, lesson.lesson_id, "5"), metadata=as_teacher)).mark
    control = (
        await stub.RecordMark(
            mark(c, lesson.lesson_id, "3", kind_of_work=jpb.KIND_OF_WORK_CONTROL_WORK, weight=3),
            metadata=as_teacher,
        )
    ).mark
    absent = (await stub.RecordMark(mark(c, lesson.lesson_id, "н"), metadata=as_teacher)).mark
    assert (answer.lesson_id, answer.group_id, answer.discipline_id, answer.lesson_date) == (
        lesson.lesson_id,
        c.group_id,
        c.math,
        day("2026-10-14"),
    )
    assert (answer.kind_of_work, answer.weight) == (jpb.KIND_OF_WORK_ANSWER, 1)
    assert (control.kind_of_work, control.weight) == (jpb.KIND_OF_WORK_CONTROL_WORK, 3)
    assert absent.value == "н"

    rows = (await journal.outbox())[before:]
    recorded = [events_pb2.MarkRecorded.FromString(p) for s, p in rows if s == "journal.mark.recorded.v1"]
    assert [(e.lesson_id, e.kind_of_work, e.weight) for e in recorded] == [
        (lesson.lesson_id, jpb.KIND_OF_WORK_ANSWER, 1),
        (lesson.lesson_id, jpb.KIND_OF_WORK_CONTROL_WORK, 3),
        (lesson.lesson_id, jpb.KIND_OF_WORK_ANSWER, 1),
    ]

    # A date-only mark still works as before: an answer of weight 1, on no lesson.
    by_date = (
        await stub.RecordMark(
            pb.RecordMarkRequest(
                student_id=c.students[0],
                group_id=c.group_id,
                discipline_id=c.math,
                lesson_date=day("2026-10-13"),
                value="4",
            ),
            metadata=as_teacher,
        )
    ).mark
    assert (by_date.lesson_id, by_date.kind_of_work, by_date.weight) == ("", jpb.KIND_OF_WORK_ANSWER, 1)

    diary = await stub.ListStudentMarks(
        pb.ListStudentMarksRequest(student_id=c.students[0]), metadata=journal.md(c.students[0], "student")
    )
    assert sorted(m.weight for m in diary.marks) == [1, 1, 1, 3]
    # 5, 3, 4 count («н» does not): mean 4.00; weighted (5 + 3·3 + 4) / 5 = 3.60.
    assert list(diary.averages) == [
        pb.DisciplineAverage(discipline_id=c.math, mean="4.00", weighted_mean="3.60")
    ]


async def test_marks_on_a_lesson_refused_with_their_codes_write_nothing(journal: Journal) -> None:
    c = await college(journal)
    stub = journal.stub
    as_teacher = journal.md(c.teacher, "teacher")
    as_english = journal.md(c.english_teacher, "teacher")
    lesson = (await stub.RecordLesson(lesson_request(c), metadata=as_teacher)).lesson
    english = (
        await stub.RecordLesson(
            lesson_request(c, discipline_id=c.english, subgroup_id=c.subgroup_id, pair_number=2),
            metadata=as_english,
        )
    ).lesson
    before = len(await journal.outbox())
    stranger = journal.people.new("teacher")
    missing = "00000000-0000-4000-8000-000000000000"
    refusals: list[tuple[pb.RecordMarkRequest, Any, grpc.StatusCode, str]] = [
        (
            mark(c, lesson.lesson_id, "5"),
            journal.md(stranger, "teacher"),
            grpc.StatusCode.PERMISSION_DENIED,
            "not_teaching_this_group",
        ),
        (
            mark(c, lesson.lesson_id, "5"),
            as_english,
            grpc.StatusCode.PERMISSION_DENIED,
            "not_teaching_this_group",
        ),
        (
            mark(c, english.lesson_id, "5", student_id=c.students[3]),
            as_english,
            grpc.StatusCode.FAILED_PRECONDITION,
            "student_not_in_subgroup",
        ),
        (
            mark(c, lesson.lesson_id, "5", student_id=journal.people.new("student")),
            as_teacher,
            grpc.StatusCode.FAILED_PRECONDITION,
            "student_not_in_group",
        ),
        (mark(c, missing, "5"), as_teacher, grpc.StatusCode.NOT_FOUND, "lesson_not_found"),
        (mark(c, "не-ид", "5"), as_teacher, INVALID, "invalid_lesson_id"),
        (mark(c, lesson.lesson_id, "5", weight=6), as_teacher, INVALID, "invalid_weight"),
        (mark(c, lesson.lesson_id, "5", weight=-1), as_teacher, INVALID, "invalid_weight"),
        (mark(c, lesson.lesson_id, "5", kind_of_work=99), as_teacher, INVALID, "invalid_kind_of_work"),
        (
            mark(c, lesson.lesson_id, "5", group_id=c.group_id, discipline_id=c.english),
            as_teacher,
            INVALID,
            "mark_lesson_mismatch",
        ),
        (
            mark(c, lesson.lesson_id, "5", lesson_date=day("2026-10-13")),
            as_teacher,
            INVALID,
            "mark_lesson_mismatch",
        ),
    ]
    for request, metadata, status, code in refusals:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.RecordMark(request, metadata=metadata)
        assert (refused.value.code(), error_code_of(refused.value)) == (status, code), code
    assert len(await journal.outbox()) == before
    assert await journal.count(orm.marks) == 0

    # The subgroup's own student gets the mark; the lesson's group, discipline and date may be repeated.
    ok = await stub.RecordMark(
        mark(
            c,
            english.lesson_id,
            "4",
            group_id=c.group_id,
            discipline_id=c.english,
            lesson_date=day("2026-10-14"),
        ),
        metadata=as_english,
    )
    assert (ok.mark.lesson_id, ok.mark.discipline_id) == (english.lesson_id, c.english)
