"""ListAuditRecordsAboutMe against in-memory fakes: a person reads the records about themself, a
parent those about their linked child (identity asked with the parent's token), nobody anyone else's."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from archive_service.application import commands
from archive_service.application.handlers import ArchiveHandlers
from archive_service.domain import errors
from chassis.errors import ServiceUnavailable
from chassis.events import Delivery
from chassis.testing import AuditEntry, LocalIssuer
from chassis.uow import audit_subject

issuer = LocalIssuer()
STUDENT, OTHER = str(uuid.uuid4()), str(uuid.uuid4())
T0 = datetime(2026, 10, 14, 9, 0, tzinfo=UTC)


def about(subject: str, n: int) -> commands.AppendAuditRecord:
    return commands.AppendAuditRecord(
        event_id=str(uuid.uuid4()),
        occurred_at=T0 + timedelta(minutes=n),
        actor_id=str(uuid.uuid4()),
        actor_roles=("teacher",),
        action="diary.read",
        resource_type="student",
        resource_id=subject,
        subject_person_id=subject,
        service="journal",
        correlation_id=str(uuid.uuid4()),
    )


@pytest.fixture
async def handlers(fake_uow: Any, guardians: Any) -> ArchiveHandlers:
    h = ArchiveHandlers(uow=fake_uow, guardians=guardians)
    for n, subject in enumerate([STUDENT, OTHER, STUDENT, STUDENT]):
        cmd = about(subject, n)
        assert await h.append_audit_record(
            cmd, Delivery(cmd.event_id, "archive-audit-log", audit_subject("journal"))
        )
    return h


async def test_a_student_reads_only_the_records_about_themself_newest_first_paged(
    handlers: ArchiveHandlers, guardians: Any
) -> None:
    student = issuer.principal(STUDENT, ("student",))
    mine = await handlers.list_audit_records_about_me(commands.ListAuditRecordsAboutMe(), student)
    assert [(r.sequence, r.subject_person_id) for r in mine] == [(4, STUDENT), (3, STUDENT), (1, STUDENT)]
    page = await handlers.list_audit_records_about_me(
        commands.ListAuditRecordsAboutMe(subject_person_id=STUDENT, page_size=2), student
    )
    rest = await handlers.list_audit_records_about_me(
        commands.ListAuditRecordsAboutMe(page_size=2, before_sequence=page[-1].sequence or 0), student
    )
    assert [r.sequence for r in page + rest] == [4, 3, 1]
    assert guardians.asked == []


@pytest.mark.parametrize("roles", [("student",), ("teacher",), ("admin",), ("director",), ("parent",)])
async def test_another_persons_records_are_not_found(
    handlers: ArchiveHandlers, roles: tuple[str, ...]
) -> None:
    with pytest.raises(errors.SubjectNotFound):
        await handlers.list_audit_records_about_me(
            commands.ListAuditRecordsAboutMe(subject_person_id=STUDENT), issuer.principal(OTHER, roles)
        )


async def test_a_parent_reads_their_linked_childs_records_identity_asked_with_their_token(
    handlers: ArchiveHandlers, guardians: Any, store: Any
) -> None:
    parent = issuer.principal(roles=("parent",))
    guardians.links.add((parent.subject, STUDENT))
    records = await handlers.list_audit_records_about_me(
        commands.ListAuditRecordsAboutMe(subject_person_id=STUDENT, export=True), parent
    )
    assert [r.sequence for r in records] == [4, 3, 1]
    assert guardians.asked == [(parent.token, parent.subject, STUDENT)]
    assert store.audits == [
        AuditEntry("subject_export.downloaded", parent.subject, "subject_export", STUDENT, STUDENT)
    ]


async def test_a_parent_of_another_child_is_refused(
    handlers: ArchiveHandlers, guardians: Any, store: Any
) -> None:
    parent = issuer.principal(roles=("parent",))
    guardians.links.add((parent.subject, OTHER))
    with pytest.raises(errors.SubjectNotFound):
        await handlers.list_audit_records_about_me(
            commands.ListAuditRecordsAboutMe(subject_person_id=STUDENT), parent
        )
    assert store.audits == []


async def test_identity_down_is_an_outage_never_a_yes(handlers: ArchiveHandlers, guardians: Any) -> None:
    parent = issuer.principal(roles=("parent",))
    guardians.links.add((parent.subject, STUDENT))
    guardians.down = True
    with pytest.raises(ServiceUnavailable):
        await handlers.list_audit_records_about_me(
            commands.ListAuditRecordsAboutMe(subject_person_id=STUDENT), parent
        )


async def test_the_read_is_audited_with_the_reader_as_actor(handlers: ArchiveHandlers, store: Any) -> None:
    student = issuer.principal(STUDENT, ("student",))
    await handlers.list_audit_records_about_me(commands.ListAuditRecordsAboutMe(), student)
    assert store.audits == [AuditEntry("audit_log.read", STUDENT, "audit_log", STUDENT, STUDENT)]
