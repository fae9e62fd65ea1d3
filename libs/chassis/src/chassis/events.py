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


def subject_owner(subject: str) -> str:
    """Return the service that alone may publish on a subject (the NATS permissions say the same).

    `<svc>.<aggregate>.<verb>.vN` belongs to `<svc>`, an audit record `audit.<svc>.recorded.v1` and a
    dead letter `dlq.<svc>` to `<svc>`.
    """
    tokens = subject.split(".")
    if tokens[0] in ("audit", "dlq") and len(tokens) > 1:
        return tokens[1]
    return tokens[0]


# Packages whose messages every service publishes: their producer is named in the payload.
_SHARED_PACKAGES = frozenset({"audit", "common"})


def type_producer(type_name: str) -> str:
    """Return the service a message type belongs to (`ejournal.journal.v1.MarkRecorded` → journal).

    "" for a type every service publishes (the audit record) or one outside `ejournal.<svc>.v1`.
    """
    parts = type_name.split(".")
    if len(parts) < 4 or parts[0] != "ejournal" or parts[1] in _SHARED_PACKAGES:
        return ""
    return parts[1]


def claimed_producers(event: Message, header_type: str = "") -> set[str]:
    """Return every producer an event claims: by its type, its `Ejournal-Event-Type` header and a
    payload's own `service` field (the audit record names the service that acted)."""
    claims = {type_producer(event.DESCRIPTOR.full_name), type_producer(header_type)}
    if "service" in event.DESCRIPTOR.fields_by_name:
        claims.add(str(getattr(event, "service")))  # noqa: B009 - the audit record's producer
    return claims - {""}


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
