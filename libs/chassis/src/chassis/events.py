"""Events as the chassis sees them: the subject declared on the message, stamping, and a delivery.

Every event message carries `string event_id = 1` and `google.protobuf.Timestamp occurred_at = 2`
and declares its subject with `option (ejournal.common.v1.event_subject) = "…"` in `proto/`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ejournal.common.v1 import options_pb2
from google.protobuf.message import Message

from chassis.context import new_id
from chassis.timestamps import now_timestamp


class EventSubjectMissing(LookupError):
    """The message declares no event subject in its proto."""


def subject_of(event: Message | type[Message]) -> str:
    """Return the NATS subject an event type is published on, as declared in its proto."""
    subject: str = event.DESCRIPTOR.GetOptions().Extensions[options_pb2.event_subject]
    if not subject:
        raise EventSubjectMissing(f"{event.DESCRIPTOR.full_name} declares no event_subject option")
    return subject


def producer_of(subject: str) -> str:
    """Return the service whose stream carries a subject: its first token (`journal.mark…` → journal)."""
    return subject.split(".", 1)[0]


def stamp(event: Message) -> str:
    """Give an event its id and time when it has none yet; return the event id."""
    event_id: str = getattr(event, "event_id", "")
    if not event_id:
        event_id = new_id()
        setattr(event, "event_id", event_id)  # noqa: B010 - a field every event message has
    if not event.HasField("occurred_at"):
        getattr(event, "occurred_at").CopyFrom(now_timestamp())  # noqa: B009
    return event_id


@dataclass(frozen=True)
class Delivery:
    """Which event a consumer is applying: the inbox key of an idempotent effect."""

    event_id: str
    consumer: str
    subject: str
