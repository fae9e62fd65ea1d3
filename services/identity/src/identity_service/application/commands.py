"""Commands and queries of the identity service: small immutable requests to the application layer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from identity_service.domain.model import Person, Role


@dataclass(frozen=True)
class CreatePerson:
    """Create a person with a Keycloak account.

    `username` and `password` are set only by the admin CLI (bootstrap and demo accounts): a given
    password is permanent; without one a temporary password is generated and must be changed.
    """

    role: Role
    last_name: str
    first_name: str
    middle_name: str = ""
    email: str = ""
    username: str | None = None
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class CreatedPerson:
    """The person created and the temporary password to hand over (empty when it was given)."""

    person: Person
    temporary_password: str = field(repr=False)


@dataclass(frozen=True)
class GetPerson:
    """Read one person."""

    person_id: uuid.UUID


@dataclass(frozen=True)
class FindPersonByUsername:
    """Read one person by login (admin CLI)."""

    username: str


@dataclass(frozen=True)
class LinkGuardian:
    """Link a parent to a student."""

    parent_id: uuid.UUID
    student_id: uuid.UUID


@dataclass(frozen=True)
class ListGuardians:
    """List the parents of a student (with `readable_only`, those the rule lets read their data today)."""

    student_id: uuid.UUID
    readable_only: bool = False


@dataclass(frozen=True)
class CheckGuardianship:
    """Tell whether a parent is linked to a student."""

    parent_id: uuid.UUID
    student_id: uuid.UUID


@dataclass(frozen=True)
class ListPersonRoles:
    """Read person ids and roles in id order (another service's projection); `person_ids` narrows it."""

    person_ids: tuple[uuid.UUID, ...]
    after_person_id: uuid.UUID | None
    page_size: int


@dataclass(frozen=True)
class ListChildren:
    """List the students linked to a parent."""

    parent_id: uuid.UUID


@dataclass(frozen=True)
class SearchPeople:
    """Find people by the start of their names (the folded words of the query), optionally of a role."""

    words: tuple[str, ...]
    role: Role | None
    page_size: int


@dataclass(frozen=True)
class GetPeople:
    """Read the display names of people by id."""

    person_ids: tuple[uuid.UUID, ...]
