"""The curriculum («учебный план», R2.1) over real gRPC and PostgreSQL: replaced whole by the admin,
read by the group's readers by semester and discipline code, every refusal with its code and nothing
written, the event with ids and counts only."""

from __future__ import annotations

from typing import Any

import grpc
from ejournal.journal.v1 import events_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from journal_service.adapters import orm

from .test_lessons_grpc import college
from .test_year_structure_grpc import INVALID, Journal, journal

__all__ = ["journal"]

NOT_FOUND = grpc.StatusCode.NOT_FOUND
DENIED = grpc.StatusCode.PERMISSION_DENIED


def row(discipline_id: str, semester: int = 1, **changes: Any) -> pb.CurriculumRow:
    fields: dict[str, Any] = {
        "discipline_id": discipline_id,
        "semester": semester,
        "total_hours": 72,
        "weekly_hours": 4,
        "control_form": pb.CONTROL_FORM_EXAM,
    }
    fields.update(changes)
    return pb.CurriculumRow(**fields)


async def test_the_plan_is_replaced_whole_read_by_its_readers_and_bad_rows_write_nothing(
    journal: Journal,
) -> None:
    c = await college(journal)
    stub = journal.stub
    year_id = (
        (await stub.ListAcademicYears(pb.ListAcademicYearsRequest(), metadata=journal.admin)).years[0].year_id
    )
    rows = [
        row(c.math, 2, control_form=pb.CONTROL_FORM_DIFFERENTIATED_CREDIT),
        row(c.math, 1, control_form=pb.CONTROL_FORM_NONE, weekly_hours=0),
        row(c.english, 1, total_hours=36, weekly_hours=2, control_form=pb.CONTROL_FORM_CREDIT),
    ]
    request = pb.SetCurriculumRequest(group_id=c.group_id, year_id=year_id, rows=rows)
    before = len(await journal.outbox())
    stored = (await stub.SetCurriculum(request, metadata=journal.admin)).rows
    # ЕН.01 before ОГСЭ.03 in semester 1, then semester 2.
    assert list(stored) == [rows[1], rows[2], rows[0]]
    (subject, payload), *_ = (await journal.outbox())[before:]
    event = events_pb2.CurriculumSet.FromString(payload)
    assert (subject, event.group_id, event.year_id, event.row_count) == (
        "journal.curriculum.set.v1",
        c.group_id,
        year_id,
        3,
    )
    await stub.SetCurriculum(
        pb.SetCurriculumRequest(group_id=c.group_id, year_id=year_id, rows=rows[2:]), metadata=journal.admin
    )
    assert await journal.count(orm.curriculum_items) == 1
    get = pb.GetCurriculumRequest(group_id=c.group_id, year_id=year_id)
    for reader in (
        journal.admin,
        journal.md(c.teacher, "teacher"),
        journal.md(c.class_teacher, "class_teacher"),
        journal.md(journal.people.new("curator"), "curator"),
    ):
        assert list((await stub.GetCurriculum(get, metadata=reader)).rows) == rows[2:]

    def put(*bad: pb.CurriculumRow, group_id: str = c.group_id, year: str = year_id) -> Any:
        return stub.SetCurriculum(
            pb.SetCurriculumRequest(group_id=group_id, year_id=year, rows=[rows[0], *bad]),
            metadata=journal.admin,
        )

    unknown = "00000000-0000-4000-8000-000000000000"
    for call, status, code in [
        (put(row(c.math, 3)), INVALID, "invalid_semester"),
        (put(row(c.english, total_hours=0)), INVALID, "invalid_total_hours"),
        (put(row(c.english, weekly_hours=60)), INVALID, "invalid_weekly_hours"),
        (put(row(c.english, control_form=pb.CONTROL_FORM_UNSPECIFIED)), INVALID, "invalid_control_form"),
        (put(row(c.english, control_form=99)), INVALID, "invalid_control_form"),  # type: ignore[arg-type]
        (put(row(c.math, 2)), INVALID, "duplicate_curriculum_row"),
        (put(row(unknown)), NOT_FOUND, "discipline_not_found"),
        (put(row("не uuid")), INVALID, "invalid_discipline_id"),
        (put(*[row(c.english)] * 300), INVALID, "too_many_curriculum_rows"),
        (put(group_id=unknown), NOT_FOUND, "group_not_found"),
        (put(year=unknown), NOT_FOUND, "academic_year_not_found"),
    ]:
        await journal.refused(call, status, code)
    assert list((await stub.GetCurriculum(get, metadata=journal.admin)).rows) == rows[2:]
    await journal.refused(
        stub.GetCurriculum(
            pb.GetCurriculumRequest(group_id=c.group_id, year_id=unknown), metadata=journal.admin
        ),
        NOT_FOUND,
        "academic_year_not_found",
    )
