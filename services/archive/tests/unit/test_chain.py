"""The hash chain: how a record's hash is computed, and how verification finds tampering."""

from __future__ import annotations

import copy
import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from archive_service.domain import chain, errors, model

T0 = datetime(2026, 10, 14, 9, 30, 0, 123456, tzinfo=UTC)


def record(n: int = 0, **overrides: object) -> model.AuditRecord:
    fields: dict[str, object] = {
        "event_id": str(uuid.UUID(int=n + 1)),
        "occurred_at": T0 + timedelta(seconds=n),
        "actor_id": str(uuid.UUID(int=1000 + n)),
        "actor_roles": ["teacher"],
        "action": "mark.recorded",
        "resource_type": "mark",
        "resource_id": str(uuid.UUID(int=2000 + n)),
        "subject_person_id": str(uuid.UUID(int=3000 + n)),
        "service": "journal",
        "correlation_id": f"c-{n}",
    }
    fields.update(overrides)
    return model.new_audit_record(**fields)  # type: ignore[arg-type]


def build_chain(count: int) -> list[model.AuditRecord]:
    records, prev = [], chain.GENESIS_HASH
    for n in range(count):
        linked = chain.link(record(n), prev)
        linked.sequence = n + 1
        records.append(linked)
        prev = linked.chain_hash
    return records


def verify(records: list[model.AuditRecord]) -> chain.ChainVerification:
    verification = chain.ChainVerification()
    for r in records:
        if not verification.check(r):
            break
    return verification


def test_the_hash_covers_the_previous_hash_and_the_canonical_record() -> None:
    r = record(actor_roles=["teacher", "class_teacher", "teacher"])
    expected_json = json.dumps(
        {
            "action": "mark.recorded",
            "actor_id": r.actor_id,
            "actor_roles": ["class_teacher", "teacher"],
            "correlation_id": "c-0",
            "event_id": r.event_id,
            "occurred_at": "2026-10-14T09:30:00.123456Z",
            "resource_id": r.resource_id,
            "resource_type": "mark",
            "service": "journal",
            "subject_person_id": r.subject_person_id,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    assert chain.canonical(r) == expected_json
    linked = chain.link(r, chain.GENESIS_HASH)
    assert linked.prev_hash == "0" * 64
    assert linked.chain_hash == hashlib.sha256(b"0" * 64 + expected_json).hexdigest()


def test_the_same_instant_in_another_zone_hashes_the_same() -> None:
    moscow = timezone(timedelta(hours=3))
    assert chain.canonical(record(occurred_at=T0.astimezone(moscow))) == chain.canonical(record())


def test_russian_text_is_hashed_as_utf8() -> None:
    assert "«оценка»".encode() in chain.canonical(record(resource_type="«оценка»"))


def test_an_untouched_chain_is_intact() -> None:
    verification = verify(build_chain(5))
    assert verification.intact and verification.records_checked == 5
    assert verification.first_broken_sequence is None


def test_an_empty_log_is_intact() -> None:
    assert verify([]).intact


@pytest.mark.parametrize(
    "field", ["actor_id", "action", "resource_id", "subject_person_id", "service", "correlation_id"]
)
def test_a_changed_field_breaks_the_chain_at_that_record(field: str) -> None:
    records = build_chain(5)
    setattr(records[2], field, "forged")
    verification = verify(records)
    assert not verification.intact
    assert (verification.first_broken_sequence, verification.records_checked) == (3, 3)


def test_changed_time_or_roles_break_the_chain() -> None:
    records = build_chain(3)
    records[1].occurred_at += timedelta(microseconds=1)
    assert verify(records).first_broken_sequence == 2
    records = build_chain(3)
    records[1].actor_roles = ["admin"]
    assert verify(records).first_broken_sequence == 2


def test_a_record_rehashed_by_the_forger_breaks_the_next_link() -> None:
    records = build_chain(5)
    records[2].action = "diary.read"
    records[2].chain_hash = chain.chain_hash(records[2].prev_hash, records[2])
    assert verify(records).first_broken_sequence == 4


def test_a_removed_record_breaks_the_chain_at_its_successor() -> None:
    records = build_chain(5)
    del records[1]
    assert verify(records).first_broken_sequence == 3


def test_reordered_records_break_the_chain() -> None:
    records = build_chain(4)
    records[1], records[2] = records[2], records[1]
    assert verify(records).first_broken_sequence == 3


def test_a_forged_first_record_is_caught_even_with_a_rehash() -> None:
    records = build_chain(2)
    forged = copy.deepcopy(records[0])
    forged.prev_hash = "f" * 64
    forged.chain_hash = chain.chain_hash(forged.prev_hash, forged)
    assert verify([forged, records[1]]).first_broken_sequence == 1


def test_verification_stops_at_the_first_break() -> None:
    records = build_chain(5)
    records[1].action = "x"
    records[3].action = "y"
    verification = chain.ChainVerification()
    results = [verification.check(r) for r in records]
    assert results == [True, False, False, False, False]
    assert verification.first_broken_sequence == 2 and verification.records_checked == 2


@pytest.mark.parametrize(("requested", "expected"), [(0, 100), (1, 1), (500, 500)])
def test_page_size_defaults_and_bounds(requested: int, expected: int) -> None:
    assert model.page_size(requested) == expected


@pytest.mark.parametrize("requested", [-5, 501])
def test_page_size_out_of_range_is_refused(requested: int) -> None:
    with pytest.raises(errors.PageSizeOutOfRange):
        model.page_size(requested)
