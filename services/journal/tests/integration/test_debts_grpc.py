"""Academic debts and retakes (issue 7 item 3) over real gRPC and PostgreSQL: a failing final set
through SetFinal is a debt; the first retake before the teacher, the second before a commission, a
third refused; a passing retake closes the debt and is the mark of record; the events and audits in
the outbox; each refusal with its code writing nothing. The day a final was set is moved back in the
database where a rule needs an older final (the journal's today is fixed, the database's clock is not)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import grpc
import pytest
from ejournal.audit.v1.events_pb2 import AuditRecorded
from ejournal.journal.v1 import events_pb2
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as pb
from journal_service.adapters import orm
from sqlalchemy import func, select, update

from .test_lessons_grpc import College, college, journal
from .test_year_structure_grpc import INVALID, Journal, day

__all__ = ["journal"]

pytestmark = pytest.mark.integration
AUDIT = "audit.journal.recorded.v1"
FAILED, NOT_FOUND = grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.NOT_FOUND


async def failing_finals(
    journal: Journal, *values: str, set_on: str = "2026-09-30"
) -> tuple[College, str, list[str]]:
    """The lessons' college with mathematics ending semester 1 in an exam; the math teacher sets the
    exam's finals of the first students to `values`, dated `set_on`."""
    c = await college(journal)
    stub = journal.stub
    year_id = (
        (await stub.ListAcademicYears(pb.ListAcademicYearsRequest(), metadata=journal.admin)).years[0].year_id
    )
    row = pb.CurriculumRow(
        discipline_id=c.math, semester=1, total_hours=72, weekly_hours=4, control_form=pb.CONTROL_FORM_EXAM
    )
    await stub.SetCurriculum(
        pb.SetCurriculumRequest(group_id=c.group_id, year_id=year_id, rows=[row]), metadata=journal.admin
    )
    final_ids = []
    for student, value in zip(c.students, values, strict=False):
        final = await stub.SetFinal(
            pb.SetFinalRequest(
                group_id=c.group_id,
                discipline_id=c.math,
                student_id=student,
                period=jpb.FinalPeriod(year_id=year_id, semester=1, kind=jpb.FINAL_KIND_EXAM),
                value=value,
                confirm_not_enough_marks=True,
            ),
            metadata=journal.md(c.teacher, "teacher"),
        )
        final_ids.append(final.final.final_id)
    async with journal.sessions() as s:
        moment = datetime.fromisoformat(set_on).replace(hour=9, tzinfo=UTC)
        await s.execute(update(orm.finals).where(orm.finals.c.id.in_(final_ids)).values(set_at=moment))
        await s.commit()
    return c, year_id, final_ids


def retake(final_id: str, on: str, value: str, commission: list[str] | None = None) -> pb.RecordRetakeRequest:
    return pb.RecordRetakeRequest(
        final_id=final_id,
        retake_date=day(on),
        value=value,
        commission_member_ids=commission or [],
        commission_chairman_id=commission[0] if commission else "",
    )


async def test_a_debt_is_retaken_twice_then_closed_and_listed(journal: Journal) -> None:
    c, year_id, (first_final, second_final) = await failing_finals(journal, "2", "н/а")
    stub, as_teacher = journal.stub, journal.md(c.teacher, "teacher")
    commission = [journal.people.new("teacher") for _ in range(3)]
    before = len(await journal.outbox())

    first = (await stub.RecordRetake(retake(first_final, "2026-10-05", "2"), metadata=as_teacher)).debt
    assert ([r.attempt for r in first.retakes], first.closed, first.next_step) == (
        [1],
        False,
        pb.DEBT_NEXT_STEP_COMMISSION_RETAKE,
    )
    await journal.refused(
        stub.RecordRetake(retake(first_final, "2026-10-12", "3"), metadata=as_teacher),
        FAILED,
        "commission_required",
    )
    closed = (
        await stub.RecordRetake(retake(first_final, "2026-10-12", "3", commission), metadata=as_teacher)
    ).debt
    assert (closed.closed, closed.mark_of_record, closed.next_step, closed.final_value) == (
        True,
        "3",
        pb.DEBT_NEXT_STEP_CLOSED,
        "2",
    )
    assert (closed.retakes[1].commission_chairman_id, list(closed.retakes[1].commission_member_ids)) == (
        commission[0],
        commission,
    )
    assert (closed.final_date, closed.deadline) == (day("2026-09-30"), day("2027-09-30"))
    await journal.refused(
        stub.RecordRetake(retake(first_final, "2026-10-13", "5", commission), metadata=as_teacher),
        FAILED,
        "debt_already_closed",
    )

    rows = (await journal.outbox())[before:]
    assert [s for s, _ in rows] == [
        "journal.retake.recorded.v1",
        AUDIT,
        "journal.retake.recorded.v1",
        "journal.debt.closed.v1",
        AUDIT,
    ]
    recorded = events_pb2.RetakeRecorded.FromString(rows[2][1])
    assert (
        recorded.final_id,
        recorded.attempt,
        recorded.passed,
        recorded.before_commission,
        recorded.value,
    ) == (
        first_final,
        2,
        True,
        True,
        "3",
    )
    debt_closed = events_pb2.DebtClosed.FromString(rows[3][1])
    assert (debt_closed.final_id, debt_closed.student_id, debt_closed.mark_of_record) == (
        first_final,
        c.students[0],
        "3",
    )
    audit = AuditRecorded.FromString(rows[4][1])
    assert (audit.action, audit.actor_id, audit.resource_id, audit.subject_person_id) == (
        "retake.recorded",
        c.teacher,
        first_final,
        c.students[0],
    )

    group = await stub.ListGroupDebts(
        pb.ListGroupDebtsRequest(group_id=c.group_id, year_id=year_id),
        metadata=journal.md(c.class_teacher, "class_teacher"),
    )
    assert [(d.final_id, d.closed, d.next_step) for d in group.debts] == [
        (second_final, False, pb.DEBT_NEXT_STEP_FIRST_RETAKE),
        (first_final, True, pb.DEBT_NEXT_STEP_CLOSED),
    ]
    own = await stub.ListStudentDebts(
        pb.ListStudentDebtsRequest(student_id=c.students[1]), metadata=journal.md(c.students[1], "student")
    )
    assert [(d.final_id, d.final_value, d.final_kind, d.semester) for d in own.debts] == [
        (second_final, "н/а", "exam", 1)
    ]
    async with journal.sessions() as s:
        stored = (
            await s.execute(select(orm.retakes.c.final_id, orm.retakes.c.attempt, orm.retakes.c.value))
        ).all()
    assert sorted((str(r.final_id), r.attempt, r.value) for r in stored) == [
        (first_final, 1, "2"),
        (first_final, 2, "3"),
    ]


async def test_a_third_retake_and_retakes_out_of_rule_are_refused_and_write_nothing(journal: Journal) -> None:
    c, _, (failed, passed, fresh) = await failing_finals(journal, "2", "4", "н/а")
    stub, as_teacher = journal.stub, journal.md(c.teacher, "teacher")
    commission = [journal.people.new("teacher") for _ in range(3)]
    student = journal.people.new("student")
    await stub.RecordRetake(retake(failed, "2026-10-01", "2"), metadata=as_teacher)
    await stub.RecordRetake(retake(failed, "2026-10-08", "н/а", commission), metadata=as_teacher)
    cases = [
        (retake(failed, "2026-10-14", "5", commission), FAILED, "retake_limit_reached"),
        (retake(passed, "2026-10-14", "5"), FAILED, "not_a_debt"),
        (retake(str(uuid.uuid4()), "2026-10-14", "5"), NOT_FOUND, "final_not_found"),
        (retake(fresh, "2026-10-16", "5"), INVALID, "retake_date_in_future"),
        (retake(fresh, "2026-10-14", "5", commission[:2]), INVALID, "commission_too_small"),
        (
            retake(fresh, "2026-10-14", "5", [*commission[:2], student]),
            FAILED,
            "commission_member_not_teacher",
        ),
        (retake(fresh, "2026-10-14", ""), INVALID, "missing_value"),
    ]
    for request, status, code in cases:
        await journal.refused(stub.RecordRetake(request, metadata=as_teacher), status, code)
    async with journal.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(orm.retakes)) == 2
    # Nothing refused above is half-written: the fresh debt still waits for its first retake.
    first = await stub.RecordRetake(retake(fresh, "2026-10-14", "4"), metadata=as_teacher)
    assert (first.debt.closed, [r.attempt for r in first.debt.retakes]) == (True, [1])


async def test_the_dates_of_a_retake_follow_the_final(journal: Journal) -> None:
    c, _, (recent,) = await failing_finals(journal, "2", set_on="2026-10-10")
    _, _, (old,) = await failing_finals_in_another_group(journal)
    stub, as_teacher = journal.stub, journal.md(c.teacher, "teacher")
    await journal.refused(
        stub.RecordRetake(retake(recent, "2026-10-09", "4"), metadata=as_teacher),
        INVALID,
        "retake_before_final",
    )
    await journal.refused(
        stub.RecordRetake(
            retake(old.final_id, "2026-10-14", "4"), metadata=journal.md(old.teacher, "teacher")
        ),
        FAILED,
        "retake_deadline_passed",
    )
    # Another teacher of the group may not record it; the refusal is audited with who tried.
    await journal.refused(
        stub.RecordRetake(
            retake(recent, "2026-10-14", "4"), metadata=journal.md(c.english_teacher, "teacher")
        ),
        grpc.StatusCode.PERMISSION_DENIED,
        "not_teaching_this_group",
    )
    refusals = await journal.refusal_audits()
    assert [(a.action, a.actor_id) for a in refusals] == [
        ("retake.record.refused:not_teaching_this_group", c.english_teacher)
    ]


class _Old:
    def __init__(self, final_id: str, teacher: str) -> None:
        self.final_id, self.teacher = final_id, teacher


async def failing_finals_in_another_group(journal: Journal) -> tuple[None, None, tuple[_Old]]:
    """A final set on 1 October 2025 in a second group of the same college (a year and more ago)."""
    stub = journal.stub
    group_id = (
        await stub.CreateGroup(pb.CreateGroupRequest(name="ИС-11"), metadata=journal.admin)
    ).group.group_id
    math = (
        await stub.CreateDiscipline(
            pb.CreateDisciplineRequest(code="ЕН.02", name="Физика", kind=jpb.DISCIPLINE_KIND_DISCIPLINE),
            metadata=journal.admin,
        )
    ).discipline.discipline_id
    teacher, student = journal.people.new("teacher"), journal.people.new("student")
    await stub.AssignTeachingLoad(
        pb.AssignTeachingLoadRequest(teacher_id=teacher, group_id=group_id, discipline_id=math),
        metadata=journal.admin,
    )
    await stub.EnrollStudent(
        pb.EnrollStudentRequest(group_id=group_id, student_id=student), metadata=journal.admin
    )
    year_id = (
        (await stub.ListAcademicYears(pb.ListAcademicYearsRequest(), metadata=journal.admin)).years[0].year_id
    )
    row = pb.CurriculumRow(
        discipline_id=math, semester=1, total_hours=72, weekly_hours=4, control_form=pb.CONTROL_FORM_EXAM
    )
    await stub.SetCurriculum(
        pb.SetCurriculumRequest(group_id=group_id, year_id=year_id, rows=[row]), metadata=journal.admin
    )
    final = await stub.SetFinal(
        pb.SetFinalRequest(
            group_id=group_id,
            discipline_id=math,
            student_id=student,
            period=jpb.FinalPeriod(year_id=year_id, semester=1, kind=jpb.FINAL_KIND_EXAM),
            value="н/а",
            confirm_not_enough_marks=True,
        ),
        metadata=journal.md(teacher, "teacher"),
    )
    async with journal.sessions() as s:
        await s.execute(
            update(orm.finals)
            .where(orm.finals.c.id == final.final.final_id)
            .values(set_at=datetime(2025, 10, 1, 9, tzinfo=UTC))
        )
        await s.commit()
    return None, None, (_Old(final.final.final_id, teacher),)
