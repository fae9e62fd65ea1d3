"""The students of an imported group list join their group (issue 8 item 2 «bulk», slice H2).

Identity publishes `identity.group_list.imported.v1` once a class teacher's list is in; the journal
enrols each student in the group on the import's date through the same code as the admin's
EnrollStudent (`groups.enrol_in_group`). Once per event (inbox). A student already in a group is
skipped; a group the journal does not know or whose students have graduated is refused — logged and
audited with the system actor, never retried in a loop.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date

from chassis.events import Delivery
from chassis.principal import system_actor

from journal_service.application.groups import enrol_in_group
from journal_service.application.people import PeopleHandlers
from journal_service.application.ports import JournalUnitOfWork, UnitOfWorkFactory
from journal_service.domain import movement
from journal_service.domain.people import STUDENT

log = logging.getLogger(__name__)
SERVICE = "journal"


@dataclass(frozen=True)
class EnrolImportedStudents:
    """Enrol the students of an imported group list into their group on a date."""

    group_id: uuid.UUID
    student_ids: list[uuid.UUID]
    imported_on: date
    import_id: uuid.UUID


@dataclass(frozen=True)
class ImportedStudentsEnrolled:
    """What became of an import's students: enrolled now, skipped (already in a group), refused."""

    enrolled: list[uuid.UUID]
    skipped: list[uuid.UUID]
    refused: str = ""


async def _refusal(uow: JournalUnitOfWork, group_id: uuid.UUID) -> str:
    group = await uow.groups.get(group_id)
    if group is None:
        return "group_not_found"
    if any(m.kind is movement.MovementKind.GRADUATION for m in await uow.movements.of_group(group_id)):
        return "group_graduated"
    return ""


class ImportedStudentsHandlers:
    """Enrols the students identity created from a group list."""

    def __init__(self, uow: UnitOfWorkFactory, people: PeopleHandlers) -> None:
        self._uow = uow
        self._people = people

    async def enrol(self, cmd: EnrolImportedStudents, delivery: Delivery) -> ImportedStudentsEnrolled | None:
        """Enrol each student once (None: the event was applied before)."""
        # The projection learns the new students (identity asked once for those it does not hold).
        roles = {student_id: await self._people.role_of(student_id) for student_id in cmd.student_ids}
        actor = system_actor(SERVICE)
        async with self._uow() as uow:
            if not await uow.inbox.claim(delivery.event_id, delivery.consumer, delivery.subject):
                return None
            refused = await _refusal(uow, cmd.group_id)
            if refused:
                await uow.audit(
                    f"group_list.enrolment_refused:{refused}",
                    actor=actor,
                    resource_type="group_list_import",
                    resource_id=f"{cmd.import_id}/{cmd.group_id}",
                )
                await uow.commit()
                log.warning(
                    "imported students not enrolled",
                    extra={"import_id": str(cmd.import_id), "group_id": str(cmd.group_id), "code": refused},
                )
                return ImportedStudentsEnrolled([], [], refused)
            enrolled: list[uuid.UUID] = []
            skipped: list[uuid.UUID] = []
            for student_id in cmd.student_ids:
                already = any(e.left_on is None for e in await uow.groups.enrolments_of(student_id))
                if roles[student_id] != STUDENT or already:
                    skipped.append(student_id)
                    continue
                if await enrol_in_group(uow, cmd.group_id, student_id, cmd.imported_on):
                    enrolled.append(student_id)
                else:
                    skipped.append(student_id)
            await uow.audit(
                "group_list.students_enrolled",
                actor=actor,
                resource_type="group_list_import",
                resource_id=f"{cmd.import_id}/{cmd.group_id}:{len(enrolled)}:{len(skipped)}",
            )
            await uow.commit()
        log.info(
            "imported students enrolled",
            extra={"import_id": str(cmd.import_id), "enrolled": len(enrolled), "skipped": len(skipped)},
        )
        return ImportedStudentsEnrolled(enrolled, skipped)
