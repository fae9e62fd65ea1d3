"""Dated subgroup membership (slice J): the rules of a transfer between subgroups, who is in a
subgroup on a date and within a period, and what a page shows of joining and leaving."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from chassis.errors import FailedPrecondition, InvalidArgument
from journal_service.domain import finals, year
from journal_service.domain import subgroup_membership as sm

GROUP, ENGLISH, GERMAN = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
FIRST = year.Subgroup(uuid.uuid4(), GROUP, ENGLISH, "подгруппа 1", ())
SECOND = year.Subgroup(uuid.uuid4(), GROUP, ENGLISH, "подгруппа 2", ())
OTHER = year.Subgroup(uuid.uuid4(), GROUP, GERMAN, "подгруппа 1", ())
STUDENT = uuid.uuid4()
SEPT, NOV10 = date(2026, 9, 1), date(2026, 11, 10)


def plan(source: year.Subgroup, target: year.Subgroup, day: date, memberships: list[sm.SubgroupMembership],
         in_group: bool = True) -> sm.SubgroupTransfer:  # fmt: skip
    return sm.plan_subgroup_transfer(
        student_id=STUDENT,
        source=source,
        target=target,
        on_date=day,
        memberships=memberships,
        in_group_on_date=in_group,
    )


def test_a_transfer_ends_the_membership_in_force_on_its_date_and_starts_the_new_one() -> None:
    moved = plan(FIRST, SECOND, NOV10, [sm.SubgroupMembership(FIRST.id, STUDENT, SEPT)])
    assert moved.closed == sm.SubgroupMembership(FIRST.id, STUDENT, SEPT, NOV10)
    assert moved.opened == sm.SubgroupMembership(SECOND.id, STUDENT, NOV10, None)
    assert (moved.group_id, moved.discipline_id, moved.on_date) == (GROUP, ENGLISH, NOV10)


@pytest.mark.parametrize(
    ("source", "target", "day", "memberships", "in_group", "error", "code"),
    [
        (FIRST, FIRST, NOV10, [sm.SubgroupMembership(FIRST.id, STUDENT, SEPT)], True, InvalidArgument,
         "transfer_to_same_subgroup"),
        (FIRST, OTHER, NOV10, [sm.SubgroupMembership(FIRST.id, STUDENT, SEPT)], True, InvalidArgument,
         "subgroups_not_alike"),
        (FIRST, SECOND, NOV10, [sm.SubgroupMembership(FIRST.id, STUDENT, SEPT)], False, FailedPrecondition,
         "student_not_in_group"),
        (SECOND, FIRST, NOV10, [sm.SubgroupMembership(FIRST.id, STUDENT, SEPT)], True, FailedPrecondition,
         "student_not_in_subgroup"),
        (FIRST, SECOND, NOV10, [], True, FailedPrecondition, "student_not_in_subgroup"),
        # On the day the membership began, or before a later one: movements go in date order.
        (FIRST, SECOND, SEPT, [sm.SubgroupMembership(FIRST.id, STUDENT, SEPT)], True, FailedPrecondition,
         "movement_overlaps"),
        (SECOND, FIRST, date(2026, 11, 5),
         [sm.SubgroupMembership(FIRST.id, STUDENT, SEPT, NOV10), sm.SubgroupMembership(SECOND.id, STUDENT, NOV10)],
         True, FailedPrecondition, "movement_overlaps"),
        (SECOND, FIRST, NOV10,
         [sm.SubgroupMembership(FIRST.id, STUDENT, SEPT, NOV10), sm.SubgroupMembership(SECOND.id, STUDENT, NOV10)],
         True, FailedPrecondition, "movement_overlaps"),
    ],
)  # fmt: skip
def test_a_transfer_is_refused_with_the_reason(
    source: year.Subgroup,
    target: year.Subgroup,
    day: date,
    memberships: list[sm.SubgroupMembership],
    in_group: bool,
    error: type[Exception],
    code: str,
) -> None:
    with pytest.raises(error) as refused:
        plan(source, target, day, memberships, in_group)
    assert getattr(refused.value, "code", None) == code


def test_a_student_moved_back_later_belongs_again_from_that_date() -> None:
    history = [
        sm.SubgroupMembership(FIRST.id, STUDENT, SEPT, NOV10),
        sm.SubgroupMembership(SECOND.id, STUDENT, NOV10),
    ]
    back = plan(SECOND, FIRST, date(2026, 12, 1), history)
    assert back.opened == sm.SubgroupMembership(FIRST.id, STUDENT, date(2026, 12, 1), None)


def test_members_on_a_date_and_within_a_period_follow_the_dates() -> None:
    other = uuid.uuid4()
    rows = [
        sm.SubgroupMembership(FIRST.id, STUDENT, SEPT, NOV10),
        sm.SubgroupMembership(SECOND.id, STUDENT, NOV10),
        sm.SubgroupMembership(FIRST.id, other, SEPT),
    ]
    assert sm.members_on(rows, FIRST.id, date(2026, 11, 9)) == {STUDENT, other}
    assert sm.members_on(rows, FIRST.id, NOV10) == {other}
    assert sm.members_on(rows, SECOND.id, date(2026, 11, 9)) == set()
    assert sm.members_on(rows, SECOND.id, NOV10) == {STUDENT}
    november = year.DateSpan(date(2026, 11, 1), date(2026, 11, 30))
    assert sm.members_within(rows, FIRST.id, november) == {STUDENT, other}
    assert sm.members_within(rows, FIRST.id, year.DateSpan(NOV10, date(2026, 11, 30))) == {other}
    assert sm.members_within(rows, SECOND.id, year.DateSpan(SEPT, date(2026, 11, 9))) == set()


def test_a_page_shows_joining_and_leaving_within_its_dates_with_their_kind() -> None:
    november = year.DateSpan(date(2026, 11, 1), date(2026, 11, 30))
    rows = [
        sm.SubgroupMembership(FIRST.id, STUDENT, SEPT, NOV10),
        sm.SubgroupMembership(SECOND.id, STUDENT, NOV10),
    ]
    in_group = sm.Stay(SEPT, None, "", "")
    left = [sm.intersect(in_group, s) for s in sm.subgroup_stays(rows, STUDENT, FIRST.id)]
    joined = [sm.intersect(in_group, s) for s in sm.subgroup_stays(rows, STUDENT, SECOND.id)]
    assert sm.page_membership([s for s in left if s], november) == sm.PageMembership(
        None, NOV10, "", sm.SUBGROUP_TRANSFER
    )
    assert sm.page_membership([s for s in joined if s], november) == sm.PageMembership(
        NOV10, None, sm.SUBGROUP_TRANSFER, ""
    )
    # Outside the page's dates nothing shows; a plain enrolment within them is «зачислен».
    assert (
        sm.page_membership([s for s in left if s], year.DateSpan(SEPT, date(2026, 10, 31)))
        == sm.PageMembership()
    )
    late = sm.Stay(date(2026, 11, 5), None, "", "")
    assert sm.page_membership([late], november) == sm.PageMembership(date(2026, 11, 5), None, "enrolment", "")
    # A transfer out of the group ends the stay with its kind (the earlier end of the two wins).
    out = sm.intersect(sm.Stay(SEPT, date(2026, 11, 20), "", "transfer"), sm.Stay(SEPT, None))
    assert out == sm.Stay(SEPT, date(2026, 11, 20), "", "transfer")
    assert sm.intersect(sm.Stay(SEPT, NOV10), sm.Stay(NOV10, None)) is None


def test_an_exam_a_graded_credit_and_the_years_final_are_marks_of_record_by_their_kind() -> None:
    """Slice J (issue 7 item 1): where a final is shown alone (ProposeFinals, SetFinal, GetFinalHistory)
    it says whether it is the mark of record by its kind."""

    def final(kind: finals.FinalKind) -> finals.Final:
        return finals.Final(
            id=uuid.uuid4(),
            student_id=STUDENT,
            group_id=GROUP,
            discipline_id=ENGLISH,
            period=finals.FinalPeriod(uuid.uuid4(), 1, kind),
            value="5",
            proposed_value=None,
            rule_version=1,
            set_by=uuid.uuid4(),
            marks_count=5,
            required_marks=5,
        )

    recorded = {kind for kind in finals.FinalKind if finals.of_record_by_kind(final(kind))}
    assert recorded == {finals.FinalKind.EXAM, finals.FinalKind.DIFFERENTIATED_CREDIT, finals.FinalKind.YEAR}
