"""The demonstration exam (issue 7 item 4) over real gRPC and PostgreSQL: the migration's default table,
points → percent → mark kept with the table's version, a new version that leaves recorded results as
they were, the events and audits in the outbox, every refusal with its code writing nothing."""

from __future__ import annotations

import grpc
import pytest
from chassis.grpc_client import error_code_of
from ejournal.audit.v1.events_pb2 import AuditRecorded
from ejournal.journal.v1 import events_pb2
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as pb
from journal_service.adapters import orm
from sqlalchemy import func, select

from .test_lessons_grpc import College, college, journal
from .test_year_structure_grpc import INVALID, Journal, day

__all__ = ["journal"]

pytestmark = pytest.mark.integration
AUDIT = "audit.journal.recorded.v1"
FAILED, NOT_FOUND, EXISTS, DENIED = (
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.ALREADY_EXISTS,
    grpc.StatusCode.PERMISSION_DENIED,
)


async def demo_exam_college(journal: Journal) -> tuple[College, str]:
    """The lessons' college with its plan: mathematics ends semester 1 with a demonstration exam,
    English with an exam."""
    c = await college(journal)
    year_id = (
        (await journal.stub.ListAcademicYears(pb.ListAcademicYearsRequest(), metadata=journal.admin))
        .years[0]
        .year_id
    )
    await journal.stub.SetCurriculum(
        pb.SetCurriculumRequest(
            group_id=c.group_id,
            year_id=year_id,
            rows=[
                pb.CurriculumRow(
                    discipline_id=c.math,
                    semester=1,
                    total_hours=72,
                    weekly_hours=4,
                    control_form=pb.CONTROL_FORM_DEMONSTRATION_EXAM,
                ),
                pb.CurriculumRow(
                    discipline_id=c.english,
                    semester=1,
                    total_hours=36,
                    weekly_hours=2,
                    control_form=pb.CONTROL_FORM_EXAM,
                ),
            ],
        ),
        metadata=journal.admin,
    )
    return c, year_id


def result_request(
    c: College, year_id: str, student: str, points: str, **changes: object
) -> pb.RecordDemoExamResultRequest:
    fields: dict[str, object] = {
        "group_id": c.group_id,
        "discipline_id": c.math,
        "year_id": year_id,
        "semester": 1,
        "student_id": student,
        "points": points,
        "maximum": "80",
        "exam_date": day("2026-10-14"),
    }
    fields.update(changes)
    return pb.RecordDemoExamResultRequest(**fields)  # type: ignore[arg-type]


async def test_results_keep_their_table_version_when_a_new_table_is_set(journal: Journal) -> None:
    c, year_id = await demo_exam_college(journal)
    stub, as_teacher = journal.stub, journal.md(c.teacher, "teacher")
    default = (await stub.GetDemoExamScale(pb.GetDemoExamScaleRequest(), metadata=as_teacher)).scale
    assert (default.version, default.author_id) == (1, "")
    assert [(b.from_percent, b.to_percent, b.mark) for b in default.bands] == [
        ("0", "19.99", "2"),
        ("20", "39.99", "3"),
        ("40", "69.99", "4"),
        ("70", "100", "5"),
    ]
    before = len(await journal.outbox())
    # 31.99 of 80 is 39.99 % → 3 by the default table; 32 of 80 is 40 % → 4.
    first = (
        await stub.RecordDemoExamResult(
            result_request(c, year_id, c.students[0], "31.99"), metadata=as_teacher
        )
    ).result
    edge = (
        await stub.RecordDemoExamResult(result_request(c, year_id, c.students[1], "32"), metadata=as_teacher)
    ).result
    assert (first.percent, first.mark, first.scale_version, first.points, first.maximum) == (
        "39.99",
        "3",
        1,
        "31.99",
        "80",
    )
    assert (edge.percent, edge.mark) == ("40.00", "4")

    stricter = [
        pb.DemoExamBand(from_percent="0", to_percent="49.99", mark="2"),
        pb.DemoExamBand(from_percent="50", to_percent="100", mark="5"),
    ]
    scale = (
        await stub.SetDemoExamScale(
            pb.SetDemoExamScaleRequest(bands=stricter, effective_from=day("2026-10-01")),
            metadata=journal.admin,
        )
    ).scale
    assert (scale.version, scale.author_id, scale.effective_from) == (2, journal.admin_id, day("2026-10-01"))
    later = (
        await stub.RecordDemoExamResult(result_request(c, year_id, c.students[2], "32"), metadata=as_teacher)
    ).result
    assert (later.mark, later.scale_version) == ("2", 2)

    listed = await stub.ListDemoExamResults(
        pb.ListDemoExamResultsRequest(group_id=c.group_id, discipline_id=c.math, year_id=year_id, semester=1),
        metadata=journal.md(c.class_teacher, "class_teacher"),
    )
    by_student = {r.student_id: (r.mark, r.scale_version, r.percent) for r in listed.results}
    assert by_student == {
        c.students[0]: ("3", 1, "39.99"),
        c.students[1]: ("4", 1, "40.00"),
        c.students[2]: ("2", 2, "40.00"),
    }
    async with journal.sessions() as s:
        rows = (
            await s.execute(select(orm.demo_exam_results.c.student_id, orm.demo_exam_results.c.mark))
        ).all()
        versions = await s.scalar(select(func.count()).select_from(orm.demo_exam_scales))
    assert sorted((str(r.student_id), r.mark) for r in rows) == sorted(
        [(c.students[0], "3"), (c.students[1], "4"), (c.students[2], "2")]
    )
    assert versions == 2
    old = (await stub.GetDemoExamScale(pb.GetDemoExamScaleRequest(version=1), metadata=journal.admin)).scale
    assert old == default

    rows_out = (await journal.outbox())[before:]
    # Each result is also the student's final of the demonstration exam (slice A's SetFinal, same
    # transaction): its event and audit come first.
    recorded = ["journal.final.set.v1", AUDIT, "journal.demo_exam.recorded.v1", AUDIT]
    assert [s for s, _ in rows_out] == [
        *recorded,
        *recorded,
        "journal.demo_exam_scale.set.v1",
        *recorded,
        AUDIT,
    ]
    final = events_pb2.FinalSet.FromString(rows_out[0][1])
    assert (final.student_id, final.value, final.kind, final.final_id) == (
        c.students[0],
        "3",
        jpb.FINAL_KIND_DEMONSTRATION_EXAM,
        first.final_id,
    )
    event = events_pb2.DemoExamResultRecorded.FromString(rows_out[2][1])
    assert (event.result_id, event.student_id, event.mark, event.scale_version, event.recorded_by) == (
        first.result_id,
        c.students[0],
        "3",
        1,
        c.teacher,
    )
    audits = [AuditRecorded.FromString(p) for s, p in rows_out if s == AUDIT]
    assert [(a.action, a.actor_id) for a in audits] == [
        *[("final.set", c.teacher), ("demo_exam.recorded", c.teacher)] * 3,
        ("demo_exam.read", c.class_teacher),
    ]
    assert audits[1].subject_person_id == c.students[0]
    async with journal.sessions() as s:
        stored_finals = {
            str(r.id): (r.value, r.kind)
            for r in await s.execute(select(orm.finals.c.id, orm.finals.c.value, orm.finals.c.kind))
        }
    assert stored_finals[first.final_id] == ("3", "demonstration_exam")
    assert stored_finals[later.final_id] == ("2", "demonstration_exam")


async def test_bad_input_is_refused_with_its_code_and_writes_nothing(journal: Journal) -> None:
    c, year_id = await demo_exam_college(journal)
    stub, as_teacher = journal.stub, journal.md(c.teacher, "teacher")
    student = c.students[0]
    cases = [
        (result_request(c, year_id, student, "-1"), INVALID, "negative_points"),
        (result_request(c, year_id, student, "81"), INVALID, "points_above_maximum"),
        (result_request(c, year_id, student, "1", maximum="0"), INVALID, "maximum_not_positive"),
        (result_request(c, year_id, student, "1", maximum="много"), INVALID, "invalid_maximum"),
        (result_request(c, year_id, student, ""), INVALID, "missing_points"),
        (result_request(c, year_id, student, "1", semester=3), INVALID, "invalid_semester"),
        (
            result_request(c, year_id, student, "1", exam_date=day("2026-10-16")),
            INVALID,
            "exam_date_in_future",
        ),
        (
            result_request(c, year_id, student, "1", discipline_id=c.english),
            DENIED,
            "not_teaching_this_group",
        ),
        (result_request(c, year_id, c.group_id, "1"), FAILED, "student_not_in_group"),
        (result_request(c, c.group_id, student, "1"), NOT_FOUND, "academic_year_not_found"),
    ]
    for request, status, code in cases:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.RecordDemoExamResult(request, metadata=as_teacher)
        assert (refused.value.code(), error_code_of(refused.value)) == (status, code), code
    # English ends with an exam, not a demonstration exam.
    as_english = journal.md(c.english_teacher, "teacher")
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.RecordDemoExamResult(
            result_request(c, year_id, student, "1", discipline_id=c.english), metadata=as_english
        )
    assert error_code_of(refused.value) == "not_a_demo_exam"
    bad_scales = [
        (
            [
                pb.DemoExamBand(from_percent="0", to_percent="50", mark="2"),
                pb.DemoExamBand(from_percent="50", to_percent="100", mark="5"),
            ],
            "scale_overlap",
        ),
        (
            [
                pb.DemoExamBand(from_percent="0", to_percent="49", mark="2"),
                pb.DemoExamBand(from_percent="50", to_percent="100", mark="5"),
            ],
            "scale_gap",
        ),
        (
            [
                pb.DemoExamBand(from_percent="0", to_percent="49.99", mark="5"),
                pb.DemoExamBand(from_percent="50", to_percent="100", mark="2"),
            ],
            "scale_not_monotone",
        ),
        ([pb.DemoExamBand(from_percent="0", to_percent="101", mark="5")], "invalid_band_percent"),
        ([], "empty_scale"),
    ]
    for bands, code in bad_scales:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.SetDemoExamScale(pb.SetDemoExamScaleRequest(bands=bands), metadata=journal.admin)
        assert (refused.value.code(), error_code_of(refused.value)) == (INVALID, code), code
    await stub.RecordDemoExamResult(result_request(c, year_id, student, "60"), metadata=as_teacher)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.RecordDemoExamResult(result_request(c, year_id, student, "70"), metadata=as_teacher)
    assert (refused.value.code(), error_code_of(refused.value)) == (EXISTS, "demo_exam_result_exists")
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.GetDemoExamScale(pb.GetDemoExamScaleRequest(version=9), metadata=as_teacher)
    assert error_code_of(refused.value) == "demo_exam_scale_not_found"
    async with journal.sessions() as s:
        results = await s.scalar(select(func.count()).select_from(orm.demo_exam_results))
        versions = await s.scalar(select(func.count()).select_from(orm.demo_exam_scales))
        stored_finals = await s.scalar(select(func.count()).select_from(orm.finals))
    assert (results, versions, stored_finals) == (1, 1, 1)
    subjects = [s for s, _ in await journal.outbox()]
    assert subjects.count("journal.demo_exam.recorded.v1") == 1
    assert "journal.demo_exam_scale.set.v1" not in subjects
