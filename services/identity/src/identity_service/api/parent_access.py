"""Protobuf mapping of adult students' consents to their parents' access (issue 8 item 5)."""

from __future__ import annotations

from datetime import datetime

from ejournal.identity.v1 import identity_service_pb2 as pb

from identity_service.domain import model
from identity_service.domain.parent_access import ParentAccess


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment is not None else ""


def parent_access_to_pb(
    parent: ParentAccess, access: bool, name: model.Person | None = None
) -> pb.ParentAccess:
    """Return the link's consent and whether the parent reads the student's data today (with the
    parent's name when given)."""
    names = (
        {"last_name": name.last_name, "first_name": name.first_name, "middle_name": name.middle_name}
        if name
        else {}
    )
    return pb.ParentAccess(
        parent_id=str(parent.parent_id),
        consent=parent.consent,
        granted_at=_iso(parent.granted_at),
        # A withdrawal followed by a new grant is not "withdrawn since": shown only while withdrawn.
        withdrawn_at=_iso(parent.withdrawn_at) if not parent.consent else "",
        access=access,
        **names,
    )
