"""The timetable, subgroup loads and the teacher's day over real gRPC and PostgreSQL: a group's
timetable replaced whole and evented, every refusal with its code and nothing written, a teacher's
clash across groups (also when two admins write at once), the day with its pairs and lessons."""

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

__all__ = ["journal"]  # the fixture, shared with the year's tests

FAILED = grpc.StatusCode.FAILED_PRECONDITION
NOT_FOUND = grpc.StatusCode.NOT_FOUND
DENIED = grpc.StatusCode.PERMISSION_DENIED


async def year_of(journal: Journal) -> str:
    years = await journal.stub.ListAcademicYears(pb.ListAcademicYearsRequest(), metadata=journal.admin)
    return str(years.years[0].year_id)


def entry(c: College, weekday: int = 1, pair: int = 1, **changes: Any) -> pb.TimetableEntry:
    fields: dict[str, Any] = {
        "weekday": weekday,
        "pair_number": pair,
        "discipline_id": c.math,
        "teacher_id": c.teacher,
    }
    fields.update(changes)
    return pb.TimetableEntry(**fields)


def set_request(
    c: College, year_id: str, *entries: pb.TimetableEntry, **changes: Any
) -> pb.SetGroupTimetableRequest:
    fields: dict[str, Any] = {"group_id": c.group_id, "year_id": year_id, "semester": 1, "entries": entries}
    fields.update(changes)
    return pb.SetGroupTimetableRequest(**fields)


async def test_a_timetable_is_replaced_whole_and_bad_ones_write_nothing(journal: Journal) -> None:
    c = await college(journal)
    year_id = await year_of(journal)
    stub, admin = journal.stub, journal.admin
    english_subgroup = {
        "discipline_id": c.english,
        "teacher_id": c.english_teacher,
        "subgroup_id": c.subgroup_id,
    }
    first = await stub.SetGroupTimetable(
        set_request(c, year_id, entry(c, 1, 1), entry(c, 2, 2, room=" 214 ")), metadata=admin
    )
    assert [(e.weekday, e.pair_number, e.room) for e in first.entries] == [(1, 1, ""), (2, 2, "214")]
    stored = await stub.SetGroupTimetable(
        set_request(
            c,
            year_id,
            entry(c, 3, 1, parity=pb.WEEK_PARITY_ODD),
            entry(c, 3, 1, parity=pb.WEEK_PARITY_EVEN, **english_subgroup),
            entry(c, 1, 2, **english_subgroup),
        ),
        metadata=admin,
    )
    assert [(e.weekday, e.pair_number, e.parity) for e in stored.entries] == [
        (1, 2, pb.WEEK_PARITY_EVERY),
        (3, 1, pb.WEEK_PARITY_EVEN),
        (3, 1, pb.WEEK_PARITY_ODD),
    ]
    assert await journal.count(orm.timetable_entries) == 3
    read = await stub.GetGroupTimetable(
        pb.GetGroupTimetableRequest(group_id=c.group_id, year_id=year_id, semester=1),
        metadata=journal.md(c.students[0], "student"),
    )
    assert list(read.entries) == list(stored.entries)
    outbox = [(s, p) for s, p in await journal.outbox() if s == "journal.timetable.set.v1"]
    event = events_pb2.GroupTimetableSet.FromString(outbox[-1][1])
    assert (event.group_id, event.year_id, event.semester, event.entry_count) == (c.group_id, year_id, 1, 3)

    refusals: list[tuple[pb.SetGroupTimetableRequest, grpc.StatusCode, str]] = [
        (set_request(c, year_id, entry(c), entry(c, discipline_id=c.english, teacher_id=c.english_teacher)),
         FAILED, "timetable_group_clash"),
        (set_request(c, year_id, entry(c, pair=7)), INVALID, "pair_not_found"),
        (set_request(c, year_id, entry(c, weekday=7)), INVALID, "invalid_weekday"),
        (set_request(c, year_id, entry(c, parity=9)), INVALID, "invalid_week_parity"),
        (set_request(c, year_id, entry(c, room="x" * 33)), INVALID, "invalid_room"),
        (set_request(c, year_id, entry(c, teacher_id=c.english_teacher)), FAILED, "teacher_has_no_load"),
        (set_request(c, year_id, entry(c, subgroup_id=c.subgroup_id)), FAILED, "subgroup_of_other_group"),
        (set_request(c, year_id, entry(c, teacher_id="nope")), INVALID, "invalid_teacher_id"),
        (set_request(c, year_id, semester=3), INVALID, "invalid_semester"),
        (set_request(c, year_id, *[entry(c)] * 201), INVALID, "too_many_timetable_entries"),
        (set_request(c, "00000000-0000-0000-0000-000000000001"), NOT_FOUND, "academic_year_not_found"),
        (set_request(c, year_id, group_id="00000000-0000-0000-0000-000000000001"), NOT_FOUND, "group_not_found"),
    ]  # fmt: skip
    for request, status, code in refusals:
        await journal.refused(stub.SetGroupTimetable(request, metadata=admin), status, code)
    assert await journal.count(orm.timetable_entries) == 3


async def test_a_teacher_cannot_be_in_two_groups_at_once_even_when_two_admins_write_together(
    journal: Journal,
) -> None:
    c = await college(journal)
    year_id = await year_of(journal)
    stub, admin = journal.stub, journal.admin
    other = (await stub.CreateGroup(pb.CreateGroupRequest(name="ИС-22"), metadata=admin)).group.group_id
    await stub.AssignTeachingLoad(
        pb.AssignTeachingLoadRequest(teacher_id=c.teacher, group_id=other, discipline_id=c.math),
        metadata=admin,
    )
    await stub.SetGroupTimetable(set_request(c, year_id, entry(c, 1, 1)), metadata=admin)
    await journal.refused(
        stub.SetGroupTimetable(set_request(c, year_id, entry(c, 1, 1), group_id=other), metadata=admin),
        FAILED,
        "timetable_teacher_clash",
    )
    # Both groups at Tuesday's first pair at once: the year row is locked, one wins.
    await stub.SetGroupTimetable(set_request(c, year_id), metadata=admin)
    results = await asyncio.gather(
        stub.SetGroupTimetable(set_request(c, year_id, entry(c, 2, 1)), metadata=admin),
        stub.SetGroupTimetable(set_request(c, year_id, entry(c, 2, 1), group_id=other), metadata=admin),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert len(refused) == 1 and refused[0].code() == FAILED
    assert await journal.count(orm.timetable_entries) == 1


async def test_the_teacher_s_day_lists_the_pairs_of_the_date_with_their_lessons(journal: Journal) -> None:
    c = await college(journal)
    year_id = await year_of(journal)
    stub, admin = journal.stub, journal.admin
    await stub.SetGroupTimetable(
        set_request(
            c,
            year_id,
            entry(c, 3, 2, room="214"),
            entry(c, 3, 1, parity=pb.WEEK_PARITY_EVEN),
            entry(c, 4, 1),
        ),
        metadata=admin,
    )
    lesson = await stub.RecordLesson(
        lesson_request(c, pair_number=2), metadata=journal.md(c.teacher, "teacher")
    )  # Wednesday 14 October 2026, week 7 (odd)
    day_request = pb.GetTeacherDayRequest(teacher_id=c.teacher, date=day("2026-10-14"))
    found = await stub.GetTeacherDay(day_request, metadata=journal.md(c.teacher, "teacher"))
    assert (found.year_id, found.semester, found.week_number) == (year_id, 1, 7)
    assert [
        (p.group_id, p.entry.pair_number, p.starts_at_minute, p.ends_at_minute, p.entry.room, p.lesson_id)
        for p in found.pairs
    ] == [(c.group_id, 2, 610, 700, "214", lesson.lesson.lesson_id)]
    audits_before = len([s for s, _ in await journal.outbox() if s.startswith("audit.")])
    as_admin = await stub.GetTeacherDay(day_request, metadata=admin)
    assert len(as_admin.pairs) == 1
    assert len([s for s, _ in await journal.outbox() if s.startswith("audit.")]) == audits_before + 1
    await journal.refused(
        stub.GetTeacherDay(day_request, metadata=journal.md(c.english_teacher, "teacher")),
        DENIED,
        "role_required",
    )
    # Before the calendar's theory starts (8 September) the group has no pairs; Sunday neither.
    for empty in ("2026-09-02", "2026-10-18", "2027-01-05"):
        reply = await stub.GetTeacherDay(
            pb.GetTeacherDayRequest(teacher_id=c.teacher, date=day(empty)),
            metadata=journal.md(c.teacher, "teacher"),
        )
        assert list(reply.pairs) == []


async def test_a_subgroup_s_load_lets_its_teacher_record_that_subgroup_only(journal: Journal) -> None:
    c = await college(journal)
    stub, admin = journal.stub, journal.admin
    teacher = journal.people.new("teacher")
    request = pb.AssignTeachingLoadRequest(
        teacher_id=teacher, group_id=c.group_id, discipline_id=c.english, subgroup_id=c.subgroup_id
    )
    load = (await stub.AssignTeachingLoad(request, metadata=admin)).load
    again = (await stub.AssignTeachingLoad(request, metadata=admin)).load
    assert (load.subgroup_id, again.load_id) == (c.subgroup_id, load.load_id)
    whole = pb.AssignTeachingLoadRequest(teacher_id=teacher, group_id=c.group_id, discipline_id=c.english)
    assert (await stub.AssignTeachingLoad(whole, metadata=admin)).load.load_id != load.load_id
    await journal.refused(
        stub.AssignTeachingLoad(
            pb.AssignTeachingLoadRequest(
                teacher_id=teacher, group_id=c.group_id, discipline_id=c.math, subgroup_id=c.subgroup_id
            ),
            metadata=admin,
        ),
        FAILED,
        "subgroup_of_other_group",
    )
    sub_teacher = journal.people.new("teacher")
    await stub.AssignTeachingLoad(
        pb.AssignTeachingLoadRequest(
            teacher_id=sub_teacher, group_id=c.group_id, discipline_id=c.english, subgroup_id=c.subgroup_id
        ),
        metadata=admin,
    )
    md = journal.md(sub_teacher, "teacher")
    english = {"discipline_id": c.english, "kind": jpb.LESSON_KIND_PRACTICAL}
    recorded = await stub.RecordLesson(lesson_request(c, subgroup_id=c.subgroup_id, **english), metadata=md)
    assert recorded.lesson.subgroup_id == c.subgroup_id
    await journal.refused(
        stub.RecordLesson(lesson_request(c, pair_number=2, **english), metadata=md),
        DENIED,
        "not_teaching_this_group",
    )
    # The whole group's lesson (by the English teacher of the group): not the subgroup teacher's.
    whole = await stub.RecordLesson(
        lesson_request(c, pair_number=3, **english), metadata=journal.md(c.english_teacher, "teacher")
    )
    present = jpb.AttendanceEntry(student_id=c.students[0], status=jpb.ATTENDANCE_STATUS_PRESENT)
    await journal.refused(
        stub.RecordAttendance(
            pb.RecordAttendanceRequest(lesson_id=whole.lesson.lesson_id, entries=[present]), metadata=md
        ),
        DENIED,
        "not_teaching_this_group",
    )
    await journal.refused(
        stub.RecordMark(
            pb.RecordMarkRequest(student_id=c.students[0], lesson_id=whole.lesson.lesson_id, value="5"),
            metadata=md,
        ),
        DENIED,
        "not_teaching_this_group",
    )
    own = pb.RecordAttendanceRequest(lesson_id=recorded.lesson.lesson_id, entries=[present])
    assert len((await stub.RecordAttendance(own, metadata=md)).entries) == 1
    listed = await stub.ListTeachingLoads(
        pb.ListTeachingLoadsRequest(group_id=c.group_id),
        metadata=journal.md(c.class_teacher, "class_teacher"),
    )
    assert {(load.teacher_id, load.discipline_id, load.subgroup_id) for load in listed.loads} == {
        (c.teacher, c.math, ""),
        (c.english_teacher, c.english, ""),
        (teacher, c.english, ""),
        (teacher, c.english, c.subgroup_id),
        (sub_teacher, c.english, c.subgroup_id),
    }
