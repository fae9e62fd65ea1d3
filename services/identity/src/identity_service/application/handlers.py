"""Use cases of the identity service: open a unit of work, apply the domain, stage events, commit."""

from __future__ import annotations

import logging
import uuid

from chassis.principal import Principal
from ejournal.identity.v1 import events_pb2 as events
from ejournal.identity.v1 import identity_pb2 as pb

from identity_service.application import commands
from identity_service.application.accounts import (
    choose_username,
    provision_account,
    remove_account,
)
from identity_service.application.credentials import CredentialHandlers
from identity_service.application.group_list_import import GroupListImportHandlers
from identity_service.application.group_scope import may_read_profile
from identity_service.application.life_cycle import LifeCycleHandlers
from identity_service.application.parent_access import (
    ParentAccessHandlers,
    Today,
    college_clock,
    guardian_may_read,
    readable_children,
    readable_parents,
)
from identity_service.application.parent_access_facts import ParentAccessFactsHandlers, stage_access_facts
from identity_service.application.ports import (
    AccountDirectory,
    IdentityUnitOfWork,
    PasswordFactory,
    UnitOfWorkFactory,
)
from identity_service.application.role_assignments import RoleAssignmentHandlers
from identity_service.domain import access, errors, model, usernames
from identity_service.domain.passwords import temporary_password

log = logging.getLogger(__name__)


def role_to_pb(role: model.Role) -> pb.Role.ValueType:
    """Return the protobuf value of a role (ROLE_<NAME>)."""
    return pb.Role.Value(f"ROLE_{role.name}")


def _existing(person: model.Person | None) -> model.Person:
    if person is None:
        raise errors.PersonNotFound()
    return person


async def _audit_reads(uow: IdentityUnitOfWork, actor: Principal, people: list[model.Person]) -> None:
    """Audit a read of each person (`person.read`, as GetPerson does) and commit; nothing read, nothing."""
    for person in people:
        await uow.audit(
            "person.read",
            actor=actor,
            resource_type="person",
            resource_id=str(person.id),
            subject_person_id=str(person.id),
        )
    if people:
        await uow.commit()


class IdentityHandlers:
    """The identity use cases, wired with their ports in the composition root."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        accounts: AccountDirectory,
        passwords: PasswordFactory = temporary_password,
        today: Today | None = None,
    ) -> None:
        self._uow = uow
        self._accounts = accounts
        self._passwords = passwords
        # The account life cycle (disable, enable, journal movements) shares the ports.
        self.life_cycle = LifeCycleHandlers(uow, accounts)
        # Adult students' consent to their parents' access (issue 8 item 5); the rule is judged on
        # the college's today.
        self._today = today or college_clock()
        self.parent_access = ParentAccessHandlers(uow, self._today)
        # Credential issue and reset, the group's accounts, a parent added by the class teacher (H1).
        self.credentials = CredentialHandlers(uow, accounts, passwords, self._today)
        # Bulk import of a group list, all accounts or none (slice H2).
        self.group_list_import = GroupListImportHandlers(uow, accounts, passwords, self._today)
        # Scoped role assignments (slice H4, ADR 0012); the realm roles follow them.
        self.role_assignments = RoleAssignmentHandlers(uow, accounts)
        # Parents' access as a date for messaging's projection (ADR 0013).
        self.parent_access_facts = ParentAccessFactsHandlers(uow)

    async def create_person(self, cmd: commands.CreatePerson, actor: Principal) -> commands.CreatedPerson:
        """Create the Keycloak account, then the person with event and audit; undo the account on failure."""
        access.require_admin(actor, "учётные записи создаёт администратор")
        details = model.PersonDetails.parse(
            last_name=cmd.last_name,
            first_name=cmd.first_name,
            middle_name=cmd.middle_name,
            email=cmd.email,
        )
        username = await self._choose_username(cmd, details)
        generated = cmd.password is None
        # R1.3: a student keeps the issued password: no change at the first login (and no way to change it).
        temporary = generated and cmd.role is not model.Role.STUDENT
        password = self._passwords() if cmd.password is None else cmd.password
        account_id, password = await provision_account(
            self._accounts,
            username,
            details,
            cmd.role,
            password,
            temporary=temporary,
            regenerate=self._passwords if generated else None,
        )
        committed = False
        try:
            person = model.new_person(
                person_id=uuid.UUID(account_id), username=username, role=cmd.role, details=details
            )
            async with self._uow() as uow:
                await stage_person_created(uow, person, actor)
                await uow.commit()
                committed = True
        except BaseException:
            # Without the person row the account would be an orphan nobody can see or manage.
            if not committed:
                await self._remove_account(account_id)
            raise
        return commands.CreatedPerson(person=person, temporary_password=password if generated else "")

    async def get_person(self, query: commands.GetPerson, actor: Principal) -> model.Person:
        """Return a person to themself, staff, a service or their own parent; audit reads of others."""
        async with self._uow() as uow:
            if access.is_self(actor, query.person_id):
                return _existing(await uow.people.get(query.person_id))
            if not access.reads_any_person(actor):
                parent_id = access.subject_id(actor)
                if not (
                    access.is_parent(actor)
                    and parent_id is not None
                    and await guardian_may_read(uow, parent_id, query.person_id, self._today())
                ):
                    raise errors.PersonNotVisible()
            person = await uow.people.get(query.person_id)
            staff_in_scope_only = access.reads_any_person(actor) and not access.reads_every_profile(actor)
            if staff_in_scope_only and (person is None or not await may_read_profile(uow, actor, person)):
                # A teacher outside the person's groups learns nothing, not even that they exist.
                raise errors.PersonNotVisible()
            person = _existing(person)
            await uow.audit(
                "person.read",
                actor=actor,
                resource_type="person",
                resource_id=str(person.id),
                subject_person_id=str(person.id),
            )
            await uow.commit()
            return person

    async def find_person_by_username(
        self, query: commands.FindPersonByUsername, actor: Principal
    ) -> model.Person:
        """Return the person with a login (admin); used by the admin CLI to stay idempotent."""
        access.require_admin(actor, "поиск по логину доступен администратору")
        async with self._uow() as uow:
            person = await uow.people.by_username(usernames.normalize_username(query.username))
            if person is None:
                raise errors.PersonNotFound()
            return person

    async def link_guardian(self, cmd: commands.LinkGuardian, actor: Principal) -> bool:
        """Link a parent to a student (admin); idempotent, True when the link is new."""
        access.require_admin(actor, "родителей привязывает администратор")
        async with self._uow() as uow:
            link = model.new_guardianship(
                await uow.people.get(cmd.parent_id), await uow.people.get(cmd.student_id)
            )
            created = await stage_guardian_linked(uow, link, actor)
            if created:
                await uow.commit()
            return created

    async def list_guardians(self, query: commands.ListGuardians, actor: Principal) -> list[uuid.UUID]:
        """Return the ids of a student's parents (admin or a service)."""
        access.require_guardian_lister(actor)
        async with self._uow() as uow:
            parents = await uow.guardianships.parents_of(query.student_id)
            if query.readable_only and parents:
                return await readable_parents(uow, query.student_id, parents, self._today())
            return parents

    async def check_guardianship(self, query: commands.CheckGuardianship, actor: Principal) -> bool:
        """Tell whether a parent's link to a student gives access today (that parent, the admin or a
        service): linked, and the student a minor or consenting (domain/parent_access.py)."""
        access.require_guardianship_checker(actor, query.parent_id)
        async with self._uow() as uow:
            return await guardian_may_read(uow, query.parent_id, query.student_id, self._today())

    async def list_person_roles(
        self, query: commands.ListPersonRoles, actor: Principal
    ) -> list[tuple[uuid.UUID, model.Role]]:
        """Return person ids and roles in id order (services only): ids and roles, not personal data."""
        access.require_service(actor, "список ролей доступен только сервисам журнала")
        async with self._uow() as uow:
            return await uow.people.roles(query.person_ids, query.after_person_id, query.page_size)

    async def list_children(self, query: commands.ListChildren, actor: Principal) -> list[model.Person]:
        """Return the parent's children whose data they may read today, by name."""
        return (await self.children_with_access(query, actor))[0]

    async def children_with_access(
        self, query: commands.ListChildren, actor: Principal
    ) -> tuple[list[model.Person], list[uuid.UUID]]:
        """Return a parent's children they may read today by name (that parent, the admin or a
        service; audit each read), and the ids of the adult ones without consent (not read)."""
        access.require_children_lister(actor, query.parent_id)
        async with self._uow() as uow:
            children, ended = await readable_children(uow, query.parent_id, self._today())
            # Each child is another person: the same audit record as GetPerson writes for them.
            await _audit_reads(uow, actor, children)
            return children, ended

    async def search_people(self, query: commands.SearchPeople, actor: Principal) -> list[model.Person]:
        """Find people by the start of their names (administration); audit each person found."""
        access.require_people_searcher(actor)
        async with self._uow() as uow:
            found = await uow.people.search(query.words, query.role, query.page_size)
            await _audit_reads(uow, actor, found)
            return found

    async def get_people(self, query: commands.GetPeople, actor: Principal) -> list[model.Person]:
        """Return the names of the people the caller may see: staff and services anyone, a parent
        themself and their children, anyone else themself; the rest are left out. Audit each other."""
        wanted = set(query.person_ids)
        async with self._uow() as uow:
            if not access.reads_any_person(actor):
                me = access.subject_id(actor)
                visible = {me} if me is not None else set()
                if me is not None and access.is_parent(actor) and wanted - visible:
                    readable, _ = await readable_children(uow, me, self._today())
                    visible.update(child.id for child in readable)
                wanted &= visible
            people = await uow.people.named(wanted) if wanted else []
            await _audit_reads(uow, actor, [p for p in people if not access.is_self(actor, p.id)])
            return people

    async def _choose_username(self, cmd: commands.CreatePerson, details: model.PersonDetails) -> str:
        if cmd.username is not None:
            username = usernames.normalize_username(cmd.username)
            async with self._uow() as uow:
                taken_here = await uow.people.by_username(username) is not None
            if taken_here or await self._accounts.username_taken(username):
                raise errors.UsernameTaken(username)
            return username
        return await choose_username(self._uow, self._accounts, details)

    async def _remove_account(self, account_id: str) -> None:
        await remove_account(self._accounts, account_id)


async def stage_person_created(uow: IdentityUnitOfWork, person: model.Person, actor: Principal) -> None:
    """Stage a new person with its event and the audit record `person.created` (the caller commits)."""
    await uow.people.add(person)
    await uow.emit(events.PersonCreated(person_id=str(person.id), role=role_to_pb(person.role)))
    await uow.audit(
        "person.created",
        actor=actor,
        resource_type="person",
        resource_id=str(person.id),
        subject_person_id=str(person.id),
    )


async def stage_guardian_linked(uow: IdentityUnitOfWork, link: model.Guardianship, actor: Principal) -> bool:
    """Stage a parent↔student link with its event, facts and audit record `guardian.linked`; False
    (nothing staged) when the link already existed. The caller commits."""
    if not await uow.guardianships.link(link):
        return False

    await uow.emit(events.GuardianLinked(parent_id=str(link.parent_id), student_id=str(link.student_id)))
    await stage_access_facts(uow, link.student_id, link.parent_id)
    await uow.audit(
        "guardian.linked",
        actor=actor,
        resource_type="guardianship",
        resource_id=f"{link.parent_id}/{link.student_id}",
        subject_person_id=str(link.student_id),
    )
    return True
