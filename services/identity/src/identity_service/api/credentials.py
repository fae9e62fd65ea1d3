"""Credential issue on the wire (slice H1): issued passwords and group accounts to protobuf."""

from __future__ import annotations

from datetime import datetime

from ejournal.identity.v1 import identity_service_pb2 as pb

from identity_service.application.credentials import Account, IssuedCredential, StudentAccounts
from identity_service.application.handlers import role_to_pb


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment is not None else ""


def issued_credential_to_pb(issued: IssuedCredential) -> pb.IssuedCredential:
    """Map a password just issued (shown once, on the slip)."""
    person = issued.person
    return pb.IssuedCredential(
        person_id=str(person.id),
        last_name=person.last_name,
        first_name=person.first_name,
        middle_name=person.middle_name,
        username=person.username,
        password=issued.password,
        role=role_to_pb(person.role),
        temporary=issued.temporary,
        issued_at=_iso(issued.issued_at),
    )


def group_account_to_pb(account: Account) -> pb.GroupAccount:
    """Map a person's account as the «Учётные записи» page shows it."""
    person = account.person
    return pb.GroupAccount(
        person_id=str(person.id),
        last_name=person.last_name,
        first_name=person.first_name,
        middle_name=person.middle_name,
        username=person.username,
        role=role_to_pb(person.role),
        enabled=account.enabled,
        credentials_issued_at=_iso(account.issued_at),
    )


def student_accounts_to_pb(student: StudentAccounts) -> pb.StudentAccounts:
    """Map a student's account with their parents'."""
    return pb.StudentAccounts(
        student=group_account_to_pb(student.student),
        parents=[group_account_to_pb(p) for p in student.parents],
    )
