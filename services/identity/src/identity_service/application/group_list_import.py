"""ImportGroupList (issue 8 item 2 «bulk»): a group's students and parents, all accounts or none.

The saga: check every row (nothing exists yet) → choose the logins → note them as pending in the
database (so a crash or an unreachable Keycloak never leaves an account nobody knows of) → create
the Keycloak users → ONE transaction: the people, the links, the audit records, the event
`identity.group_list.imported.v1` (the journal enrols the students) and the pending notes removed.
Any failure after the first user was created deletes the users of this import again; when Keycloak
cannot even be reached to delete them, `sweep_abandoned_accounts` does it later (on start and
periodically), from the pending notes.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from chassis.principal import Principal, system_actor
from ejournal.common.v1 import common_pb2
from ejournal.identity.v1 import events_pb2 as events

from identity_service.application.accounts import (
    choose_username,
    provision_account,
    remove_account,
)
from identity_service.application.group_scope import ensure_may_issue_for_group
from identity_service.application.parent_access import Today
from identity_service.application.ports import AccountDirectory, PasswordFactory, UnitOfWorkFactory
from identity_service.domain import model, usernames
from identity_service.domain.group_list_import import (
    GroupListAlreadyImported,
    GroupListPlan,
    RowError,
    RowInput,
    plan_group_list,
)

log = logging.getLogger(__name__)
# Keycloak calls in flight at once: enough to hide the round trips, few enough not to crowd it.
CONCURRENT_ACCOUNTS = 6
# An import still `creating` after this long was cut off (its process killed): its users are swept.
STALE_IMPORT = timedelta(minutes=15)
SERVICE = "identity"
SWEEP_EVERY_SECONDS = 300.0


@dataclass(frozen=True)
class ImportGroupList:
    """Create the accounts of a group's students and parents from a list."""

    group_id: uuid.UUID
    rows: list[RowInput]


@dataclass(frozen=True)
class ImportedAccount:
    """An account created, with what its credential slip needs."""

    person: model.Person
    password: str
    rows: list[int]
    student_ids: list[uuid.UUID] = field(default_factory=list)


@dataclass(frozen=True)
class GroupListImportOutcome:
    """The accounts created (students in file order, then parents), or the refused rows."""

    import_id: uuid.UUID | None
    accounts: list[ImportedAccount]
    errors: list[RowError]


@dataclass
class _Planned:
    role: model.Role
    details: model.PersonDetails
    username: str
    password: str
    rows: list[int]
    birth_date: date | None = None
    students: list[int] = field(default_factory=list)
    account_id: str | None = None


class GroupListImportHandlers:
    """ImportGroupList and the sweeper of accounts left by an interrupted import."""

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

    async def import_group_list(self, cmd: ImportGroupList, actor: Principal) -> GroupListImportOutcome:
        """Check every row, then create every account and write everything, or nothing at all."""
        async with self._uow() as uow:
            # The admin any group, the group's class teacher their own; else refused (group_scope).
            await ensure_may_issue_for_group(uow, actor=actor, group_id=cmd.group_id)
        plan = plan_group_list(cmd.rows, self._today())
        if not isinstance(plan, GroupListPlan):
            return GroupListImportOutcome(import_id=None, accounts=[], errors=plan)
        digest = plan.digest(str(cmd.group_id))
        async with self._uow() as uow:
            if await uow.group_list_imports.standing(cmd.group_id, digest) is not None:
                raise GroupListAlreadyImported()
        people = await self._choose(plan)
        import_id = uuid.uuid4()
        async with self._uow() as uow:
            started = await uow.group_list_imports.start(
                import_id,
                group_id=cmd.group_id,
                digest=digest,
                actor_id=actor.subject,
                students=len(plan.students),
                parents=len(plan.parents),
                usernames=[p.username for p in people],
            )
            if not started:
                raise GroupListAlreadyImported()
            await uow.commit()
        try:
            await self._create_accounts(people)
            created = await self._write(cmd.group_id, import_id, people, actor)
        except BaseException:
            await self._undo(import_id, people)
            raise
        log.info(
            "group list imported",
            extra={"import_id": str(import_id), "group_id": str(cmd.group_id), "accounts": len(people)},
        )
        return GroupListImportOutcome(import_id=import_id, accounts=created, errors=[])

    async def _choose(self, plan: GroupListPlan) -> list[_Planned]:
        wanted: list[tuple[model.Role, model.PersonDetails, list[int], date | None, list[int]]]
        wanted = [(model.Role.STUDENT, s.details, [s.row], s.birth_date, []) for s in plan.students] + [
            (model.Role.PARENT, p.details, p.rows, None, p.students) for p in plan.parents
        ]
        people = [
            _Planned(role, details, "", self._passwords(), list(rows), born, list(students))
            for role, details, rows, born, students in wanted
        ]
        # People whose logins start alike are chosen one after another (each sees the others' choice);
        # the rest at once, a few Keycloak look-ups in flight.
        by_base: dict[str, list[_Planned]] = {}
        for person in people:
            d = person.details
            by_base.setdefault(usernames.username_base(d.last_name, d.first_name, d.middle_name), []).append(
                person
            )
        gate = asyncio.Semaphore(CONCURRENT_ACCOUNTS)

        async def choose(alike: list[_Planned]) -> None:
            chosen: set[str] = set()
            async with gate:
                for person in alike:
                    person.username = await choose_username(self._uow, self._accounts, person.details, chosen)
                    chosen.add(person.username)

        await asyncio.gather(*(choose(alike) for alike in by_base.values()))
        return people

    async def _create_accounts(self, people: list[_Planned]) -> None:
        gate = asyncio.Semaphore(CONCURRENT_ACCOUNTS)

        async def create(person: _Planned) -> None:
            async with gate:
                # R1.3: a student keeps the issued password; a parent sets their own at first login.
                temporary = person.role is not model.Role.STUDENT
                _, person.password = await provision_account(
                    self._accounts,
                    person.username,
                    person.details,
                    person.role,
                    person.password,
                    temporary=temporary,
                    regenerate=self._passwords,
                    # Known at once: if a later step fails and its removal too, the undo tries again.
                    on_created=lambda account_id: setattr(person, "account_id", account_id),
                )

        results = await asyncio.gather(*(create(p) for p in people), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def _write(
        self, group_id: uuid.UUID, import_id: uuid.UUID, people: list[_Planned], actor: Principal
    ) -> list[ImportedAccount]:
        persons: list[model.Person] = []
        for planned in people:
            person = model.new_person(
                person_id=uuid.UUID(str(planned.account_id)),
                username=planned.username,
                role=planned.role,
                details=planned.details,
            )
            if planned.birth_date is not None:
                person.birth_date = planned.birth_date
            persons.append(person)
        students = [p for p in persons if p.role is model.Role.STUDENT]
        created: list[ImportedAccount] = []
        links = 0
        # The one code that stages a new person and a link (handlers.py imports this module).
        from identity_service.application import handlers

        async with self._uow() as uow:
            for planned, person in zip(people, persons, strict=True):
                await handlers.stage_person_created(uow, person, actor)
                linked = [students[i] for i in planned.students]
                for student in linked:
                    # Events, parents' access facts (ADR 0013) and the audit record `guardian.linked`.
                    links += await handlers.stage_guardian_linked(
                        uow, model.new_guardianship(person, student), actor
                    )
                created.append(
                    ImportedAccount(
                        person=person,
                        password=planned.password,
                        rows=planned.rows,
                        student_ids=[s.id for s in linked],
                    )
                )
            today = self._today()
            await uow.emit(
                events.GroupListImported(
                    group_id=str(group_id),
                    student_ids=[str(s.id) for s in students],
                    imported_on=common_pb2.LocalDate(year=today.year, month=today.month, day=today.day),
                    import_id=str(import_id),
                )
            )
            # Counts, not names: students, parents, links.
            await uow.audit(
                "group_list.imported",
                actor=actor,
                resource_type="group_list_import",
                resource_id=f"{import_id}:{len(students)}:{len(persons) - len(students)}:{links}",
            )
            await uow.group_list_imports.finish(import_id, "imported")
            await uow.commit()
        return created

    async def _undo(self, import_id: uuid.UUID, people: list[_Planned]) -> None:
        """Delete the users this import created; what cannot be deleted now is left to the sweeper."""
        made = [p.account_id for p in people if p.account_id is not None]
        removed = await asyncio.gather(*(remove_account(self._accounts, a) for a in made))
        try:
            async with self._uow() as uow:
                if all(removed):
                    await uow.group_list_imports.finish(import_id, "failed")
                else:
                    await uow.group_list_imports.give_up(import_id)
                await uow.commit()
        except Exception:
            # The import stays `creating`: the sweeper takes it once it is stale.
            log.exception("group list import left for the sweeper", extra={"import_id": str(import_id)})

    async def sweep_abandoned_accounts(self, older_than: timedelta = STALE_IMPORT) -> int:
        """Delete the Keycloak users of failed or cut-off imports that belong to no person; return
        how many were deleted. Keycloak down → AccountDirectoryUnavailable, the notes stay."""
        async with self._uow() as uow:
            pending = await uow.group_list_imports.abandoned(older_than)
        deleted = 0
        for import_id, username in pending:
            async with self._uow() as uow:
                person = await uow.people.by_username(username)
            account_id = await self._accounts.account_id(username)
            swept = account_id is not None and (person is None or str(person.id) != account_id)
            if swept and account_id is not None:
                await self._accounts.delete_account(account_id)
                deleted += 1
                log.warning(
                    "swept an account of an interrupted import",
                    extra={"import_id": str(import_id), "account_id": account_id},
                )
            async with self._uow() as uow:
                await uow.group_list_imports.forget(import_id, username)
                if swept:
                    await uow.audit(
                        "account.deleted:group_list_interrupted",
                        actor=system_actor(SERVICE),
                        resource_type="group_list_import",
                        resource_id=f"{import_id}/{account_id}",
                    )
                await uow.commit()
        return deleted

    async def sweep_forever(self, every_seconds: float = SWEEP_EVERY_SECONDS) -> None:
        """Sweep at start and then periodically until cancelled; a failed sweep is tried next time."""
        while True:
            try:
                await self.sweep_abandoned_accounts()
            except Exception:
                # Keycloak or the database down: the pending notes stay for the next round.
                log.warning("sweep of interrupted imports failed; retried later", exc_info=True)
            await asyncio.sleep(every_seconds)
