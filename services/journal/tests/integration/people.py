"""Identity's people as the journal's integration tests need them (identity itself is proven by the
end-to-end test): a stand-in for the PersonDirectory port that knows the people a test made."""

from __future__ import annotations

import uuid
from collections.abc import Collection


class KnownPeople:
    """People and roles a test registered; the journal asks for them as for identity's."""

    def __init__(self) -> None:
        self.roles: dict[uuid.UUID, str] = {}
        # The ids each roles_of call asked for.
        self.asked: list[list[uuid.UUID]] = []

    def new(self, role: str) -> str:
        """Register a new person with the role; return their id."""
        person_id = uuid.uuid4()
        self.roles[person_id] = role
        return str(person_id)

    async def roles_of(self, person_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        self.asked.append(list(person_ids))
        return {p: self.roles[p] for p in person_ids if p in self.roles}

    async def page(
        self, after: uuid.UUID | None, size: int
    ) -> tuple[list[tuple[uuid.UUID, str]], uuid.UUID | None]:
        chosen = sorted(p for p in self.roles if after is None or p > after)[:size]
        return [(p, self.roles[p]) for p in chosen], chosen[-1] if len(chosen) == size else None
