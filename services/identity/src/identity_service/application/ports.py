"""What the application needs from the outside world, as protocols (adapters and fakes satisfy them)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from chassis.ports import UnitOfWorkPort

from identity_service.domain import life_cycle, model
from identity_service.domain.group_scope import GroupLead, Membership
from identity_service.domain.parent_access import ParentAccess
from identity_service.domain.parent_access_facts import LinkKey, LinkState
from identity_service.domain.role_assignments import RoleAssignment


class People(Protocol):
    """The people of the college; what a repository reads is usable after the unit of work ends."""

    async def get(self, person_id: uuid.UUID) -> model.Person | None:
        """Return the person or None."""
        ...

    async def by_username(self, username: str) -> model.Person | None:
        """Return the person with this login or None."""
        ...

    async def usernames_starting_with(self, prefix: str) -> set[str]:
        """Return every login that starts with the prefix."""
        ...

    async def children_of(self, parent_id: uuid.UUID) -> list[model.Person]:
        """Return the students linked to a parent, by last and first name."""
        ...

    async def add(self, person: model.Person) -> None:
        """Stage a new person (its `created_at` is filled in)."""
        ...

    async def roles(
        self, person_ids: Collection[uuid.UUID], after: uuid.UUID | None, limit: int
    ) -> list[tuple[uuid.UUID, model.Role]]:
        """Return up to `limit` (person id, role) pairs in id order, after `after`; only `person_ids`
        when it is not empty."""
        ...

    async def search(self, words: Sequence[str], role: model.Role | None, limit: int) -> list[model.Person]:
        """Return up to `limit` people each of whose folded `words` starts their surname, first name or
        patronymic (lower case, «ё» as «е»), of `role` when given, by surname, first name, patronymic."""
        ...

    async def named(self, person_ids: Collection[uuid.UUID]) -> list[model.Person]:
        """Return the people with these ids that exist, by surname, first name, patronymic."""
        ...


class Guardianships(Protocol):
    """Parent↔student links."""

    async def link(self, link: model.Guardianship) -> bool:
        """Stage the link; return False when it already existed."""
        ...

    async def exists(self, parent_id: uuid.UUID, student_id: uuid.UUID) -> bool:
        """Return True when the parent is linked to the student."""
        ...

    async def parents_of(self, student_id: uuid.UUID) -> list[uuid.UUID]:
        """Return the ids of a student's parents, oldest link first."""
        ...


class AccountStates(Protocol):
    """Whether each login account is enabled, since when and why not (issue 8 item 4)."""

    async def get_for_update(self, person_id: uuid.UUID) -> life_cycle.AccountState:
        """Return the account's state (enabled when never changed), held until the unit of work ends."""
        ...

    async def save(self, state: life_cycle.AccountState, changed_by: str) -> life_cycle.AccountState:
        """Stage the account's new state, changed now by `changed_by`; return it with its time."""
        ...


class ParentAccessConsents(Protocol):
    """Birth dates and adult students' consents to their parents' access (issue 8 item 5)."""

    async def set_birth_date(self, person_id: uuid.UUID, birth_date: date | None) -> bool:
        """Stage the birth date; return False when the person does not exist."""
        ...

    async def guardian_link(
        self, parent_id: uuid.UUID, student_id: uuid.UUID
    ) -> tuple[date | None, bool] | None:
        """Return (the student's birth date, consent in force) of the link, or None when not linked."""
        ...

    async def consenting_students(self, parent_id: uuid.UUID) -> set[uuid.UUID]:
        """Return the ids of the parent's students whose consent is in force."""
        ...

    async def of_student(self, student_id: uuid.UUID) -> list[ParentAccess]:
        """Return the student's linked parents with their consent, oldest link first."""
        ...

    async def get_for_update(self, student_id: uuid.UUID, parent_id: uuid.UUID) -> ParentAccess | None:
        """Return the link's consent, held until the unit of work ends; None when not linked."""
        ...

    async def grant(self, student_id: uuid.UUID, parent_id: uuid.UUID) -> ParentAccess:
        """Stage the consent as granted now; return it."""
        ...

    async def withdraw(self, student_id: uuid.UUID, parent_id: uuid.UUID) -> ParentAccess:
        """Stage the consent as withdrawn now; return it."""
        ...

    async def link_states(
        self,
        *,
        student_id: uuid.UUID | None,
        after: LinkKey | None,
        limit: int,
        lock_student: bool = False,
    ) -> list[LinkState]:
        """Return guardian links with the student's birth date and consent, in (student, parent)
        order after `after`; only `student_id`'s when given. `lock_student` holds the student's row
        until the unit of work ends (ADR 0013: facts staged in the order their changes commit)."""
        ...


class GroupScopes(Protocol):
    """Identity's projection of the journal's groups and memberships (slice H1): who leads which
    group and which students are in it, fed only by the journal's events."""

    async def lead_of(self, group_id: uuid.UUID) -> GroupLead | None:
        """Return the group with its class teacher, or None when identity has not heard of it."""
        ...

    async def groups_led_by(self, person_id: uuid.UUID) -> set[uuid.UUID]:
        """Return the ids of the groups whose class teacher this person is."""
        ...

    async def groups_taught_by(self, person_id: uuid.UUID) -> set[uuid.UUID]:
        """Return the ids of the groups this person has a teaching load in."""
        ...

    async def record_load(self, load_id: uuid.UUID, teacher_id: uuid.UUID, group_id: uuid.UUID) -> None:
        """Stage a teaching load of the journal (once)."""
        ...

    async def remove_load(self, load_id: uuid.UUID) -> None:
        """Stage the removal of a teaching load."""
        ...

    async def memberships_of(self, student_ids: Collection[uuid.UUID]) -> list[Membership]:
        """Return every stay of these students in a group."""
        ...

    async def members_of(self, group_id: uuid.UUID) -> list[Membership]:
        """Return every stay of a student in this group."""
        ...

    async def record_group(
        self, group_id: uuid.UUID, class_teacher_id: uuid.UUID | None, *, overwrite: bool
    ) -> None:
        """Stage the group with its class teacher; an existing one keeps its own unless `overwrite`."""
        ...

    async def join(self, group_id: uuid.UUID, student_id: uuid.UUID, from_date: date) -> None:
        """Stage a stay from this day (once); it ends where a later stay in another group starts."""
        ...

    async def leave(self, student_id: uuid.UUID, group_id: uuid.UUID, on_date: date) -> None:
        """End the student's stays in the group that started by `on_date` and had not ended by then."""
        ...


class CredentialIssues(Protocol):
    """When a password was last issued to each person by this service (slice H1)."""

    async def record(self, person_id: uuid.UUID, issued_by: str) -> datetime:
        """Stage the issue as happening now, by `issued_by`; return its time."""
        ...

    async def hold(self, person_ids: Collection[uuid.UUID]) -> None:
        """Hold these people's rows until the unit of work ends: two issues for the same person (the
        class teacher and the admin at once) follow each other instead of racing in Keycloak."""
        ...

    async def issued_at(self, person_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, datetime]:
        """Return the time of the last issue of each of these people that had one."""
        ...

    async def enabled(self, person_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, bool]:
        """Return whether each of these people's account is enabled (no state recorded: enabled)."""
        ...


class RoleAssignments(Protocol):
    """Scoped role assignments (slice H4, ADR 0012)."""

    async def person_for_update(self, person_id: uuid.UUID) -> model.Person | None:
        """Return the person (id, login, primary role), held until the unit of work ends; None when
        unknown."""
        ...

    async def in_force(self, person_ids: Collection[uuid.UUID]) -> list[RoleAssignment]:
        """Return the assignments in force of these people, oldest first."""
        ...

    async def get(self, assignment_id: uuid.UUID) -> RoleAssignment | None:
        """Return the assignment (in force or revoked), or None."""
        ...

    async def add(self, assignment: RoleAssignment) -> RoleAssignment:
        """Stage the assignment, assigned now; return it with its time."""
        ...

    async def revoke(self, assignment_id: uuid.UUID, revoked_by: str) -> RoleAssignment:
        """Stage the revoke of an assignment in force, now; return it."""
        ...

    async def staff(self, limit: int) -> list[tuple[model.Person, bool]]:
        """Return up to `limit` people who are not students or parents, by name, with whether their
        account is enabled."""
        ...


class GroupListImports(Protocol):
    """The imports of group lists and the logins each is creating (slice H2, migration 0007)."""

    async def standing(self, group_id: uuid.UUID, digest: str) -> datetime | None:
        """Return when the same list was imported into the group (not failed), or None."""
        ...

    async def start(
        self,
        import_id: uuid.UUID,
        *,
        group_id: uuid.UUID,
        digest: str,
        actor_id: str,
        students: int,
        parents: int,
        usernames: Collection[str],
    ) -> bool:
        """Stage the import as `creating` with its logins; False when the same list is standing."""
        ...

    async def finish(self, import_id: uuid.UUID, status: str) -> None:
        """Stage the import's end (`imported` or `failed`) and forget its pending logins."""
        ...

    async def give_up(self, import_id: uuid.UUID) -> None:
        """Stage the import as failed, keeping its pending logins for the sweeper."""
        ...

    async def abandoned(self, older_than: timedelta) -> list[tuple[uuid.UUID, str]]:
        """Return the pending logins of failed imports and of imports creating for longer than that."""
        ...

    async def forget(self, import_id: uuid.UUID, username: str) -> None:
        """Stage the pending login as dealt with; its import fails if it was still `creating`."""
        ...


class IdentityUnitOfWork(UnitOfWorkPort, Protocol):
    """One transaction over the identity database."""

    @property
    def people(self) -> People:
        """The people."""
        ...

    @property
    def guardianships(self) -> Guardianships:
        """The parent↔student links."""
        ...

    @property
    def account_states(self) -> AccountStates:
        """The life cycle of the login accounts."""
        ...

    @property
    def parent_access(self) -> ParentAccessConsents:
        """Birth dates and adult students' consents."""
        ...

    @property
    def group_list_imports(self) -> GroupListImports:
        """The group-list imports and the logins they are creating (slice H2)."""
        ...

    @property
    def role_assignments(self) -> RoleAssignments:
        """Scoped role assignments."""
        ...

    @property
    def group_scopes(self) -> GroupScopes:
        """Identity's projection of the journal's groups and memberships (slice H1)."""
        ...

    @property
    def credential_issues(self) -> CredentialIssues:
        """When each person's password was last issued (slice H1)."""
        ...


@dataclass(frozen=True)
class NewAccount:
    """A login account to create in the account directory (what `AccountDirectory` takes)."""

    username: str
    first_name: str
    last_name: str
    email: str | None
    # A person given a temporary password must set their own at first login.
    require_password_change: bool = field(default=True)


class AccountDirectory(Protocol):
    """The accounts that hold credentials and realm roles (Keycloak)."""

    async def username_taken(self, username: str) -> bool:
        """Return True when an account with this login exists."""
        ...

    async def create_account(self, account: NewAccount) -> str:
        """Create an enabled account and return its id (the person id)."""
        ...

    async def set_password(self, account_id: str, password: str, *, temporary: bool) -> None:
        """Set the account's password; a temporary one must be changed at first login."""
        ...

    async def assign_role(self, account_id: str, role: str) -> None:
        """Give the account a realm role."""
        ...

    async def remove_role(self, account_id: str, role: str) -> None:
        """Take a realm role from the account (slice H4: its last assignment was revoked)."""
        ...

    async def account_id(self, username: str) -> str | None:
        """Return the id of the account with this login, or None (the import's sweeper)."""
        ...

    async def delete_account(self, account_id: str) -> None:
        """Delete the account; an account that is already gone is fine."""
        ...

    async def set_enabled(self, account_id: str, enabled: bool) -> None:
        """Enable or disable the account (a disabled one cannot log in or refresh a token)."""
        ...

    async def end_sessions(self, account_id: str) -> None:
        """End every session of the account at once."""
        ...


UnitOfWorkFactory = Callable[[], IdentityUnitOfWork]
PasswordFactory = Callable[[], str]
