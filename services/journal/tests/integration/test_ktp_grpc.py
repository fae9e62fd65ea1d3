"""The KTP (R2.2) and lessons that follow it with homework for chosen students (R2.3) over real gRPC
and PostgreSQL: topic ids kept across replacements, a topic in use kept, a topic of another
discipline refused, the recipients stored in `homework_recipients`, the loads without a KTP."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
from ejournal.journal.v1 import events_pb2
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as pb
from journal_service.adapters import orm

from .test_lessons_grpc import College, college, lesson_request
from .test_year_structure_grpc import INVALID, Journal, day, journal

__all__ = ["journal"]

NOT_FOUND = grpc.StatusCode.NOT_FOUND
FAILED = grpc.StatusCode.FAILED_PRECONDITION
DENIED = grpc.StatusCode.PERMISSION_DENIED


def topic(title: str, topic_id: str = "", hours: int = 2) -> pb.KtpTopic:
    return pb.KtpTopic(topic_id=topic_id, title=title, hours=hours, kind=jpb.LESSON_KIND_LECTURE)


def set_request(c: College, *topics: pb.KtpTopic, **changes: Any) -> pb.SetKtpRequest:
    fields: dict[str, Any] = {"group_id": c.group_id, "discipline_id": c.math, "topics": topics}
    fields.update(changes)
    return pb.SetKtpRequest(**fields)


async def test_a_ktp_keeps_its_topics_ids_and_a_topic_a_lesson_follows(journal: Journal) -> None:
    c = await college(journal)
    stub = journal.stub
    as_teacher = journal.md(c.teacher, "teacher")
    first = (
        await stub.SetKtp(
            set_request(c, topic("Тема 1.1. Пределы"), topic("Тема 1.2. Производная", hours=4)),
            metadata=as_teacher,
        )
    ).ktp
    assert ([t.position for t in first.topics], first.total_hours) == ([1, 2], 6)
    limits, derivative = first.topics
    (subject, payload), *_ = (await journal.outbox())[-1:]
    event = events_pb2.KtpSet.FromString(payload)
    assert (subject, event.ktp_id, event.topic_count, event.actor_id) == (
        "journal.ktp.set.v1",
        first.ktp_id,
        2,
        c.teacher,
    )

    lesson = (
        await stub.RecordLesson(
            lesson_request(c, topic="", ktp_topic_id=limits.topic_id), metadata=as_teacher
        )
    ).lesson
    assert (lesson.topic, lesson.ktp_topic_id) == ("Тема 1.1. Пределы", limits.topic_id)
    listed = await stub.ListLessons(
        pb.ListLessonsRequest(
            group_id=c.group_id, discipline_id=c.math, from_date=day("2026-10-01"), to_date=day("2026-10-31")
        ),
        metadata=journal.md(c.class_teacher, "class_teacher"),
    )
    assert [entry.ktp_topic_id for entry in listed.lessons] == [limits.topic_id]

    # Dropping the topic the lesson follows is refused; keeping it by id (renamed, moved) is fine.
    await journal.refused(
        stub.SetKtp(set_request(c, topic(derivative.title, derivative.topic_id)), metadata=as_teacher),
        FAILED,
        "ktp_topic_in_use",
    )
    second = (
        await stub.SetKtp(
            set_request(c, topic("Тема 1.0. Введение"), topic("Тема 1.1. Пределы функций", limits.topic_id)),
            metadata=journal.admin,
        )
    ).ktp
    assert second.ktp_id == first.ktp_id
    assert [(t.position, t.title) for t in second.topics] == [
        (1, "Тема 1.0. Введение"),
        (2, "Тема 1.1. Пределы функций"),
    ]
    assert second.topics[1].topic_id == limits.topic_id
    assert await journal.count(orm.ktp_topics) == 2
    read = await stub.GetKtp(
        pb.GetKtpRequest(group_id=c.group_id, discipline_id=c.math), metadata=journal.md(c.teacher, "teacher")
    )
    assert read.ktp == second
    none_yet = await stub.GetKtp(
        pb.GetKtpRequest(group_id=c.group_id, discipline_id=c.english), metadata=journal.admin
    )
    assert (none_yet.ktp.ktp_id, list(none_yet.ktp.topics)) == ("", [])

    unknown = "00000000-0000-4000-8000-000000000000"
    english = (
        await stub.SetKtp(set_request(c, topic("Unit 1"), discipline_id=c.english), metadata=journal.admin)
    ).ktp
    for call, status, code in [
        (stub.SetKtp(set_request(c), metadata=as_teacher), INVALID, "empty_ktp"),
        (
            stub.SetKtp(set_request(c, topic("a", hours=0)), metadata=as_teacher),
            INVALID,
            "invalid_topic_hours",
        ),
        (stub.SetKtp(set_request(c, topic("  ")), metadata=as_teacher), INVALID, "missing_title"),
        (
            stub.SetKtp(set_request(c, topic("a", unknown)), metadata=as_teacher),
            NOT_FOUND,
            "ktp_topic_not_found",
        ),
        (stub.SetKtp(set_request(c, topic("a", "x")), metadata=as_teacher), INVALID, "invalid_topic_id"),
        (
            stub.SetKtp(
                set_request(c, topic("a", limits.topic_id), topic("b", limits.topic_id)), metadata=as_teacher
            ),
            INVALID,
            "duplicate_ktp_topic",
        ),
        (
            stub.SetKtp(set_request(c, pb.KtpTopic(title="a", hours=2)), metadata=as_teacher),
            INVALID,
            "invalid_lesson_kind",
        ),
        (
            stub.SetKtp(set_request(c, *[topic("a")] * 301), metadata=as_teacher),
            INVALID,
            "too_many_ktp_topics",
        ),
        (
            stub.SetKtp(set_request(c, topic("a")), metadata=journal.md(c.english_teacher, "teacher")),
            DENIED,
            "not_teaching_this_group",
        ),
        (
            stub.SetKtp(set_request(c, topic("a"), subgroup_id=c.subgroup_id), metadata=journal.admin),
            NOT_FOUND,
            "subgroup_not_found",
        ),
        (
            stub.SetKtp(set_request(c, topic("a"), discipline_id=unknown), metadata=journal.admin),
            NOT_FOUND,
            "discipline_not_found",
        ),
        (
            stub.RecordLesson(
                lesson_request(c, pair_number=2, topic="", ktp_topic_id=english.topics[0].topic_id),
                metadata=as_teacher,
            ),
            FAILED,
            "ktp_topic_of_other_discipline",
        ),
        (
            stub.RecordLesson(lesson_request(c, pair_number=2, ktp_topic_id=unknown), metadata=as_teacher),
            NOT_FOUND,
            "ktp_topic_not_found",
        ),
        (
            stub.RecordLesson(lesson_request(c, pair_number=2, topic=""), metadata=as_teacher),
            INVALID,
            "missing_topic",
        ),
    ]:
        await journal.refused(call, status, code)
    assert await journal.count(orm.ktp_topics) == 3


async def test_a_ktp_and_a_lesson_on_one_of_its_topics_at_once_never_break_the_link(journal: Journal) -> None:
    """SetKtp dropping a topic and RecordLesson taking it race: one of them wins cleanly (the group
    row is the lock): either the lesson exists and the topic stays, or the topic is gone and the
    lesson is refused — never a 500 from the foreign key."""
    c = await college(journal)
    stub = journal.stub
    as_teacher = journal.md(c.teacher, "teacher")
    plan = (await stub.SetKtp(set_request(c, topic("Тема 1"), topic("Тема 2")), metadata=as_teacher)).ktp
    doomed, kept = plan.topics
    results = await asyncio.gather(
        stub.SetKtp(set_request(c, topic(kept.title, kept.topic_id)), metadata=as_teacher),
        stub.RecordLesson(lesson_request(c, topic="", ktp_topic_id=doomed.topic_id), metadata=as_teacher),
        return_exceptions=True,
    )
    codes = [r.code() if isinstance(r, grpc.aio.AioRpcError) else grpc.StatusCode.OK for r in results]
    assert codes in (
        [grpc.StatusCode.OK, grpc.StatusCode.NOT_FOUND],
        [grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.OK],
    )


async def test_homework_for_chosen_students_is_stored_and_listed(journal: Journal) -> None:
    c = await college(journal)
    stub = journal.stub
    as_teacher = journal.md(c.teacher, "teacher")
    chosen = [c.students[3], c.students[1]]
    lesson = (
        await stub.RecordLesson(
            lesson_request(
                c,
                homework="Реферат по теме",
                homework_kind=jpb.HOMEWORK_KIND_INDEPENDENT_WORK,
                homework_student_ids=chosen,
            ),
            metadata=as_teacher,
        )
    ).lesson
    assert (lesson.homework_kind, sorted(lesson.homework_student_ids)) == (
        jpb.HOMEWORK_KIND_INDEPENDENT_WORK,
        sorted(chosen),
    )
    event = events_pb2.LessonRecorded.FromString((await journal.outbox())[-1][1])
    assert sorted(event.homework_student_ids) == sorted(chosen)
    assert await journal.count(orm.homework_recipients) == 2
    # The same lesson again (the students in another order) is the same lesson; nothing more is written.
    again = await stub.RecordLesson(
        lesson_request(
            c,
            homework="Реферат по теме",
            homework_kind=jpb.HOMEWORK_KIND_INDEPENDENT_WORK,
            homework_student_ids=chosen[::-1],
        ),
        metadata=as_teacher,
    )
    assert (again.created, again.lesson.lesson_id) == (False, lesson.lesson_id)
    assert await journal.count(orm.homework_recipients) == 2
    whole = (await stub.RecordLesson(lesson_request(c, pair_number=2), metadata=as_teacher)).lesson
    assert (whole.homework_kind, list(whole.homework_student_ids)) == (jpb.HOMEWORK_KIND_HOMEWORK, [])
    listed = await stub.ListLessons(
        pb.ListLessonsRequest(
            group_id=c.group_id, discipline_id=c.math, from_date=day("2026-10-14"), to_date=day("2026-10-14")
        ),
        metadata=journal.admin,
    )
    assert [sorted(entry.homework_student_ids) for entry in listed.lessons] == [sorted(chosen), []]

    as_english = journal.md(c.english_teacher, "teacher")
    for call, status, code in [
        (
            stub.RecordLesson(
                lesson_request(c, pair_number=3, homework_student_ids=[journal.people.new("student")]),
                metadata=as_teacher,
            ),
            FAILED,
            "student_not_in_group",
        ),
        (
            stub.RecordLesson(
                lesson_request(
                    c,
                    discipline_id=c.english,
                    subgroup_id=c.subgroup_id,
                    pair_number=3,
                    homework_student_ids=[c.students[3]],
                ),
                metadata=as_english,
            ),
            FAILED,
            "student_not_in_subgroup",
        ),
        (
            stub.RecordLesson(
                lesson_request(
                    c, pair_number=3, homework="", homework_deadline=None, homework_student_ids=chosen
                ),
                metadata=as_teacher,
            ),
            INVALID,
            "homework_details_without_homework",
        ),
        (
            stub.RecordLesson(lesson_request(c, pair_number=3, homework_kind=7), metadata=as_teacher),  # type: ignore[arg-type]
            INVALID,
            "invalid_homework_kind",
        ),
        (
            stub.RecordLesson(
                lesson_request(c, pair_number=3, homework_student_ids=["x"]), metadata=as_teacher
            ),
            INVALID,
            "invalid_homework_student_ids",
        ),
    ]:
        await journal.refused(call, status, code)
    assert await journal.count(orm.homework_recipients) == 2


async def test_the_loads_without_a_ktp_on_a_date(journal: Journal) -> None:
    c = await college(journal)
    stub = journal.stub
    year_id = (
        (await stub.ListAcademicYears(pb.ListAcademicYearsRequest(), metadata=journal.admin)).years[0].year_id
    )
    await stub.SetKtp(set_request(c, topic("Тема 1")), metadata=journal.md(c.teacher, "teacher"))

    async def missing(as_of: str | None, who: Any = None) -> pb.ListDisciplinesWithoutKtpResponse:
        request = pb.ListDisciplinesWithoutKtpRequest(year_id=year_id)
        if as_of is not None:
            request.as_of.CopyFrom(day(as_of))
        return await stub.ListDisciplinesWithoutKtp(request, metadata=who or journal.admin)

    early = await missing("2026-09-05", journal.md(journal.people.new("deputy"), "deputy"))
    assert (early.deadline, early.past_deadline) == (day("2026-09-10"), False)
    assert {(m.discipline_id, m.teacher_id) for m in early.loads} == {
        (c.math, c.teacher),
        (c.english, c.english_teacher),
    }
    today = await missing(None)
    assert (today.as_of, today.past_deadline) == (day("2026-10-15"), True)
    assert [(m.group_id, m.discipline_id, m.teacher_id) for m in today.loads] == [
        (c.group_id, c.english, c.english_teacher)
    ]
    await journal.refused(
        stub.ListDisciplinesWithoutKtp(
            pb.ListDisciplinesWithoutKtpRequest(year_id="00000000-0000-4000-8000-000000000000"),
            metadata=journal.admin,
        ),
        NOT_FOUND,
        "academic_year_not_found",
    )
    await journal.refused(
        stub.ListDisciplinesWithoutKtp(
            pb.ListDisciplinesWithoutKtpRequest(year_id=year_id, as_of=jpb.DateSpan().starts_on),
            metadata=journal.admin,
        ),
        INVALID,
        "invalid_as_of",
    )
