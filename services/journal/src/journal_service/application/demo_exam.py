"""The demonstration exam (issue 7 item 4): the admin sets versions of the conversion table, the teacher
with the load records a student's points and maximum, the mark comes from the table in force on the
exam's date and keeps its version for good."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from chassis.principal import Principal
from ejournal.journal.v1 import events_pb2 as events

from journal_service.application.finals import FinalHandlers, SetFinal
from journal_service.application.marks import local_date
from journal_service.application.ports import JournalUnitOfWork, Today, UnitOfWorkFactory
from journal_service.application.read_models import readable_group
from journal_service.application.refused_writes import refusal_audited
from journal_service.domain import access, curriculum, demo_exam, errors, finals, year, year_errors

# Who reads the table: the administration, teachers and class teachers (no personal data in it).
SCALE_READERS = (*access.READ_ALL_ROLES, access.TEACHER, access.CLASS_TEACHER)


@dataclass(frozen=True)
class SetDemoExamScale:
    """Set a new version of the conversion table."""

    bands: Sequence[demo_exam.Band]
    effective_from: date | None = None


@dataclass(frozen=True)
class RecordDemoExamResult:
    """Record a student's demonstration exam."""

    group_id: uuid.UUID
    discipline_id: uuid.UUID
    year_id: uuid.UUID
    semester: int
    student_id: uuid.UUID
    points: str
    maximum: str
    exam_date: date


@dataclass(frozen=True)
class ListDemoExamResults:
    """Read a group's results in a discipline and semester."""

    group_id: uuid.UUID
    discipline_id: uuid.UUID
    year_id: uuid.UUID
    semester: int


async def semester_span(uow: JournalUnitOfWork, year_id: uuid.UUID, semester: int) -> year.DateSpan:
    """Return the semester's days, or raise academic_year_not_found."""
    found = await uow.years.get(year_id)
    if found is None:
        raise year_errors.AcademicYearNotFound()
    return found.semester1 if semester == 1 else found.semester2


async def control_form_of(
    uow: JournalUnitOfWork, group_id: uuid.UUID, year_id: uuid.UUID, discipline_id: uuid.UUID, semester: int
) -> curriculum.ControlForm:
    """Return the curriculum's control form of the discipline in the group's semester (none: NONE)."""
    for row in await uow.curricula.of_group(group_id, year_id):
        if row.discipline_id == discipline_id and row.semester == semester:
            return row.control_form
    return curriculum.ControlForm.NONE


class DemoExamHandlers:
    """Use cases of the demonstration exam."""

    def __init__(self, uow: UnitOfWorkFactory, today: Today, finals_: FinalHandlers) -> None:
        self._uow = uow
        self._today = today
        self._finals = finals_

    async def set_scale(self, cmd: SetDemoExamScale, actor: Principal) -> demo_exam.Scale:
        """Store the next version of the table (admin); results already recorded keep theirs."""
        access.require_admin(actor, "шкалу перевода баллов задаёт администратор")
        author = access.person_id(actor)
        demo_exam.check_bands(cmd.bands)
        async with self._uow() as uow:
            current = await uow.demo_exams.latest_for_update()
            if current is None:  # the migration seeds version 1
                raise demo_exam.DemoExamScaleNotFound()
            scale = demo_exam.new_scale(
                cmd.bands,
                effective_from=cmd.effective_from or self._today(),
                author_id=author,
                current=current,
            )
            await uow.demo_exams.add_scale(scale)
            await uow.emit(
                events.DemoExamScaleSet(
                    version=scale.version,
                    effective_from=local_date(scale.effective_from),
                    author_id=str(author),
                )
            )
            await uow.commit()
            return scale

    async def get_scale(self, version: int | None, actor: Principal) -> demo_exam.Scale:
        """Return the version asked for, or the one in force today (staff)."""
        if not actor.has_any(*SCALE_READERS):
            raise errors.RoleRequired("шкалу перевода видят сотрудники колледжа")
        async with self._uow() as uow:
            scale = (
                await uow.demo_exams.scale(version)
                if version is not None
                else await uow.demo_exams.scale_in_force(self._today())
            )
        if scale is None:
            raise demo_exam.DemoExamScaleNotFound()
        return scale

    async def record(self, cmd: RecordDemoExamResult, actor: Principal) -> demo_exam.Result:
        """Record a result: percent and mark by the table in force on the exam's date, its event and
        its audit in one transaction (the teacher with the load of the group and discipline)."""
        access.require_teacher(actor)
        teacher_id = access.person_id(actor)
        points, maximum = demo_exam.parse_points(cmd.points, cmd.maximum)
        if cmd.exam_date > self._today():
            raise demo_exam.ExamDateInFuture()
        async with (
            refusal_audited(
                self._uow,
                actor,
                action="demo_exam.record",
                resource_type="group",
                resource_id=str(cmd.group_id),
            ),
            self._uow() as uow,
        ):
            loads = await uow.loads.of_teacher(teacher_id)
            if not any(
                load.group_id == cmd.group_id and load.discipline_id == cmd.discipline_id for load in loads
            ):
                raise errors.NotTeachingThisGroup()
            if not (await semester_span(uow, cmd.year_id, cmd.semester)).contains(cmd.exam_date):
                raise demo_exam.ExamDateOutsideSemester()
            form = await control_form_of(uow, cmd.group_id, cmd.year_id, cmd.discipline_id, cmd.semester)
            if form is not curriculum.ControlForm.DEMONSTRATION_EXAM:
                raise demo_exam.NotADemoExam()
            if not await uow.groups.is_enrolled(cmd.group_id, cmd.student_id, on=cmd.exam_date):
                raise errors.StudentNotInGroup()
            scale = await uow.demo_exams.scale_in_force(cmd.exam_date)
            if scale is None:
                raise demo_exam.DemoExamScaleNotFound()
            percent = demo_exam.percent_of(points, maximum)
            mark = scale.mark_for(percent)
            # The mark is the student's final of the demonstration exam (slice A's SetFinal, staged in
            # this unit of work: the result, the final, their events and audits commit together).
            final = await self._finals.set(
                SetFinal(
                    group_id=cmd.group_id,
                    discipline_id=cmd.discipline_id,
                    student_id=cmd.student_id,
                    period=finals.FinalPeriod(cmd.year_id, cmd.semester, finals.FinalKind.DEMONSTRATION_EXAM),
                    value=mark,
                    reason=(
                        f"Демонстрационный экзамен: {demo_exam.text_of(points)} из "
                        f"{demo_exam.text_of(maximum)} баллов ({percent} %), шкала версии {scale.version}"
                    ),
                    confirm_not_enough_marks=True,
                ),
                actor,
                within=uow,
            )
            result = demo_exam.Result(
                id=uuid.uuid4(),
                student_id=cmd.student_id,
                group_id=cmd.group_id,
                discipline_id=cmd.discipline_id,
                year_id=cmd.year_id,
                semester=cmd.semester,
                exam_date=cmd.exam_date,
                points=points,
                maximum=maximum,
                percent=percent,
                scale_version=scale.version,
                mark=mark,
                recorded_by=teacher_id,
                final_id=final.final.id,
            )
            if not await uow.demo_exams.add_result(result):
                raise demo_exam.DemoExamResultExists()
            await uow.emit(
                events.DemoExamResultRecorded(
                    result_id=str(result.id),
                    student_id=str(result.student_id),
                    group_id=str(result.group_id),
                    discipline_id=str(result.discipline_id),
                    year_id=str(result.year_id),
                    semester=result.semester,
                    scale_version=result.scale_version,
                    mark=result.mark,
                    recorded_by=str(teacher_id),
                )
            )
            await uow.audit(
                "demo_exam.recorded",
                actor=actor,
                resource_type="demo_exam_result",
                resource_id=str(result.id),
                subject_person_id=str(result.student_id),
            )
            await uow.commit()
            return result

    async def results(self, query: ListDemoExamResults, actor: Principal) -> list[demo_exam.Result]:
        """Return a group's results to its readers (R1.4); one audit record per read."""
        async with self._uow() as uow:
            span = await semester_span(uow, query.year_id, query.semester)
            await readable_group(uow, actor, query.group_id, span)
            found = await uow.demo_exams.results_of(
                query.group_id, query.discipline_id, query.year_id, query.semester
            )
            await uow.audit(
                "demo_exam.read", actor=actor, resource_type="group", resource_id=str(query.group_id)
            )
            await uow.commit()
            return found
