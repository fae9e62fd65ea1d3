"""Scoped role assignments (issue 8 item 1, ADR 0012): assign, revoke, list; the Keycloak realm roles
follow the union of a person's assignments (and their primary role)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from chassis.principal import Principal
from ejournal.identity.v1 import events_pb2 as events
from ejournal.identity.v1 import identity_pb2 as pb

from identity_service.application.ports import AccountDirectory, IdentityUnitOfWork, UnitOfWorkFactory
from identity_service.domain import access, errors, model
from identity_service.domain import role_assignments as ra

log = logging.getLogger(__name__)

# The admin's «Сотрудники» lists the college's staff in one page.
MAX_STAFF = 2000


@dataclass(frozen=True)
class AssignRole:
    """Give a person a role in a scope."""

    person_id: uuid.UUID
    role: model.Role
    scope: ra.Scope


@dataclass(frozen=True)
class StaffMember:
    """A member of staff with their assignments in force and whether their account is enabled."""

    person: model.Person
    assignments: list[ra.RoleAssignment]
    enabled: bool


def scope_to_pb(scope: ra.Scope) -> pb.RoleScope:
    """Return the protobuf scope (only the ids its kind takes)."""
    return pb.RoleScope(
        kind=pb.ScopeKind.Value(f"SCOPE_KIND_{scope.kind.name}"),
        department_id=str(scope.department_id) if scope.department_id else "",
        group_id=str(scope.group_id) if scope.group_id else "",
        discipline_id=str(scope.discipline_id) if scope.discipline_id else "",
    )


def primary_assignment(person: model.Person, actor: Principal) -> ra.RoleAssignment:
    """Return the college-scoped assignment of a new person's primary role (CreatePerson writes it)."""
    return ra.RoleAssignment(uuid.uuid4(), person.id, person.role, ra.COLLEGE, assigned_by=actor.subject)


class RoleAssignmentHandlers:
    """AssignRole, RevokeRole (admin), ListRoleAssignments (admin, the person), ListPersonScopes
    (services, admin), ListStaff (admin)."""

    def __init__(self, uow: UnitOfWorkFactory, accounts: AccountDirectory) -> None:
        self._uow = uow
        self._accounts = accounts

    async def assign(self, cmd: AssignRole, actor: Principal) -> ra.RoleAssignment:
        """Check the rules, add the realm role in Keycloak when it is the person's first of it, then
        write the assignment, its event and audit; take the realm role back if the write fails."""
        access.require_admin(actor, "роли назначает администратор")
        async with self._uow() as uow:
            person = await uow.role_assignments.person_for_update(cmd.person_id)
            if person is None:
                raise errors.PersonNotFound()
            in_force = await uow.role_assignments.in_force([person.id])
            ra.check_assignment(person, cmd.role, cmd.scope, in_force)
            added = ra.adds_realm_role(person, cmd.role, in_force)
            if added:
                await self._accounts.assign_role(str(person.id), cmd.role.value)
            committed = False
            try:
                assignment = await uow.role_assignments.add(
                    ra.RoleAssignment(uuid.uuid4(), person.id, cmd.role, cmd.scope, assigned_by=actor.subject)
                )
                await uow.emit(
                    events.RoleAssigned(
                        assignment_id=str(assignment.id),
                        person_id=str(person.id),
                        role=role_pb(cmd.role),
                        scope=scope_to_pb(cmd.scope),
                    )
                )
                await _audit(uow, "role.assigned", actor, assignment)
                await uow.commit()
                committed = True
            finally:
                if added and not committed:
                    await self._undo(self._accounts.remove_role, str(person.id), cmd.role.value)
            return assignment

    async def revoke(self, assignment_id: uuid.UUID, actor: Principal) -> ra.RoleAssignment:
        """Revoke an assignment in force; remove the realm role in Keycloak when it was the person's
        last of it (and not their primary role); give it back if the write fails."""
        access.require_admin(actor, "роли отзывает администратор")
        async with self._uow() as uow:
            found = await uow.role_assignments.get(assignment_id)
            if found is None or found.revoked_at is not None:
                raise ra.AssignmentNotFound()
            person = await uow.role_assignments.person_for_update(found.person_id)
            in_force = await uow.role_assignments.in_force([found.person_id])
            current = next((a for a in in_force if a.id == assignment_id), None)
            if person is None or current is None:
                raise ra.AssignmentNotFound()
            ra.check_revoke(access.subject_id(actor), current, in_force)
            removed = ra.removes_realm_role(person, current, in_force)
            if removed:
                await self._accounts.remove_role(str(person.id), current.role.value)
            committed = False
            try:
                revoked = await uow.role_assignments.revoke(assignment_id, actor.subject)
                await uow.emit(
                    events.RoleRevoked(
                        assignment_id=str(revoked.id),
                        person_id=str(revoked.person_id),
                        role=role_pb(revoked.role),
                        scope=scope_to_pb(revoked.scope),
                    )
                )
                await _audit(uow, "role.revoked", actor, revoked)
                await uow.commit()
                committed = True
            finally:
                if removed and not committed:
                    await self._undo(self._accounts.assign_role, str(person.id), current.role.value)
            return revoked

    async def of_person(self, person_id: uuid.UUID, actor: Principal) -> list[ra.RoleAssignment]:
        """Return a person's assignments in force (the admin; the person themself)."""
        if not (access.is_self(actor, person_id) or actor.has_any(model.Role.ADMIN)):
            raise errors.RoleRequired("назначения ролей видит администратор и сам человек")
        async with self._uow() as uow:
            return await uow.role_assignments.in_force([person_id])

    async def scopes(self, person_id: uuid.UUID, actor: Principal) -> list[ra.RoleAssignment]:
        """Return a person's roles with their scopes, for another service to decide locally (services,
        the admin). Ids and roles only: not personal data, not audited."""
        if not (actor.is_service or actor.has_any(model.Role.ADMIN)):
            raise errors.RoleRequired("области ролей читают сервисы журнала и администратор")
        async with self._uow() as uow:
            return await uow.role_assignments.in_force([person_id])

    async def staff(self, actor: Principal) -> list[StaffMember]:
        """Return the staff by name with their assignments and account state (admin); audit each read."""
        access.require_admin(actor, "список сотрудников доступен администратору")
        async with self._uow() as uow:
            people = await uow.role_assignments.staff(MAX_STAFF)
            assignments = await uow.role_assignments.in_force([p.id for p, _ in people])
            by_person: dict[uuid.UUID, list[ra.RoleAssignment]] = {}
            for assignment in assignments:
                by_person.setdefault(assignment.person_id, []).append(assignment)
            for person, _ in people:
                if not access.is_self(actor, person.id):
                    await uow.audit(
                        "person.read",
                        actor=actor,
                        resource_type="person",
                        resource_id=str(person.id),
                        subject_person_id=str(person.id),
                    )
            if people:
                await uow.commit()
            return [StaffMember(p, by_person.get(p.id, []), enabled) for p, enabled in people]

    @staticmethod
    async def _undo(step: Callable[[str, str], Awaitable[None]], account_id: str, role: str) -> None:
        try:
            await step(account_id, role)
        except Exception:
            # The original failure matters more; the log names the account and role to fix by hand.
            log.exception(
                "compensation failed: realm role left changed", extra={"account_id": account_id, "role": role}
            )


def role_pb(role: model.Role) -> pb.Role.ValueType:
    """Return the protobuf value of a role (ROLE_<NAME>)."""
    return pb.Role.Value(f"ROLE_{role.name}")


async def _audit(
    uow: IdentityUnitOfWork, action: str, actor: Principal, assignment: ra.RoleAssignment
) -> None:
    await uow.audit(
        action,
        actor=actor,
        resource_type="role_assignment",
        resource_id=str(assignment.id),
        subject_person_id=str(assignment.person_id),
    )
