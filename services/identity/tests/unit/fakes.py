"""In-memory stand-ins for the identity unit of work and for Keycloak, for millisecond handler tests."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Any, cast

from chassis import testing
from identity_service.application import ports
from identity_service.application.ports import NewAccount
from identity_service.domain import errors, life_cycle, model
from identity_service.domain.group_scope import GroupLead, Membership
from identity_service.domain.parent_access import ParentAccess
from identity_service.domain.parent_access_facts import LinkState
from identity_service.domain.role_assignments import COLLEGE, RoleAssignment
from identity_service.domain.search import fold


class FakeStore(testing.FakeLedger):
    """What a committed database would hold; `fail_commit` makes the next commits fail."""

    def __init__(self) -> None:
        super().__init__()
        self.people: dict[uuid.UUID, model.Person] = {}
        self.links: list[tuple[uuid.UUID, uuid.UUID]] = []
        self.fail_commit: Exception | None = None
        self.account_states: dict[uuid.UUID, tuple[life_cycle.AccountState, str]] = {}
        # Raised when a unit of work that committed is closed (the commit stands).
        self.fail_close_after_commit: Exception | None = None
        # Adult students' consents: (student id, parent id) → the consent (issue 8 item 5).
        self.consents: dict[tuple[uuid.UUID, uuid.UUID], ParentAccess] = {}
        # Slice H1: the journal's groups as identity heard of them, and the passwords issued.
        self.group_leads: dict[uuid.UUID, uuid.UUID | None] = {}
        self.stays: list[Membership] = []
        # Teaching loads as identity heard of them: load id → (teacher id, group id).
        self.loads: dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID]] = {}
        self.issues: dict[uuid.UUID, tuple[datetime, str]] = {}
        # Slice H2: group-list imports (id → group, digest, status, created_at) and pending logins.
        self.imports: dict[uuid.UUID, dict[str, Any]] = {}
        self.pending_logins: set[tuple[uuid.UUID, str]] = set()
        # Slice H4: role assignments by id (revoked ones kept, as the table keeps them).
        self.assignments: dict[uuid.UUID, RoleAssignment] = {}


class FakePeople:
    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.staged: list[model.Person] = []

    async def get(self, person_id: uuid.UUID) -> model.Person | None:
        return self._store.people.get(person_id)

    async def by_username(self, username: str) -> model.Person | None:
        return next((p for p in self._store.people.values() if p.username == username), None)

    async def usernames_starting_with(self, prefix: str) -> set[str]:
        return {p.username for p in self._store.people.values() if p.username.startswith(prefix)}

    async def children_of(self, parent_id: uuid.UUID) -> list[model.Person]:
        children = [self._store.people[s] for p, s in self._store.links if p == parent_id]
        return sorted(children, key=lambda c: (c.last_name, c.first_name, c.middle_name, str(c.id)))

    async def add(self, person: model.Person) -> None:
        person.created_at = datetime.now(UTC)
        self.staged.append(person)

    async def roles(
        self, person_ids: Collection[uuid.UUID], after: uuid.UUID | None, limit: int
    ) -> list[tuple[uuid.UUID, model.Role]]:
        chosen = sorted(
            (p for p in self._store.people.values() if (not person_ids or p.id in person_ids)),
            key=lambda p: p.id,
        )
        return [(p.id, p.role) for p in chosen if after is None or p.id > after][:limit]

    async def search(self, words: Sequence[str], role: model.Role | None, limit: int) -> list[model.Person]:
        def matches(person: model.Person) -> bool:
            names = [fold(n) for n in (person.last_name, person.first_name, person.middle_name)]
            return all(any(n.startswith(w) for n in names) for w in words)

        found = [p for p in self._store.people.values() if matches(p) and (role is None or p.role is role)]
        return sorted(found, key=_by_name)[:limit]

    async def named(self, person_ids: Collection[uuid.UUID]) -> list[model.Person]:
        return sorted((p for p in self._store.people.values() if p.id in person_ids), key=_by_name)


def _by_name(person: model.Person) -> tuple[str, str, str, str]:
    return (person.last_name, person.first_name, person.middle_name, str(person.id))


class FakeGuardianships:
    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.staged: list[tuple[uuid.UUID, uuid.UUID]] = []

    async def link(self, link: model.Guardianship) -> bool:
        key = (link.parent_id, link.student_id)
        if key in self._store.links or key in self.staged:
            return False
        self.staged.append(key)
        return True

    async def exists(self, parent_id: uuid.UUID, student_id: uuid.UUID) -> bool:
        return (parent_id, student_id) in self._store.links

    async def parents_of(self, student_id: uuid.UUID) -> list[uuid.UUID]:
        return [p for p, s in self._store.links if s == student_id]


class FakeAccountStates:
    """Account states, staged until commit; `get_for_update` reads the committed ones."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.staged: dict[uuid.UUID, tuple[life_cycle.AccountState, str]] = {}

    async def get_for_update(self, person_id: uuid.UUID) -> life_cycle.AccountState:
        found = self.staged.get(person_id) or self._store.account_states.get(person_id)
        return found[0] if found else life_cycle.AccountState(person_id)

    async def save(self, state: life_cycle.AccountState, changed_by: str) -> life_cycle.AccountState:
        stored = dataclasses.replace(state, changed_at=datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
        self.staged[state.person_id] = (stored, changed_by)
        return stored


class FakeParentAccess:
    """Birth dates (on the stored people) and consents, staged until commit."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.birth_dates: dict[uuid.UUID, date | None] = {}
        self.staged: dict[tuple[uuid.UUID, uuid.UUID], ParentAccess] = {}
        self.staged_links: list[tuple[uuid.UUID, uuid.UUID]] = []
        # People staged in the same unit of work (a group-list import links those it creates).
        self.staged_people: list[model.Person] = []

    async def set_birth_date(self, person_id: uuid.UUID, birth_date: date | None) -> bool:
        if person_id not in self._store.people:
            return False
        self.birth_dates[person_id] = birth_date
        return True

    def _consent(self, student_id: uuid.UUID, parent_id: uuid.UUID) -> ParentAccess:
        key = (student_id, parent_id)
        return self.staged.get(key) or self._store.consents.get(key) or ParentAccess(parent_id)

    async def guardian_link(
        self, parent_id: uuid.UUID, student_id: uuid.UUID
    ) -> tuple[date | None, bool] | None:
        if (parent_id, student_id) not in self._store.links:
            return None
        return self._store.people[student_id].birth_date, self._consent(student_id, parent_id).consent

    async def consenting_students(self, parent_id: uuid.UUID) -> set[uuid.UUID]:
        return {s for p, s in self._store.links if p == parent_id and self._consent(s, p).consent}

    async def of_student(self, student_id: uuid.UUID) -> list[ParentAccess]:
        return [self._consent(s, p) for p, s in self._store.links if s == student_id]

    async def get_for_update(self, student_id: uuid.UUID, parent_id: uuid.UUID) -> ParentAccess | None:
        if (parent_id, student_id) not in self._store.links:
            return None
        return self._consent(student_id, parent_id)

    async def grant(self, student_id: uuid.UUID, parent_id: uuid.UUID) -> ParentAccess:
        granted = ParentAccess(parent_id, datetime.now(UTC), None)
        self.staged[(student_id, parent_id)] = granted
        return granted

    async def withdraw(self, student_id: uuid.UUID, parent_id: uuid.UUID) -> ParentAccess:
        withdrawn = dataclasses.replace(self._consent(student_id, parent_id), withdrawn_at=datetime.now(UTC))
        self.staged[(student_id, parent_id)] = withdrawn
        return withdrawn

    async def link_states(
        self,
        *,
        student_id: uuid.UUID | None,
        after: tuple[uuid.UUID, uuid.UUID] | None,
        limit: int,
        lock_student: bool = False,
    ) -> list[LinkState]:
        # The unit of work's staged links and birth dates are read too, as in one transaction.
        links = sorted({(s, p) for p, s in [*self._store.links, *self.staged_links]})
        states = []
        for s, p in links:
            if (student_id is not None and s != student_id) or (after is not None and (s, p) <= after):
                continue
            person = self._store.people.get(s) or next(p for p in self.staged_people if p.id == s)
            born = self.birth_dates.get(s, person.birth_date)
            states.append(LinkState(s, p, born, self._consent(s, p).consent))
        return states[:limit]


class FakeGroupScopes:
    """Identity's projection of the journal's groups (slice H1); writes are staged until commit."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.staged_leads: dict[uuid.UUID, uuid.UUID | None] = {}
        self.staged_stays: list[Membership] = []
        self.staged_leaves: list[tuple[uuid.UUID, uuid.UUID, date]] = []
        self.staged_loads: dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID] | None] = {}

    async def lead_of(self, group_id: uuid.UUID) -> GroupLead | None:
        if group_id not in self._store.group_leads:
            return None
        return GroupLead(group_id, self._store.group_leads[group_id])

    async def groups_led_by(self, person_id: uuid.UUID) -> set[uuid.UUID]:
        return {g for g, t in self._store.group_leads.items() if t == person_id}

    async def groups_taught_by(self, person_id: uuid.UUID) -> set[uuid.UUID]:
        return {g for t, g in self._store.loads.values() if t == person_id}

    async def record_load(self, load_id: uuid.UUID, teacher_id: uuid.UUID, group_id: uuid.UUID) -> None:
        self.staged_loads.setdefault(load_id, (teacher_id, group_id))

    async def remove_load(self, load_id: uuid.UUID) -> None:
        self.staged_loads[load_id] = None

    async def memberships_of(self, student_ids: Collection[uuid.UUID]) -> list[Membership]:
        return [m for m in self._store.stays if m.student_id in student_ids]

    async def members_of(self, group_id: uuid.UUID) -> list[Membership]:
        return [m for m in self._store.stays if m.group_id == group_id]

    async def record_group(
        self, group_id: uuid.UUID, class_teacher_id: uuid.UUID | None, *, overwrite: bool
    ) -> None:
        if overwrite or (group_id not in self._store.group_leads and group_id not in self.staged_leads):
            self.staged_leads[group_id] = class_teacher_id

    async def join(self, group_id: uuid.UUID, student_id: uuid.UUID, from_date: date) -> None:
        later = [
            m.from_date
            for m in self._store.stays
            if m.student_id == student_id and m.group_id != group_id and m.from_date > from_date
        ]
        self.staged_stays.append(Membership(group_id, student_id, from_date, min(later, default=None)))

    async def leave(self, student_id: uuid.UUID, group_id: uuid.UUID, on_date: date) -> None:
        self.staged_leaves.append((student_id, group_id, on_date))

    def commit_into(self, store: FakeStore) -> None:
        store.group_leads.update(self.staged_leads)
        for load_id, load in self.staged_loads.items():
            if load is None:
                store.loads.pop(load_id, None)
            else:
                store.loads.setdefault(load_id, load)
        for student_id, group_id, on_date in self.staged_leaves:
            store.stays = [
                dataclasses.replace(m, to_date=on_date)
                if m.student_id == student_id
                and m.group_id == group_id
                and m.from_date <= on_date
                and (m.to_date is None or m.to_date > on_date)
                else m
                for m in store.stays
            ]
        keys = {(m.group_id, m.student_id, m.from_date) for m in store.stays}
        store.stays.extend(
            m for m in self.staged_stays if (m.group_id, m.student_id, m.from_date) not in keys
        )
        self.clear()

    def clear(self) -> None:
        self.staged_leads.clear()
        self.staged_stays.clear()
        self.staged_leaves.clear()
        self.staged_loads.clear()


class FakeCredentialIssues:
    """When each password was last issued (slice H1); staged until commit."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.staged: dict[uuid.UUID, tuple[datetime, str]] = {}
        self.held: list[uuid.UUID] = []

    async def hold(self, person_ids: Collection[uuid.UUID]) -> None:
        self.held.extend(sorted(person_ids))

    async def record(self, person_id: uuid.UUID, issued_by: str) -> datetime:
        now = datetime.now(UTC)
        self.staged[person_id] = (now, issued_by)
        return now

    async def issued_at(self, person_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, datetime]:
        return {p: self._store.issues[p][0] for p in person_ids if p in self._store.issues}

    async def enabled(self, person_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, bool]:
        states = self._store.account_states
        return {p: states[p][0].enabled if p in states else True for p in person_ids}


class FakeGroupListImports:
    """Group-list imports (slice H2); each write is staged and applied on commit."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.staged: list[Callable[[], None]] = []

    async def standing(self, group_id: uuid.UUID, digest: str) -> datetime | None:
        for item in self._store.imports.values():
            if (item["group_id"], item["digest"]) == (group_id, digest) and item["status"] != "failed":
                return cast(datetime, item["created_at"])
        return None

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
        if await self.standing(group_id, digest) is not None:
            return False
        item = {"group_id": group_id, "digest": digest, "status": "creating", "created_at": datetime.now(UTC)}

        def apply() -> None:
            self._store.imports[import_id] = item
            self._store.pending_logins.update((import_id, name) for name in usernames)

        self.staged.append(apply)
        return True

    async def finish(self, import_id: uuid.UUID, status: str) -> None:
        def apply() -> None:
            self._store.imports[import_id]["status"] = status
            self._store.pending_logins -= {p for p in self._store.pending_logins if p[0] == import_id}

        self.staged.append(apply)

    async def give_up(self, import_id: uuid.UUID) -> None:
        self.staged.append(lambda: self._store.imports[import_id].update(status="failed"))

    async def abandoned(self, older_than: timedelta) -> list[tuple[uuid.UUID, str]]:
        cutoff = datetime.now(UTC) - older_than
        imports = self._store.imports
        return sorted(
            (i, name)
            for i, name in self._store.pending_logins
            if imports[i]["status"] == "failed"
            or (imports[i]["status"] == "creating" and imports[i]["created_at"] < cutoff)
        )

    async def forget(self, import_id: uuid.UUID, username: str) -> None:
        def apply() -> None:
            self._store.pending_logins.discard((import_id, username))
            if self._store.imports[import_id]["status"] == "creating":
                self._store.imports[import_id]["status"] = "failed"

        self.staged.append(apply)


class FakeRoleAssignments:
    """Role assignments (slice H4); writes staged until commit. A person added gets the college
    assignment of their primary role, as the repository writes it."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.staged: dict[uuid.UUID, RoleAssignment] = {}

    async def person_for_update(self, person_id: uuid.UUID) -> model.Person | None:
        return self._store.people.get(person_id)

    async def in_force(self, person_ids: Collection[uuid.UUID]) -> list[RoleAssignment]:
        every = {**self._store.assignments, **self.staged}.values()
        return [a for a in every if a.person_id in set(person_ids) and a.revoked_at is None]

    async def get(self, assignment_id: uuid.UUID) -> RoleAssignment | None:
        return self.staged.get(assignment_id) or self._store.assignments.get(assignment_id)

    async def add(self, assignment: RoleAssignment) -> RoleAssignment:
        added = dataclasses.replace(assignment, assigned_at=datetime.now(UTC))
        self.staged[added.id] = added
        return added

    async def revoke(self, assignment_id: uuid.UUID, revoked_by: str) -> RoleAssignment:
        current = await self.get(assignment_id)
        assert current is not None and current.revoked_at is None
        revoked = dataclasses.replace(current, revoked_at=datetime.now(UTC), revoked_by=revoked_by)
        self.staged[assignment_id] = revoked
        return revoked

    async def staff(self, limit: int) -> list[tuple[model.Person, bool]]:
        staff = sorted(
            (p for p in self._store.people.values() if p.role not in (model.Role.STUDENT, model.Role.PARENT)),
            key=lambda p: (p.last_name, p.first_name, p.middle_name, str(p.id)),
        )[:limit]
        states = self._store.account_states
        return [(p, states[p.id][0].enabled if p.id in states else True) for p in staff]

    def commit_into(self, store: FakeStore, people: list[model.Person]) -> None:
        for person in people:
            primary = RoleAssignment(uuid.uuid4(), person.id, person.role, COLLEGE, "", person.created_at)
            store.assignments[primary.id] = primary
        store.assignments.update(self.staged)


class FakeUnitOfWork(testing.FakeUnitOfWork):
    """Writes reach the store only on commit, like a transaction."""

    def __init__(self, store: FakeStore) -> None:
        super().__init__(store)
        self._store = store
        self.people = FakePeople(store)
        self.guardianships = FakeGuardianships(store)
        self.account_states = FakeAccountStates(store)
        self.parent_access = FakeParentAccess(store)
        self.parent_access.staged_links = self.guardianships.staged
        self.parent_access.staged_people = self.people.staged
        self.group_scopes = FakeGroupScopes(store)
        self.credential_issues = FakeCredentialIssues(store)
        self.group_list_imports = FakeGroupListImports(store)
        self.role_assignments = FakeRoleAssignments(store)
        self._committed = False

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await super().__aexit__(exc_type, exc, tb)
        if self._committed and self._store.fail_close_after_commit is not None:
            raise self._store.fail_close_after_commit

    async def commit(self) -> None:
        # Checked before anything reaches the store: a failed commit leaves no trace, like a rollback.
        if self._store.fail_commit is not None:
            raise self._store.fail_commit
        for person in self.people.staged:
            if any(p.username == person.username for p in self._store.people.values()):
                raise RuntimeError("unique violation: people.username")
        await super().commit()
        self._committed = True

    def _commit_staged(self) -> None:
        for person in self.people.staged:
            self._store.people[person.id] = person
        self._store.links.extend(self.guardianships.staged)
        self._store.account_states.update(self.account_states.staged)
        for person_id, born in self.parent_access.birth_dates.items():
            self._store.people[person_id].birth_date = born
        self._store.consents.update(self.parent_access.staged)
        self.group_scopes.commit_into(self._store)
        self._store.issues.update(self.credential_issues.staged)
        for apply in self.group_list_imports.staged:
            apply()
        self.role_assignments.commit_into(self._store, self.people.staged)

    def _discard_staged(self) -> None:
        super()._discard_staged()
        self.people.staged.clear()
        self.guardianships.staged.clear()
        self.account_states.staged.clear()
        self.parent_access.birth_dates.clear()
        self.parent_access.staged.clear()
        self.group_scopes.clear()
        self.credential_issues.staged.clear()
        self.group_list_imports.staged.clear()
        self.role_assignments.staged.clear()


def fake_unit_of_work(store: FakeStore) -> ports.IdentityUnitOfWork:
    """Return a fake unit of work; mypy checks here that it satisfies the port."""
    return FakeUnitOfWork(store)


class FakeAccounts:
    """Keycloak in memory; `failing[method] = exc` makes that method raise; `refused_passwords` is how
    many of the next passwords the password policy refuses (as the deny-list's Bloom filter does with
    about one random password in ten thousand), each one that was refused is in `refused`."""

    def __init__(self) -> None:
        self.accounts: dict[str, dict[str, Any]] = {}
        self.deleted: list[str] = []
        self.logged_out: list[str] = []
        self.failing: dict[str, BaseException] = {}
        self.refused_passwords = 0
        self.refused: list[str] = []

    def _maybe_fail(self, method: str) -> None:
        if method in self.failing:
            raise self.failing[method]

    def by_username(self, username: str) -> dict[str, Any] | None:
        return next((a for a in self.accounts.values() if a["username"] == username), None)

    async def username_taken(self, username: str) -> bool:
        self._maybe_fail("username_taken")
        return self.by_username(username) is not None

    async def create_account(self, account: NewAccount) -> str:
        self._maybe_fail("create_account")
        if self.by_username(account.username) is not None:
            raise errors.UsernameTaken(account.username)
        account_id = str(uuid.uuid4())
        self.accounts[account_id] = {
            "id": account_id,
            "username": account.username,
            "first_name": account.first_name,
            "last_name": account.last_name,
            "email": account.email,
            "require_password_change": account.require_password_change,
            "password": None,
            "temporary": None,
            "roles": [],
        }
        return account_id

    async def set_password(self, account_id: str, password: str, *, temporary: bool) -> None:
        self._maybe_fail("set_password")
        if self.refused_passwords > 0:
            self.refused_passwords -= 1
            self.refused.append(password)
            raise errors.PasswordRejected()
        self.accounts[account_id].update(password=password, temporary=temporary)

    async def assign_role(self, account_id: str, role: str) -> None:
        self._maybe_fail("assign_role")
        self.accounts[account_id]["roles"].append(role)

    async def remove_role(self, account_id: str, role: str) -> None:
        self._maybe_fail("remove_role")
        self.accounts[account_id]["roles"].remove(role)

    async def account_id(self, username: str) -> str | None:
        self._maybe_fail("account_id")
        found = self.by_username(username)
        return None if found is None else str(found["id"])

    async def delete_account(self, account_id: str) -> None:
        self._maybe_fail("delete_account")
        self.accounts.pop(account_id, None)
        self.deleted.append(account_id)

    async def set_enabled(self, account_id: str, enabled: bool) -> None:
        self._maybe_fail("set_enabled")
        self.accounts.setdefault(account_id, {"id": account_id})["enabled"] = enabled

    async def end_sessions(self, account_id: str) -> None:
        self._maybe_fail("end_sessions")
        self.logged_out.append(account_id)
