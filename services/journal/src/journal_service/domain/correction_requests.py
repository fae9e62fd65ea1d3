"""A student's correction request about one of their marks (R3.3, §4.3.2) and the teacher's answer.

The state machine: filed (open) → answered once, either «changed» (the mark changed through
ChangeMark's path, the change linked) or «explained» (the mark kept, the explanation given). One open
request per mark; a text of 1..1000 characters each way."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from chassis.errors import FailedPrecondition, InvalidArgument, NotFound

from journal_service.domain import model

MAX_TEXT = 1000
MAX_LISTED = 200


class CorrectionRequestStatus(enum.StrEnum):
    """Where a request stands (mirrors the proto by name)."""

    OPEN = "open"
    ANSWERED = "answered"


class CorrectionDecision(enum.StrEnum):
    """The teacher's answer (mirrors the proto by name)."""

    CHANGED = "changed"
    EXPLAINED = "explained"


@dataclass(frozen=True)
class CorrectionAnswer:
    """The teacher's answer: the decision, its text, who, when (set by the database), the new value and
    the mark change a «changed» answer made."""

    decision: CorrectionDecision
    text: str
    answered_by: uuid.UUID
    answered_at: datetime | None = None
    new_value: str = ""
    change_id: uuid.UUID | None = None


@dataclass(frozen=True)
class CorrectionRequest:
    """A student's request about one mark; the mark's group, discipline and teacher when filed."""

    id: uuid.UUID
    mark_id: uuid.UUID
    student_id: uuid.UUID
    group_id: uuid.UUID
    discipline_id: uuid.UUID
    teacher_id: uuid.UUID
    mark_value: str
    text: str
    filed_at: datetime | None = None
    answer: CorrectionAnswer | None = None
    # Read with the request for the lists (not stored on it): the mark's lesson date and subgroup.
    lesson_date: date | None = None
    subgroup_id: uuid.UUID | None = None

    @property
    def status(self) -> CorrectionRequestStatus:
        """Open until answered."""
        return CorrectionRequestStatus.OPEN if self.answer is None else CorrectionRequestStatus.ANSWERED

    @property
    def change_id(self) -> uuid.UUID | None:
        """The mark change a «changed» answer made."""
        return None if self.answer is None else self.answer.change_id


# --- errors ----------------------------------------------------------------------------------------


class InvalidCorrectionText(InvalidArgument):
    """A request's or an answer's text is 1..1000 characters."""

    def __init__(self) -> None:
        super().__init__(
            f"Текст запроса или ответа должен быть от 1 до {MAX_TEXT} символов",
            code="invalid_correction_text",
        )


class CorrectionRequestNotFound(NotFound):
    """No such request, or the caller may not see it."""

    def __init__(self) -> None:
        super().__init__("Запрос на исправление не найден", code="correction_request_not_found")


class CorrectionRequestAlreadyOpen(FailedPrecondition):
    """A mark has at most one open request."""

    def __init__(self) -> None:
        super().__init__(
            "По этой оценке уже есть запрос на исправление, ожидающий ответа преподавателя",
            code="correction_request_open",
        )


class CorrectionRequestAnswered(FailedPrecondition):
    """A request is answered once."""

    def __init__(self) -> None:
        super().__init__("На этот запрос уже дан ответ", code="correction_request_answered")


class InvalidCorrectionDecision(InvalidArgument):
    """The answer says «changed» with a new value or «explained» without one."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="invalid_correction_answer")


class NotTheStudentsMark(NotFound):
    """Someone else's mark: not found (its existence is not revealed)."""

    def __init__(self) -> None:
        super().__init__("Оценка не найдена (возможно, она уже удалена)", code="mark_not_found")


# --- rules -----------------------------------------------------------------------------------------


def check_text(text: str) -> str:
    """Return the text stripped, 1..1000 characters, or refuse it."""
    text = text.strip()
    if not 1 <= len(text) <= MAX_TEXT:
        raise InvalidCorrectionText()
    return text


def file(mark: model.Mark, *, student_id: uuid.UUID, text: str) -> CorrectionRequest:
    """Return a new request by the mark's own student (anyone else's mark is not found)."""
    if mark.student_id != student_id:
        raise NotTheStudentsMark()
    return CorrectionRequest(
        id=uuid.uuid4(),
        mark_id=mark.id,
        student_id=mark.student_id,
        group_id=mark.group_id,
        discipline_id=mark.discipline_id,
        teacher_id=mark.teacher_id,
        mark_value=mark.value,
        text=check_text(text),
    )


def check_answer(
    decision: CorrectionDecision | None, text: str, new_value: str
) -> tuple[CorrectionDecision, str]:
    """Check an answer before anything is read: a decision, a text, a new value for «changed» only;
    return the decision and the text stripped."""
    if decision is None:
        raise InvalidCorrectionDecision("Укажите решение: оценка исправлена или дано пояснение")
    if decision is CorrectionDecision.CHANGED and not new_value.strip():
        raise InvalidCorrectionDecision("Укажите новую оценку")
    if decision is CorrectionDecision.EXPLAINED and new_value.strip():
        raise InvalidCorrectionDecision("Новая оценка указывается только при исправлении оценки")
    return decision, check_text(text)


def answer(
    request: CorrectionRequest,
    *,
    decision: CorrectionDecision,
    text: str,
    teacher_id: uuid.UUID,
    new_value: str = "",
    change_id: uuid.UUID | None = None,
) -> CorrectionRequest:
    """Return the request answered; refused when it already was."""
    if request.answer is not None:
        raise CorrectionRequestAnswered()
    decision, text = check_answer(decision, text, new_value)
    if (decision is CorrectionDecision.CHANGED) != (change_id is not None):
        raise InvalidCorrectionDecision("Оценка не изменилась: выберите «дано пояснение»")
    return replace(
        request,
        answer=CorrectionAnswer(
            decision=decision,
            text=text,
            answered_by=teacher_id,
            new_value=new_value.strip() if decision is CorrectionDecision.CHANGED else "",
            change_id=change_id,
        ),
    )


_EARLIEST = datetime.min.replace(tzinfo=UTC)


def listed_order(requests: list[CorrectionRequest]) -> list[CorrectionRequest]:
    """Open requests first, oldest first (they wait); then answered ones, latest answer first; at most
    200."""
    waiting = sorted((r for r in requests if r.answer is None), key=lambda r: r.filed_at or _EARLIEST)
    answered = sorted(
        (r for r in requests if r.answer is not None),
        key=lambda r: (r.answer.answered_at if r.answer else None) or _EARLIEST,
        reverse=True,
    )
    return (waiting + answered)[:MAX_LISTED]
