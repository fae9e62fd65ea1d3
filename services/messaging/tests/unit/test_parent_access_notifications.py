"""Issue 8 item 5: a parent of an adult student without the student's consent is told nothing of
their marks — messaging asks identity at each notification which parents may still read the data."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from chassis.errors import ServiceUnavailable
from chassis.events import Delivery, subject_of
from ejournal.journal.v1.events_pb2 import MarkRecorded
from messaging_service.application import commands
from messaging_service.application.handlers import MessagingHandlers
from messaging_service.application.ports import ParentAccessDirectory

STUDENT, DISCIPLINE = uuid.uuid4(), uuid.uuid4()
MOTHER, FATHER = uuid.uuid4(), uuid.uuid4()
MARK = commands.NotifyGuardiansOfMark(
    student_id=STUDENT, discipline_id=DISCIPLINE, mark_value="4", lesson_date=date(2026, 10, 14)
)


class FakeParentAccess:
    """Identity's rule: the parents given here may read the student's data; `down` fails like identity."""

    def __init__(self) -> None:
        self.readable: dict[uuid.UUID, set[uuid.UUID]] = {}
        self.down = False
        self.asked: list[uuid.UUID] = []

    async def readable_parents(self, student_id: uuid.UUID) -> set[uuid.UUID]:
        self.asked.append(student_id)
        if self.down:
            raise ServiceUnavailable("Связанный сервис временно недоступен, попробуйте позже")
        return set(self.readable.get(student_id, set()))


def delivery() -> Delivery:
    return Delivery(
        event_id=str(uuid.uuid4()), consumer="messaging-mark-notifications", subject=subject_of(MarkRecorded)
    )


@pytest.fixture
def access() -> FakeParentAccess:
    return FakeParentAccess()


@pytest.fixture
def handlers(unit_of_work: Any, guardians: Any, access: FakeParentAccess) -> MessagingHandlers:
    guardians.links[STUDENT] = [MOTHER, FATHER]
    directory: ParentAccessDirectory = access
    return MessagingHandlers(uow=unit_of_work, guardians=guardians, parent_access=directory)


async def test_only_the_parents_identity_lets_read_are_told(
    handlers: MessagingHandlers, store: Any, access: FakeParentAccess
) -> None:
    # The father's access ended: the student is 18 and consents only to the mother's.
    access.readable[STUDENT] = {MOTHER}
    assert await handlers.notify_guardians_of_mark(MARK, delivery()) == 1
    # The projection is now fetched: the next mark goes the projection's way, still filtered.
    assert await handlers.notify_guardians_of_mark(MARK, delivery()) == 1
    # A batch as well.
    assert await handlers.notify_guardians_of_marks([(MARK, delivery()), (MARK, delivery())]) == 2
    assert {n.recipient_id for n in store.notifications} == {MOTHER}
    # Consent withdrawn from the mother too: nobody is told.
    access.readable[STUDENT] = set()
    assert await handlers.notify_guardians_of_mark(MARK, delivery()) == 0
    assert len(store.notifications) == 4
    # A minor again in identity's eyes (birth date corrected): both parents.
    access.readable[STUDENT] = {MOTHER, FATHER}
    assert await handlers.notify_guardians_of_mark(MARK, delivery()) == 2


async def test_identity_down_stores_nothing_and_the_event_is_retried(
    handlers: MessagingHandlers, store: Any, access: FakeParentAccess
) -> None:
    access.readable[STUDENT] = {MOTHER, FATHER}
    event = delivery()
    access.down = True
    with pytest.raises(ServiceUnavailable):
        await handlers.notify_guardians_of_mark(MARK, event)
    with pytest.raises(ServiceUnavailable):
        await handlers.notify_guardians_of_marks([(MARK, event)])
    assert not store.notifications
    access.down = False
    assert await handlers.notify_guardians_of_mark(MARK, event) == 2
