"""Conversions between protobuf messages and the journal's domain objects."""

from __future__ import annotations

import uuid
from datetime import date

from chassis.errors import InvalidArgument
from ejournal.common.v1 import common_pb2
from ejournal.journal.v1 import journal_pb2 as pb
from ejournal.journal.v1 import journal_service_pb2 as service_pb

from journal_service.application.marks import local_date
from journal_service.application.year_import import ImportReport, SheetSummary
from journal_service.domain import averages, curriculum, ktp, lesson_errors, lessons, model, timetable, year

_KIND_PREFIX = "DISCIPLINE_KIND_"
# The proto is the source of the kinds; the domain's enum mirrors it by name because the database
# holds them as an enum type that only a migration can extend (a test keeps the two identical).
_KIND_FROM_PB: dict[pb.DisciplineKind.ValueType, model.DisciplineKind] = {
    number: model.DisciplineKind[name.removeprefix(_KIND_PREFIX)]
    for name, number in pb.DisciplineKind.items()
    if number != pb.DISCIPLINE_KIND_UNSPECIFIED
}
_KIND_TO_PB = {kind: number for number, kind in _KIND_FROM_PB.items()}


# The year's enums mirror the proto by name likewise (stored as checked text; a test keeps them equal).
_SPAN_PREFIX = "CALENDAR_SPAN_KIND_"
_SPAN_FROM_PB: dict[pb.CalendarSpanKind.ValueType, year.CalendarSpanKind] = {
    number: year.CalendarSpanKind[name.removeprefix(_SPAN_PREFIX)]
    for name, number in pb.CalendarSpanKind.items()
    if number != pb.CALENDAR_SPAN_KIND_UNSPECIFIED
}
_SPAN_TO_PB = {kind: number for number, kind in _SPAN_FROM_PB.items()}
_FORM_PREFIX = "STUDY_FORM_"
_FORM_FROM_PB: dict[pb.StudyForm.ValueType, year.StudyForm] = {
    number: year.StudyForm[name.removeprefix(_FORM_PREFIX)]
    for name, number in pb.StudyForm.items()
    if number != pb.STUDY_FORM_UNSPECIFIED
}
_FORM_TO_PB = {form: number for number, form in _FORM_FROM_PB.items()}


def kind_from_pb(value: pb.DisciplineKind.ValueType) -> model.DisciplineKind:
    """Return the domain kind or raise InvalidArgument for unspecified/unknown values."""
    kind = _KIND_FROM_PB.get(value)
    if kind is None:
        raise InvalidArgument("Укажите вид дисциплины", code="invalid_kind")
    return kind


def date_from_pb(value: common_pb2.LocalDate, field: str) -> date:
    """Return a date or raise InvalidArgument naming the field."""
    try:
        return date(value.year, value.month, value.day)
    except ValueError:
        raise InvalidArgument(f"Поле «{field}» должно быть датой", code=f"invalid_{field}") from None


def group_to_pb(group: model.Group) -> pb.Group:
    """Map a group and its attributes."""
    return pb.Group(
        group_id=str(group.id),
        name=group.name,
        course_year=group.course_year or 0,
        specialty_code=group.specialty_code,
        specialty_name=group.specialty_name,
        study_form=_FORM_TO_PB[group.study_form] if group.study_form else pb.STUDY_FORM_UNSPECIFIED,
        class_teacher_id=str(group.class_teacher_id or ""),
    )


def discipline_to_pb(discipline: model.Discipline | model.DisciplineView) -> pb.Discipline:
    """Map a discipline."""
    return pb.Discipline(
        discipline_id=str(discipline.id),
        code=discipline.code,
        name=discipline.name,
        kind=_KIND_TO_PB[discipline.kind],
    )


_WORK_PREFIX = "KIND_OF_WORK_"


def kind_of_work_to_pb(kind: model.KindOfWork) -> pb.KindOfWork.ValueType:
    """Map a kind of work (the proto and the domain share the names)."""
    return pb.KindOfWork.Value(_WORK_PREFIX + kind.name)


def kind_of_work_from_pb(value: pb.KindOfWork.ValueType) -> model.KindOfWork:
    """Map a requested kind of work; unspecified is «ответ на занятии», an unknown number is refused."""
    if value == pb.KIND_OF_WORK_UNSPECIFIED:
        return model.KindOfWork.ANSWER
    name = pb.KindOfWork.Name(value) if value in pb.KindOfWork.values() else ""
    if not name:
        raise InvalidArgument("Неизвестный вид работы", code="invalid_kind_of_work")
    return model.KindOfWork[name.removeprefix(_WORK_PREFIX)]


def averages_to_pb(item: averages.DisciplineAverages) -> service_pb.DisciplineAverage:
    """Map a discipline's averages; a missing average (no mark counts) is the empty string."""
    return service_pb.DisciplineAverage(
        discipline_id=str(item.discipline_id),
        mean="" if item.mean is None else str(item.mean),
        weighted_mean="" if item.weighted_mean is None else str(item.weighted_mean),
    )


def load_to_pb(load: model.TeachingLoad) -> pb.TeachingLoad:
    """Map a teaching load."""
    return pb.TeachingLoad(
        load_id=str(load.id),
        teacher_id=str(load.teacher_id),
        group_id=str(load.group_id),
        discipline_id=str(load.discipline_id),
        subgroup_id=str(load.subgroup_id or ""),
    )


def mark_to_pb(mark: model.Mark | model.MarkView) -> pb.Mark:
    """Map a mark."""
    message = pb.Mark(
        mark_id=str(mark.id),
        student_id=str(mark.student_id),
        group_id=str(mark.group_id),
        discipline_id=str(mark.discipline_id),
        teacher_id=str(mark.teacher_id),
        lesson_date=local_date(mark.lesson_date),
        value=mark.value,
        lesson_id=str(mark.lesson_id or ""),
        kind_of_work=kind_of_work_to_pb(mark.kind_of_work),
        weight=mark.weight,
    )
    if mark.recorded_at is not None:
        message.recorded_at.FromDatetime(mark.recorded_at)
    return message


def span_from_pb(value: pb.DateSpan, field: str) -> year.DateSpan:
    """Return a span of dates or raise InvalidArgument naming the field."""
    return year.DateSpan(
        date_from_pb(value.starts_on, f"{field}_starts_on"), date_from_pb(value.ends_on, f"{field}_ends_on")
    )


def span_to_pb(value: year.DateSpan) -> pb.DateSpan:
    """Map a span of dates."""
    return pb.DateSpan(starts_on=local_date(value.starts_on), ends_on=local_date(value.ends_on))


def year_to_pb(value: year.AcademicYear) -> pb.AcademicYear:
    """Map an academic year and its semesters."""
    return pb.AcademicYear(
        year_id=str(value.id),
        name=value.name,
        span=span_to_pb(value.span),
        semester1=span_to_pb(value.semester1),
        semester2=span_to_pb(value.semester2),
    )


def calendar_span_from_pb(value: pb.CalendarSpan) -> year.CalendarSpan:
    """Return a calendar span or raise InvalidArgument for an unspecified kind or a bad date."""
    kind = _SPAN_FROM_PB.get(value.kind)
    if kind is None:
        raise InvalidArgument("Укажите вид периода графика", code="invalid_span_kind")
    return year.CalendarSpan(kind=kind, span=span_from_pb(value.span, "span"))


def calendar_span_to_pb(value: year.CalendarSpan) -> pb.CalendarSpan:
    """Map a calendar span."""
    return pb.CalendarSpan(kind=_SPAN_TO_PB[value.kind], span=span_to_pb(value.span))


def pair_from_pb(value: pb.BellPair) -> year.BellPair:
    """Return a pair of the bell schedule."""
    return year.BellPair(number=value.number, starts_at=value.starts_at_minute, ends_at=value.ends_at_minute)


def pair_to_pb(value: year.BellPair) -> pb.BellPair:
    """Map a pair of the bell schedule."""
    return pb.BellPair(number=value.number, starts_at_minute=value.starts_at, ends_at_minute=value.ends_at)


def study_form_from_pb(value: pb.StudyForm.ValueType) -> year.StudyForm | None:
    """Return the form of study, None for unspecified (left as it is); an unknown number is refused."""
    if value == pb.STUDY_FORM_UNSPECIFIED:
        return None
    form = _FORM_FROM_PB.get(value)
    if form is None:
        raise InvalidArgument("Неизвестная форма обучения", code="invalid_study_form")
    return form


def subgroup_to_pb(value: year.Subgroup) -> pb.Subgroup:
    """Map a subgroup."""
    return pb.Subgroup(
        subgroup_id=str(value.id),
        group_id=str(value.group_id),
        discipline_id=str(value.discipline_id),
        name=value.name,
        student_ids=[str(s) for s in value.student_ids],
    )


# Lessons' enums mirror the proto by name likewise (a test keeps them equal).
_LESSON_KIND_FROM_PB: dict[pb.LessonKind.ValueType, lessons.LessonKind] = {
    number: lessons.LessonKind[name.removeprefix("LESSON_KIND_")]
    for name, number in pb.LessonKind.items()
    if number != pb.LESSON_KIND_UNSPECIFIED
}
_LESSON_KIND_TO_PB = {kind: number for number, kind in _LESSON_KIND_FROM_PB.items()}
_STATUS_FROM_PB: dict[pb.AttendanceStatus.ValueType, lessons.AttendanceStatus] = {
    number: lessons.AttendanceStatus[name.removeprefix("ATTENDANCE_STATUS_")]
    for name, number in pb.AttendanceStatus.items()
    if number != pb.ATTENDANCE_STATUS_UNSPECIFIED
}
_STATUS_TO_PB = {status: number for number, status in _STATUS_FROM_PB.items()}
_REASON_FROM_PB: dict[pb.AbsenceReason.ValueType, lessons.AbsenceReason] = {
    number: lessons.AbsenceReason[name.removeprefix("ABSENCE_REASON_")]
    for name, number in pb.AbsenceReason.items()
}
_REASON_TO_PB = {reason: number for number, reason in _REASON_FROM_PB.items()}


def lesson_kind_from_pb(value: pb.LessonKind.ValueType) -> lessons.LessonKind:
    """Return the kind of a lesson or raise InvalidArgument for unspecified/unknown values."""
    kind = _LESSON_KIND_FROM_PB.get(value)
    if kind is None:
        raise lesson_errors.InvalidLessonKind()
    return kind


def lesson_to_pb(value: lessons.Lesson) -> pb.Lesson:
    """Map a lesson."""
    message = pb.Lesson(
        lesson_id=str(value.id),
        group_id=str(value.group_id),
        subgroup_id=str(value.subgroup_id or ""),
        discipline_id=str(value.discipline_id),
        teacher_id=str(value.teacher_id),
        lesson_date=local_date(value.lesson_date),
        pair_number=value.pair_number,
        topic=value.topic,
        kind=_LESSON_KIND_TO_PB[value.kind],
        homework=value.homework,
    )
    if value.homework_deadline is not None:
        message.homework_deadline.CopyFrom(local_date(value.homework_deadline))
    if value.ktp_topic_id is not None:
        message.ktp_topic_id = str(value.ktp_topic_id)
    if value.homework:
        message.homework_kind = _HOMEWORK_KIND_TO_PB[value.homework_kind]
        message.homework_student_ids.extend(str(s) for s in value.homework_student_ids)
    return message


def attendance_entry_from_pb(
    value: pb.AttendanceEntry, index: int, student_id: uuid.UUID
) -> lessons.AttendanceEntry:
    """Return an attendance entry or raise InvalidArgument for a missing status or an unknown reason."""
    status = _STATUS_FROM_PB.get(value.status)
    if status is None:
        raise lesson_errors.InvalidAttendanceStatus(index)
    reason = _REASON_FROM_PB.get(value.reason)
    if reason is None:
        raise InvalidArgument(
            f"Строка №{index + 1}: неизвестная причина пропуска", code="invalid_absence_reason"
        )
    return lessons.AttendanceEntry(student_id=student_id, status=status, reason=reason)


def attendance_entry_to_pb(value: lessons.AttendanceEntry) -> pb.AttendanceEntry:
    """Map an attendance entry."""
    return pb.AttendanceEntry(
        student_id=str(value.student_id),
        status=_STATUS_TO_PB[value.status],
        reason=_REASON_TO_PB[value.reason],
    )


def sheet_summary_to_pb(value: SheetSummary) -> service_pb.ImportSheetSummary:
    """Map what one sheet of the year's workbook holds (or one part of a copied year)."""
    return service_pb.ImportSheetSummary(
        sheet=value.sheet,
        rows=value.rows,
        created=value.created,
        updated=value.updated,
        unchanged=value.unchanged,
    )


def import_report_to_pb(value: ImportReport) -> service_pb.ImportYearWorkbookResponse:
    """Map the outcome of the year's import: written or not, each sheet, every refused row."""
    return service_pb.ImportYearWorkbookResponse(
        imported=value.imported,
        sheets=[sheet_summary_to_pb(s) for s in value.sheets],
        errors=[
            service_pb.ImportRowError(
                sheet=e.sheet, row=e.row, column=e.column, code=e.code, message=e.message
            )
            for e in value.errors
        ],
    )


# Curriculum and KTP (issue 6 items 1-3): their enums mirror the proto by name (a test keeps them equal).
_HOMEWORK_KIND_FROM_PB: dict[pb.HomeworkKind.ValueType, lessons.HomeworkKind] = {
    number: lessons.HomeworkKind[name.removeprefix("HOMEWORK_KIND_")]
    for name, number in pb.HomeworkKind.items()
    if number != pb.HOMEWORK_KIND_UNSPECIFIED
}
_HOMEWORK_KIND_TO_PB = {kind: number for number, kind in _HOMEWORK_KIND_FROM_PB.items()}
_CONTROL_FORM_FROM_PB: dict[service_pb.ControlForm.ValueType, curriculum.ControlForm] = {
    number: curriculum.ControlForm[name.removeprefix("CONTROL_FORM_")]
    for name, number in service_pb.ControlForm.items()
    if number != service_pb.CONTROL_FORM_UNSPECIFIED
}
_CONTROL_FORM_TO_PB = {form: number for number, form in _CONTROL_FORM_FROM_PB.items()}


def homework_kind_from_pb(value: pb.HomeworkKind.ValueType) -> lessons.HomeworkKind:
    """Return the kind of a homework (unspecified = homework) or raise InvalidArgument for an unknown one."""
    if value == pb.HOMEWORK_KIND_UNSPECIFIED:
        return lessons.HomeworkKind.HOMEWORK
    kind = _HOMEWORK_KIND_FROM_PB.get(value)
    if kind is None:
        raise InvalidArgument("Неизвестный вид задания", code="invalid_homework_kind")
    return kind


def curriculum_row_from_pb(
    value: service_pb.CurriculumRow, index: int, discipline_id: uuid.UUID
) -> curriculum.CurriculumRow:
    """Return a curriculum row or raise InvalidArgument for a missing form of control."""
    form = _CONTROL_FORM_FROM_PB.get(value.control_form)
    if form is None:
        raise curriculum.InvalidControlForm(index)
    return curriculum.CurriculumRow(
        discipline_id=discipline_id,
        semester=value.semester,
        total_hours=value.total_hours,
        weekly_hours=value.weekly_hours,
        control_form=form,
    )


def curriculum_row_to_pb(value: curriculum.CurriculumRow) -> service_pb.CurriculumRow:
    """Map a curriculum row."""
    return service_pb.CurriculumRow(
        discipline_id=str(value.discipline_id),
        semester=value.semester,
        total_hours=value.total_hours,
        weekly_hours=value.weekly_hours,
        control_form=_CONTROL_FORM_TO_PB[value.control_form],
    )


def ktp_to_pb(
    value: ktp.Ktp | None, group_id: uuid.UUID, discipline_id: uuid.UUID, subgroup_id: uuid.UUID | None
) -> service_pb.Ktp:
    """Map a KTP; None (none set yet) is a KTP without id and topics."""
    if value is None:
        return service_pb.Ktp(
            group_id=str(group_id), subgroup_id=str(subgroup_id or ""), discipline_id=str(discipline_id)
        )
    return service_pb.Ktp(
        ktp_id=str(value.id),
        group_id=str(value.group_id),
        subgroup_id=str(value.subgroup_id or ""),
        discipline_id=str(value.discipline_id),
        topics=[
            service_pb.KtpTopic(
                topic_id=str(t.id),
                position=t.position,
                title=t.title,
                hours=t.hours,
                kind=_LESSON_KIND_TO_PB[t.kind],
            )
            for t in value.topics
        ],
        total_hours=value.total_hours,
    )


def load_without_ktp_to_pb(value: ktp.LoadWithoutKtp) -> service_pb.LoadWithoutKtp:
    """Map a load without a KTP."""
    return service_pb.LoadWithoutKtp(
        group_id=str(value.group_id), discipline_id=str(value.discipline_id), teacher_id=str(value.teacher_id)
    )


# The timetable (issue 6 item 1): WeekParity mirrors the proto by name; unspecified is every week.
_PARITY_PREFIX = "WEEK_PARITY_"
_PARITY_FROM_PB: dict[service_pb.WeekParity.ValueType, timetable.WeekParity] = {
    number: timetable.WeekParity[name.removeprefix(_PARITY_PREFIX)]
    for name, number in service_pb.WeekParity.items()
    if number != service_pb.WEEK_PARITY_UNSPECIFIED
}
_PARITY_TO_PB = {parity: number for number, parity in _PARITY_FROM_PB.items()}


def parity_from_pb(value: service_pb.WeekParity.ValueType, index: int) -> timetable.WeekParity:
    """Return the parity (unspecified: every week) or raise InvalidArgument for an unknown number."""
    if value == service_pb.WEEK_PARITY_UNSPECIFIED:
        return timetable.WeekParity.EVERY
    parity = _PARITY_FROM_PB.get(value)
    if parity is None:
        raise InvalidArgument(
            f"Занятие №{index + 1}: неизвестная чётность недели ({value})", code="invalid_week_parity"
        )
    return parity


def timetable_entry_to_pb(value: timetable.TimetableEntry) -> service_pb.TimetableEntry:
    """Map a timetable entry."""
    return service_pb.TimetableEntry(
        entry_id=str(value.id),
        weekday=value.weekday,
        pair_number=value.pair_number,
        parity=_PARITY_TO_PB[value.parity],
        discipline_id=str(value.discipline_id),
        subgroup_id=str(value.subgroup_id or ""),
        teacher_id=str(value.teacher_id),
        room=value.room,
    )
