"""History and correction requests between protobuf and the domain (R3.3): enums by name."""

from __future__ import annotations

from datetime import datetime

from chassis.errors import InvalidArgument
from ejournal.journal.v1 import journal_pb2 as pb
from ejournal.journal.v1 import journal_service_pb2 as service_pb
from google.protobuf.timestamp_pb2 import Timestamp

from journal_service.api import mappers
from journal_service.application.correction_requests import AnsweredRequest
from journal_service.application.history import AttendanceHistory
from journal_service.application.marks import local_date
from journal_service.domain import correction_requests as cr
from journal_service.domain import history, lessons, model

_ACTION_TO_PB = {a: service_pb.HistoryAction.Value(f"HISTORY_ACTION_{a.name}") for a in history.HistoryAction}
_DECISION_FROM_PB = {
    number: cr.CorrectionDecision[name.removeprefix("CORRECTION_DECISION_")]
    for name, number in pb.CorrectionDecision.items()
    if number != pb.CORRECTION_DECISION_UNSPECIFIED
}
_DECISION_TO_PB = {d: number for number, d in _DECISION_FROM_PB.items()}
_STATUS_FROM_PB = {
    number: cr.CorrectionRequestStatus[name.removeprefix("CORRECTION_REQUEST_STATUS_")]
    for name, number in service_pb.CorrectionRequestStatus.items()
    if number != service_pb.CORRECTION_REQUEST_STATUS_UNSPECIFIED
}
_STATUS_TO_PB = {s: number for number, s in _STATUS_FROM_PB.items()}
_ATTENDANCE_TO_PB = {
    s: pb.AttendanceStatus.Value(f"ATTENDANCE_STATUS_{s.name}") for s in lessons.AttendanceStatus
}
_REASON_TO_PB = {r: pb.AbsenceReason.Value(f"ABSENCE_REASON_{r.name}") for r in lessons.AbsenceReason}
# What an attendance change's source reads as in the trail.
_SOURCE_TEXT = {
    history.AttendanceChangeSource.ATTENDANCE: "Отметки посещаемости занятия изменены",
    history.AttendanceChangeSource.REASON_CORRECTION: "Причина пропуска исправлена",
}


def _ts(value: datetime | None) -> Timestamp | None:
    if value is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def _work(kind: model.KindOfWork | None) -> pb.KindOfWork.ValueType:
    return pb.KIND_OF_WORK_UNSPECIFIED if kind is None else mappers.kind_of_work_to_pb(kind)


def decision_from_pb(value: pb.CorrectionDecision.ValueType) -> cr.CorrectionDecision | None:
    """Return the decision; None for unspecified (the handler refuses it in Russian), an unknown
    number is refused."""
    if value == pb.CORRECTION_DECISION_UNSPECIFIED:
        return None
    decision = _DECISION_FROM_PB.get(value)
    if decision is None:
        raise InvalidArgument("Неизвестное решение по запросу", code="invalid_correction_answer")
    return decision


def status_from_pb(value: service_pb.CorrectionRequestStatus.ValueType) -> cr.CorrectionRequestStatus | None:
    """Return the status asked for; None (every status) for unspecified or an unknown number."""
    return _STATUS_FROM_PB.get(value)


def mark_history_to_pb(value: history.MarkHistory) -> service_pb.GetMarkHistoryResponse:
    """Map a mark's trail."""
    response = service_pb.GetMarkHistoryResponse(mark=mappers.mark_to_pb(value.mark), removed=value.removed)
    for e in value.entries:
        response.entries.append(
            service_pb.MarkHistoryEntry(
                action=_ACTION_TO_PB[e.action],
                at=_ts(e.at),
                actor_id=str(e.actor_id),
                old_value=e.old_value,
                new_value=e.new_value,
                old_kind_of_work=_work(e.old_kind_of_work),
                new_kind_of_work=_work(e.new_kind_of_work),
                old_weight=e.old_weight,
                new_weight=e.new_weight,
                text=e.text,
                correction_request_id=str(e.correction_request_id or ""),
                decision=_DECISION_TO_PB[e.decision] if e.decision else pb.CORRECTION_DECISION_UNSPECIFIED,
            )
        )
    return response


def attendance_history_to_pb(value: AttendanceHistory) -> service_pb.GetAttendanceHistoryResponse:
    """Map a student's attendance of a lesson and its changes."""
    response = service_pb.GetAttendanceHistoryResponse(
        lesson_date=local_date(value.lesson.lesson_date), discipline_id=str(value.lesson.discipline_id)
    )
    if value.current is not None:
        response.current.CopyFrom(mappers.attendance_entry_to_pb(value.current))
    for c in value.changes:
        entry = service_pb.AttendanceHistoryEntry(
            action=_ACTION_TO_PB[c.action],
            at=_ts(c.changed_at),
            actor_id=str(c.changed_by),
            text=_SOURCE_TEXT[c.source],
        )
        if c.old is not None:
            entry.old_status, entry.old_reason = _ATTENDANCE_TO_PB[c.old.status], _REASON_TO_PB[c.old.reason]
        if c.new is not None:
            entry.new_status, entry.new_reason = _ATTENDANCE_TO_PB[c.new.status], _REASON_TO_PB[c.new.reason]
        response.entries.append(entry)
    return response


def request_to_pb(value: cr.CorrectionRequest) -> service_pb.CorrectionRequest:
    """Map a correction request and its answer."""
    message = service_pb.CorrectionRequest(
        request_id=str(value.id),
        mark_id=str(value.mark_id),
        student_id=str(value.student_id),
        group_id=str(value.group_id),
        discipline_id=str(value.discipline_id),
        mark_value=value.mark_value,
        text=value.text,
        filed_at=_ts(value.filed_at),
        status=_STATUS_TO_PB[value.status],
    )
    if value.lesson_date is not None:
        message.lesson_date.CopyFrom(local_date(value.lesson_date))
    if value.answer is not None:
        message.decision = _DECISION_TO_PB[value.answer.decision]
        message.answer_text = value.answer.text
        message.answered_by = str(value.answer.answered_by)
        message.new_value = value.answer.new_value
        if value.answer.answered_at is not None:
            message.answered_at.FromDatetime(value.answer.answered_at)
    return message


def answered_to_pb(value: AnsweredRequest) -> service_pb.AnswerCorrectionRequestResponse:
    """Map an answered request and the mark as it is now."""
    return service_pb.AnswerCorrectionRequestResponse(
        request=request_to_pb(value.request), mark=mappers.mark_to_pb(value.mark)
    )
