"""Dated subgroup membership «состав подгруппы по датам» (R2.6, issue 7 item 8): who is in which
subgroup of a group's discipline on which date.

A student belongs to a subgroup from `from_date` (the first day in it) up to `to_date` (the first day
no longer in it; None while it lasts), as a group enrolment does (domain/movement.py). A transfer
between two subgroups of the same group and discipline is dated: the membership in force on the date
ends on it, the new one starts on it, and the history stays. Like group movements they are written in
date order: a transfer dated on or before the start of the student's latest membership there (or
before the end of an ended one) is refused `movement_overlaps`. Every reader and writer of a subgroup
lesson uses the membership on the lesson's date; a page over a period lists who belonged on any of
its days. Pure rules, no I/O.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from chassis.errors import FailedPrecondition, InvalidArgument

from journal_service.domain import year

SUBGROUP_TRANSFER = "subgroup_transfer"  # the kind a page shows for a transfer between subgroups


@dataclass(frozen=True)
class SubgroupMembership:
    """A student's membership of a subgroup from `from_date` up to (not including) `to_date`."""

    subgroup_id: uuid.UUID
    student_id: uuid.UUID
    from_date: date
    to_date: date | None = None

    def covers(self, day: date) -> bool:
        """Tell whether the student is in the subgroup on `day`."""
        return self.from_date <= day and (self.to_date is None or day < self.to_date)

    def overlaps(self, span: year.DateSpan) -> bool:
        """Tell whether the student is in the subgroup on any day of `span`."""
        return self.from_date <= span.ends_on and (self.to_date is None or self.to_date > span.starts_on)


def members_on(
    memberships: Iterable[SubgroupMembership], subgroup_id: uuid.UUID, day: date
) -> set[uuid.UUID]:
    """Return the students in the subgroup on `day` (the rule of every write on a subgroup lesson)."""
    return {m.student_id for m in memberships if m.subgroup_id == subgroup_id and m.covers(day)}


def members_within(
    memberships: Iterable[SubgroupMembership], subgroup_id: uuid.UUID, span: year.DateSpan
) -> set[uuid.UUID]:
    """Return the students in the subgroup on at least one day of `span` (a page's students)."""
    return {m.student_id for m in memberships if m.subgroup_id == subgroup_id and m.overlaps(span)}


@dataclass(frozen=True)
class SubgroupTransfer:
    """A transfer between subgroups: the membership it ends on `on_date` and the one it starts."""

    student_id: uuid.UUID
    group_id: uuid.UUID
    discipline_id: uuid.UUID
    closed: SubgroupMembership
    opened: SubgroupMembership

    @property
    def on_date(self) -> date:
        return self.opened.from_date


def plan_subgroup_transfer(
    *,
    student_id: uuid.UUID,
    source: year.Subgroup,
    target: year.Subgroup,
    on_date: date,
    memberships: Iterable[SubgroupMembership],
    in_group_on_date: bool,
) -> SubgroupTransfer:
    """Check a transfer from `source` to `target` on `on_date` against the student's memberships in the
    subgroups of that group and discipline, and return it; or raise the error naming what forbids it."""
    if source.id == target.id:
        raise TransferToSameSubgroup()
    if (source.group_id, source.discipline_id) != (target.group_id, target.discipline_id):
        raise SubgroupsNotAlike()
    if not in_group_on_date:
        raise StudentNotInGroupOnDate(on_date)
    own = [m for m in memberships if m.student_id == student_id]
    if any(m.from_date >= on_date or (m.to_date is not None and m.to_date > on_date) for m in own):
        raise MovementOverlaps()
    current = [m for m in own if m.subgroup_id == source.id and m.covers(on_date)]
    if not current:
        raise StudentNotInSubgroupOnDate(on_date)
    closed = SubgroupMembership(source.id, student_id, current[0].from_date, on_date)
    opened = SubgroupMembership(target.id, student_id, on_date, None)
    return SubgroupTransfer(student_id, source.group_id, source.discipline_id, closed, opened)


class TransferToSameSubgroup(InvalidArgument):
    """A transfer goes to another subgroup."""

    def __init__(self) -> None:
        super().__init__("Перевести можно только в другую подгруппу", code="transfer_to_same_subgroup")


class SubgroupsNotAlike(InvalidArgument):
    """Both subgroups belong to the same group and discipline."""

    def __init__(self) -> None:
        super().__init__(
            "Переводить можно только между подгруппами одной группы по одной дисциплине",
            code="subgroups_not_alike",
        )


class StudentNotInGroupOnDate(FailedPrecondition):
    """On the date the student is not in the subgroups' group."""

    def __init__(self, day: date) -> None:
        super().__init__(f"Обучающийся не числится в группе на {day:%d.%m.%Y}", code="student_not_in_group")


class StudentNotInSubgroupOnDate(FailedPrecondition):
    """On the date the student is not in the subgroup they would leave."""

    def __init__(self, day: date) -> None:
        super().__init__(
            f"Обучающийся не состоит в этой подгруппе на {day:%d.%m.%Y}", code="student_not_in_subgroup"
        )


class MovementOverlaps(FailedPrecondition):
    """A later (or same-day) subgroup membership of the student stands: transfers go in date order."""

    def __init__(self) -> None:
        super().__init__(
            "У обучающегося уже есть перевод между подгруппами в эту дату или позже; "
            "переводы вносятся по порядку дат",
            code="movement_overlaps",
        )


@dataclass(frozen=True)
class Stay:
    """A student's stay in a group (or a subgroup) from `starts_on` up to `ends_on` (the first day out;
    None while it lasts), with how it began and ended (a movement kind, SUBGROUP_TRANSFER, or "")."""

    starts_on: date
    ends_on: date | None
    joined_by: str = ""
    left_by: str = ""

    def overlaps(self, span: year.DateSpan) -> bool:
        return self.starts_on <= span.ends_on and (self.ends_on is None or self.ends_on > span.starts_on)

    def covers(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day < self.ends_on)


def intersect(a: Stay, b: Stay) -> Stay | None:
    """Return the days both stays share (the later start, the earlier end, with their kinds), or None."""
    start, joined = (a.starts_on, a.joined_by) if a.starts_on >= b.starts_on else (b.starts_on, b.joined_by)
    ends = [(s.ends_on, s.left_by) for s in (a, b) if s.ends_on is not None]
    end, left = min(ends, key=lambda e: e[0]) if ends else (None, "")
    if end is not None and end <= start:
        return None
    return Stay(start, end, joined, left)


def subgroup_stays(
    memberships: Iterable[SubgroupMembership], student_id: uuid.UUID, subgroup_id: uuid.UUID
) -> list[Stay]:
    """Return the student's stays in the subgroup; a start on the day a stay in a sibling subgroup
    ended, and any end, are transfers between subgroups."""
    own = [m for m in memberships if m.student_id == student_id]
    ended = {m.to_date for m in own if m.to_date is not None}
    return [
        Stay(
            m.from_date,
            m.to_date,
            SUBGROUP_TRANSFER if m.from_date in ended else "",
            SUBGROUP_TRANSFER if m.to_date is not None else "",
        )
        for m in own
        if m.subgroup_id == subgroup_id
    ]


@dataclass(frozen=True)
class PageMembership:
    """When a page's student joined or left within the page's dates (None: before / after them)."""

    joined_on: date | None = None
    left_on: date | None = None
    joined_by: str = ""
    left_by: str = ""


def page_membership(stays: Iterable[Stay], span: year.DateSpan) -> PageMembership:
    """Return the student's first joining and last leaving that fall within `span`."""
    inside = [s for s in stays if s.overlaps(span)]
    if not inside:
        return PageMembership()
    first = min(inside, key=lambda s: s.starts_on)
    last = max(inside, key=lambda s: s.ends_on or date.max)
    joined = first.starts_on if first.starts_on > span.starts_on else None
    left = last.ends_on if last.ends_on is not None and last.ends_on <= span.ends_on else None
    return PageMembership(
        joined_on=joined,
        left_on=left,
        joined_by=(first.joined_by or "enrolment") if joined else "",
        left_by=last.left_by if left else "",
    )
