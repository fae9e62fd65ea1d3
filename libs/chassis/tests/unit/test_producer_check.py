"""A consumer applies an event only when everything it claims about its producer owns its subject."""

from __future__ import annotations

import uuid

import pytest
from chassis.consumer import Envelope, ForeignEvent, PoisonMessage, Subscription, check_producer
from chassis.events import Delivery, subject_owner, type_producer
from ejournal.audit.v1.events_pb2 import AuditRecorded
from ejournal.identity.v1.events_pb2 import PersonCreated
from ejournal.journal.v1.events_pb2 import MarkRecorded


def envelope(subject: str, event_type: str = "") -> Envelope:
    return Envelope(str(uuid.uuid4()), subject, b"", 1, event_type)


@pytest.mark.parametrize(
    ("subject", "owner"),
    [
        ("journal.mark.recorded.v1", "journal"),
        ("identity.person.created.v1", "identity"),
        ("audit.journal.recorded.v1", "journal"),
        ("dlq.reports", "reports"),
    ],
)
def test_the_owner_of_a_subject(subject: str, owner: str) -> None:
    assert subject_owner(subject) == owner


def test_the_producer_of_a_type() -> None:
    assert type_producer("ejournal.journal.v1.MarkRecorded") == "journal"
    assert type_producer("ejournal.audit.v1.AuditRecorded") == ""
    assert type_producer("") == ""


def test_an_event_on_its_producers_subject_passes() -> None:
    check_producer(MarkRecorded(), envelope("journal.mark.recorded.v1", "ejournal.journal.v1.MarkRecorded"))
    check_producer(AuditRecorded(service="archive"), envelope("audit.archive.recorded.v1"))
    # Tests bind a private stream whose subjects carry one leading token.
    check_producer(MarkRecorded(), envelope("t1a2b.journal.mark.recorded.v1"), subject_prefix="t1a2b.")


def test_an_audit_record_naming_another_service_is_foreign() -> None:
    # The identity user may publish audit.identity.>, but not a record that says the journal acted.
    with pytest.raises(ForeignEvent):
        check_producer(AuditRecorded(service="journal"), envelope("audit.identity.recorded.v1"))


def test_a_header_naming_another_type_or_producer_is_foreign() -> None:
    with pytest.raises(ForeignEvent):
        check_producer(
            MarkRecorded(), envelope("journal.mark.recorded.v1", "ejournal.identity.v1.PersonCreated")
        )


def test_a_type_on_another_producers_subject_is_foreign() -> None:
    with pytest.raises(ForeignEvent):
        check_producer(PersonCreated(), envelope("messaging.person.created.v1"))
    # A foreign event is poison: the consumer dead-letters it and never applies it.
    assert issubclass(ForeignEvent, PoisonMessage)


async def test_the_subscription_refuses_a_foreign_event_before_its_handler_runs() -> None:
    applied: list[str] = []

    async def handle(event: AuditRecorded, delivery: Delivery) -> None:
        applied.append(delivery.event_id)

    subscription = Subscription(AuditRecorded, "archive-audit-log", handle, subjects=("audit.>",))
    forged = AuditRecorded(event_id=str(uuid.uuid4()), action="mark.changed", service="journal")
    forged.occurred_at.GetCurrentTime()
    with pytest.raises(ForeignEvent):
        await subscription.envelope_handler()(
            Envelope(forged.event_id, "audit.messaging.recorded.v1", forged.SerializeToString(), 1)
        )
    genuine = AuditRecorded(event_id=str(uuid.uuid4()), action="diary.read", service="messaging")
    genuine.occurred_at.GetCurrentTime()
    await subscription.envelope_handler()(
        Envelope(genuine.event_id, "audit.messaging.recorded.v1", genuine.SerializeToString(), 1)
    )
    assert applied == [genuine.event_id]
