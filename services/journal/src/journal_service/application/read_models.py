"""Read models people use (issue 6, item 6): the journal page, the class teacher's group view and the
student's diary. Each is a few queries in one unit of work, audited as a read of others' data."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from chassis.principal import Principal

from journal_service.application.ports import GuardianDirectory, JournalUnitOfWork, UnitOfWorkFactory
from journal_service.application.subgroup_members import page_stays
from journal_service.application.substitution_rights import substitutes_in
from journal_service.domain import access, errors, lesson_errors, lessons, read_models, year
from journal_service.domain import subgroup_membership as membership


@dataclass(frozen=True)
class GetJournalPage:
    """Read a group's (or subgroup's) journal page of a discipline over a period."""

    group_id: uuid.UUID
    discipline_id: uuid.UUID
    subgroup_id: uuid.UUID | None
    span: year.DateSpan


@dataclass(frozen=True)
class GetGroupOverview:
    """Read the class teacher's view of a group over a period."""

    group_id: uuid.UUID
    span: year.DateSpan


@dataclass(frozen=True)
class GetStudentDiary:
    """Read a student's diary over a period."""

    student_id: uuid.UUID
    span: year.DateSpan


def check_span(span: year.DateSpan) -> None:
    """Refuse a period that ends before it starts or is longer than a year."""
    if span.ends_on < span.starts_on or (span.ends_on - span.starts_on).days > lessons.MAX_LESSON_RANGE_DAYS:
        raise lesson_errors.InvalidLessonRange()


async def readable_group(
    uow: JournalUnitOfWork, actor: Principal, group_id: uuid.UUID, span: year.DateSpan
) -> read_models.GroupReaders:
    """Let through the administration, a teacher with a load in the group and its class teacher (R1.4),
    returning the group's readers and its students in the period; anyone else, and an unknown group,
    get `group_not_found` (existence is not revealed)."""
    if actor.has_any(*access.READ_ALL_ROLES):
        readers = await uow.read_models.group_readers(group_id, None, span)
        if readers is None:
            raise errors.GroupNotFound()
        return readers
    if not actor.has_any(access.TEACHER, access.CLASS_TEACHER):
        raise errors.GroupNotFound()
    person = access.person_id(actor)
    readers = await uow.read_models.group_readers(group_id, person, span)
    if readers is None:
        raise errors.GroupNotFound()
    if readers.class_teacher_id == person or (actor.has_any(access.TEACHER) and readers.teaches):
        return readers
    # R2.4 (slice D): a substitute reads the group's pages of a period holding the pair they take.
    if actor.has_any(access.TEACHER) and await substitutes_in(uow, person, group_id, span):
        return readers
    raise errors.GroupNotFound()


async def may_read_student(
    uow: JournalUnitOfWork, guardians: GuardianDirectory, actor: Principal, student_id: uuid.UUID
) -> bool:
    """Return True for the student's diary readers other than the student: the administration, a parent
    with guardianship (live in identity, ADR 0002), a teacher of one of the student's groups, the class
    teacher of one of them (R2.1: the class teacher reads their group's diaries). ListStudentMarks and
    GetStudentDiary both decide by it."""
    if actor.has_any(*access.READ_ALL_ROLES):
        return True
    if actor.has_any(access.PARENT) and await guardians.is_guardian(
        token=actor.token, parent_id=actor.subject, student_id=str(student_id)
    ):
        return True
    if actor.has_any(access.TEACHER, access.CLASS_TEACHER):
        person = access.person_id(actor)
        if actor.has_any(access.TEACHER) and await uow.loads.teaches_student(person, student_id):
            return True
        return await uow.groups.is_class_teacher_of_student(person, student_id)
    return False


class ReadModelHandlers:
    """Use cases of the read models."""

    def __init__(self, uow: UnitOfWorkFactory, guardians: GuardianDirectory) -> None:
        self._uow = uow
        self._guardians = guardians

    async def journal_page(self, query: GetJournalPage, actor: Principal) -> read_models.JournalPage:
        """Return a journal page to the group's readers; one audit record per page read."""
        check_span(query.span)
        async with self._uow() as uow:
            students = list((await readable_group(uow, actor, query.group_id, query.span)).student_ids)
            if query.subgroup_id is not None:
                subgroup = await uow.subgroups.get(query.subgroup_id)
                if (
                    subgroup is None
                    or subgroup.group_id != query.group_id
                    or subgroup.discipline_id != query.discipline_id
                ):
                    raise lesson_errors.SubgroupNotFound()
            # Slice J: who belonged on the page's days, when they joined or left (dated membership).
            students, stays = await page_stays(uow, query.group_id, query.subgroup_id, query.span, students)
            repo = uow.read_models
            lesson_rows = await repo.page_lessons(
                query.group_id, query.discipline_id, query.subgroup_id, query.span
            )
            marks = await repo.page_cell_marks(query.group_id, query.discipline_id, query.span)
            if query.subgroup_id is not None:  # a mark by date counts where the student was that day
                marks = [
                    m
                    for m in marks
                    if m.lesson_id is not None
                    or any(s.covers(m.lesson_date) for s in stays.get(uuid.UUID(m.student_id), ()))
                ]
            page = read_models.journal_page(
                students,
                lesson_rows,
                marks,
                await repo.page_attendance(query.group_id, query.discipline_id, query.span),
                await uow.marks.dictionary(),
            )
            page.memberships.extend(
                membership.page_membership(stays.get(s, ()), query.span) for s in page.student_ids
            )
            # Slice B: the page shows its closed periods (R1.5).
            page.period_locks.extend(
                await uow.period_locks.overlapping(query.group_id, query.discipline_id, query.span)
            )
            await uow.audit(
                "journal_page.read", actor=actor, resource_type="group", resource_id=str(query.group_id)
            )
            await uow.commit()
            return page

    async def group_overview(self, query: GetGroupOverview, actor: Principal) -> read_models.GroupOverview:
        """Return the group view to the group's readers (read-only); audited."""
        check_span(query.span)
        async with self._uow() as uow:
            students = (await readable_group(uow, actor, query.group_id, query.span)).student_ids
            repo = uow.read_models
            overview = read_models.group_overview(
                students,
                await repo.group_disciplines(query.group_id, query.span),
                await repo.group_marks(query.group_id, query.span),
                await repo.group_absence_counts(query.group_id, query.span),
                await uow.marks.dictionary(),
            )
            await uow.audit(
                "group_overview.read", actor=actor, resource_type="group", resource_id=str(query.group_id)
            )
            await uow.commit()
            return overview

    async def diary(self, query: GetStudentDiary, actor: Principal) -> read_models.Diary:
        """Return a student's diary to whoever may see it; a read by anyone but the student is audited."""
        check_span(query.span)
        student = str(query.student_id)
        async with self._uow() as uow:
            own = actor.subject == student and actor.has_any(access.STUDENT)
            if not own and not await may_read_student(uow, self._guardians, actor, query.student_id):
                raise errors.StudentNotVisible()
            repo = uow.read_models
            lesson_rows = await repo.diary_lessons(query.student_id, query.span)
            marks = await repo.diary_marks(query.student_id, query.span)
            ids = {r.discipline_id for r in lesson_rows} | {m.discipline_id for m in marks}
            diary = read_models.diary(
                lesson_rows,
                marks,
                await repo.diary_attendance(query.student_id, query.span),
                await uow.disciplines.views(ids),
                await uow.marks.dictionary(),
            )
            if own:
                return diary
            await uow.audit(
                "diary.read",
                actor=actor,
                resource_type="student",
                resource_id=student,
                subject_person_id=student,
            )
            await uow.commit()
            return diary
