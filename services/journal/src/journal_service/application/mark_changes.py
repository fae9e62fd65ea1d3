"""Changing and removing a mark (the teacher with the load; R3.3): kept as history, never erased."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from chassis.principal import Principal
from ejournal.journal.v1 import events_pb2 as events
from ejournal.journal.v1 import journal_pb2 as jpb

from journal_service.application.marks import local_date
from journal_service.application.period_locks import ensure_open
from journal_service.application.ports import JournalUnitOfWork, UnitOfWorkFactory
from journal_service.application.refused_writes import refusal_audited
from journal_service.application.substitution_rights import loads_for_writing
from journal_service.domain import access, errors, mark_changes, model


@dataclass(frozen=True)
class ChangeMark:
    """Change a mark's value and, when given, its kind of work and weight."""

    mark_id: uuid.UUID
    value: str
    kind_of_work: model.KindOfWork | None = None
    weight: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class RemoveMark:
    """Remove a mark (kept, hidden from every read)."""

    mark_id: uuid.UUID
    reason: str = ""


def _kind(kind: model.KindOfWork) -> jpb.KindOfWork.ValueType:
    return jpb.KindOfWork.Value(f"KIND_OF_WORK_{kind.name}")


class MarkChangeHandlers:
    """Use cases of a mark after it was recorded."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def change(self, cmd: ChangeMark, actor: Principal) -> model.Mark:
        """Change a mark: the change kept with old → new, its event and its audit at once."""
        access.require_teacher(actor)
        mark_ref = str(cmd.mark_id)
        async with (
            refusal_audited(
                self._uow, actor, action="mark.change", resource_type="mark", resource_id=mark_ref
            ),
            self._uow() as uow,
        ):
            changed, change = await change_mark(uow, cmd, actor)
            if change is not None:
                await uow.commit()
            return changed

    async def remove(self, cmd: RemoveMark, actor: Principal) -> None:
        """Remove a mark: its row stays with who and when, the removal kept, its event and audit."""
        access.require_teacher(actor)
        teacher_id = access.person_id(actor)
        mark_ref = str(cmd.mark_id)
        async with (
            refusal_audited(
                self._uow, actor, action="mark.remove", resource_type="mark", resource_id=mark_ref
            ),
            self._uow() as uow,
        ):
            mark = await _own_mark(uow, cmd.mark_id, teacher_id)
            # R1.5: no removal on a day of a closed period (slice B).
            await ensure_open(
                uow,
                group_id=mark.group_id,
                discipline_id=mark.discipline_id,
                on_date=mark.lesson_date,
                actor=actor,
            )
            removal = mark_changes.remove(mark, teacher_id=teacher_id, reason=cmd.reason)
            await uow.mark_changes.remove(mark, removal)
            await uow.emit(
                events.MarkRemoved(
                    mark_id=str(mark.id),
                    student_id=str(mark.student_id),
                    group_id=str(mark.group_id),
                    discipline_id=str(mark.discipline_id),
                    teacher_id=str(teacher_id),
                    lesson_date=local_date(mark.lesson_date),
                    lesson_id=str(mark.lesson_id or ""),
                    old_value=mark.value,
                    change_id=str(removal.id),
                )
            )
            await uow.audit(
                "mark.removed",
                actor=actor,
                resource_type="mark",
                resource_id=mark_ref,
                subject_person_id=str(mark.student_id),
            )
            await uow.commit()


async def change_mark(
    uow: JournalUnitOfWork, cmd: ChangeMark, actor: Principal
) -> tuple[model.Mark, mark_changes.MarkChange | None]:
    """Change a mark in the caller's unit of work (the teacher with its load; the caller checked the
    role): the change kept with old → new, its event and its audit staged, nothing committed. No change
    (None) when nothing differs. ChangeMark and a «changed» answer to a correction request both go
    through here."""
    teacher_id = access.person_id(actor)
    mark = await _own_mark(uow, cmd.mark_id, teacher_id)
    # R1.5: no change on a day of a closed period (slice B).
    await ensure_open(
        uow, group_id=mark.group_id, discipline_id=mark.discipline_id, on_date=mark.lesson_date, actor=actor
    )
    changed, change = mark_changes.change(
        mark,
        dictionary=await uow.marks.dictionary(knowing=cmd.value or None),
        teacher_id=teacher_id,
        value=cmd.value,
        kind_of_work=cmd.kind_of_work,
        weight=cmd.weight,
        reason=cmd.reason,
    )
    if change is None:
        return mark, None
    await uow.mark_changes.change(changed, change)
    await uow.emit(
        events.MarkChanged(
            mark_id=str(mark.id),
            student_id=str(mark.student_id),
            group_id=str(mark.group_id),
            discipline_id=str(mark.discipline_id),
            teacher_id=str(teacher_id),
            lesson_date=local_date(mark.lesson_date),
            lesson_id=str(mark.lesson_id or ""),
            old_value=mark.value,
            value=changed.value,
            old_kind_of_work=_kind(mark.kind_of_work),
            kind_of_work=_kind(changed.kind_of_work),
            old_weight=mark.weight,
            weight=changed.weight,
            change_id=str(change.id),
        )
    )
    await uow.audit(
        "mark.changed",
        actor=actor,
        resource_type="mark",
        resource_id=str(mark.id),
        subject_person_id=str(mark.student_id),
    )
    return changed, change


async def _own_mark(uow: JournalUnitOfWork, mark_id: uuid.UUID, teacher_id: uuid.UUID) -> model.Mark:
    """Return the mark, locked, when the teacher holds a load covering it (RecordMark's rule)."""
    mark = await uow.mark_changes.get_for_update(mark_id)
    if mark is None:
        raise mark_changes.MarkNotFound()
    subgroup_id = None
    if mark.lesson_id is not None:
        lesson = await uow.lessons.get(mark.lesson_id)
        subgroup_id = lesson.subgroup_id if lesson is not None else None
    loads = await loads_for_writing(uow, teacher_id, lesson_id=mark.lesson_id)
    if not any(load.covers(teacher_id, mark.group_id, mark.discipline_id, subgroup_id) for load in loads):
        raise errors.NotTeachingThisGroup()
    return mark
