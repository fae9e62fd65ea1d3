"""The demonstration exam between protobuf and the domain: bands, tables, results, the semester."""

from __future__ import annotations

from chassis.errors import InvalidArgument
from ejournal.journal.v1 import journal_service_pb2 as pb

from journal_service.application.marks import local_date
from journal_service.domain import demo_exam


def semester_from_pb(value: int) -> int:
    """Return the semester 1 or 2, or raise InvalidArgument."""
    if value not in (1, 2):
        raise InvalidArgument("Семестр — 1 или 2", code="invalid_semester")
    return value


def bands_from_pb(bands: list[pb.DemoExamBand]) -> list[demo_exam.Band]:
    """Return the request's bands with their percents parsed (the order and marks are checked later)."""
    if len(bands) > demo_exam.MAX_BANDS:
        raise demo_exam.TooManyBands()
    return [
        demo_exam.Band(
            demo_exam.parse_percent(band.from_percent, index, "from_percent"),
            demo_exam.parse_percent(band.to_percent, index, "to_percent"),
            band.mark.strip(),
        )
        for index, band in enumerate(bands)
    ]


def scale_to_pb(scale: demo_exam.Scale) -> pb.DemoExamScale:
    """Map a version of the table."""
    return pb.DemoExamScale(
        version=scale.version,
        effective_from=local_date(scale.effective_from),
        author_id=str(scale.author_id or ""),
        bands=[
            pb.DemoExamBand(
                from_percent=demo_exam.text_of(band.from_percent),
                to_percent=demo_exam.text_of(band.to_percent),
                mark=band.mark,
            )
            for band in scale.bands
        ],
    )


def result_to_pb(result: demo_exam.Result) -> pb.DemoExamResult:
    """Map a result."""
    return pb.DemoExamResult(
        result_id=str(result.id),
        student_id=str(result.student_id),
        group_id=str(result.group_id),
        discipline_id=str(result.discipline_id),
        year_id=str(result.year_id),
        semester=result.semester,
        exam_date=local_date(result.exam_date),
        points=demo_exam.text_of(result.points),
        maximum=demo_exam.text_of(result.maximum),
        percent=str(result.percent.quantize(demo_exam.STEP)),
        scale_version=result.scale_version,
        mark=result.mark,
        recorded_by=str(result.recorded_by),
        final_id=str(result.final_id or ""),
    )
