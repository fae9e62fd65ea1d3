"""Finals and the enough-marks rule (issue 7 items 1-2; R3.1, R3.2) over real gRPC and PostgreSQL:
proposals by the rule in force, the warning that needs confirming, a final kept with its proposal, rule
version and author, a change kept in final_changes, the events and audits in the outbox, bad input
refused with its code and nothing written, the mark of record, «Мало оценок», and the period closed
once its finals are complete."""

from __future__ import annotations

import grpc
import pytest
from ejournal.audit.v1.events_pb2 import AuditRecorded
from ejournal.journal.v1 import events_pb2
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as pb
from journal_service.adapters import orm
from sqlalchemy import select

from .test_lessons_grpc import College, college, journal
from .test_year_structure_grpc import INVALID, Journal, day

__all__ = ["journal"]  # the fixture, shared with the lessons' tests

pytestmark = pytest.mark.integration
AUDIT = "audit.journal.recorded.v1"
PRECONDITION, NOT_FOUND, DENIED = (
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.PERMISSION_DENIED,
)


async def plan(journal: Journal, c: College) -> str:
    """Semester 1: mathematics 2 hours a week with an exam, English 1 hour a week without a control
    form. Return the year's id."""
    years = (
        await journal.stub.ListAcademicYears(pb.ListAcademicYearsRequest(), metadata=journal.admin)
    ).years
    year_id = next(y.year_id for y in years if y.name == "2026/2027")
    rows = [
        pb.CurriculumRow(
            discipline_id=c.math,
            semester=1,
            total_hours=72,
            weekly_hours=2,
            control_form=pb.CONTROL_FORM_EXAM,
        ),
        pb.CurriculumRow(
            discipline_id=c.english,
            semester=1,
            total_hours=36,
            weekly_hours=1,
            control_form=pb.CONTROL_FORM_NONE,
        ),
    ]
    await journal.stub.SetCurriculum(
        pb.SetCurriculumRequest(group_id=c.group_id, year_id=year_id, rows=rows), metadata=journal.admin
    )
    return year_id


async def marks(journal: Journal, c: College, student: str, *values: str, weight: int = 1) -> None:
    for value in values:
        await journal.stub.RecordMark(
            pb.RecordMarkRequest(
                student_id=student,
                group_id=c.group_id,
                discipline_id=c.math,
                lesson_date=day("2026-10-15"),
                value=value,
                kind_of_work=jpb.KIND_OF_WORK_TEST,
                weight=weight,
            ),
            metadata=journal.md(c.teacher, "teacher"),
        )


def period(
    year_id: str, kind: jpb.FinalKind.ValueType = jpb.FINAL_KIND_EXAM, semester: int = 1
) -> jpb.FinalPeriod:
    return jpb.FinalPeriod(year_id=year_id, semester=semester, kind=kind)


def set_final(c: College, student: str, year_id: str, value: str, **fields: object) -> pb.SetFinalRequest:
    request = pb.SetFinalRequest(
        group_id=c.group_id, discipline_id=c.math, student_id=student, period=period(year_id), value=value
    )
    for name, item in fields.items():
        if name == "period":
            request.period.CopyFrom(item)  # type: ignore[arg-type]
        else:
            setattr(request, name, item)
    return request


async def test_finals_are_proposed_set_changed_and_read_with_the_mark_of_record(journal: Journal) -> None:
    c = await college(journal)
    year_id = await plan(journal, c)
    stub, as_teacher = journal.stub, journal.md(c.teacher, "teacher")
    await marks(journal, c, c.students[0], "5", "4", "4", "3", "5")  # 4.20
    await marks(journal, c, c.students[1], "5", "4")

    proposals = await stub.ProposeFinals(
        pb.ProposeFinalsRequest(group_id=c.group_id, discipline_id=c.math, period=period(year_id)),
        metadata=as_teacher,
    )
    assert (proposals.rule.version, proposals.rule.kind, proposals.rule.rounding) == (
        1,
        jpb.FINAL_RULE_KIND_MEAN,
        jpb.FINAL_ROUNDING_HALF_UP,
    )
    assert (list(proposals.allowed_values), proposals.weekly_hours) == (["5", "4", "3", "2", "н/а"], 2)
    by_student = {p.student_id: p for p in proposals.students}
    assert set(by_student) == set(c.students)
    first, second = by_student[c.students[0]], by_student[c.students[1]]
    assert (
        first.marks_count,
        first.required_marks,
        first.enough_marks,
        first.mean,
        first.proposed_value,
    ) == (
        5,
        5,
        True,
        "4.20",
        "4",
    )
    assert (second.marks_count, second.enough_marks, second.proposed_value) == (2, False, "5")
    assert not first.HasField("final")

    # Too few marks: refused until the teacher confirms; the confirmation is kept.
    await journal.refused(
        stub.SetFinal(set_final(c, c.students[1], year_id, "4"), metadata=as_teacher),
        PRECONDITION,
        "not_enough_marks",
    )
    confirmed = await stub.SetFinal(
        set_final(c, c.students[1], year_id, "н/а", confirm_not_enough_marks=True), metadata=as_teacher
    )
    assert (confirmed.final.value, confirmed.final.not_enough_marks_confirmed) == ("н/а", True)

    before = len(await journal.outbox())
    first_set = await stub.SetFinal(
        set_final(c, c.students[0], year_id, "5", reason="Отличный ответ на экзамене"), metadata=as_teacher
    )
    final = first_set.final
    assert (first_set.changed, final.value, final.proposed_value, final.rule_version, final.set_by) == (
        False,
        "5",
        "4",
        1,
        c.teacher,
    )
    assert (final.marks_count, final.required_marks, final.reason) == (5, 5, "Отличный ответ на экзамене")
    changed = await stub.SetFinal(
        set_final(c, c.students[0], year_id, "4", reason="Апелляция"), metadata=journal.admin
    )
    assert (changed.changed, changed.final.final_id, changed.final.value, changed.final.set_by) == (
        True,
        final.final_id,
        "4",
        journal.admin_id,
    )
    rows = (await journal.outbox())[before:]
    assert [s for s, _ in rows] == ["journal.final.set.v1", AUDIT, "journal.final.changed.v1", AUDIT]
    set_event = events_pb2.FinalSet.FromString(rows[0][1])
    assert (set_event.final_id, set_event.kind, set_event.value, set_event.proposed_value) == (
        final.final_id,
        jpb.FINAL_KIND_EXAM,
        "5",
        "4",
    )
    assert (set_event.student_id, set_event.year_id, set_event.semester, set_event.rule_version) == (
        c.students[0],
        year_id,
        1,
        1,
    )
    changed_event = events_pb2.FinalChanged.FromString(rows[2][1])
    assert (changed_event.old_value, changed_event.value, changed_event.changed_by) == (
        "5",
        "4",
        journal.admin_id,
    )
    audits = [AuditRecorded.FromString(rows[i][1]) for i in (1, 3)]
    assert [(a.action, a.actor_id, a.subject_person_id) for a in audits] == [
        ("final.set", c.teacher, c.students[0]),
        ("final.changed", journal.admin_id, c.students[0]),
    ]
    async with journal.sessions() as s:
        stored = (await s.execute(select(orm.finals).where(orm.finals.c.id == final.final_id))).one()
        history = (
            await s.execute(
                select(orm.final_changes)
                .where(orm.final_changes.c.final_id == final.final_id)
                .order_by(orm.final_changes.c.changed_at)
            )
        ).all()
    assert (stored.value, stored.proposed_value, stored.rule_version, str(stored.set_by)) == (
        "4",
        "4",
        1,
        journal.admin_id,
    )
    assert [(h.old_value, h.new_value, h.reason, str(h.changed_by)) for h in history] == [
        ("", "5", "Отличный ответ на экзамене", c.teacher),
        ("5", "4", "Апелляция", journal.admin_id),
    ]

    # The semester's mark too: the exam stays the mark of record.
    await stub.SetFinal(
        set_final(c, c.students[0], year_id, "4", period=period(year_id, jpb.FINAL_KIND_SEMESTER)),
        metadata=as_teacher,
    )
    own = await stub.GetStudentFinals(
        pb.GetStudentFinalsRequest(student_id=c.students[0], year_id=year_id),
        metadata=journal.md(c.students[0], "student"),
    )
    assert len(own.finals) == 2
    assert [(f.period.kind, f.value) for f in own.marks_of_record] == [(jpb.FINAL_KIND_EXAM, "4")]
    # No year: every year's finals (the subject export), the same marks of record.
    every_year = await stub.GetStudentFinals(
        pb.GetStudentFinalsRequest(student_id=c.students[0]), metadata=journal.md(c.students[0], "student")
    )
    assert sorted(f.final_id for f in every_year.finals) == sorted(f.final_id for f in own.finals)
    assert [f.final_id for f in every_year.marks_of_record] == [f.final_id for f in own.marks_of_record]
    # The finals' year named for the student's «Итоговые оценки» (a student may not list the years).
    assert [(y.year_id, y.name) for y in every_year.years] == [(year_id, own.years[0].name)]
    assert own.years[0].name and own.years[0].HasField("semester1")
    group = await stub.GetGroupFinals(
        pb.GetGroupFinalsRequest(group_id=c.group_id, year_id=year_id, semester=1),
        metadata=journal.md(c.class_teacher, "class_teacher"),
    )
    assert sorted(
        (f.period.kind, f.mark_of_record) for f in group.finals if f.student_id == c.students[0]
    ) == [
        (jpb.FINAL_KIND_SEMESTER, False),
        (jpb.FINAL_KIND_EXAM, True),
    ]
    again = await stub.ProposeFinals(
        pb.ProposeFinalsRequest(group_id=c.group_id, discipline_id=c.math, period=period(year_id)),
        metadata=as_teacher,
    )
    assert {p.student_id: p.final.value for p in again.students if p.HasField("final")} == {
        c.students[0]: "4",
        c.students[1]: "н/а",
    }


async def test_bad_input_is_refused_with_a_code_and_nothing_written(journal: Journal) -> None:
    c = await college(journal)
    year_id = await plan(journal, c)
    stub, as_teacher = journal.stub, journal.md(c.teacher, "teacher")
    await marks(journal, c, c.students[0], "5", "5", "5", "5", "5")
    student = c.students[0]
    cases: list[tuple[pb.SetFinalRequest, grpc.StatusCode, str]] = [
        (
            set_final(c, student, year_id, "зач", period=period(year_id, jpb.FINAL_KIND_CREDIT)),
            PRECONDITION,
            "final_kind_not_in_curriculum",
        ),
        (
            set_final(c, student, year_id, "5", period=period(year_id, jpb.FINAL_KIND_EXAM, semester=2)),
            PRECONDITION,
            "final_kind_not_in_curriculum",
        ),
        (set_final(c, student, year_id, "зач"), INVALID, "invalid_final_value"),
        (set_final(c, student, year_id, "7"), INVALID, "invalid_final_value"),
        (set_final(c, student, year_id, ""), INVALID, "invalid_final_value"),
        (
            set_final(c, student, year_id, "5", period=period(year_id, jpb.FINAL_KIND_UNSPECIFIED)),
            INVALID,
            "invalid_final_kind",
        ),
        (
            set_final(c, student, year_id, "5", period=period(year_id, jpb.FINAL_KIND_SEMESTER, semester=0)),
            INVALID,
            "invalid_final_period",
        ),
        (set_final(c, student, year_id, "5", group_id="not-a-uuid"), INVALID, "invalid_group_id"),
        (set_final(c, student, year_id, "5", group_id=c.subgroup_id), NOT_FOUND, "group_not_found"),
        (set_final(c, student, year_id, "5", discipline_id=c.subgroup_id), NOT_FOUND, "discipline_not_found"),
        (
            set_final(c, student, year_id, "5", period=period(c.subgroup_id)),
            NOT_FOUND,
            "academic_year_not_found",
        ),
        (set_final(c, c.class_teacher, year_id, "5"), PRECONDITION, "student_not_in_group"),
        (set_final(c, student, year_id, "5", reason="п" * 501), INVALID, "invalid_final_reason"),
    ]
    for request, status, code in cases:
        await journal.refused(stub.SetFinal(request, metadata=as_teacher), status, code)
    # A teacher of another discipline is refused, and the refusal is audited with them as the actor.
    await journal.refused(
        stub.SetFinal(set_final(c, student, year_id, "5"), metadata=journal.md(c.english_teacher, "teacher")),
        DENIED,
        "not_teaching_this_group",
    )
    [refusal] = await journal.refusal_audits()
    assert (refusal.action, refusal.actor_id) == (
        "final.set.refused:not_teaching_this_group",
        c.english_teacher,
    )
    # A student expelled before the semester's end gets no final of it.
    await stub.MoveStudent(
        pb.MoveStudentRequest(
            student_id=c.students[3],
            kind=jpb.MOVEMENT_KIND_EXPULSION,
            on_date=day("2026-11-02"),
            order_number="№ 12-к",
        ),
        metadata=journal.admin,
    )
    await journal.refused(
        stub.SetFinal(
            set_final(c, c.students[3], year_id, "н/а", confirm_not_enough_marks=True), metadata=as_teacher
        ),
        PRECONDITION,
        "student_not_in_group",
    )
    async with journal.sessions() as s:
        assert (await s.execute(select(orm.finals))).all() == []
    # A rule that starts before the latest version is refused too.
    await journal.refused(
        stub.SetFinalRule(
            pb.SetFinalRuleRequest(
                kind=jpb.FINAL_RULE_KIND_MEAN,
                rounding=jpb.FINAL_ROUNDING_DOWN,
                effective_from=day("1999-12-31"),
            ),
            metadata=journal.admin,
        ),
        INVALID,
        "final_rule_effective_too_early",
    )
    await journal.refused(
        stub.SetFinalRule(pb.SetFinalRuleRequest(effective_from=day("2026-09-01")), metadata=journal.admin),
        INVALID,
        "invalid_final_rule",
    )


async def test_a_new_rule_version_proposes_otherwise_and_the_too_few_marks_list(journal: Journal) -> None:
    c = await college(journal)
    year_id = await plan(journal, c)
    stub = journal.stub
    await marks(journal, c, c.students[0], "5", "5", "5")
    await marks(journal, c, c.students[0], "2", "2", weight=3)  # mean 3.80, weighted 3.00
    rule = await stub.SetFinalRule(
        pb.SetFinalRuleRequest(
            kind=jpb.FINAL_RULE_KIND_WEIGHTED_MEAN,
            rounding=jpb.FINAL_ROUNDING_DOWN,
            effective_from=day("2026-09-01"),
        ),
        metadata=journal.admin,
    )
    assert (rule.rule.version, rule.rule.author_id) == (2, journal.admin_id)
    read = await stub.GetFinalRule(pb.GetFinalRuleRequest(), metadata=journal.md(c.teacher, "teacher"))
    assert (read.rule.version, [v.version for v in read.versions]) == (2, [1, 2])
    proposals = await stub.ProposeFinals(
        pb.ProposeFinalsRequest(group_id=c.group_id, discipline_id=c.math, period=period(year_id)),
        metadata=journal.md(c.class_teacher, "class_teacher"),
    )
    mine = next(p for p in proposals.students if p.student_id == c.students[0])
    assert (mine.mean, mine.weighted_mean, mine.proposed_value, proposals.rule.version) == (
        "3.80",
        "3.00",
        "3",
        2,
    )

    few = await stub.ListStudentsWithTooFewMarks(
        pb.ListStudentsWithTooFewMarksRequest(group_id=c.group_id, year_id=year_id, semester=1),
        metadata=journal.md(c.class_teacher, "class_teacher"),
    )
    by_discipline = {d.discipline_id: d for d in few.disciplines}
    assert set(by_discipline) == {c.math, c.english}
    assert (by_discipline[c.math].required_marks, by_discipline[c.english].required_marks) == (5, 3)
    assert {s.student_id: s.marks_count for s in by_discipline[c.math].students} == {
        student: 0 for student in c.students[1:]
    }
    assert len(by_discipline[c.english].students) == len(c.students)
    await journal.refused(
        stub.ListStudentsWithTooFewMarks(
            pb.ListStudentsWithTooFewMarksRequest(group_id=c.group_id, year_id=year_id, semester=3),
            metadata=journal.md(c.class_teacher, "class_teacher"),
        ),
        INVALID,
        "invalid_final_period",
    )


async def test_the_last_final_of_the_period_closes_it_and_a_later_final_is_refused(journal: Journal) -> None:
    c = await college(journal, students=2)
    year_id = await plan(journal, c)
    stub, as_teacher = journal.stub, journal.md(c.teacher, "teacher")
    for student in c.students:
        await marks(journal, c, student, "4", "4", "4", "4", "4")
    await stub.SetFinal(set_final(c, c.students[0], year_id, "4"), metadata=as_teacher)
    async with journal.sessions() as s:
        assert (await s.execute(select(orm.period_locks))).all() == []
    await stub.SetFinal(set_final(c, c.students[1], year_id, "5"), metadata=as_teacher)
    async with journal.sessions() as s:
        [lock] = (await s.execute(select(orm.period_locks))).all()
    assert (str(lock.group_id), str(lock.discipline_id), str(lock.year_id), lock.semester) == (
        c.group_id,
        c.math,
        year_id,
        1,
    )
    assert "journal.period.closed.v1" in [s for s, _ in await journal.outbox()]
    await journal.refused(
        stub.SetFinal(set_final(c, c.students[0], year_id, "5"), metadata=as_teacher),
        PRECONDITION,
        "period_closed",
    )
