"""Read models (journal page, group view, diary) and «Пропуски» over real gRPC and PostgreSQL: what
each shows, one audit record per read of others' data, the class teacher reading a diary of their own
group (both diaries), a parent of another child and a classmate refused, reasons corrected all or
nothing with their event and one audit record per change."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import grpc
import pytest
from chassis.testing import LocalIssuer
from ejournal.audit.v1.events_pb2 import AuditRecorded
from ejournal.journal.v1 import events_pb2
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as pb
from sqlalchemy import text

from .pages import averages_of, cells_of
from .served import TODAY, Journal
from .test_lessons_grpc import College, college, lesson_request
from .test_year_structure_grpc import day

pytestmark = pytest.mark.integration
FAILED = grpc.StatusCode.FAILED_PRECONDITION
NOT_FOUND = grpc.StatusCode.NOT_FOUND
INVALID = grpc.StatusCode.INVALID_ARGUMENT
DENIED = grpc.StatusCode.PERMISSION_DENIED
WEEK = (day("2026-10-12"), day("2026-10-18"))
assert TODAY.isoformat() == "2026-10-15"


class Reads(Journal):
    async def audits(self, since: int) -> list[AuditRecorded]:
        return [
            AuditRecorded.FromString(p) for s, p in (await self.outbox())[since:] if s.startswith("audit.")
        ]


@pytest.fixture
async def journal(fresh_db: Callable[[str], Awaitable[str]], issuer: LocalIssuer) -> AsyncIterator[Reads]:
    async with Reads.served(await fresh_db("journal"), issuer) as reads:
        yield reads


async def lesson(journal: Journal, c: College, date: str, pair: int, **changes: object) -> str:
    teacher = c.english_teacher if changes.get("discipline_id") == c.english else c.teacher
    request = lesson_request(c, lesson_date=day(date), pair_number=pair, **changes)
    reply = await journal.stub.RecordLesson(request, metadata=journal.md(teacher, "teacher"))
    return str(reply.lesson.lesson_id)


async def mark(
    journal: Journal, c: College, student: str, value: str, lesson_id: str = "", weight: int = 0
) -> None:
    request = pb.RecordMarkRequest(student_id=student, value=value, lesson_id=lesson_id, weight=weight)
    if not lesson_id:
        request.group_id, request.discipline_id = c.group_id, c.math
        request.lesson_date.CopyFrom(day("2026-10-13"))
    await journal.stub.RecordMark(request, metadata=journal.md(c.teacher, "teacher"))


async def attendance(
    journal: Journal, c: College, lesson_id: str, teacher: str, *entries: tuple[str, int, int]
) -> None:
    await journal.stub.RecordAttendance(
        pb.RecordAttendanceRequest(
            lesson_id=lesson_id,
            entries=[jpb.AttendanceEntry(student_id=s, status=st, reason=r) for s, st, r in entries],
        ),
        metadata=journal.md(teacher, "teacher"),
    )


async def lesson_of_another_group(journal: Journal, c: College) -> str:
    """A lesson of the discipline in another group (taught by the same teacher)."""
    group = await journal.stub.CreateGroup(pb.CreateGroupRequest(name="ИС-22"), metadata=journal.admin)
    await journal.stub.AssignTeachingLoad(
        pb.AssignTeachingLoadRequest(
            teacher_id=c.teacher, group_id=group.group.group_id, discipline_id=c.math
        ),
        metadata=journal.admin,
    )
    request = lesson_request(c, group_id=group.group.group_id, lesson_date=day("2026-10-12"), pair_number=1)
    return str(
        (await journal.stub.RecordLesson(request, metadata=journal.md(c.teacher, "teacher"))).lesson.lesson_id
    )


def page_request(c: College, discipline: str = "", subgroup: str = "") -> pb.GetJournalPageRequest:
    return pb.GetJournalPageRequest(
        group_id=c.group_id,
        discipline_id=discipline or c.math,
        subgroup_id=subgroup,
        date_from=WEEK[0],
        date_to=WEEK[1],
    )


ABSENT, LATE, PRESENT = (
    jpb.ATTENDANCE_STATUS_ABSENT,
    jpb.ATTENDANCE_STATUS_LATE,
    jpb.ATTENDANCE_STATUS_PRESENT,
)
NO_REASON, ILLNESS = jpb.ABSENCE_REASON_UNSPECIFIED, jpb.ABSENCE_REASON_ILLNESS


async def test_the_journal_page_shows_the_grid_with_averages_and_is_audited_once(journal: Reads) -> None:
    c = await college(journal)
    s = sorted(c.students)
    monday = await lesson(journal, c, "2026-10-12", 1, homework="№ 1", homework_deadline=day("2026-10-19"))
    tuesday = await lesson(journal, c, "2026-10-13", 2, homework="", homework_deadline=None)
    await mark(journal, c, s[0], "5", monday, weight=2)
    await mark(journal, c, s[0], "3", monday)
    await mark(journal, c, s[0], "4")  # by date only
    await attendance(journal, c, tuesday, c.teacher, (s[1], ABSENT, ILLNESS), (s[2], PRESENT, NO_REASON))
    before = len(await journal.outbox())

    got = await journal.stub.GetJournalPage(page_request(c), metadata=journal.md(c.teacher, "teacher"))

    assert list(got.student_ids) == s
    assert [(lesson.lesson_id, lesson.pair_number, lesson.homework) for lesson in got.lessons] == [
        (monday, 1, "№ 1"),
        (tuesday, 2, ""),
    ]
    assert got.lessons[0].homework_deadline == day("2026-10-19")
    assert got.lessons[0].homework_kind == jpb.HOMEWORK_KIND_HOMEWORK
    assert [
        (x.student_id, x.lesson_id, [(m.value, m.weight) for m in x.marks], x.status, x.reason)
        for x in cells_of(got)
    ] == [
        (s[0], monday, [("5", 2), ("3", 1)], jpb.ATTENDANCE_STATUS_UNSPECIFIED, NO_REASON),
        (s[1], tuesday, [], ABSENT, ILLNESS),
    ]  # the present student has no cell: tuesday's attendance was taken
    assert list(got.lessons_with_attendance) == [tuesday]
    assert [(m.student_id, m.mark.value, m.lesson_date) for m in got.marks_without_lesson] == [
        (s[0], "4", day("2026-10-13"))
    ]
    assert averages_of(got) == [
        (s[0], "4.00", "4.25"),
        *[(student, "", "") for student in s[1:]],
    ]
    [audit] = await journal.audits(before)
    assert (audit.action, audit.actor_id, audit.resource_type, audit.resource_id) == (
        "journal_page.read",
        c.teacher,
        "group",
        c.group_id,
    )


async def test_a_subgroup_page_and_the_refusals_of_the_page(journal: Reads) -> None:
    c = await college(journal)
    mine = await lesson(journal, c, "2026-10-12", 1, discipline_id=c.english, subgroup_id=c.subgroup_id)
    whole = await lesson(journal, c, "2026-10-13", 1, discipline_id=c.english)
    got = await journal.stub.GetJournalPage(
        page_request(c, c.english, c.subgroup_id), metadata=journal.md(c.class_teacher, "class_teacher")
    )
    assert list(got.student_ids) == sorted(c.subgroup_students)
    assert [lesson.lesson_id for lesson in got.lessons] == [mine, whole]
    assert got.lessons[0].subgroup_id == c.subgroup_id

    as_teacher = journal.md(c.teacher, "teacher")
    await journal.refused(
        journal.stub.GetJournalPage(page_request(c, c.math, c.subgroup_id), metadata=as_teacher),
        NOT_FOUND,
        "subgroup_not_found",
    )
    backwards = page_request(c)
    backwards.date_to.CopyFrom(day("2026-10-01"))
    await journal.refused(
        journal.stub.GetJournalPage(backwards, metadata=as_teacher), INVALID, "invalid_lesson_range"
    )
    await journal.refused(
        journal.stub.GetJournalPage(
            page_request(c), metadata=journal.md(journal.people.new("teacher"), "teacher")
        ),
        NOT_FOUND,
        "group_not_found",
    )


async def test_the_class_teachers_group_view(journal: Reads) -> None:
    c = await college(journal)
    s = sorted(c.students)
    math = await lesson(journal, c, "2026-10-12", 1)
    english = await lesson(journal, c, "2026-10-12", 2, discipline_id=c.english)
    await mark(journal, c, s[0], "5", math)
    await mark(journal, c, s[0], "н", math)
    await attendance(journal, c, math, c.teacher, (s[1], ABSENT, NO_REASON), (s[2], LATE, NO_REASON))
    await attendance(journal, c, english, c.english_teacher, (s[1], ABSENT, ILLNESS))
    before = len(await journal.outbox())

    got = await journal.stub.GetGroupOverview(
        pb.GetGroupOverviewRequest(group_id=c.group_id, date_from=WEEK[0], date_to=WEEK[1]),
        metadata=journal.md(c.class_teacher, "class_teacher"),
    )

    assert list(got.student_ids) == s
    assert [d.code for d in got.disciplines] == ["ЕН.01", "ОГСЭ.03"]
    cells = {(x.student_id, x.discipline_id): x for x in got.cells}
    assert set(cells) == {(s[0], c.math), (s[1], c.math), (s[2], c.math), (s[1], c.english)}
    first = cells[(s[0], c.math)]
    assert (first.mean, first.weighted_mean, first.mark_count) == ("5.00", "5.00", 1)
    second = cells[(s[1], c.math)]
    assert (second.absences, second.absences_without_valid_reason, second.lateness) == (1, 1, 0)
    assert (cells[(s[1], c.english)].absences, cells[(s[1], c.english)].absences_without_valid_reason) == (
        1,
        0,
    )
    assert cells[(s[2], c.math)].lateness == 1
    assert [a.action for a in await journal.audits(before)] == ["group_overview.read"]


async def test_the_diary_day_by_day_with_the_students_homework_only(journal: Reads) -> None:
    c = await college(journal)
    s = sorted(c.students)
    student = c.subgroup_students[0]
    other = next(x for x in s if x not in c.subgroup_students)
    math = await lesson(journal, c, "2026-10-12", 1, homework="№ 1–5")
    mine = await lesson(journal, c, "2026-10-12", 2, discipline_id=c.english, subgroup_id=c.subgroup_id)
    chosen = await lesson(journal, c, "2026-10-13", 1, homework="Доклад")
    async with journal.sessions() as session:
        await session.execute(
            text("INSERT INTO homework_recipients (lesson_id, student_id) VALUES (:l, :s)"),
            {"l": chosen, "s": other},
        )
        await session.commit()
    await mark(journal, c, student, "4", math, weight=2)
    await mark(journal, c, student, "3")
    await attendance(journal, c, mine, c.english_teacher, (student, LATE, jpb.ABSENCE_REASON_DOCUMENTED))
    request = pb.GetStudentDiaryRequest(student_id=student, date_from=WEEK[0], date_to=WEEK[1])
    before = len(await journal.outbox())

    got = await journal.stub.GetStudentDiary(request, metadata=journal.md(student, "student"))

    assert [d.date for d in got.days] == [day("2026-10-12"), day("2026-10-13")]
    monday, tuesday = got.days
    assert [(x.lesson_id, x.homework, x.discipline_id) for x in monday.lessons] == [
        (math, "№ 1–5", c.math),
        (mine, "№ 12–15", c.english),
    ]
    assert [m.value for m in monday.lessons[0].marks] == ["4"]
    assert (monday.lessons[1].status, monday.lessons[1].reason) == (LATE, jpb.ABSENCE_REASON_DOCUMENTED)
    assert [(x.lesson_id, x.homework, x.HasField("homework_deadline")) for x in tuesday.lessons] == [
        (chosen, "", False)
    ]
    assert [m.mark.value for m in tuesday.marks_without_lesson] == ["3"]
    assert [(a.discipline_id, a.mean, a.weighted_mean) for a in got.averages] == [(c.math, "3.50", "3.67")]
    assert {d.discipline_id for d in got.disciplines} == {c.math, c.english}
    assert await journal.audits(before) == []  # the student's own diary

    theirs = await journal.stub.GetStudentDiary(
        pb.GetStudentDiaryRequest(student_id=other, date_from=WEEK[0], date_to=WEEK[1]),
        metadata=journal.md(other, "student"),
    )
    assert [(x.lesson_id, x.homework) for d in theirs.days for x in d.lessons] == [
        (math, "№ 1–5"),
        (chosen, "Доклад"),
    ]


async def test_the_class_teacher_reads_both_diaries_of_their_group_and_strangers_are_refused(
    journal: Reads,
) -> None:
    c = await college(journal)
    student, classmate = c.students[0], c.students[1]
    parent = str(uuid.uuid4())
    journal.guardians.pairs.add((parent, student))
    await mark(journal, c, student, "5")
    diary = pb.GetStudentDiaryRequest(student_id=student, date_from=WEEK[0], date_to=WEEK[1])
    marks = pb.ListStudentMarksRequest(student_id=student)

    for caller in (journal.md(c.class_teacher, "class_teacher"), journal.md(parent, "parent")):
        before = len(await journal.outbox())
        got = await journal.stub.GetStudentDiary(diary, metadata=caller)
        assert [m.mark.value for d in got.days for m in d.marks_without_lesson] == ["5"]
        assert [m.value for m in (await journal.stub.ListStudentMarks(marks, metadata=caller)).marks] == ["5"]
        audits = await journal.audits(before)
        assert [(a.action, a.subject_person_id) for a in audits] == [("diary.read", student)] * 2

    strangers = {
        "a parent of another child": journal.md(str(uuid.uuid4()), "parent"),
        "a classmate": journal.md(classmate, "student"),
        "a class teacher of another group": journal.md(journal.people.new("class_teacher"), "class_teacher"),
    }
    for caller in strangers.values():
        await journal.refused(
            journal.stub.GetStudentDiary(diary, metadata=caller), NOT_FOUND, "student_not_found"
        )
        await journal.refused(
            journal.stub.ListStudentMarks(marks, metadata=caller), NOT_FOUND, "student_not_found"
        )


async def test_absences_of_a_week_and_their_reasons_corrected_all_or_nothing(journal: Reads) -> None:
    c = await college(journal)
    s = sorted(c.students)
    math = await lesson(journal, c, "2026-10-12", 1)
    late = await lesson(journal, c, "2026-10-14", 1, discipline_id=c.english)
    await attendance(journal, c, math, c.teacher, (s[0], ABSENT, NO_REASON), (s[1], PRESENT, NO_REASON))
    await attendance(journal, c, late, c.english_teacher, (s[0], LATE, jpb.ABSENCE_REASON_UNEXCUSED))
    as_class_teacher = journal.md(c.class_teacher, "class_teacher")

    week = await journal.stub.ListGroupAbsences(
        pb.ListGroupAbsencesRequest(group_id=c.group_id, week_start=WEEK[0]), metadata=as_class_teacher
    )
    assert list(week.student_ids) == s
    assert [(a.student_id, a.lesson_id, a.discipline_id, a.status, a.reason) for a in week.absences] == [
        (s[0], math, c.math, ABSENT, NO_REASON),
        (s[0], late, c.english, LATE, jpb.ABSENCE_REASON_UNEXCUSED),
    ]
    await journal.refused(
        journal.stub.ListGroupAbsences(
            pb.ListGroupAbsencesRequest(group_id=c.group_id, week_start=day("2026-10-13")),
            metadata=as_class_teacher,
        ),
        INVALID,
        "invalid_week_start",
    )

    def correct(*items: tuple[str, str, int]) -> pb.CorrectAbsenceReasonsRequest:
        return pb.CorrectAbsenceReasonsRequest(
            group_id=c.group_id,
            corrections=[
                pb.AbsenceCorrection(lesson_id=lesson_id, student_id=st, reason=r)
                for lesson_id, st, r in items
            ],
        )

    good = (math, s[0], jpb.ABSENCE_REASON_DOCUMENTED)
    elsewhere = await lesson_of_another_group(journal, c)
    for bad, status, code in (
        ((math, s[1], ILLNESS), FAILED, "not_an_absence"),
        ((math, s[2], ILLNESS), FAILED, "not_an_absence"),
        ((elsewhere, s[0], ILLNESS), FAILED, "lesson_of_another_group"),
        ((late, s[0], 99), INVALID, "invalid_absence_reason"),
        ((late, s[0], NO_REASON), INVALID, "invalid_absence_reason"),  # a correction sets a category
        (good, INVALID, "duplicate_correction"),
    ):
        await journal.refused(
            journal.stub.CorrectAbsenceReasons(correct(good, bad), metadata=as_class_teacher), status, code
        )
    await journal.refused(
        journal.stub.CorrectAbsenceReasons(correct(good), metadata=journal.md(c.teacher, "teacher")),
        DENIED,
        "not_class_teacher",
    )
    before = len(await journal.outbox())

    got = await journal.stub.CorrectAbsenceReasons(
        correct(good, (late, s[0], jpb.ABSENCE_REASON_COLLEGE_BUSINESS)), metadata=as_class_teacher
    )

    assert [(x.lesson_id, x.old_reason, x.reason) for x in got.corrected] == [
        (math, NO_REASON, jpb.ABSENCE_REASON_DOCUMENTED),
        (late, jpb.ABSENCE_REASON_UNEXCUSED, jpb.ABSENCE_REASON_COLLEGE_BUSINESS),
    ]
    written = (await journal.outbox())[before:]
    attendance_now = await journal.stub.GetAttendance(
        pb.GetAttendanceRequest(lesson_id=math), metadata=journal.admin
    )
    assert [(e.student_id, e.reason) for e in attendance_now.entries if e.student_id == s[0]] == [
        (s[0], jpb.ABSENCE_REASON_DOCUMENTED)
    ]
    [(subject, payload)] = [(sj, p) for sj, p in written if not sj.startswith("audit.")]
    event = events_pb2.AttendanceCorrected.FromString(payload)
    assert subject == "journal.attendance.corrected.v1"
    assert (event.group_id, event.corrected_by, len(event.changes)) == (c.group_id, c.class_teacher, 2)
    audits = [AuditRecorded.FromString(p) for sj, p in written if sj.startswith("audit.")]
    assert [(a.action, a.actor_id, a.resource_id, a.subject_person_id) for a in audits] == [
        ("attendance.reason_corrected:unspecified->documented", c.class_teacher, math, s[0]),
        ("attendance.reason_corrected:unexcused->college_business", c.class_teacher, late, s[0]),
    ]


async def test_a_transferred_student_is_on_each_groups_page_for_their_days_and_in_the_diary_of_both(
    journal: Reads,
) -> None:
    c = await college(journal)
    moved = sorted(c.students)[0]
    before = await lesson(journal, c, "2026-10-12", 1)
    after = await lesson(journal, c, "2026-10-14", 1)
    other = await journal.stub.CreateGroup(pb.CreateGroupRequest(name="ИС-22"), metadata=journal.admin)
    other_id = other.group.group_id
    await journal.stub.AssignTeachingLoad(
        pb.AssignTeachingLoadRequest(teacher_id=c.teacher, group_id=other_id, discipline_id=c.math),
        metadata=journal.admin,
    )
    await journal.stub.MoveStudent(
        pb.MoveStudentRequest(
            student_id=moved,
            kind=jpb.MOVEMENT_KIND_TRANSFER,
            from_group_id=c.group_id,
            to_group_id=other_id,
            on_date=day("2026-10-13"),
            order_number="12-к",
        ),
        metadata=journal.admin,
    )
    there = str(
        (
            await journal.stub.RecordLesson(
                lesson_request(c, group_id=other_id, lesson_date=day("2026-10-14"), pair_number=2),
                metadata=journal.md(c.teacher, "teacher"),
            )
        ).lesson.lesson_id
    )
    as_teacher = journal.md(c.teacher, "teacher")

    week = await journal.stub.GetJournalPage(page_request(c), metadata=as_teacher)
    assert moved in week.student_ids  # in the group on Monday
    late = page_request(c)
    late.date_from.CopyFrom(day("2026-10-14"))
    assert moved not in (await journal.stub.GetJournalPage(late, metadata=as_teacher)).student_ids
    new_group = page_request(c)
    new_group.group_id = other_id
    assert list((await journal.stub.GetJournalPage(new_group, metadata=as_teacher)).student_ids) == [moved]

    diary = await journal.stub.GetStudentDiary(
        pb.GetStudentDiaryRequest(student_id=moved, date_from=WEEK[0], date_to=WEEK[1]),
        metadata=journal.md(moved, "student"),
    )
    assert [x.lesson_id for d in diary.days for x in d.lessons] == [before, there]
    assert after not in {x.lesson_id for d in diary.days for x in d.lessons}
