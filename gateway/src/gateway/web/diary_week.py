"""Portal «Дневник на неделю» for students and parents (and the staff who may read it): the week's days
with their pairs — discipline, topic, homework with its deadline, the student's marks and attendance —
and the week's averages per discipline, as the journal computed them (GetStudentDiary).

The journal decides who reads which diary (the student, their parent, the class teacher, the group's
teachers, the administration) and audits the read; identity only names the student. On a 360-px
phone every day's table becomes cards (no sideways scroll).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

import grpc
from chassis.errors import InvalidArgument
from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.auth.portal import PortalSession
from gateway.clients import call
from gateway.resources.attendance import STATUSES
from gateway.resources.common import date_of, to_local_date
from gateway.resources.lessons import LESSON_KINDS
from gateway.runtime import get_runtime
from gateway.web.journal import LESSON_KIND_LABELS, mark_of, render
from gateway.web.names import people_names
from gateway.web.pages import StudentNotFound
from gateway.web.year import date_of_text

router = APIRouter()

WEEKDAYS = ("Понедельник", "Вторник", "Среда", "Четверг", "Пятница", "Суббота", "Воскресенье")
ABSENT = STATUSES.name_of(journal_pb2.ATTENDANCE_STATUS_ABSENT)
LATE = STATUSES.name_of(journal_pb2.ATTENDANCE_STATUS_LATE)
PRESENT = STATUSES.name_of(journal_pb2.ATTENDANCE_STATUS_PRESENT)
ATTENDANCE_SHOWN = {PRESENT: "был", ABSENT: "н (не был)", LATE: "оп (опоздал)"}


@dataclass(frozen=True)
class PairShown:
    """One pair of a diary day."""

    number: int
    discipline: str
    topic: str
    kind: str
    homework: str
    deadline: date | None
    marks: list[tuple[str, str]]  # (value, what it was for)
    attendance: str

    @property
    def absent(self) -> bool:
        """Return True for an absence or lateness (shown in red)."""
        return self.attendance not in {"", ATTENDANCE_SHOWN[PRESENT]}


@dataclass(frozen=True)
class DayShown:
    """One day of the week's diary."""

    day: date
    weekday: str
    pairs: list[PairShown]
    other_marks: list[tuple[str, str, str]]  # marks by date only: (discipline, value, what for)


def monday_of(text: str | None, today: date) -> date:
    """Return the Monday of the week holding the given day (ДД.ММ.ГГГГ or ГГГГ-ММ-ДД), else this week's."""
    day = date_of_text(text.strip()) if text else today
    if day is None:
        raise InvalidArgument("Неделя — дата в формате ДД.ММ.ГГГГ", code="invalid_week")
    return day - timedelta(days=day.weekday())


@router.get("/diary/{student_id}/week")
async def diary_week(
    request: Request, student_id: UUID, session: PortalSession, week: str | None = None
) -> Response:
    """Дневник на неделю: дни, пары, темы, задания, оценки, пропуски и средние за неделю."""
    runtime = get_runtime(request)
    today = datetime.now(runtime.settings.college_zone).date()
    monday = monday_of(week, today)
    sunday = monday + timedelta(days=6)
    student = str(student_id)
    try:
        reply = await call(
            runtime.clients.journal.GetStudentDiary,
            pb.GetStudentDiaryRequest(
                student_id=student, date_from=to_local_date(monday), date_to=to_local_date(sunday)
            ),
            session.access_token,
        )
    except grpc.aio.AioRpcError as exc:
        if exc.code() == grpc.StatusCode.NOT_FOUND:
            raise StudentNotFound() from None
        raise
    names = await people_names(runtime.clients, session, [student])
    disciplines = {d.discipline_id: f"{d.code} {d.name}".strip() for d in reply.disciplines}
    days = [
        DayShown(
            day=day,
            weekday=WEEKDAYS[day.weekday()],
            pairs=[
                PairShown(
                    number=lesson.pair_number,
                    discipline=disciplines.get(lesson.discipline_id, "Дисциплина"),
                    topic=lesson.topic,
                    kind=LESSON_KIND_LABELS.get(LESSON_KINDS.name_of(lesson.kind), ""),
                    homework=lesson.homework,
                    deadline=date_of(lesson.homework_deadline)
                    if lesson.HasField("homework_deadline")
                    else None,
                    marks=[(m.value, m.hint) for m in map(mark_of, lesson.marks)],
                    attendance=ATTENDANCE_SHOWN.get(STATUSES.name_of(lesson.status), "")
                    if lesson.status
                    else "",
                )
                for lesson in sorted(entry.lessons, key=lambda x: x.pair_number)
            ],
            other_marks=[
                (disciplines.get(m.discipline_id, "Дисциплина"), shown.value, shown.hint)
                for m in entry.marks_without_lesson
                for shown in (mark_of(m.mark),)
            ],
        )
        for entry in reply.days
        if (day := date_of(entry.date)) is not None
    ]
    averages = sorted(
        ((disciplines.get(a.discipline_id, "Дисциплина"), a.mean, a.weighted_mean) for a in reply.averages),
        key=lambda x: x[0],
    )
    return render(
        request,
        "diary_week.html",
        session,
        student_id=student,
        student_name=names.get(student, ""),
        own=student == session.subject,
        monday=monday,
        sunday=sunday,
        previous=monday - timedelta(days=7),
        following=monday + timedelta(days=7),
        this_week=monday <= today <= sunday,
        days=days,
        averages=averages,
    )
