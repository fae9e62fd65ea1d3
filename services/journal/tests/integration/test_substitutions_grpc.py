"""Substitutions and curriculum execution over real gRPC and PostgreSQL: the substitute records that
lesson, its marks and attendance and nothing else of the load; every refusal with its code and nothing
written; cancelling; the teacher's day; planned against delivered hours and topics, and the lag."""

from __future__ import annotations

from typing import Any

import grpc
from ejournal.journal.v1 import events_pb2
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as pb
from journal_service.adapters import orm

from .test_lessons_grpc import College, college, lesson_request
from .test_year_structure_grpc import INVALID, Journal, day, journal

__all__ = ["journal"]

FAILED = grpc.StatusCode.FAILED_PRECONDITION
NOT_FOUND = grpc.StatusCode.NOT_FOUND
DENIED = grpc.StatusCode.PERMISSION_DENIED
EXISTS = grpc.StatusCode.ALREADY_EXISTS
WEDNESDAY, EARLIER_WEDNESDAY = "2026-10-14", "2026-10-07"


async def year_of(journal: Journal) -> str:
    years = await journal.stub.ListAcademicYears(pb.ListAcademicYearsRequest(), metadata=journal.admin)
    return str(years.years[0].year_id)


async def timetable(journal: Journal, c: College, year_id: str) -> None:
    """Math on Wednesdays, pair 1, by the load's teacher."""
    await journal.stub.SetGroupTimetable(
        pb.SetGroupTimetableRequest(
            group_id=c.group_id,
            year_id=year_id,
            semester=1,
            entries=[pb.TimetableEntry(weekday=3, pair_number=1, discipline_id=c.math, teacher_id=c.teacher)],
        ),
        metadata=journal.admin,
    )


def substitution(c: College, substitute: str, **changes: Any) -> pb.RecordSubstitutionRequest:
    fields: dict[str, Any] = {
        "group_id": c.group_id,
        "discipline_id": c.math,
        "lesson_date": day(WEDNESDAY),
        "pair_number": 1,
        "substitute_teacher_id": substitute,
        "reason": pb.SUBSTITUTION_REASON_SICK_LEAVE,
    }
    fields.update(changes)
    return pb.RecordSubstitutionRequest(**fields)


def mark(c: College, lesson_id: str, value: str = "5") -> pb.RecordMarkRequest:
    return pb.RecordMarkRequest(student_id=c.students[0], lesson_id=lesson_id, value=value)


async def test_the_substitute_fills_that_lesson_only(journal: Journal) -> None:
    c = await college(journal)
    year_id = await year_of(journal)
    await timetable(journal, c, year_id)
    stub = journal.stub
    substitute = journal.people.new("teacher")
    as_substitute, as_teacher = journal.md(substitute, "teacher"), journal.md(c.teacher, "teacher")
    deputy = journal.people.new("deputy")
    earlier = (
        await stub.RecordLesson(lesson_request(c, lesson_date=day(EARLIER_WEDNESDAY)), metadata=as_teacher)
    ).lesson

    recorded = (
        await stub.RecordSubstitution(substitution(c, substitute), metadata=journal.md(deputy, "deputy"))
    ).substitution
    assert (
        recorded.teacher_id,
        recorded.substitute_teacher_id,
        recorded.recorded_by,
        recorded.lesson_id,
    ) == (
        c.teacher,
        substitute,
        deputy,
        "",
    )
    subject, payload = (await journal.outbox())[-2]
    event = events_pb2.SubstitutionRecorded.FromString(payload)
    assert (subject, event.substitution_id, event.substitute_teacher_id) == (
        "journal.substitution.recorded.v1",
        recorded.substitution_id,
        substitute,
    )

    taught = (await stub.RecordLesson(lesson_request(c), metadata=as_substitute)).lesson
    assert taught.teacher_id == substitute
    await stub.RecordMark(mark(c, taught.lesson_id), metadata=as_substitute)
    await stub.RecordAttendance(
        pb.RecordAttendanceRequest(
            lesson_id=taught.lesson_id,
            entries=[jpb.AttendanceEntry(student_id=c.students[1], status=jpb.ATTENDANCE_STATUS_ABSENT)],
        ),
        metadata=as_substitute,
    )
    # The load's own teacher keeps their journal, this lesson too.
    await stub.RecordMark(mark(c, taught.lesson_id, "4"), metadata=as_teacher)
    # Nothing else of the load: another lesson, a mark by date only.
    await journal.refused(
        stub.RecordMark(mark(c, earlier.lesson_id), metadata=as_substitute), DENIED, "not_teaching_this_group"
    )
    await journal.refused(
        stub.RecordMark(
            pb.RecordMarkRequest(
                student_id=c.students[0],
                group_id=c.group_id,
                discipline_id=c.math,
                lesson_date=day(WEDNESDAY),
                value="5",
            ),
            metadata=as_substitute,
        ),
        DENIED,
        "not_teaching_this_group",
    )
    await journal.refused(
        stub.RecordLesson(lesson_request(c, lesson_date=day("2026-09-30")), metadata=as_substitute),
        DENIED,
        "not_teaching_this_group",
    )

    # To fill it, the substitute reads the group's page of that week and its plan; nobody else new does.
    page = await stub.GetJournalPage(
        pb.GetJournalPageRequest(
            group_id=c.group_id, discipline_id=c.math, date_from=day("2026-10-12"), date_to=day("2026-10-18")
        ),
        metadata=as_substitute,
    )
    assert [lesson.lesson_id for lesson in page.lessons] == [taught.lesson_id]
    await stub.GetGroup(pb.GetGroupRequest(group_id=c.group_id), metadata=as_substitute)
    await stub.ListSubgroups(pb.ListSubgroupsRequest(group_id=c.group_id), metadata=as_substitute)
    await journal.refused(
        stub.GetJournalPage(
            pb.GetJournalPageRequest(
                group_id=c.group_id,
                discipline_id=c.math,
                date_from=day("2026-11-02"),
                date_to=day("2026-11-08"),
            ),
            metadata=as_substitute,
        ),
        NOT_FOUND,
        "group_not_found",
    )
    stranger = journal.md(journal.people.new("teacher"), "teacher")
    await journal.refused(
        stub.GetGroup(pb.GetGroupRequest(group_id=c.group_id), metadata=stranger),
        NOT_FOUND,
        "group_not_found",
    )

    listed = await stub.ListSubstitutions(
        pb.ListSubstitutionsRequest(
            from_date=day("2026-10-12"), to_date=day("2026-10-18"), group_id=c.group_id
        ),
        metadata=journal.admin,
    )
    assert [(s.substitution_id, s.lesson_id, s.taught_by) for s in listed.substitutions] == [
        (recorded.substitution_id, taught.lesson_id, substitute)
    ]
    their_day = await stub.GetTeacherDay(
        pb.GetTeacherDayRequest(teacher_id=substitute, date=day(WEDNESDAY)), metadata=as_substitute
    )
    assert [(p.group_id, p.lesson_id, p.replaced_teacher_id) for p in their_day.pairs] == [
        (c.group_id, taught.lesson_id, c.teacher)
    ]
    own_day = await stub.GetTeacherDay(
        pb.GetTeacherDayRequest(teacher_id=c.teacher, date=day(WEDNESDAY)), metadata=as_teacher
    )
    assert [p.substitute_teacher_id for p in own_day.pairs] == [substitute]

    # Used: it cannot be cancelled any more.
    await journal.refused(
        stub.CancelSubstitution(
            pb.CancelSubstitutionRequest(substitution_id=recorded.substitution_id), metadata=journal.admin
        ),
        FAILED,
        "substitution_used",
    )


async def test_bad_substitutions_write_nothing_and_one_is_cancelled(journal: Journal) -> None:
    c = await college(journal)
    year_id = await year_of(journal)
    await timetable(journal, c, year_id)
    stub, admin, people = journal.stub, journal.admin, journal.people
    substitute = people.new("teacher")
    # A teacher busy at that pair in another group.
    busy = people.new("class_teacher")
    other = (await stub.CreateGroup(pb.CreateGroupRequest(name="ИС-22"), metadata=admin)).group.group_id
    await stub.AssignTeachingLoad(
        pb.AssignTeachingLoadRequest(teacher_id=busy, group_id=other, discipline_id=c.english), metadata=admin
    )
    await stub.SetGroupTimetable(
        pb.SetGroupTimetableRequest(
            group_id=other,
            year_id=year_id,
            semester=1,
            entries=[pb.TimetableEntry(weekday=3, pair_number=1, discipline_id=c.english, teacher_id=busy)],
        ),
        metadata=admin,
    )
    first = (await stub.RecordSubstitution(substitution(c, substitute), metadata=admin)).substitution
    refusals: list[tuple[pb.RecordSubstitutionRequest, Any, grpc.StatusCode, str]] = [
        (substitution(c, substitute), journal.md(c.teacher, "teacher"), DENIED, "role_required"),
        (substitution(c, substitute), journal.md(people.new("curator"), "curator"), DENIED, "role_required"),
        (substitution(c, busy), admin, EXISTS, "substitution_exists"),
        (substitution(c, people.new("student"), lesson_date=day("2026-10-21")), admin, FAILED, "person_not_teacher"),
        (substitution(c, "00000000-0000-0000-0000-000000000009"), admin, NOT_FOUND, "person_not_found"),
        (substitution(c, c.teacher, lesson_date=day("2026-10-21")), admin, FAILED, "substitute_is_own_teacher"),
        (substitution(c, busy, lesson_date=day("2026-10-21")), admin, FAILED, "substitute_busy"),
        (substitution(c, substitute, pair_number=2), admin, FAILED, "slot_not_in_timetable"),
        (substitution(c, substitute, discipline_id=c.english), admin, FAILED, "slot_not_in_timetable"),
        (substitution(c, substitute, pair_number=7), admin, INVALID, "pair_not_in_schedule"),
        (substitution(c, substitute, pair_number=9), admin, INVALID, "invalid_pair_number"),
        (substitution(c, substitute, lesson_date=day("2027-07-07")), admin, FAILED, "date_outside_year"),
        (substitution(c, substitute, lesson_date=day("2026-12-23")), admin, FAILED, "not_a_teaching_day"),
        (substitution(c, substitute, reason=0), admin, INVALID, "invalid_substitution_reason"),
        (substitution(c, substitute, group_id="nope"), admin, INVALID, "invalid_group_id"),
        (substitution(c, substitute, group_id=first.teacher_id), admin, NOT_FOUND, "group_not_found"),
    ]  # fmt: skip
    for request, md, status, code in refusals:
        await journal.refused(stub.RecordSubstitution(request, metadata=md), status, code)
    assert await journal.count(orm.substitutions) == 1

    cancelled = (
        await stub.CancelSubstitution(
            pb.CancelSubstitutionRequest(substitution_id=first.substitution_id), metadata=admin
        )
    ).substitution
    assert cancelled.cancelled
    subject, payload = (await journal.outbox())[-2]
    assert subject == "journal.substitution.cancelled.v1"
    assert events_pb2.SubstitutionCancelled.FromString(payload).cancelled_by == journal.admin_id
    await journal.refused(
        stub.RecordLesson(lesson_request(c), metadata=journal.md(substitute, "teacher")),
        DENIED,
        "not_teaching_this_group",
    )
    await journal.refused(
        stub.CancelSubstitution(
            pb.CancelSubstitutionRequest(substitution_id=first.substitution_id), metadata=admin
        ),
        NOT_FOUND,
        "substitution_not_found",
    )
    # The slot is free again; the cancelled one is listed only when asked for.
    await stub.RecordSubstitution(
        substitution(c, people.new("teacher"), lesson_date=day("2026-10-28")), metadata=admin
    )
    week = pb.ListSubstitutionsRequest(from_date=day("2026-10-01"), to_date=day("2026-10-31"))
    assert len((await stub.ListSubstitutions(week, metadata=admin)).substitutions) == 1
    week.include_cancelled = True
    assert len((await stub.ListSubstitutions(week, metadata=admin)).substitutions) == 2
    await journal.refused(
        stub.ListSubstitutions(
            pb.ListSubstitutionsRequest(from_date=day("2026-10-31"), to_date=day("2026-10-01")),
            metadata=admin,
        ),
        INVALID,
        "invalid_substitution_range",
    )


async def test_curriculum_execution_against_the_plan_and_the_lag(journal: Journal) -> None:
    c = await college(journal)
    year_id = await year_of(journal)
    await timetable(journal, c, year_id)
    stub, admin = journal.stub, journal.admin
    await stub.SetCurriculum(
        pb.SetCurriculumRequest(
            group_id=c.group_id,
            year_id=year_id,
            rows=[
                pb.CurriculumRow(
                    discipline_id=c.math,
                    semester=1,
                    total_hours=72,
                    weekly_hours=2,
                    control_form=pb.CONTROL_FORM_EXAM,
                )
            ],
        ),
        metadata=admin,
    )
    as_teacher = journal.md(c.teacher, "teacher")
    plan = (
        await stub.SetKtp(
            pb.SetKtpRequest(
                group_id=c.group_id,
                discipline_id=c.math,
                topics=[
                    pb.KtpTopic(title=f"Тема {n}", hours=2, kind=jpb.LESSON_KIND_LECTURE)
                    for n in range(1, 21)
                ],
            ),
            metadata=as_teacher,
        )
    ).ktp
    for n, lesson_day in enumerate(("2026-09-09", "2026-09-16", "2026-09-23")):
        await stub.RecordLesson(
            lesson_request(c, lesson_date=day(lesson_day), ktp_topic_id=plan.topics[n].topic_id, topic=""),
            metadata=as_teacher,
        )
    request = pb.GetCurriculumExecutionRequest(
        group_id=c.group_id, year_id=year_id, semester=1, as_of=day("2026-10-15")
    )
    found = await stub.GetCurriculumExecution(request, metadata=journal.md(c.class_teacher, "class_teacher"))
    [math] = found.rows
    # Wednesdays from 8 September (the calendar's theory) to 15 October: 9.09 … 14.10 = 6 pairs.
    assert (math.planned_hours, math.ktp_hours, math.ktp_topics) == (72, 40, 20)
    assert (math.planned_hours_to_date, math.planned_topics_to_date) == (12, 6)
    assert (math.delivered_hours, math.delivered_topics, math.lag_hours, math.lag_topics) == (6, 3, 6, 3)
    await journal.refused(
        stub.GetCurriculumExecution(request, metadata=as_teacher), NOT_FOUND, "group_not_found"
    )
    lag = await stub.ListCurriculumLag(
        pb.ListCurriculumLagRequest(year_id=year_id, as_of=day("2026-10-15")), metadata=admin
    )
    assert [(r.group_id, r.execution.discipline_id, r.execution.lag_hours) for r in lag.rows] == [
        (c.group_id, c.math, 6)
    ]
    await journal.refused(
        stub.ListCurriculumLag(pb.ListCurriculumLagRequest(year_id=year_id), metadata=as_teacher),
        DENIED,
        "role_required",
    )
