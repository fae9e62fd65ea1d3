"""Removing a teaching load and finding disciplines (issue 6 item 9) over real gRPC and PostgreSQL: a
load without history removed with its event and audit; one with its teacher's lessons kept
(load_has_lessons); one in the timetable waiting for its entries (load_in_timetable); disciplines
by a prefix of the code or of a word of the name, ё = е, a page that says it was cut; bad input refused
with its code and nothing written."""

from __future__ import annotations

import grpc
import pytest
from chassis.grpc_client import error_code_of
from ejournal.audit.v1.events_pb2 import AuditRecorded
from ejournal.journal.v1 import events_pb2
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as pb
from journal_service.adapters import orm

from .test_lessons_grpc import college, journal, lesson_request
from .test_year_structure_grpc import INVALID, Journal

__all__ = ["journal"]  # the fixture, shared with the lessons' tests

pytestmark = pytest.mark.integration
FAILED = grpc.StatusCode.FAILED_PRECONDITION
NOT_FOUND = grpc.StatusCode.NOT_FOUND


async def refused(call: object) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await call  # type: ignore[misc]
    return error.value.code(), error_code_of(error.value)


async def test_a_load_is_removed_unless_it_holds_lessons_or_the_timetable_uses_it(journal: Journal) -> None:
    c = await college(journal)
    stub, admin = journal.stub, journal.admin
    newcomer = journal.people.new("teacher")
    assigned = await stub.AssignTeachingLoad(
        pb.AssignTeachingLoadRequest(teacher_id=newcomer, group_id=c.group_id, discipline_id=c.math),
        metadata=admin,
    )
    load_id = assigned.load.load_id
    before = len(await journal.outbox())

    removed = await stub.RemoveTeachingLoad(pb.RemoveTeachingLoadRequest(load_id=load_id), metadata=admin)
    assert (removed.load.load_id, removed.load.teacher_id) == (load_id, newcomer)
    loads = await stub.ListTeachingLoads(pb.ListTeachingLoadsRequest(group_id=c.group_id), metadata=admin)
    assert newcomer not in {load.teacher_id for load in loads.loads}
    rows = (await journal.outbox())[before:]
    assert [subject for subject, _ in rows] == ["journal.load.removed.v1", "audit.journal.recorded.v1"]
    event = events_pb2.TeachingLoadRemoved.FromString(rows[0][1])
    assert (event.load_id, event.teacher_id, event.group_id, event.discipline_id, event.subgroup_id) == (
        load_id,
        newcomer,
        c.group_id,
        c.math,
        "",
    )
    audit = AuditRecorded.FromString(rows[1][1])
    assert (audit.action, audit.actor_id, audit.resource_type, audit.resource_id) == (
        "load.removed",
        journal.admin_id,
        "teaching_load",
        load_id,
    )
    again = stub.RemoveTeachingLoad(pb.RemoveTeachingLoadRequest(load_id=load_id), metadata=admin)
    assert await refused(again) == (NOT_FOUND, "load_not_found")

    # The math teacher recorded a lesson: their load keeps the journal's history.
    await stub.RecordLesson(lesson_request(c), metadata=journal.md(c.teacher, "teacher"))
    math_load = next(load for load in loads.loads if load.teacher_id == c.teacher)
    loads_before = await journal.count(orm.teaching_loads)
    outbox_before = len(await journal.outbox())
    held = stub.RemoveTeachingLoad(pb.RemoveTeachingLoadRequest(load_id=math_load.load_id), metadata=admin)
    assert await refused(held) == (FAILED, "load_has_lessons")

    # The English teacher's load is in the timetable: removed once its entries are.
    english_load = next(load for load in loads.loads if load.teacher_id == c.english_teacher)
    years = await stub.ListAcademicYears(pb.ListAcademicYearsRequest(), metadata=admin)
    entry = pb.TimetableEntry(weekday=1, pair_number=1, discipline_id=c.english, teacher_id=c.english_teacher)
    timetable = pb.SetGroupTimetableRequest(
        group_id=c.group_id, year_id=years.years[0].year_id, semester=1, entries=[entry]
    )
    await stub.SetGroupTimetable(timetable, metadata=admin)
    in_timetable = stub.RemoveTeachingLoad(
        pb.RemoveTeachingLoadRequest(load_id=english_load.load_id), metadata=admin
    )
    assert await refused(in_timetable) == (FAILED, "load_in_timetable")
    assert await journal.count(orm.teaching_loads) == loads_before
    assert len(await journal.outbox()) == outbox_before + 1  # the timetable's event only
    del timetable.entries[:]
    await stub.SetGroupTimetable(timetable, metadata=admin)
    await stub.RemoveTeachingLoad(pb.RemoveTeachingLoadRequest(load_id=english_load.load_id), metadata=admin)
    assert await journal.count(orm.teaching_loads) == loads_before - 1

    bad = stub.RemoveTeachingLoad(pb.RemoveTeachingLoadRequest(load_id="нагрузка"), metadata=admin)
    assert await refused(bad) == (INVALID, "invalid_load_id")


async def test_disciplines_are_found_by_a_prefix_of_the_code_or_of_a_word_of_the_name(
    journal: Journal,
) -> None:
    stub, admin = journal.stub, journal.admin
    for code, name in (
        ("ОП.01", "Математика"),
        ("ОП.02", "Основы учёта и аудита"),
        ("ОГСЭ.04", "Физическая культура"),
        ("МДК.01.01", "Технология разработки (программного) обеспечения"),
    ):
        request = pb.CreateDisciplineRequest(code=code, name=name, kind=jpb.DISCIPLINE_KIND_DISCIPLINE)
        await stub.CreateDiscipline(request, metadata=admin)
    as_teacher = journal.md(journal.people.new("teacher"), "teacher")

    async def codes(query: str, page_size: int = 0) -> tuple[list[str], bool]:
        request = pb.FindDisciplinesRequest(query=query, page_size=page_size)
        found = await stub.FindDisciplines(request, metadata=as_teacher)
        return [d.code for d in found.disciplines], found.truncated

    assert await codes("") == (["МДК.01.01", "ОГСЭ.04", "ОП.01", "ОП.02"], False)
    assert await codes("оп.0", page_size=1) == (["ОП.01"], True)
    assert await codes("ОП") == (["ОП.01", "ОП.02"], False)
    assert await codes("  УЧЕТ ") == (["ОП.02"], False)
    assert await codes("физическая кул") == (["ОГСЭ.04"], False)
    assert await codes("программ") == (["МДК.01.01"], False)
    assert await codes("матиматика") == ([], False)
    assert await codes("%") == ([], False)
    assert await codes("_") == ([], False)

    too_long = stub.FindDisciplines(pb.FindDisciplinesRequest(query="я" * 65), metadata=as_teacher)
    assert await refused(too_long) == (INVALID, "discipline_query_too_long")
    too_many = stub.FindDisciplines(pb.FindDisciplinesRequest(page_size=201), metadata=as_teacher)
    assert await refused(too_many) == (INVALID, "invalid_page_size")
    as_student = journal.md(journal.people.new("student"), "student")
    student = stub.FindDisciplines(pb.FindDisciplinesRequest(query="оп"), metadata=as_student)
    assert await refused(student) == (grpc.StatusCode.PERMISSION_DENIED, "role_required")
