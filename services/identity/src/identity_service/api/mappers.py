"""Conversions between protobuf messages and the identity domain objects."""

from __future__ import annotations

from ejournal.identity.v1 import identity_pb2 as pb
from ejournal.identity.v1 import identity_service_pb2 as spb

from identity_service.application.handlers import role_to_pb
from identity_service.domain import errors, model

_ROLE_FROM_PB: dict[int, model.Role] = {int(role_to_pb(role)): role for role in model.Role}


def role_from_pb(value: int) -> model.Role:
    """Return the domain role or raise RoleMissing for unspecified/unknown values."""
    role = _ROLE_FROM_PB.get(value)
    if role is None:
        raise errors.RoleMissing()
    return role


def person_to_pb(person: model.Person) -> pb.Person:
    """Map a person."""
    return pb.Person(
        person_id=str(person.id),
        username=person.username,
        role=role_to_pb(person.role),
        last_name=person.last_name,
        first_name=person.first_name,
        middle_name=person.middle_name,
        email=person.email or "",
    )


def person_name_to_pb(person: model.Person) -> spb.PersonName:
    """Map a person to their display name and role (no login, no contacts)."""
    return spb.PersonName(
        person_id=str(person.id),
        role=role_to_pb(person.role),
        last_name=person.last_name,
        first_name=person.first_name,
        middle_name=person.middle_name,
    )
