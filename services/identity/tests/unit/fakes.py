"""In-memory stand-ins for the identity unit of work and for Keycloak, for millisecond handler tests."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any

from chassis import testing
from identity_service.application import ports
from identity_service.application.ports import NewAccount
from identity_service.domain import errors, life_cycle, model
from identity_service.domain.parent_access import ParentAccess
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


class FakeUnitOfWork(testing.FakeUnitOfWork):
    """Writes reach the store only on commit, like a transaction."""

    def __init__(self, store: FakeStore) -> None:
        super().__init__(store)
        self._store = store
        self.people = FakePeople(store)
        self.guardianships = FakeGuardianships(store)
        self.account_states = FakeAccountStates(store)
        self.parent_access = FakeParentAccess(store)
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

    def _discard_staged(self) -> None:
        super()._discard_staged()
        self.people.staged.clear()
        self.guardianships.staged.clear()
        self.account_states.staged.clear()
        self.parent_access.birth_dates.clear()
        self.parent_access.staged.clear()


def fake_unit_of_work(store: FakeStore) -> ports.IdentityUnitOfWork:
    """Return a fake unit of work; mypy checks here that it satisfies the port."""
    return FakeUnitOfWork(store)


class FakeAccounts:
    """Keycloak in memory; `failing[method] = exc` makes that method raise."""

    def __init__(self) -> None:
        self.accounts: dict[str, dict[str, Any]] = {}
        self.deleted: list[str] = []
        self.logged_out: list[str] = []
        self.failing: dict[str, BaseException] = {}

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
        self.accounts[account_id].update(password=password, temporary=temporary)

    async def assign_role(self, account_id: str, role: str) -> None:
        self._maybe_fail("assign_role")
        self.accounts[account_id]["roles"].append(role)

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
