"""Lessons and attendance (R2.3) over real gRPC and PostgreSQL: a lesson per group (or subgroup),
date and pair by the teacher of the load, an idempotent repeat, every refusal with its code and
nothing written; the whole group's attendance in one call, replaced atomically, evented and audited."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

import grpc
from chassis.grpc_client import error_code_of
from ejournal.audit.v1.events_pb2 import AuditRecorded
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.journal.v1 import events_pb2
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as pb
from journal_service.adapters import orm

from .test_year_structure_grpc import INVALID, Journal, cal, day, journal, open_request

__all__ = ["journal"]  # the fixture, shared with the year's tests

DENIED = grpc.StatusCode.PERMISSION_DENIED
FAILED = grpc.StatusCode.FAILED_PRECONDITION
NOT_FOUND = grpc.StatusCode.NOT_FOUND
TAKEN = grpc.StatusCode.ALREADY_EXISTS


@dataclass
class College:
    group_id: str
    math: str
    english: str
    teacher: str
    english_teacher: str
    class_teacher: str
    students: list[str]
    subgroup_id: str
    subgroup_students: list[str]


async def college(journal: Journal, students: int = 4) -> College:
    """A group with a class teacher and a calendar (theory from 8 September), two disciplines with
    their teachers, enrolled students and an English subgroup of the first two."""
    stub, admin, people = journal.stub, journal.admin, journal.people
    class_teacher = people.new("class_teacher")
    group_id = (
        await stub.CreateGroup(
            pb.CreateGroupRequest(
                name="ИС-21", attributes=pb.GroupAttributes(class_teacher_id=class_teacher)
            ),
            metadata=admin,
        )
    ).group.group_id

    async def discipline(code: str, name: str) -> str:
        request = pb.CreateDisciplineRequest(code=code, name=name, kind=jpb.DISCIPLINE_KIND_DISCIPLINE)
        return str((await stub.CreateDiscipline(request, metadata=admin)).discipline.discipline_id)

    math, english = await discipline("ЕН.01", "Математика"), await discipline("ОГСЭ.03", "Иностранный язык")
    teacher, english_teacher = people.new("teacher"), people.new("teacher")
    for person, discipline_id in ((teacher, math), (english_teacher, english)):
        await stub.AssignTeachingLoad(
            pb.AssignTeachingLoadRequest(teacher_id=person, group_id=group_id, discipline_id=discipline_id),
            metadata=admin,
        )
    enrolled = [people.new("student") for _ in range(students)]
    for student in enrolled:
        await stub.EnrollStudent(
            pb.EnrollStudentRequest(group_id=group_id, student_id=student), metadata=admin
        )
    year_id = (await stub.OpenAcademicYear(open_request(), metadata=admin)).year.year_id
    await stub.SetGroupCalendar(
        pb.SetGroupCalendarRequest(
            group_id=group_id,
            year_id=year_id,
            spans=[cal(jpb.CALENDAR_SPAN_KIND_THEORY, "2026-09-08", "2026-12-20")],
        ),
        metadata=admin,
    )
    subgroup = await stub.CreateSubgroup(
        pb.CreateSubgroupRequest(
            group_id=group_id, discipline_id=english, name="подгруппа 1", student_ids=enrolled[:2]
        ),
        metadata=admin,
    )
    return College(
        group_id,
        math,
        english,
        teacher,
        english_teacher,
        class_teacher,
        enrolled,
        subgroup.subgroup.subgroup_id,
        enrolled[:2],
    )


def lesson_request(c: College, **changes: Any) -> pb.RecordLessonRequest:
    fields: dict[str, Any] = {
        "group_id": c.group_id,
        "discipline_id": c.math,
        "lesson_date": day("2026-10-14"),
        "pair_number": 1,
        "topic": "Пределы функций",
        "kind": jpb.LESSON_KIND_LECTURE,
        "homework": "№ 12–15",
        "homework_deadline": day("2026-10-21"),
    }
    fields.update(changes)
    return pb.RecordLessonRequest(**fields)


async def test_a_lesson_is_recorded_once_by_the_teacher_of_the_load_and_bad_ones_write_nothing(
    journal: Journal,
) -> None:
    c = await college(journal)
    stub = journal.stub
    as_teacher = journal.md(c.teacher, "teacher")
    before = len(await journal.outbox())

    first = await stub.RecordLesson(lesson_request(c), metadata=as_teacher)
    assert first.created
    assert (first.lesson.topic, first.lesson.pair_number, first.lesson.teacher_id) == (
        "Пределы функций",
        1,
        c.teacher,
    )
    assert first.lesson.homework_deadline == day("2026-10-21")
    (subject, payload), *_ = (await journal.outbox())[before:]
    event = events_pb2.LessonRecorded.FromString(payload)
    assert subject == "journal.lesson.recorded.v1"
    assert (event.lesson_id, event.group_id, event.subgroup_id, event.kind, event.has_homework) == (
        first.lesson.lesson_id,
        c.group_id,
        "",
        jpb.LESSON_KIND_LECTURE,
        True,
    )

    # The same lesson again (a retried request) is the same lesson, and nothing more is written.
    async def repeat() -> None:
        again = await stub.RecordLesson(lesson_request(c), metadata=as_teacher)
        assert (again.created, again.lesson.lesson_id) == (False, first.lesson.lesson_id)

    written = len(await journal.outbox())
    await repeat()
    assert len(await journal.outbox()) == written

    record = stub.RecordLesson
    other_teacher = journal.people.new("teacher")
    other_subgroup = "00000000-0000-4000-8000-000000000000"
    refusals: list[tuple[Awaitable[Any], grpc.StatusCode, str]] = [
        (
            record(lesson_request(c), metadata=journal.md(other_teacher, "teacher")),
            DENIED,
            "not_teaching_this_group",
        ),
        (
            record(lesson_request(c), metadata=journal.md(c.english_teacher, "teacher")),
            DENIED,
            "not_teaching_this_group",
        ),
        (record(lesson_request(c), metadata=journal.md(c.students[0], "student")), DENIED, "role_required"),
        (record(lesson_request(c), metadata=journal.admin), DENIED, "role_required"),
        (
            record(lesson_request(c, lesson_date=day("2026-10-16")), metadata=as_teacher),
            INVALID,
            "lesson_date_in_future",
        ),
        (record(lesson_request(c, pair_number=7), metadata=as_teacher), INVALID, "pair_not_in_schedule"),
        (record(lesson_request(c, pair_number=0), metadata=as_teacher), INVALID, "pair_not_in_schedule"),
        (
            record(lesson_request(c, lesson_date=day("2026-09-03")), metadata=as_teacher),
            FAILED,
            "not_a_teaching_day",
        ),
        (record(lesson_request(c, topic="Другая тема"), metadata=as_teacher), TAKEN, "lesson_slot_taken"),
        (
            record(lesson_request(c, kind=jpb.LESSON_KIND_SEMINAR), metadata=as_teacher),
            TAKEN,
            "lesson_slot_taken",
        ),
        (
            record(lesson_request(c, subgroup_id=c.subgroup_id), metadata=as_teacher),
            NOT_FOUND,
            "subgroup_not_found",
        ),
        (
            record(lesson_request(c, subgroup_id=other_subgroup, pair_number=2), metadata=as_teacher),
            NOT_FOUND,
            "subgroup_not_found",
        ),
        (
            record(lesson_request(c, kind=jpb.LESSON_KIND_UNSPECIFIED), metadata=as_teacher),
            INVALID,
            "invalid_lesson_kind",
        ),
        (record(lesson_request(c, topic="  "), metadata=as_teacher), INVALID, "missing_topic"),
        (record(lesson_request(c, topic="т\x00"), metadata=as_teacher), INVALID, "invalid_text"),
        (
            record(lesson_request(c, homework="", pair_number=2), metadata=as_teacher),
            INVALID,
            "invalid_homework_deadline",
        ),
        (
            record(
                lesson_request(c, homework_deadline=day("2026-10-13"), pair_number=2), metadata=as_teacher
            ),
            INVALID,
            "invalid_homework_deadline",
        ),
        (record(lesson_request(c, group_id="не-ид"), metadata=as_teacher), INVALID, "invalid_group_id"),
        (
            record(
                lesson_request(c, lesson_date=LocalDate(year=2026, month=2, day=30)),
                metadata=as_teacher,
            ),
            INVALID,
            "invalid_lesson_date",
        ),
    ]
    for call, status, code in refusals:
        await journal.refused(call, status, code)
    assert await journal.count(orm.lessons) == 1

    # A subgroup's lesson needs the whole group free at that pair (subgroups meet in parallel, the
    # whole group then has no lesson); another group without a calendar takes lessons on any past day.
    as_english = journal.md(c.english_teacher, "teacher")

    def english_request(**changes: Any) -> pb.RecordLessonRequest:
        return lesson_request(c, discipline_id=c.english, kind=jpb.LESSON_KIND_PRACTICAL, **changes)

    await journal.refused(
        record(english_request(subgroup_id=c.subgroup_id), metadata=as_english), TAKEN, "lesson_slot_taken"
    )
    english = await record(english_request(subgroup_id=c.subgroup_id, pair_number=2), metadata=as_english)
    assert (english.created, english.lesson.subgroup_id) == (True, c.subgroup_id)
    again = await record(english_request(subgroup_id=c.subgroup_id, pair_number=2), metadata=as_english)
    assert (again.created, again.lesson.lesson_id) == (False, english.lesson.lesson_id)
    for call in (english_request(pair_number=2), english_request()):
        await journal.refused(record(call, metadata=as_english), TAKEN, "lesson_slot_taken")
    other_group = (
        await stub.CreateGroup(pb.CreateGroupRequest(name="ИС-22"), metadata=journal.admin)
    ).group.group_id
    await stub.AssignTeachingLoad(
        pb.AssignTeachingLoadRequest(teacher_id=c.teacher, group_id=other_group, discipline_id=c.math),
        metadata=journal.admin,
    )
    early = await record(
        lesson_request(c, group_id=other_group, lesson_date=day("2026-09-03")), metadata=as_teacher
    )
    assert early.created

    # Reading: the teacher of the load, the class teacher, the administration; nobody else.
    def listing(
        discipline_id: str, start: str = "2026-09-01", end: str = "2026-10-15"
    ) -> pb.ListLessonsRequest:
        return pb.ListLessonsRequest(
            group_id=c.group_id, discipline_id=discipline_id, from_date=day(start), to_date=day(end)
        )

    for reader in (
        as_teacher,
        journal.md(c.class_teacher, "class_teacher"),
        journal.md(journal.people.new("deputy"), "deputy"),
    ):
        found = await stub.ListLessons(listing(c.math), metadata=reader)
        assert [lesson.lesson_id for lesson in found.lessons] == [first.lesson.lesson_id]
    english_lessons = await stub.ListLessons(listing(c.english), metadata=as_english)
    assert [lesson.lesson_id for lesson in english_lessons.lessons] == [english.lesson.lesson_id]
    assert not (
        await stub.ListLessons(listing(c.math, "2026-10-15", "2026-10-15"), metadata=as_teacher)
    ).lessons
    for call, status, code in [
        (stub.ListLessons(listing(c.math), metadata=as_english), NOT_FOUND, "group_not_found"),
        (
            stub.ListLessons(listing(c.math), metadata=journal.md(c.students[0], "student")),
            NOT_FOUND,
            "group_not_found",
        ),
        (
            stub.ListLessons(listing(c.math, "2026-10-15", "2026-10-01"), metadata=as_teacher),
            INVALID,
            "invalid_lesson_range",
        ),
        (
            stub.ListLessons(listing(c.math, "2025-09-01", "2026-10-01"), metadata=as_teacher),
            INVALID,
            "invalid_lesson_range",
        ),
    ]:
        await journal.refused(call, status, code)


def entry(
    student: str, status: jpb.AttendanceStatus.ValueType, reason: jpb.AbsenceReason.ValueType = 0
) -> jpb.AttendanceEntry:
    return jpb.AttendanceEntry(student_id=student, status=status, reason=reason)


PRESENT, ABSENT, LATE = (
    jpb.ATTENDANCE_STATUS_PRESENT,
    jpb.ATTENDANCE_STATUS_ABSENT,
    jpb.ATTENDANCE_STATUS_LATE,
)


async def test_the_whole_groups_attendance_in_one_call_replaced_whole_or_not_at_all(journal: Journal) -> None:
    c = await college(journal, students=25)
    stub = journal.stub
    as_teacher = journal.md(c.teacher, "teacher")
    lesson = (await stub.RecordLesson(lesson_request(c), metadata=as_teacher)).lesson
    entries = [entry(s, PRESENT) for s in c.students[:20]] + [
        entry(c.students[20], ABSENT, jpb.ABSENCE_REASON_ILLNESS),
        entry(c.students[21], ABSENT, jpb.ABSENCE_REASON_DOCUMENTED),
        entry(c.students[22], ABSENT),
        entry(c.students[23], LATE, jpb.ABSENCE_REASON_UNEXCUSED),
        entry(c.students[24], LATE),
    ]
    before = len(await journal.outbox())

    stored = await stub.RecordAttendance(
        pb.RecordAttendanceRequest(lesson_id=lesson.lesson_id, entries=entries), metadata=as_teacher
    )
    assert [e.student_id for e in stored.entries] == sorted(c.students)
    assert sorted(stored.entries, key=lambda e: e.student_id) == sorted(entries, key=lambda e: e.student_id)
    assert await journal.count(orm.attendance) == 25
    written = (await journal.outbox())[before:]
    assert [s for s, _ in written] == ["journal.attendance.recorded.v1", "audit.journal.recorded.v1"]
    event = events_pb2.AttendanceRecorded.FromString(written[0][1])
    assert (event.lesson_id, event.group_id, event.teacher_id, len(event.entries)) == (
        lesson.lesson_id,
        c.group_id,
        c.teacher,
        25,
    )
    assert {e.reason for e in event.entries} == {0, 1, 2, 3}
    audit = AuditRecorded.FromString(written[1][1])
    assert (audit.action, audit.actor_id, audit.resource_type, audit.resource_id) == (
        "attendance.recorded",
        c.teacher,
        "lesson",
        lesson.lesson_id,
    )

    # Sent again with one student fewer and one reason changed: the lesson's attendance is replaced.
    changed = [
        entry(c.students[20], ABSENT, jpb.ABSENCE_REASON_COLLEGE_BUSINESS),
        *entries[:20],
        *entries[21:24],
    ]
    await stub.RecordAttendance(
        pb.RecordAttendanceRequest(lesson_id=lesson.lesson_id, entries=changed), metadata=as_teacher
    )
    assert await journal.count(orm.attendance) == 24

    def attend(
        *items: jpb.AttendanceEntry, lesson_id: str = lesson.lesson_id, md: Any = as_teacher
    ) -> Awaitable[Any]:
        return stub.RecordAttendance(
            pb.RecordAttendanceRequest(lesson_id=lesson_id, entries=list(items)), metadata=md
        )

    stranger = journal.people.new("student")
    english_lesson = (
        await stub.RecordLesson(
            lesson_request(c, discipline_id=c.english, subgroup_id=c.subgroup_id, pair_number=2),
            metadata=journal.md(c.english_teacher, "teacher"),
        )
    ).lesson
    as_english = journal.md(c.english_teacher, "teacher")
    for call, status, code in [
        (attend(*entries, md=as_english), DENIED, "not_teaching_this_group"),
        (attend(*entries, md=journal.md(c.class_teacher, "class_teacher")), DENIED, "role_required"),
        (attend(*entries, entry(stranger, PRESENT)), FAILED, "student_not_in_group"),
        (attend(*entries, entries[3]), INVALID, "duplicate_attendance_student"),
        (
            attend(entry(c.students[0], PRESENT, jpb.ABSENCE_REASON_ILLNESS)),
            INVALID,
            "reason_without_absence",
        ),
        (
            attend(entry(c.students[0], jpb.ATTENDANCE_STATUS_UNSPECIFIED)),
            INVALID,
            "invalid_attendance_status",
        ),
        (attend(entry(c.students[0], ABSENT, 99)), INVALID, "invalid_absence_reason"),
        (attend(entry("не-ид", PRESENT)), INVALID, "invalid_student_id"),
        (attend(*entries, lesson_id="00000000-0000-4000-8000-000000000000"), NOT_FOUND, "lesson_not_found"),
        (attend(*[entry(s, PRESENT) for s in [stranger] * 201]), INVALID, "too_many_attendance_entries"),
        (
            attend(
                entry(c.students[0], PRESENT),
                entry(c.students[2], PRESENT),
                lesson_id=english_lesson.lesson_id,
                md=as_english,
            ),
            FAILED,
            "student_not_in_subgroup",
        ),
    ]:
        await journal.refused(call, status, code)
    assert await journal.count(orm.attendance) == 24
    subgroup_only = await attend(
        *[entry(s, PRESENT) for s in c.subgroup_students], lesson_id=english_lesson.lesson_id, md=as_english
    )
    assert len(subgroup_only.entries) == 2

    # Read by the class teacher (audited, the actor named); a teacher of another discipline is told no such lesson.
    before = len(await journal.outbox())
    read = await stub.GetAttendance(
        pb.GetAttendanceRequest(lesson_id=lesson.lesson_id),
        metadata=journal.md(c.class_teacher, "class_teacher"),
    )
    assert read.lesson.lesson_id == lesson.lesson_id
    assert {(e.student_id, e.reason) for e in read.entries if e.status != PRESENT} == {
        (c.students[20], jpb.ABSENCE_REASON_COLLEGE_BUSINESS),
        (c.students[21], jpb.ABSENCE_REASON_DOCUMENTED),
        (c.students[22], jpb.ABSENCE_REASON_UNSPECIFIED),
        (c.students[23], jpb.ABSENCE_REASON_UNEXCUSED),
    }
    audit = AuditRecorded.FromString((await journal.outbox())[before][1])
    assert (audit.action, audit.actor_id) == ("attendance.read", c.class_teacher)
    await journal.refused(
        stub.GetAttendance(pb.GetAttendanceRequest(lesson_id=lesson.lesson_id), metadata=as_english),
        NOT_FOUND,
        "lesson_not_found",
    )


async def test_teachers_recording_one_slot_at_once_leave_one_lesson(journal: Journal) -> None:
    c = await college(journal, students=1)
    stub, admin = journal.stub, journal.admin
    teachers = [c.teacher, *(journal.people.new("teacher") for _ in range(4))]
    for teacher in teachers[1:]:
        await stub.AssignTeachingLoad(
            pb.AssignTeachingLoadRequest(teacher_id=teacher, group_id=c.group_id, discipline_id=c.math),
            metadata=admin,
        )

    async def record(teacher: str) -> str:
        try:
            await stub.RecordLesson(lesson_request(c), metadata=journal.md(teacher, "teacher"))
        except grpc.aio.AioRpcError as refused:
            return str(error_code_of(refused))
        return "created"

    outcomes = await asyncio.gather(*(record(t) for t in teachers))
    assert sorted(outcomes) == ["created", *["lesson_slot_taken"] * 4]
    assert await journal.count(orm.lessons) == 1
