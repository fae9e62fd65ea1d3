"""Requests with NUL or other control characters are refused by field, before any handler runs."""

from __future__ import annotations

import pytest
from chassis.validation import InvalidText, has_forbidden_control, refuse_control_characters
from ejournal.archive.v1 import archive_service_pb2 as archive_pb
from ejournal.journal.v1 import journal_service_pb2 as journal_pb


@pytest.mark.parametrize("text", ["a\x00b", "\x00", "x\x07", "\x1b[31m"])
def test_control_characters_are_forbidden(text: str) -> None:
    assert has_forbidden_control(text)


@pytest.mark.parametrize("text", ["ИС-21", "строка\nвторая", "a\tb", "", "emoji 🙂"])
def test_ordinary_text_passes(text: str) -> None:
    assert not has_forbidden_control(text)


def test_a_nul_in_a_scalar_field_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidText) as refused:
        refuse_control_characters(journal_pb.CreateGroupRequest(name="ИС\x00-21"))
    assert refused.value.code == "invalid_text" and "name" in refused.value.message


def test_a_nul_in_a_repeated_field_is_refused() -> None:
    request = journal_pb.ListDisciplinesRequest(discipline_ids=["ok", "bad\x00"])
    with pytest.raises(InvalidText):
        refuse_control_characters(request)


def test_a_nul_in_a_filter_is_refused() -> None:
    with pytest.raises(InvalidText):
        refuse_control_characters(archive_pb.ListAuditRecordsRequest(resource_type="mark\x00"))


def test_a_clean_request_and_a_non_message_pass() -> None:
    nested = archive_pb.ListAuditRecordsRequest(resource_type="mark", resource_id="строка\nвторая")
    for request in (journal_pb.CreateGroupRequest(name="ИС-21"), nested, b"raw bytes"):
        assert refuse_control_characters(request) is None  # returns quietly, raises nothing
