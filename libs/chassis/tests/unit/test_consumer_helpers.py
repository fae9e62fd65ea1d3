"""The payload checks every consumer shares: the inbox key and ids, dates and fields that must be there."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from chassis.consumer import (
    Envelope,
    PoisonMessage,
    event_key,
    local_date_or_poison,
    require_field,
    uuid_or_poison,
)
from google.protobuf.api_pb2 import Api
from google.protobuf.source_context_pb2 import SourceContext


@dataclass
class LocalDate:
    year: int
    month: int
    day: int


def envelope(event_id: str = "msg-1") -> Envelope:
    return Envelope(event_id=event_id, subject="svc.thing.happened.v1", data=b"", num_delivered=1)


def test_event_key_prefers_the_payloads_event_id_in_canonical_form() -> None:
    event_id = uuid.uuid4()
    assert event_key(str(event_id).upper(), envelope("msg-1")) == str(event_id)


def test_event_key_falls_back_to_the_message_id_when_the_payload_has_none() -> None:
    assert event_key("", envelope("msg-1")) == "msg-1"


def test_event_key_of_a_malformed_event_id_is_poison() -> None:
    with pytest.raises(PoisonMessage, match="event_id is not a UUID"):
        event_key("not-a-uuid", envelope())


def test_uuid_or_poison_parses_or_names_the_field() -> None:
    value = uuid.uuid4()
    assert uuid_or_poison(str(value), "thing_id") == value
    with pytest.raises(PoisonMessage, match="thing_id is not a UUID"):
        uuid_or_poison("", "thing_id")


def test_local_date_or_poison_builds_the_date_or_names_the_field() -> None:
    assert local_date_or_poison(LocalDate(2026, 10, 14), "on") == date(2026, 10, 14)
    with pytest.raises(PoisonMessage, match="on is not a date"):
        local_date_or_poison(LocalDate(2026, 2, 30), "on")
    with pytest.raises(PoisonMessage, match="on is not a date"):
        local_date_or_poison(LocalDate(0, 0, 0), "on")


def test_require_field_passes_a_set_field_and_poisons_an_unset_one() -> None:
    require_field(Api(source_context=SourceContext(file_name="x.proto")), "source_context")
    with pytest.raises(PoisonMessage, match="source_context is missing"):
        require_field(Api(), "source_context")
