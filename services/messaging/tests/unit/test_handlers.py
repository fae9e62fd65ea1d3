"""Messaging use cases against in-memory fakes: notifications per guardian, idempotency, reading."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from chassis.errors import PermissionDenied, ServiceUnavailable
from chassis.events import Delivery, subject_of
from chassis.testing import LocalIssuer
from ejournal.identity.v1.events_pb2 import GuardianLinked
from ejournal.journal.v1.events_pb2 import MarkRecorded
from messaging_service.application import commands
from messaging_service.application.guardianships import ProjectGuardianLinked
from messaging_service.application.handlers import MessagingHandlers, StudentNotInProjection
from messaging_service.domain import errors

STUDENT, DISCIPLINE = uuid.uuid4(), uuid.uuid4()
MOTHER, FATHER = uuid.uuid4(), uuid.uuid4()
MARK = commands.NotifyGuardiansOfMark(
    student_id=STUDENT, discipline_id=DISCIPLINE, mark_value="4", lesson_date=date(2026, 10, 14)
)
issuer = LocalIssuer()


def delivery(event_id: str | None = None) -> Delivery:
    return Delivery(
        event_id=event_id or str(uuid.uuid4()),
        consumer="messaging-mark-notifications",
        subject=subject_of(MarkRecorded),
    )


@pytest.fixture
def handlers(fake_handlers: MessagingHandlers, guardians: Any) -> MessagingHandlers:
    guardians.links[STUDENT] = [MOTHER, FATHER]
    return fake_handlers


async def test_a_recorded_mark_notifies_each_guardian_once(handlers: MessagingHandlers, store: Any) -> None:
    event = delivery()
    assert await handlers.notify_guardians_of_mark(MARK, event) == 2
    assert {n.recipient_id for n in store.notifications} == {MOTHER, FATHER}
    assert all(n.source_event_id == event.event_id and n.mark_value == "4" for n in store.notifications)


async def test_a_repeated_event_changes_nothing_and_asks_identity_no_more(
    handlers: MessagingHandlers, store: Any, guardians: Any
) -> None:
    event = delivery()
    await handlers.notify_guardians_of_mark(MARK, event)
    assert await handlers.notify_guardians_of_mark(MARK, event) == 0
    assert len(store.notifications) == 2
    assert guardians.calls == 1


async def test_a_student_without_guardians_is_a_handled_event(
    handlers: MessagingHandlers, store: Any
) -> None:
    other = commands.NotifyGuardiansOfMark(
        student_id=uuid.uuid4(), discipline_id=DISCIPLINE, mark_value="5", lesson_date=date(2026, 10, 14)
    )
    event = delivery()
    assert await handlers.notify_guardians_of_mark(other, event) == 0
    assert (event.event_id, event.consumer) in store.claimed


async def test_identity_down_raises_and_leaves_the_event_unclaimed_for_the_retry(
    handlers: MessagingHandlers, store: Any, guardians: Any
) -> None:
    event = delivery()
    guardians.down = True
    with pytest.raises(ServiceUnavailable):
        await handlers.notify_guardians_of_mark(MARK, event)
    assert store.notifications == [] and store.claimed == set() and store.commits == 0

    guardians.down = False
    assert await handlers.notify_guardians_of_mark(MARK, event) == 2


def link_delivery(event_id: str | None = None) -> Delivery:
    return Delivery(
        event_id=event_id or str(uuid.uuid4()),
        consumer="messaging-guardianships",
        subject=subject_of(GuardianLinked),
    )


async def test_a_student_is_asked_of_identity_once_then_the_projection_answers(
    handlers: MessagingHandlers, store: Any, guardians: Any
) -> None:
    await handlers.notify_guardians_of_mark(MARK, delivery())
    assert store.fetched_students == {STUDENT}
    assert store.guardianships == {(STUDENT, MOTHER), (STUDENT, FATHER)}

    # Identity is not asked again, not even when it is down: the projection knows the student.
    guardians.down = True
    assert await handlers.notify_guardians_of_mark(MARK, delivery()) == 2
    assert guardians.calls == 1


async def test_a_link_event_keeps_a_fetched_student_current(
    handlers: MessagingHandlers, store: Any, guardians: Any
) -> None:
    await handlers.notify_guardians_of_mark(MARK, delivery())
    aunt = uuid.uuid4()
    link = ProjectGuardianLinked(parent_id=aunt, student_id=STUDENT)
    assert await handlers.guardianships.project_guardian_linked(link, link_delivery()) is True

    event = delivery()
    assert await handlers.notify_guardians_of_mark(MARK, event) == 3
    assert {n.recipient_id for n in store.notifications if n.source_event_id == event.event_id} == {
        MOTHER,
        FATHER,
        aunt,
    }
    assert guardians.calls == 1


async def test_a_link_event_is_applied_once(handlers: MessagingHandlers, store: Any) -> None:
    link, event = ProjectGuardianLinked(parent_id=MOTHER, student_id=STUDENT), link_delivery()
    assert await handlers.guardianships.project_guardian_linked(link, event) is True
    assert await handlers.guardianships.project_guardian_linked(link, event) is False
    # The same link under another event (identity links idempotently) adds no second row.
    assert await handlers.guardianships.project_guardian_linked(link, link_delivery()) is True
    assert store.guardianships == {(STUDENT, MOTHER)}
    # A link event does not make the student fetched: older links may exist only in identity.
    assert store.fetched_students == set()


async def test_links_known_from_events_before_the_fetch_are_kept(
    handlers: MessagingHandlers, store: Any, guardians: Any
) -> None:
    aunt = uuid.uuid4()
    link = ProjectGuardianLinked(parent_id=aunt, student_id=STUDENT)
    await handlers.guardianships.project_guardian_linked(link, link_delivery())

    assert await handlers.notify_guardians_of_mark(MARK, delivery()) == 3
    assert guardians.calls == 1


async def test_a_link_event_applied_while_identity_is_asked_is_not_lost(
    handlers: MessagingHandlers, store: Any, guardians: Any
) -> None:
    # Identity answers with the links it had; a link made just after comes by its event, applied
    # before the fetch is stored: the fetch adds to the projection, it does not replace it.
    aunt = uuid.uuid4()
    link = ProjectGuardianLinked(parent_id=aunt, student_id=STUDENT)
    guardians.during_call = lambda: handlers.guardianships.project_guardian_linked(link, link_delivery())

    assert await handlers.notify_guardians_of_mark(MARK, delivery()) == 3
    assert store.guardianships == {(STUDENT, MOTHER), (STUDENT, FATHER), (STUDENT, aunt)}


async def test_identity_down_on_the_first_mark_stores_nothing_for_the_retry(
    handlers: MessagingHandlers, store: Any, guardians: Any
) -> None:
    guardians.down = True
    with pytest.raises(ServiceUnavailable):
        await handlers.notify_guardians_of_mark(MARK, delivery())
    assert store.fetched_students == set() and store.guardianships == set()


async def test_a_parent_lists_only_their_own_notifications_newest_first(
    handlers: MessagingHandlers,
) -> None:
    first, second = delivery(), delivery()
    await handlers.notify_guardians_of_mark(MARK, first)
    await handlers.notify_guardians_of_mark(MARK, second)
    mother = issuer.principal(str(MOTHER), ("parent",))

    notes = await handlers.list_notifications(commands.ListNotifications(page_size=0), mother)
    assert [n.source_event_id for n in notes] == [second.event_id, first.event_id]
    assert {n.recipient_id for n in notes} == {MOTHER}

    page = await handlers.list_notifications(commands.ListNotifications(page_size=1), mother)
    assert [n.source_event_id for n in page] == [second.event_id]

    stranger = issuer.principal(str(uuid.uuid4()), ("parent",))
    assert await handlers.list_notifications(commands.ListNotifications(page_size=0), stranger) == []


async def test_page_size_out_of_range_is_refused(handlers: MessagingHandlers) -> None:
    with pytest.raises(errors.PageSizeOutOfRange):
        await handlers.list_notifications(
            commands.ListNotifications(page_size=201), issuer.principal(str(MOTHER), ("parent",))
        )


async def test_a_service_account_has_no_notifications(handlers: MessagingHandlers) -> None:
    robot = issuer.principal("service-account-ejournal-journal", ("service",))
    with pytest.raises(PermissionDenied) as caught:
        await handlers.list_notifications(commands.ListNotifications(page_size=0), robot)
    assert caught.value.code == "person_required"


async def test_a_batch_of_marks_of_projected_students_is_stored_in_one_transaction(
    handlers: MessagingHandlers, store: Any, guardians: Any
) -> None:
    first = delivery()
    await handlers.notify_guardians_of_mark(MARK, first)  # the student is fetched once
    commits = store.commits
    second, third = delivery(), delivery()
    batch = [(MARK, first), (MARK, second), (MARK, third), (MARK, second)]
    assert await handlers.notify_guardians_of_marks(batch) == 4
    assert store.commits == commits + 1
    assert sorted(n.source_event_id for n in store.notifications) == sorted(
        [e.event_id for e in (first, first, second, second, third, third)]
    )
    assert guardians.calls == 1


async def test_a_batch_with_a_student_never_fetched_stores_nothing_and_asks_nobody(
    handlers: MessagingHandlers, store: Any, guardians: Any
) -> None:
    await handlers.notify_guardians_of_mark(MARK, delivery())
    stranger = commands.NotifyGuardiansOfMark(
        student_id=uuid.uuid4(), discipline_id=DISCIPLINE, mark_value="5", lesson_date=date(2026, 10, 14)
    )
    before, claimed = len(store.notifications), set(store.claimed)
    with pytest.raises(StudentNotInProjection):
        await handlers.notify_guardians_of_marks([(MARK, delivery()), (stranger, delivery())])
    assert len(store.notifications) == before and store.claimed == claimed
    assert guardians.calls == 1
