"""Protobuf mapping of the read models (journal page, group view, diary, «Пропуски»): lean, built in
bulk — values come from the database as strings and map through dictionaries, no per-row lookups."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from ejournal.common.v1 import common_pb2
from ejournal.journal.v1 import journal_pb2 as pb
from ejournal.journal.v1 import journal_service_pb2 as service_pb

from journal_service.api.mappers import averages_to_pb, discipline_to_pb
from journal_service.api.period_locks import lock_to_pb
from journal_service.api.subgroup_membership import page_membership_to_pb
from journal_service.domain import lessons, model, read_models

_KIND_OF_WORK = {k.value: pb.KindOfWork.Value(f"KIND_OF_WORK_{k.name}") for k in model.KindOfWork}
_LESSON_KIND = {k.value: pb.LessonKind.Value(f"LESSON_KIND_{k.name}") for k in lessons.LessonKind}
_STATUS = {
    s.value: pb.AttendanceStatus.Value(f"ATTENDANCE_STATUS_{s.name}") for s in lessons.AttendanceStatus
}
_STATUS[""] = pb.ATTENDANCE_STATUS_UNSPECIFIED
_REASON = {r.value: pb.AbsenceReason.Value(f"ABSENCE_REASON_{r.name}") for r in lessons.AbsenceReason}
_REASON[""] = pb.ABSENCE_REASON_UNSPECIFIED
_REASON_FROM_PB: dict[int, lessons.AbsenceReason] = {
    number: lessons.AbsenceReason(value) for value, number in _REASON.items() if value
}
_HOMEWORK_KIND = {
    name.removeprefix("HOMEWORK_KIND_").lower(): number
    for name, number in pb.HomeworkKind.items()
    if number != 0
}


def _day(value: date) -> common_pb2.LocalDate:
    return common_pb2.LocalDate(year=value.year, month=value.month, day=value.day)


def _decimal(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def reason_from_pb(value: int, index: int) -> lessons.AbsenceReason:
    """Return the reason category or refuse a number that names none (and «не указана»: a correction
    sets a category)."""
    reason = _REASON_FROM_PB.get(value) if value else None
    if reason is None:
        raise read_models.UnknownAbsenceReason(index)
    return reason


def reason_to_pb(value: str) -> pb.AbsenceReason.ValueType:
    """Map a reason category."""
    return _REASON[value]


def _cell_mark(mark: read_models.MarkRow | read_models.PageMarkRow) -> service_pb.CellMark:
    return service_pb.CellMark(
        mark_id=mark.id,
        value=mark.value,
        kind_of_work=_KIND_OF_WORK[mark.kind_of_work],
        weight=mark.weight,
    )


def _dated_mark(mark: read_models.MarkRow | read_models.PageMarkRow) -> service_pb.DatedMark:
    return service_pb.DatedMark(
        student_id=str(mark.student_id),
        discipline_id=str(mark.discipline_id),
        lesson_date=_day(mark.lesson_date),
        mark=_cell_mark(mark),
    )


def _lesson(row: read_models.LessonRow) -> pb.Lesson:
    message = pb.Lesson(
        lesson_id=str(row.id),
        group_id=str(row.group_id),
        subgroup_id=str(row.subgroup_id or ""),
        discipline_id=str(row.discipline_id),
        teacher_id=str(row.teacher_id),
        lesson_date=_day(row.lesson_date),
        pair_number=row.pair_number,
        topic=row.topic,
        kind=_LESSON_KIND[row.kind],
        homework=row.homework,
        ktp_topic_id=str(row.ktp_topic_id or ""),
        homework_kind=_HOMEWORK_KIND.get(row.homework_kind, 0),  # type: ignore[arg-type]
        homework_student_ids=[str(s) for s in row.homework_student_ids],
    )
    if row.homework_deadline is not None:
        message.homework_deadline.CopyFrom(_day(row.homework_deadline))
    return message


def journal_page_to_pb(page: read_models.JournalPage) -> service_pb.GetJournalPageResponse:
    """Map a journal page: its cells, marks and averages column by column (packed repeated fields,
    filled from whole lists at once)."""
    status, reason, kind_of_work = _STATUS, _REASON, _KIND_OF_WORK
    lesson_ids = {row.id: str(row.id) for row in page.lessons}
    cells, marks = page.cells, page.marks
    return service_pb.GetJournalPageResponse(
        student_ids=[str(s) for s in page.student_ids],
        lessons=[_lesson(row) for row in page.lessons],
        marks_without_lesson=[_dated_mark(m) for m in page.marks_without_lesson],
        lessons_with_attendance=[lesson_ids[i] for i in page.lessons_with_attendance],
        period_locks=[lock_to_pb(lock) for lock in page.period_locks],
        memberships=[page_membership_to_pb(m) for m in page.memberships],
        cells=service_pb.PageCells(
            student=cells.student,
            lesson=cells.lesson,
            status=[status[s] for s in cells.status],
            reason=[reason[r] for r in cells.reason],
        ),
        marks=service_pb.PageMarks(
            cell=page.mark_cell,
            mark_id=[m.id for m in marks],
            value=[m.value for m in marks],
            kind_of_work=[kind_of_work[m.kind_of_work] for m in marks],
            weight=[m.weight for m in marks],
        ),
        averages=service_pb.PageAverages(
            mean=[_decimal(m) for m in page.means], weighted_mean=[_decimal(m) for m in page.weighted_means]
        ),
    )


def group_overview_to_pb(overview: read_models.GroupOverview) -> service_pb.GetGroupOverviewResponse:
    """Map the class teacher's group view."""
    return service_pb.GetGroupOverviewResponse(
        student_ids=[str(s) for s in overview.student_ids],
        disciplines=[discipline_to_pb(d) for d in overview.disciplines],
        cells=[
            service_pb.GroupOverviewCell(
                student_id=str(c.student_id),
                discipline_id=str(c.discipline_id),
                mean=_decimal(c.mean),
                weighted_mean=_decimal(c.weighted_mean),
                mark_count=c.mark_count,
                absences=c.absences,
                absences_without_valid_reason=c.without_valid_reason,
                lateness=c.lateness,
            )
            for c in overview.cells
        ],
    )


def _diary_lesson(item: read_models.DiaryLesson) -> service_pb.DiaryLesson:
    row = item.lesson
    message = service_pb.DiaryLesson(
        lesson_id=str(row.id),
        discipline_id=str(row.discipline_id),
        pair_number=row.pair_number,
        subgroup_id=str(row.subgroup_id or ""),
        topic=row.topic,
        kind=_LESSON_KIND[row.kind],
        homework=row.homework,
        marks=[_cell_mark(m) for m in item.marks],
        status=_STATUS[item.status],
        reason=_REASON[item.reason],
    )
    if row.homework and row.homework_deadline is not None:
        message.homework_deadline.CopyFrom(_day(row.homework_deadline))
    return message


def diary_to_pb(diary: read_models.Diary) -> service_pb.GetStudentDiaryResponse:
    """Map a student's diary."""
    return service_pb.GetStudentDiaryResponse(
        days=[
            service_pb.DiaryDay(
                date=_day(day.day),
                lessons=[_diary_lesson(item) for item in day.lessons],
                marks_without_lesson=[_dated_mark(m) for m in day.marks_without_lesson],
            )
            for day in diary.days
        ],
        disciplines=[discipline_to_pb(d) for d in diary.disciplines],
        averages=[averages_to_pb(a) for a in diary.averages],
    )


def absences_to_pb(week: read_models.WeekOfAbsences) -> service_pb.ListGroupAbsencesResponse:
    """Map a group's week of absences."""
    return service_pb.ListGroupAbsencesResponse(
        student_ids=[str(s) for s in week.student_ids],
        absences=[
            service_pb.GroupAbsence(
                student_id=str(r.student_id),
                lesson_id=str(r.lesson_id),
                lesson_date=_day(r.lesson_date),
                pair_number=r.pair_number,
                discipline_id=str(r.discipline_id),
                status=_STATUS[r.status],
                reason=_REASON[r.reason],
            )
            for r in week.absences
        ],
        disciplines=[discipline_to_pb(d) for d in week.disciplines],
    )


def corrected_to_pb(corrected: list[read_models.CorrectedReason]) -> service_pb.CorrectAbsenceReasonsResponse:
    """Map the corrections made."""
    return service_pb.CorrectAbsenceReasonsResponse(
        corrected=[
            service_pb.CorrectedAbsence(
                lesson_id=str(c.lesson_id),
                student_id=str(c.student_id),
                old_reason=_REASON[c.old_reason.value],
                reason=_REASON[c.reason.value],
            )
            for c in corrected
        ]
    )


def corrections_from_pb(
    values: Sequence[service_pb.AbsenceCorrection],
    lesson_ids: Sequence[uuid.UUID],
    student_ids: Sequence[uuid.UUID],
) -> tuple[read_models.ReasonCorrection, ...]:
    """Return the corrections (ids already parsed, in the same order); an unknown reason is refused."""
    return tuple(
        read_models.ReasonCorrection(lesson_id, student_id, reason_from_pb(value.reason, index))
        for index, (value, lesson_id, student_id) in enumerate(
            zip(values, lesson_ids, student_ids, strict=True)
        )
    )
