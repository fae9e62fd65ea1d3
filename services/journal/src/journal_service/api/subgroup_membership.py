"""Protobuf forms of dated subgroup membership (slice J)."""

from __future__ import annotations

from ejournal.journal.v1 import journal_service_pb2 as pb

from journal_service.application.marks import local_date
from journal_service.domain.subgroup_membership import PageMembership, SubgroupMembership, SubgroupTransfer


def membership_to_pb(value: SubgroupMembership) -> pb.SubgroupMembership:
    """Return the membership's protobuf form (to_date unset while it lasts)."""
    found = pb.SubgroupMembership(
        subgroup_id=str(value.subgroup_id),
        student_id=str(value.student_id),
        from_date=local_date(value.from_date),
    )
    if value.to_date is not None:
        found.to_date.CopyFrom(local_date(value.to_date))
    return found


def transfer_to_pb(value: SubgroupTransfer) -> pb.MoveStudentBetweenSubgroupsResponse:
    """Return MoveStudentBetweenSubgroups' answer: the membership ended and the one started."""
    return pb.MoveStudentBetweenSubgroupsResponse(
        closed=membership_to_pb(value.closed), opened=membership_to_pb(value.opened)
    )


def page_membership_to_pb(value: PageMembership) -> pb.PageMembership:
    """Return a page student's joining and leaving within the page's dates (unset: outside them)."""
    found = pb.PageMembership(joined_by=value.joined_by, left_by=value.left_by)
    if value.joined_on is not None:
        found.joined_on.CopyFrom(local_date(value.joined_on))
    if value.left_on is not None:
        found.left_on.CopyFrom(local_date(value.left_on))
    return found
