"""Issue 8 item 5, ADR 0013: a parent of an adult student without the student's consent is told
nothing of their marks. Messaging decides from its own projection of identity's facts (per link, the
first day the parent no longer reads the student's data) compared with the college's today; identity
is asked only for a student whose link lacks its fact, and at the first start (the catch-up)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from chassis.consumer import PoisonMessage
from chassis.errors import ServiceUnavailable
from chassis.events import Delivery, subject_of
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.identity.v1 import parent_access_facts_pb2 as facts_pb
from ejournal.journal.v1.events_pb2 import MarkRecorded
from messaging_service.api.consumers import PARENT_ACCESS, parent_access_changed_command
from messaging_service.application import commands
from messaging_service.application.handlers import MessagingHandlers, StudentNotInProjection
from messaging_service.application.parent_access import SNAPSHOT_MARGIN, ProjectParentAccessChanged
from messaging_service.application.ports import ParentAccessDirectory
from messaging_service.domain.parent_access import AccessFact, Reader, reads_on, told

STUDENT, DISCIPLINE = uuid.uuid4(), uuid.uuid4()
MOTHER, FATHER = uuid.uuid4(), uuid.uuid4()
TODAY = date(2026, 11, 30)
MARK = commands.NotifyGuardiansOfMark(
    student_id=STUDENT, discipline_id=DISCIPLINE, mark_value="4", lesson_date=date(2026, 10, 14)
)
# Facts from events stamped after any answer identity gives while these tests run (its answers are
# stamped SNAPSHOT_MARGIN back from the real clock). A day ahead, not "now": this module is imported at
# collection, and in a full run its tests start minutes later — past the margin.
T0 = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)


class FakeFacts:
    """Identity's facts of parents' access; `down` fails like an unreachable identity."""

    def __init__(self) -> None:
        self.facts: dict[tuple[uuid.UUID, uuid.UUID], date | None] = {}
        self.down = False
        self.asked: list[uuid.UUID | None] = []

    def _all(self) -> list[AccessFact]:
        return [AccessFact(s, p, until) for (s, p), until in sorted(self.facts.items())]

    async def facts_of(self, student_id: uuid.UUID) -> list[AccessFact]:
        self.asked.append(student_id)
        if self.down:
            raise ServiceUnavailable("Связанный сервис временно недоступен, попробуйте позже")
        return [f for f in self._all() if f.student_id == student_id]

    async def facts_page(self, page_token: str) -> tuple[list[AccessFact], str]:
        self.asked.append(None)
        if self.down:
            raise ServiceUnavailable("Связанный сервис временно недоступен, попробуйте позже")
        start = int(page_token or 0)
        page = self._all()[start : start + 1]
        return page, str(start + 1) if start + 1 < len(self.facts) else ""


def delivery() -> Delivery:
    return Delivery(
        event_id=str(uuid.uuid4()), consumer="messaging-mark-notifications", subject=subject_of(MarkRecorded)
    )


def fact_delivery() -> Delivery:
    return Delivery(
        event_id=str(uuid.uuid4()), consumer=PARENT_ACCESS, subject=subject_of(facts_pb.ParentAccessChanged)
    )


def changed(parent: uuid.UUID, until: date | None, at: datetime) -> ProjectParentAccessChanged:
    return ProjectParentAccessChanged(AccessFact(STUDENT, parent, until), at)


class Clock:
    def __init__(self) -> None:
        self.today = TODAY

    def __call__(self) -> date:
        return self.today


@pytest.fixture
def identity() -> FakeFacts:
    return FakeFacts()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def handlers(unit_of_work: Any, guardians: Any, identity: FakeFacts, clock: Clock) -> MessagingHandlers:
    directory: ParentAccessDirectory = identity
    return MessagingHandlers(uow=unit_of_work, guardians=guardians, parent_access=directory, today=clock)


def test_a_link_reads_before_its_end_and_not_from_it() -> None:
    assert reads_on(None, TODAY)
    assert reads_on(TODAY + timedelta(days=1), TODAY)
    assert not reads_on(TODAY, TODAY)
    readers = [Reader(MOTHER, None), Reader(FATHER, TODAY), Reader(uuid.uuid4(), known=False)]
    assert told(readers, TODAY) == [MOTHER]


async def test_the_projection_decides_without_asking_identity_per_mark(
    handlers: MessagingHandlers, store: Any, identity: FakeFacts, clock: Clock
) -> None:
    birthday = TODAY + timedelta(days=1)
    identity.facts = {(STUDENT, MOTHER): birthday, (STUDENT, FATHER): birthday}
    # The first mark of a student never seen: identity is asked once, for that student.
    assert await handlers.notify_guardians_of_mark(MARK, delivery()) == 2
    assert identity.asked == [STUDENT]
    # Identity down does not matter any more: the projection answers, one mark or a batch.
    identity.down = True
    assert await handlers.notify_guardians_of_mark(MARK, delivery()) == 2
    assert await handlers.notify_guardians_of_marks([(MARK, delivery()), (MARK, delivery())]) == 4
    # The 18th birthday: no event, the date passes; nobody is told.
    clock.today = birthday
    assert await handlers.notify_guardians_of_mark(MARK, delivery()) == 0
    assert await handlers.notify_guardians_of_marks([(MARK, delivery())]) == 0
    # The student consents to the mother's access: identity's fact has no end any more.
    await handlers.parent_access.project_changed(changed(MOTHER, None, T0), fact_delivery())
    assert await handlers.notify_guardians_of_mark(MARK, delivery()) == 1
    # ... and withdraws it.
    await handlers.parent_access.project_changed(
        changed(MOTHER, birthday, T0 + timedelta(seconds=1)), fact_delivery()
    )
    assert await handlers.notify_guardians_of_marks([(MARK, delivery())]) == 0
    assert identity.asked == [STUDENT]
    assert {n.recipient_id for n in store.notifications} == {MOTHER, FATHER}


async def test_an_older_fact_arriving_late_changes_nothing(handlers: MessagingHandlers, store: Any) -> None:
    await handlers.parent_access.project_changed(changed(MOTHER, TODAY, T0), fact_delivery())
    await handlers.parent_access.project_changed(
        changed(MOTHER, None, T0 - timedelta(seconds=1)), fact_delivery()
    )
    assert store.parent_access[(STUDENT, MOTHER)] == (TODAY, T0)
    # The fact carries its link: the projection knows the mother.
    assert (STUDENT, MOTHER) in store.guardianships
    # The same event twice is applied once.
    again = fact_delivery()
    assert await handlers.parent_access.project_changed(changed(MOTHER, None, T0), again)
    assert not await handlers.parent_access.project_changed(changed(MOTHER, TODAY, T0), again)


async def test_a_link_without_its_fact_asks_identity_for_that_student(
    handlers: MessagingHandlers, store: Any, identity: FakeFacts
) -> None:
    store.guardianships |= {(STUDENT, MOTHER), (STUDENT, FATHER)}
    store.fetched_students.add(STUDENT)
    await handlers.parent_access.project_changed(changed(MOTHER, None, T0), fact_delivery())
    # The father's link came by its event before its fact: identity says his access ended.
    identity.facts = {(STUDENT, MOTHER): None, (STUDENT, FATHER): TODAY}
    with pytest.raises(StudentNotInProjection):
        await handlers.notify_guardians_of_marks([(MARK, delivery())])
    assert await handlers.notify_guardians_of_mark(MARK, delivery()) == 1
    assert identity.asked == [STUDENT]
    # The mother's newer fact from the event is kept: the answer is stamped a margin back.
    assert store.parent_access[(STUDENT, MOTHER)][1] == T0
    assert [n.recipient_id for n in store.notifications] == [MOTHER]


async def test_identity_down_when_asked_stores_nothing_and_the_event_is_retried(
    handlers: MessagingHandlers, store: Any, identity: FakeFacts
) -> None:
    identity.facts = {(STUDENT, MOTHER): None}
    event = delivery()
    identity.down = True
    with pytest.raises(ServiceUnavailable):
        await handlers.notify_guardians_of_mark(MARK, event)
    assert not store.notifications and not store.claimed
    identity.down = False
    assert await handlers.notify_guardians_of_mark(MARK, event) == 1


async def test_the_catch_up_reads_every_page_once_and_stores_links_and_facts(
    handlers: MessagingHandlers, store: Any, identity: FakeFacts
) -> None:
    other = uuid.uuid4()
    identity.facts = {(STUDENT, MOTHER): None, (STUDENT, FATHER): TODAY, (other, MOTHER): None}
    assert await handlers.parent_access.catch_up() == 3
    assert identity.asked == [None, None, None]
    assert store.caught_up and store.fetched_students == {STUDENT, other}
    assert store.guardianships == {(STUDENT, MOTHER), (STUDENT, FATHER), (other, MOTHER)}
    # Done once: the next start asks nothing.
    assert await handlers.parent_access.catch_up() is None
    assert identity.asked == [None, None, None]
    # A mark right after: the projection answers, identity not asked.
    assert await handlers.notify_guardians_of_mark(MARK, delivery()) == 1
    assert identity.asked == [None, None, None]


async def test_the_catch_up_loses_to_newer_events_and_retries_until_identity_answers(
    unit_of_work: Any, guardians: Any, identity: FakeFacts, store: Any
) -> None:
    now = datetime.now(UTC)
    handlers = MessagingHandlers(uow=unit_of_work, guardians=guardians, parent_access=identity)
    # An event of a consent given a minute ago, applied before the snapshot is stored.
    await handlers.parent_access.project_changed(
        changed(MOTHER, None, now - timedelta(minutes=1)), fact_delivery()
    )
    identity.facts = {(STUDENT, MOTHER): TODAY}
    identity.down = True
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        identity.down = len(waits) < 3

    await handlers.parent_access.catch_up_until_done(sleep)
    assert waits == [2.0, 4.0, 8.0]
    assert store.caught_up
    # The snapshot is stamped SNAPSHOT_MARGIN back: the newer event's fact stays.
    assert store.parent_access[(STUDENT, MOTHER)][0] is None
    assert timedelta(minutes=1) < SNAPSHOT_MARGIN


def test_the_event_becomes_a_command_and_a_bad_one_is_poison() -> None:
    event = facts_pb.ParentAccessChanged(
        event_id="e1",
        fact=facts_pb.ParentAccessFact(
            student_id=str(STUDENT), parent_id=str(MOTHER), access_until=LocalDate(year=2026, month=12, day=1)
        ),
    )
    event.occurred_at.FromDatetime(T0)
    cmd = parent_access_changed_command(event)
    assert cmd == ProjectParentAccessChanged(AccessFact(STUDENT, MOTHER, date(2026, 12, 1)), T0)
    event.fact.ClearField("access_until")
    assert parent_access_changed_command(event).fact.access_until is None
    for bad in (
        facts_pb.ParentAccessFact(student_id="x", parent_id=str(MOTHER)),
        facts_pb.ParentAccessFact(
            student_id=str(STUDENT), parent_id=str(MOTHER), access_until=LocalDate(year=2026, month=2, day=30)
        ),
    ):
        event.fact.CopyFrom(bad)
        with pytest.raises(PoisonMessage):
            parent_access_changed_command(event)
