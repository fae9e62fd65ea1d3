"""Slice J: whom a subgroup's lesson on a date may concern, by the dated membership (migration 0019).
Kept apart from application/subgroup_membership.py so the write paths (marks, lessons) import it
without a cycle."""

from __future__ import annotations

import uuid
from datetime import date

from journal_service.application.ports import JournalUnitOfWork
from journal_service.domain import subgroup_membership as membership
from journal_service.domain import year


async def subgroup_members_on(uow: JournalUnitOfWork, subgroup_id: uuid.UUID, day: date) -> set[uuid.UUID]:
    """Return the students in the subgroup on `day`: whom a lesson of it that day may concern (marks,
    attendance, homework)."""
    return membership.members_on(await uow.subgroup_memberships.of_subgroup(subgroup_id), subgroup_id, day)


async def page_stays(
    uow: JournalUnitOfWork,
    group_id: uuid.UUID,
    subgroup_id: uuid.UUID | None,
    span: year.DateSpan,
    students: list[uuid.UUID],
) -> tuple[list[uuid.UUID], dict[uuid.UUID, list[membership.Stay]]]:
    """Return a page's students (the group's in the period; of a subgroup, those in it on one of its
    days) and each one's stays there: in the group, and for a subgroup also in the subgroup."""
    stays = await uow.subgroup_memberships.group_stays(group_id, span)
    if subgroup_id is None:
        return students, stays
    # The subgroup's memberships and its siblings' (same discipline): a start where a sibling's ended
    # is a transfer between them.
    subgroups = await uow.subgroups.of_group(group_id)
    discipline = next((s.discipline_id for s in subgroups if s.id == subgroup_id), None)
    siblings = {s.id for s in subgroups if s.discipline_id == discipline}
    dated = [m for m in await uow.subgroup_memberships.of_group(group_id) if m.subgroup_id in siblings]
    chosen: dict[uuid.UUID, list[membership.Stay]] = {}
    for student in students:
        shared = [
            both
            for in_group in stays.get(student, [])
            for in_subgroup in membership.subgroup_stays(dated, student, subgroup_id)
            if (both := membership.intersect(in_group, in_subgroup)) is not None and both.overlaps(span)
        ]
        if shared:
            chosen[student] = shared
    return [s for s in students if s in chosen], chosen
