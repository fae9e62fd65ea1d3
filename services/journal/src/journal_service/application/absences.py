"""«Пропуски» (issue 6, item 5; §4.2.2): a group's week of absences and lateness, and the class
teacher's correction of their reason categories — never free text, never a diagnosis."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from chassis.principal import Principal
from ejournal.journal.v1 import events_pb2 as events
from ejournal.journal.v1 import journal_pb2 as jpb

from journal_service.application.period_locks import ensure_open_on
from journal_service.application.ports import JournalUnitOfWork, UnitOfWorkFactory
from journal_service.application.read_models import readable_group
from journal_service.application.refused_writes import refusal_audited
from journal_service.domain import access, errors, history, lessons, read_models, year


@dataclass(frozen=True)
class ListGroupAbsences:
    """Read a group's absences and lateness of one week (Monday to Sunday)."""

    group_id: uuid.UUID
    week_start: date


@dataclass(frozen=True)
class CorrectAbsenceReasons:
    """Set the reason categories of some of a group's absences, all or nothing."""

    group_id: uuid.UUID
    corrections: tuple[read_models.ReasonCorrection, ...]


def _reason_pb(reason: str) -> jpb.AbsenceReason.ValueType:
    return jpb.AbsenceReason.Value(f"ABSENCE_REASON_{reason.upper()}")


class AbsenceHandlers:
    """Use cases of «Пропуски»."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def week(self, query: ListGroupAbsences, actor: Principal) -> read_models.WeekOfAbsences:
        """Return the group's absences of a week to its readers; audited (it is about students)."""
        week = year.DateSpan(*read_models.week_of(query.week_start))
        async with self._uow() as uow:
            students = list((await readable_group(uow, actor, query.group_id, week)).student_ids)
            rows = read_models.order_absences(
                students, await uow.read_models.group_absences(query.group_id, week)
            )
            disciplines = await uow.disciplines.views({r.discipline_id for r in rows})
            await uow.audit(
                "absences.read", actor=actor, resource_type="group", resource_id=str(query.group_id)
            )
            await uow.commit()
            return read_models.WeekOfAbsences(students, rows, disciplines)

    async def correct(
        self, cmd: CorrectAbsenceReasons, actor: Principal
    ) -> list[read_models.CorrectedReason]:
        """Correct reason categories (the group's class teacher, the admin): every row checked first,
        then all written with their event and one audit record per change, or nothing."""
        read_models.check_corrections(cmd.corrections)
        async with (
            # A correction refused by a closed period (slice B) — or for want of the right — is audited.
            refusal_audited(
                self._uow,
                actor,
                action="attendance.correct",
                resource_type="group",
                resource_id=str(cmd.group_id),
            ),
            self._uow() as uow,
        ):
            await _require_corrector(uow, actor, cmd.group_id)
            lesson_ids = {c.lesson_id for c in cmd.corrections}
            lesson_groups = await uow.read_models.lock_lessons(lesson_ids)
            entries = await uow.read_models.attendance_entries(
                lesson_ids, {c.student_id for c in cmd.corrections}
            )
            corrected = read_models.correct_reasons(cmd.group_id, cmd.corrections, lesson_groups, entries)
            changes = [c for c in corrected if c.changed]
            if not changes:
                return corrected
            # R1.5: no reason corrected on a day of a closed period (slice B).
            await ensure_open_on(
                uow, await uow.period_locks.lesson_days({c.lesson_id for c in changes}), actor=actor
            )
            await uow.read_models.set_reasons(changes)
            # R3.3: each corrected reason is kept in the entry's history (the status stays).
            await uow.history.keep_attendance_changes(
                history.reason_changes(
                    changes,
                    {key: lessons.AttendanceStatus(row.status) for key, row in entries.items()},
                    changed_by=access.person_id(actor),
                )
            )
            await uow.emit(
                events.AttendanceCorrected(
                    group_id=str(cmd.group_id),
                    corrected_by=actor.subject,
                    changes=[
                        events.AbsenceReasonChanged(
                            lesson_id=str(c.lesson_id),
                            student_id=str(c.student_id),
                            old_reason=_reason_pb(c.old_reason),
                            reason=_reason_pb(c.reason),
                        )
                        for c in changes
                    ],
                )
            )
            for c in changes:
                # The audit record has no field for details: the categories (never a diagnosis) go in
                # the action's name, old -> new.
                await uow.audit(
                    f"attendance.reason_corrected:{c.old_reason.value}->{c.reason.value}",
                    actor=actor,
                    resource_type="lesson",
                    resource_id=str(c.lesson_id),
                    subject_person_id=str(c.student_id),
                )
            await uow.commit()
            return corrected


async def _require_corrector(uow: JournalUnitOfWork, actor: Principal, group_id: uuid.UUID) -> None:
    """Let through the admin and the group's class teacher; the rest of the administration is
    read-only (role_required), a teacher of the group is refused (not_class_teacher), anyone else
    is not told the group exists."""
    admin = actor.has_any(access.ADMIN)
    staff = not admin and actor.has_any(access.TEACHER, access.CLASS_TEACHER)
    person = access.person_id(actor) if staff else None
    readers = await uow.read_models.group_readers(group_id, person)
    if readers is None:
        raise errors.GroupNotFound()
    if admin or (person is not None and readers.class_teacher_id == person):
        return
    if actor.has_any(*access.READ_ALL_ROLES):
        raise errors.RoleRequired("причины пропусков исправляет классный руководитель группы")
    if person is not None and readers.teaches and actor.has_any(access.TEACHER):
        raise read_models.NotClassTeacherOfGroup()
    raise errors.GroupNotFound()
