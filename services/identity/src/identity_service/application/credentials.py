"""Credential issue and reset (issue 8 items 2, 3; slice H1): new passwords for people the caller may
issue to (application/group_scope.py), their sessions ended at once; the group's accounts for the
class teacher's «Учётные записи»; a new parent account for a student. Passwords are returned once and
never stored, logged or put in an event or audit record.

All or nothing as far as Keycloak allows: every person's scope is checked before Keycloak is touched;
if Keycloak fails in the middle of a batch, the passwords already set stay set (their owners' sessions
ended) but nothing is recorded as issued and the caller gets `accounts_unavailable` — a retry simply
sets new ones."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from chassis.principal import Principal

from identity_service.application.accounts import (
    choose_username,
    provision_account,
    remove_account,
    set_password,
)
from identity_service.application.group_scope import (
    current_students,
    ensure_may_issue_for_group,
    ensure_may_issue_for_person,
)
from identity_service.application.parent_access import Today
from identity_service.application.ports import (
    AccountDirectory,
    IdentityUnitOfWork,
    PasswordFactory,
    UnitOfWorkFactory,
)
from identity_service.domain import errors, group_scope, model

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IssueCredentials:
    """Issue new passwords to these people (1..100, in this order)."""

    person_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class ListGroupAccounts:
    """The accounts of a group's current students and their parents."""

    group_id: uuid.UUID


@dataclass(frozen=True)
class IssueParentAccount:
    """Create a parent for a student, link them and issue the parent's password."""

    student_id: uuid.UUID
    last_name: str
    first_name: str
    middle_name: str
    email: str


@dataclass(frozen=True)
class IssuedCredential:
    """A password just issued: what the slip shows."""

    person: model.Person
    password: str
    temporary: bool
    issued_at: datetime


@dataclass(frozen=True)
class Account:
    """A person's login account as the «Учётные записи» page shows it."""

    person: model.Person
    enabled: bool
    issued_at: datetime | None


@dataclass(frozen=True)
class StudentAccounts:
    """A student's account with their linked parents' accounts (oldest link first)."""

    student: Account
    parents: list[Account]


def is_temporary(role: model.Role) -> bool:
    """Return True when the password must be changed at the first login: everyone but students (R1.3)."""
    return role is not model.Role.STUDENT


def _distinct(ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        raise group_scope.NoPeopleGiven()
    if len(wanted) > group_scope.MAX_PEOPLE_PER_ISSUE:
        raise group_scope.TooManyPeople()
    return wanted


class CredentialHandlers:
    """Use cases of credential issue, wired with the identity ports."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        accounts: AccountDirectory,
        passwords: PasswordFactory,
        today: Today,
    ) -> None:
        self._uow = uow
        self._accounts = accounts
        self._passwords = passwords
        self._today = today

    def _now(self) -> date:
        return self._today()

    async def issue(self, cmd: IssueCredentials, actor: Principal) -> list[IssuedCredential]:
        """Check every person's scope, then set a new password for each and end their sessions;
        record and audit the issues in one transaction."""
        wanted = _distinct(cmd.person_ids)
        people: list[model.Person] = []
        try:
            async with self._uow() as uow:
                for person_id in wanted:
                    await ensure_may_issue_for_person(
                        uow, actor=actor, person_id=person_id, today=self._now()
                    )
                    person = await uow.people.get(person_id)
                    if person is None:  # ensure_may_issue_for_person refused the unknown already
                        raise errors.PersonNotFound()
                    people.append(person)
                # Held until the commit: a second issue for one of these people (another class
                # teacher's tab, the admin) waits here rather than racing this one in Keycloak, which
                # answers two concurrent password writes for one user with a server error.
                await uow.credential_issues.hold(wanted)
                passwords: list[str] = []
                for person in people:
                    password = await set_password(
                        self._accounts,
                        str(person.id),
                        self._passwords(),
                        temporary=is_temporary(person.role),
                        regenerate=self._passwords,
                    )
                    # A reset ends every session at once: a stolen or old login stops working now.
                    await self._accounts.end_sessions(str(person.id))
                    passwords.append(password)
                issued = []
                for person, password in zip(people, passwords, strict=True):
                    at = await uow.credential_issues.record(person.id, actor.subject)
                    await _audit_issue(uow, person.id, actor)
                    issued.append(IssuedCredential(person, password, is_temporary(person.role), at))
                await uow.commit()
        except errors.AccountDirectoryUnavailable:
            await self._audit_failed(people, actor)
            raise
        log.info("credentials issued", extra={"person_ids": [str(p.id) for p in people]})
        return issued

    async def _audit_failed(self, people: list[model.Person], actor: Principal) -> None:
        # Keycloak failed: the attempt is on record for each person; nothing counts as issued.
        async with self._uow() as uow:
            for person in people:
                await uow.audit(
                    "credentials.issued:failed:accounts_unavailable",
                    actor=actor,
                    resource_type="account",
                    resource_id=str(person.id),
                    subject_person_id=str(person.id),
                )
            await uow.commit()

    async def group_accounts(self, query: ListGroupAccounts, actor: Principal) -> list[StudentAccounts]:
        """Return the group's current students with their parents and account states (admin or the
        group's class teacher); audit a read of each person."""
        async with self._uow() as uow:
            await ensure_may_issue_for_group(uow, actor=actor, group_id=query.group_id)
            students = await uow.people.named(await current_students(uow, query.group_id, self._now()))
            parents_of = {s.id: await uow.guardianships.parents_of(s.id) for s in students}
            parent_ids = {p for ids in parents_of.values() for p in ids}
            parents = {p.id: p for p in await uow.people.named(parent_ids)} if parent_ids else {}
            everyone = [s.id for s in students] + list(parents)
            issued = await uow.credential_issues.issued_at(everyone) if everyone else {}
            enabled = await uow.credential_issues.enabled(everyone) if everyone else {}

            def account(person: model.Person) -> Account:
                return Account(person, enabled.get(person.id, True), issued.get(person.id))

            result = [
                StudentAccounts(account(s), [account(parents[p]) for p in parents_of[s.id] if p in parents])
                for s in students
            ]
            for person in [*students, *parents.values()]:
                await uow.audit(
                    "person.read",
                    actor=actor,
                    resource_type="person",
                    resource_id=str(person.id),
                    subject_person_id=str(person.id),
                )
            if everyone:
                await uow.commit()
            return result

    async def issue_parent_account(self, cmd: IssueParentAccount, actor: Principal) -> IssuedCredential:
        """Create a parent account for a student the caller may issue to, link it to the student and
        issue its temporary password, all in one transaction (the Keycloak user is deleted again when
        the transaction fails)."""
        # The one code that stages a new person and a link (handlers.py imports this module).
        from identity_service.application import handlers

        details = model.PersonDetails.parse(
            last_name=cmd.last_name, first_name=cmd.first_name, middle_name=cmd.middle_name, email=cmd.email
        )
        async with self._uow() as uow:
            await ensure_may_issue_for_person(uow, actor=actor, person_id=cmd.student_id, today=self._now())
            student = await uow.people.get(cmd.student_id)
            if student is None:
                raise errors.PersonNotFound()
            if student.role is not model.Role.STUDENT:
                raise errors.PersonNotStudent()
            # Held until the commit: a second «Добавить родителя» for this student (the admin, another
            # tab) waits here and then finds this parent linked, instead of both passing the check and
            # racing for one login in Keycloak.
            await uow.credential_issues.hold([student.id])
            linked = await uow.people.named(await uow.guardianships.parents_of(student.id))
            name = (details.last_name, details.first_name, details.middle_name)
            if any(group_scope.same_name(name, (p.last_name, p.first_name, p.middle_name)) for p in linked):
                raise group_scope.ParentAlreadyLinked()
            username = await choose_username(self._uow, self._accounts, details)
            account_id, password = await provision_account(
                self._accounts,
                username,
                details,
                model.Role.PARENT,
                self._passwords(),
                temporary=True,
                regenerate=self._passwords,
            )
            committed = False
            try:
                parent = model.new_person(
                    person_id=uuid.UUID(account_id),
                    username=username,
                    role=model.Role.PARENT,
                    details=details,
                )
                await handlers.stage_person_created(uow, parent, actor)
                await handlers.stage_guardian_linked(uow, model.new_guardianship(parent, student), actor)
                at = await uow.credential_issues.record(parent.id, actor.subject)
                await _audit_issue(uow, parent.id, actor)
                await uow.commit()
                committed = True
            except BaseException:
                if not committed:
                    await remove_account(self._accounts, account_id)
                raise
        return IssuedCredential(parent, password, True, at)


async def _audit_issue(uow: IdentityUnitOfWork, person_id: uuid.UUID, actor: Principal) -> None:
    await uow.audit(
        "credentials.issued",
        actor=actor,
        resource_type="account",
        resource_id=str(person_id),
        subject_person_id=str(person_id),
    )
