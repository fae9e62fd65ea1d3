"""The mark dictionary is read once per TTL, not per mark, over real gRPC and PostgreSQL: a value the
college adds is accepted at once (a cached dictionary without the value is read afresh); one it removes
is refused at once (the marks' foreign key) as `unknown_mark_value`, never a 500, and nothing is
written."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from ejournal.journal.v1 import journal_service_pb2 as pb
from journal_service.adapters import orm
from journal_service.adapters.repositories import marks as marks_repository
from sqlalchemy import delete, insert, update

from .test_lessons_grpc import College, college, journal
from .test_marks_on_lessons_grpc import mark
from .test_year_structure_grpc import Journal, day

__all__ = ["journal"]  # the fixture, shared with the lessons' tests

pytestmark = pytest.mark.integration


class Clock:
    """The dictionary cache's clock, moved by the test instead of waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(marks_repository.DICTIONARIES, "clock", clock)
    return clock


def by_date(c: College, value: str) -> Any:
    return mark(c, "", value, group_id=c.group_id, discipline_id=c.math, lesson_date=day("2026-10-14"))


async def set_kinds(journal: Journal, statement: Any) -> None:
    async with journal.sessions() as s, s.begin():
        await s.execute(statement)


NEW_KIND = {
    "value": "зч",
    "title": "зачтено (новое)",
    "counts_in_average": False,
    "is_absence": False,
    "allowed_as_final": True,
    "sort_order": 99,
}


async def test_a_value_the_college_adds_is_accepted_at_once_though_the_dictionary_is_cached(
    journal: Journal, clock: Clock
) -> None:
    c = await college(journal)
    as_teacher = journal.md(c.teacher, "teacher")
    await journal.stub.RecordMark(by_date(c, "5"), metadata=as_teacher)  # the dictionary is read
    await set_kinds(journal, insert(orm.mark_kinds).values(**NEW_KIND))

    # Within the TTL: the cached dictionary lacks the value, so it is read afresh for this mark.
    clock.now += 1
    recorded = (await journal.stub.RecordMark(by_date(c, "зч"), metadata=as_teacher)).mark
    assert recorded.value == "зч"
    await journal.refused(  # a value that really is not in the dictionary is still refused
        journal.stub.RecordMark(by_date(c, "зя"), metadata=as_teacher),
        grpc.StatusCode.INVALID_ARGUMENT,
        "unknown_mark_value",
    )


async def test_a_value_the_college_removes_is_refused_at_once_and_nothing_is_written(
    journal: Journal, clock: Clock
) -> None:
    c = await college(journal)
    as_teacher = journal.md(c.teacher, "teacher")
    await set_kinds(journal, insert(orm.mark_kinds).values(**NEW_KIND))
    await journal.stub.RecordMark(by_date(c, "5"), metadata=as_teacher)  # read with «зч» in it
    await set_kinds(journal, delete(orm.mark_kinds).where(orm.mark_kinds.c.value == "зч"))

    marks_before = await journal.count(orm.marks)
    for _ in range(2):  # the cached dictionary, then the one read again after the refusal
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await journal.stub.RecordMark(by_date(c, "зч"), metadata=as_teacher)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "«зч» не предусмотрена" in (caught.value.details() or "")
    assert await journal.count(orm.marks) == marks_before
    assert (await journal.stub.RecordMark(by_date(c, "4"), metadata=as_teacher)).mark.value == "4"


async def test_a_kind_changed_to_count_no_more_leaves_the_diarys_average_once_the_ttl_passed(
    journal: Journal, clock: Clock
) -> None:
    c = await college(journal)
    as_teacher = journal.md(c.teacher, "teacher")
    for value in ("5", "3"):
        await journal.stub.RecordMark(by_date(c, value), metadata=as_teacher)

    async def mean() -> str:
        request = pb.ListStudentMarksRequest(student_id=c.students[0])
        diary = await journal.stub.ListStudentMarks(request, metadata=journal.md(c.students[0], "student"))
        return diary.averages[0].mean

    assert await mean() == "4.00"
    await set_kinds(
        journal, update(orm.mark_kinds).where(orm.mark_kinds.c.value == "3").values(counts_in_average=False)
    )
    clock.now += marks_repository.DICTIONARY_TTL_SECONDS - 1
    assert await mean() == "4.00", "the dictionary read before is used within the TTL"
    clock.now += 1
    assert await mean() == "5.00"
