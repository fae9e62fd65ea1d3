"""Protobuf mapping of scoped role assignments (slice H4, ADR 0012)."""

from __future__ import annotations

import uuid

from chassis.validation import parse_uuid
from ejournal.identity.v1 import identity_pb2 as pb
from ejournal.identity.v1 import identity_service_pb2 as spb

from identity_service.api import mappers
from identity_service.application.role_assignments import StaffMember, role_pb, scope_to_pb
from identity_service.domain import role_assignments as ra

_KIND_FROM_PB = {int(pb.ScopeKind.Value(f"SCOPE_KIND_{kind.name}")): kind for kind in ra.ScopeKind}


def _optional_id(value: str, field: str) -> uuid.UUID | None:
    return parse_uuid(value, field) if value else None


def scope_from_pb(scope: pb.RoleScope) -> ra.Scope:
    """Return the domain scope, or raise ScopeMissing / ScopeInvalid / a malformed id's error."""
    kind = _KIND_FROM_PB.get(scope.kind)
    if kind is None:
        raise ra.ScopeMissing()
    return ra.new_scope(
        kind,
        department_id=_optional_id(scope.department_id, "scope.department_id"),
        group_id=_optional_id(scope.group_id, "scope.group_id"),
        discipline_id=_optional_id(scope.discipline_id, "scope.discipline_id"),
    )


def assignment_to_pb(assignment: ra.RoleAssignment) -> spb.RoleAssignment:
    """Map an assignment."""
    return spb.RoleAssignment(
        assignment_id=str(assignment.id),
        person_id=str(assignment.person_id),
        role=role_pb(assignment.role),
        scope=scope_to_pb(assignment.scope),
        assigned_at=assignment.assigned_at.isoformat() if assignment.assigned_at else "",
        assigned_by=assignment.assigned_by,
    )


def staff_member_to_pb(member: StaffMember) -> spb.StaffMember:
    """Map a member of staff with their assignments and account state."""
    return spb.StaffMember(
        person=mappers.person_name_to_pb(member.person),
        username=member.person.username,
        assignments=[assignment_to_pb(a) for a in member.assignments],
        enabled=member.enabled,
    )
