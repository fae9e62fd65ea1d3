"""identity.group_list.imported.v1 → EnrolImportedStudents (slice H2); a bad payload is PoisonMessage."""

from __future__ import annotations

from chassis.consumer import PoisonMessage, Subscription, local_date_or_poison, uuid_or_poison
from chassis.events import Delivery
from ejournal.identity.v1 import events_pb2 as identity_events

from journal_service.application.imported_students import EnrolImportedStudents, ImportedStudentsHandlers

DURABLE = "journal-imported-students"
# One group list (identity refuses more than 60 rows).
MAX_STUDENTS = 60


def enrol_command(event: identity_events.GroupListImported) -> EnrolImportedStudents:
    """Turn the event into the command; ids and the date must be well formed."""
    if not event.student_ids or len(event.student_ids) > MAX_STUDENTS:
        raise PoisonMessage(f"{len(event.student_ids)} student ids")
    return EnrolImportedStudents(
        group_id=uuid_or_poison(event.group_id, "group_id"),
        student_ids=list(dict.fromkeys(uuid_or_poison(s, "student_ids") for s in event.student_ids)),
        imported_on=local_date_or_poison(event.imported_on, "imported_on"),
        import_id=uuid_or_poison(event.import_id, "import_id"),
    )


def imported_students(handlers: ImportedStudentsHandlers) -> Subscription[identity_events.GroupListImported]:
    """Enrol the students of each imported group list, once."""

    async def handle(event: identity_events.GroupListImported, delivery: Delivery) -> None:
        await handlers.enrol(enrol_command(event), delivery)

    return Subscription(identity_events.GroupListImported, DURABLE, handle)
