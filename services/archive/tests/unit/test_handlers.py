"""Archive use cases against in-memory fakes: appending to the chain once, querying, verifying."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from archive_service.application import commands
from archive_service.application.handlers import ArchiveHandlers
from archive_service.domain import chain, errors
from chassis.errors import PermissionDenied
from chassis.events import Delivery
from chassis.testing import AuditEntry, LocalIssuer
from chassis.uow import audit_subject

issuer = LocalIssuer()
STUDENT = str(uuid.uuid4())
T0 = datetime(2026, 10, 14, 9, 0, tzinfo=UTC)
ADMIN = issuer.principal(roles=("admin",))


def audit_event(n: int, **overrides: Any) -> commands.AppendAuditRecord:
    fields: dict[str, Any] = {
        "event_id": str(uuid.uuid4()),
        "occurred_at": T0 + timedelta(minutes=n),
        "actor_id": str(uuid.uuid4()),
        "actor_roles": ("teacher",),
        "action": "mark.recorded",
        "resource_type": "mark",
        "resource_id": str(uuid.uuid4()),
        "subject_person_id": STUDENT,
        "service": "journal",
        "correlation_id": str(uuid.uuid4()),
    }
    fields.update(overrides)
    return commands.AppendAuditRecord(**fields)


def delivery(cmd: commands.AppendAuditRecord, consumer: str = "archive-audit-log") -> Delivery:
    return Delivery(cmd.event_id, consumer, audit_subject(cmd.service))


@pytest.fixture
def handlers(fake_handlers: ArchiveHandlers) -> ArchiveHandlers:
    return fake_handlers


async def append(handlers: ArchiveHandlers, *cmds: commands.AppendAuditRecord) -> None:
    for cmd in cmds:
        assert await handlers.append_audit_record(cmd, delivery(cmd))


async def test_appended_records_form_one_chain_under_the_lock(handlers: ArchiveHandlers, store: Any) -> None:
    await append(handlers, *(audit_event(n) for n in range(3)))
    assert [r.sequence for r in store.log] == [1, 2, 3]
    assert store.log[0].prev_hash == chain.GENESIS_HASH
    assert [r.prev_hash for r in store.log[1:]] == [r.chain_hash for r in store.log[:-1]]
    assert store.locks == 3


async def test_a_repeated_event_is_appended_once(handlers: ArchiveHandlers, store: Any) -> None:
    cmd = audit_event(0)
    assert await handlers.append_audit_record(cmd, delivery(cmd)) is True
    assert await handlers.append_audit_record(cmd, delivery(cmd)) is False
    # Another consumer (another inbox key) replaying the stream finds the event in the log itself.
    assert await handlers.append_audit_record(cmd, delivery(cmd, consumer="archive-replay")) is False
    assert len(store.log) == 1


async def test_the_log_is_listed_newest_first_with_filters_and_paging(
    handlers: ArchiveHandlers, store: Any
) -> None:
    other = str(uuid.uuid4())
    await append(handlers, audit_event(0), audit_event(1, subject_person_id=other), audit_event(2))
    await append(handlers, audit_event(3, action="diary.read", resource_type="student", resource_id=STUDENT))

    everything = await handlers.list_audit_records(commands.ListAuditRecords(), ADMIN)
    assert [r.sequence for r in everything] == [4, 3, 2, 1]

    about_student = await handlers.list_audit_records(
        commands.ListAuditRecords(subject_person_id=STUDENT, resource_type="mark"), ADMIN
    )
    assert [r.sequence for r in about_student] == [3, 1]

    page = await handlers.list_audit_records(commands.ListAuditRecords(page_size=2), ADMIN)
    following = await handlers.list_audit_records(
        commands.ListAuditRecords(page_size=2, before_sequence=page[-1].sequence or 0), ADMIN
    )
    assert [r.sequence for r in page + following] == [4, 3, 2, 1]


async def test_reading_the_log_is_itself_audited(handlers: ArchiveHandlers, store: Any) -> None:
    director = issuer.principal(roles=("director",))
    await handlers.list_audit_records(commands.ListAuditRecords(subject_person_id=STUDENT), director)
    assert store.audits == [AuditEntry("audit_log.read", director.subject, "audit_log", "", STUDENT)]


@pytest.mark.parametrize("roles", [("teacher",), ("deputy",), ("parent",), ("service",), ()])
async def test_only_admin_and_director_read_the_log(
    handlers: ArchiveHandlers, roles: tuple[str, ...]
) -> None:
    with pytest.raises(PermissionDenied) as caught:
        await handlers.list_audit_records(commands.ListAuditRecords(), issuer.principal(roles=roles))
    assert caught.value.code == "role_required"


async def test_page_size_out_of_range_is_refused(handlers: ArchiveHandlers) -> None:
    with pytest.raises(errors.PageSizeOutOfRange):
        await handlers.list_audit_records(commands.ListAuditRecords(page_size=501), ADMIN)


async def test_verification_walks_the_whole_log_in_batches(store: Any, fake_uow: Any) -> None:
    # Small batches, so that the walk crosses batch boundaries with a handful of records.
    handlers = ArchiveHandlers(uow=fake_uow, verify_batch=2)
    await append(handlers, *(audit_event(n) for n in range(5)))
    verification = await handlers.verify_audit_chain(ADMIN)
    assert verification.intact and verification.records_checked == 5

    store.log[3].resource_id = "forged"
    verification = await handlers.verify_audit_chain(ADMIN)
    assert (verification.intact, verification.first_broken_sequence, verification.records_checked) == (
        False,
        4,
        4,
    )


@pytest.mark.parametrize("roles", [("director",), ("teacher",)])
async def test_only_admin_verifies_the_chain(handlers: ArchiveHandlers, roles: tuple[str, ...]) -> None:
    with pytest.raises(PermissionDenied):
        await handlers.verify_audit_chain(issuer.principal(roles=roles))


async def test_a_batch_is_chained_in_its_order_in_one_transaction_each_event_once(
    handlers: ArchiveHandlers, store: Any
) -> None:
    cmds = [audit_event(n) for n in range(5)]
    await append(handlers, cmds[0])
    # Already in the log under another consumer's claim: not appended again.
    assert await handlers.append_audit_record(cmds[1], delivery(cmds[1], consumer="archive-replay"))
    commits = store.commits
    batch = [cmds[0], cmds[2], cmds[1], cmds[3], cmds[2], cmds[4]]
    assert await handlers.append_audit_records([(c, delivery(c)) for c in batch]) == 3
    assert store.commits == commits + 1, "the whole batch in one transaction"
    assert [r.event_id for r in store.log] == [
        c.event_id for c in (cmds[0], cmds[1], cmds[2], cmds[3], cmds[4])
    ]
    assert [r.sequence for r in store.log] == [1, 2, 3, 4, 5]
    assert [r.prev_hash for r in store.log[1:]] == [r.chain_hash for r in store.log[:-1]]
    assert all(r.chain_hash == chain.chain_hash(r.prev_hash, r) for r in store.log)


async def test_a_batch_of_events_all_seen_before_takes_no_lock(handlers: ArchiveHandlers, store: Any) -> None:
    cmds = [audit_event(n) for n in range(2)]
    await append(handlers, *cmds)
    locks = store.locks
    assert await handlers.append_audit_records([(c, delivery(c)) for c in cmds]) == 0
    assert store.locks == locks and len(store.log) == 2
