"""Portal «Пропуски»: the class teacher's week of their group's absences and lateness
(ListGroupAbsences), a reason category chosen per absence, and one save (CorrectAbsenceReasons, all or
nothing). Reasons are categories only — never free text, never a diagnosis.

The class teacher of the group and the administration use it; the journal decides again and audits
each correction. A refused or failed save comes back with every chosen category in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

import grpc
from chassis.errors import PermissionDenied
from ejournal.identity.v1 import identity_pb2
from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from gateway.auth.portal import PortalSession
from gateway.auth.session import Session
from gateway.clients import call
from gateway.resources.attendance import REASONS, STATUSES
from gateway.resources.common import UNSPECIFIED, date_of, to_local_date
from gateway.resources.people import ROLES
from gateway.runtime import get_runtime
from gateway.web.csrf import CsrfSession
from gateway.web.diary_week import WEEKDAYS, monday_of
from gateway.web.journal import render
from gateway.web.names import people_names
from gateway.web.year import SERVICE_DOWN, FormProblem, service_problem

router = APIRouter()

READERS = frozenset(
    ROLES.name_of(r)
    for r in (
        identity_pb2.ROLE_CLASS_TEACHER,
        identity_pb2.ROLE_ADMIN,
        identity_pb2.ROLE_DIRECTOR,
        identity_pb2.ROLE_DEPUTY,
        identity_pb2.ROLE_CURATOR,
    )
)
# Keyed by the proto's values, so a category added there without a label fails the portal's tests.
REASON_LABELS: dict[str, str] = {
    UNSPECIFIED: "Не указана",
    REASONS.name_of(journal_pb2.ABSENCE_REASON_ILLNESS): "Болезнь",
    REASONS.name_of(journal_pb2.ABSENCE_REASON_DOCUMENTED): "Уважительная по документу",
    REASONS.name_of(journal_pb2.ABSENCE_REASON_UNEXCUSED): "Неуважительная",
    REASONS.name_of(journal_pb2.ABSENCE_REASON_COLLEGE_BUSINESS): "По распоряжению колледжа",
}
STATUS_LABELS = {
    STATUSES.name_of(journal_pb2.ATTENDANCE_STATUS_ABSENT): "н — отсутствовал",
    STATUSES.name_of(journal_pb2.ATTENDANCE_STATUS_LATE): "оп — опоздал",
}
MAX_CORRECTIONS = 500
FIELD = "reason:"  # reason:<lesson_id>:<student_id>


class AbsencesForClassTeachers(PermissionDenied):
    """«Пропуски» belong to the class teacher and the administration."""

    def __init__(self) -> None:
        super().__init__(
            "Раздел «Пропуски» ведёт классный руководитель группы; администрация колледжа его просматривает.",
            code="class_teacher_only",
        )


@dataclass(frozen=True)
class AbsenceShown:
    """One absence or lateness of the week, as the form lists it."""

    key: str  # <lesson_id>:<student_id>
    student: str
    day: date | None
    weekday: str
    pair: int
    discipline: str
    status: str
    reason: str  # as stored


def allowed(session: Session) -> None:
    """Refuse everyone but class teachers and the administration (the journal decides which group)."""
    if not set(session.roles) & READERS:
        raise AbsencesForClassTeachers()


async def absences_page(
    request: Request,
    session: Session,
    group_id: UUID,
    week: str | None,
    *,
    chosen: dict[str, str] | None = None,
    problem: FormProblem | None = None,
    saved: int | None = None,
) -> Response:
    """Render «Пропуски» of a group's week; after a refused save, with what was chosen."""
    allowed(session)
    runtime = get_runtime(request)
    today = datetime.now(runtime.settings.college_zone).date()
    monday = monday_of(week, today)
    token = session.access_token
    group_name = ""
    absences: list[AbsenceShown] | None = None
    try:
        group_reply = await call(
            runtime.clients.journal.GetGroup, pb.GetGroupRequest(group_id=str(group_id)), token
        )
        group_name = group_reply.group.name
        reply = await call(
            runtime.clients.journal.ListGroupAbsences,
            pb.ListGroupAbsencesRequest(group_id=str(group_id), week_start=to_local_date(monday)),
            token,
        )
        names = await people_names(runtime.clients, session, list(reply.student_ids))
        places = {s: n for n, s in enumerate(reply.student_ids, start=1)}
        disciplines = {d.discipline_id: f"{d.code} {d.name}".strip() for d in reply.disciplines}
        absences = []
        for item in reply.absences:
            day = date_of(item.lesson_date)
            absences.append(
                AbsenceShown(
                    key=f"{item.lesson_id}:{item.student_id}",
                    student=names.get(item.student_id, f"Обучающийся №{places.get(item.student_id, 0)}"),
                    day=day,
                    weekday=WEEKDAYS[day.weekday()] if day else "",
                    pair=item.pair_number,
                    discipline=disciplines.get(item.discipline_id, "Дисциплина"),
                    status=STATUS_LABELS.get(STATUSES.name_of(item.status), ""),
                    reason=REASONS.name_of(item.reason),
                )
            )
        absences.sort(
            key=lambda a: (a.student.startswith("Обучающийся №"), a.student, a.day or monday, a.pair)
        )
    except grpc.aio.AioRpcError as exc:
        # After a refused save the chosen categories matter more than the list: they are not lost.
        if problem is None or exc.code() not in SERVICE_DOWN:
            raise
    return render(
        request,
        "absences.html",
        session,
        status=problem.status if problem else 200,
        group_id=str(group_id),
        group_name=group_name,
        monday=monday,
        sunday=monday + timedelta(days=6),
        previous=monday - timedelta(days=7),
        following=monday + timedelta(days=7),
        absences=absences,
        chosen=chosen or {},
        problem=problem,
        saved=saved,
        reason_labels=REASON_LABELS,
    )


@router.get("/absences/{group_id}")
async def absences(
    request: Request,
    group_id: UUID,
    session: PortalSession,
    week: str | None = None,
    saved: int | None = None,
) -> Response:
    """Пропуски группы за неделю: причина (категория) у каждого пропуска и опоздания."""
    return await absences_page(request, session, group_id, week, saved=saved)


def parse_corrections(form_items: list[tuple[str, str]]) -> tuple[dict[str, str], list[pb.AbsenceCorrection]]:
    """Return the chosen categories by key and the changed ones as corrections; raise on a forged field."""
    chosen: dict[str, str] = {}
    was: dict[str, str] = {}
    for name, value in form_items:
        if name.startswith(FIELD):
            chosen[name.removeprefix(FIELD)] = value
        elif name.startswith("was:"):
            was[name.removeprefix("was:")] = value
    corrections = []
    for key, reason in chosen.items():
        lesson_id, _, student_id = key.partition(":")
        if reason not in REASON_LABELS or not _is_uuid(lesson_id) or not _is_uuid(student_id):
            raise MalformedCorrections()
        if was.get(key) == reason:
            continue
        corrections.append(
            pb.AbsenceCorrection(
                lesson_id=lesson_id,
                student_id=student_id,
                reason=REASONS.to_pb(reason)
                if reason != UNSPECIFIED
                else journal_pb2.ABSENCE_REASON_UNSPECIFIED,
            )
        )
    if len(corrections) > MAX_CORRECTIONS:
        raise MalformedCorrections()
    return chosen, corrections


class MalformedCorrections(Exception):
    """The form holds something the page never offers (an old page, or a forged one)."""


def _is_uuid(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True


@router.post("/absences/{group_id}")
async def correct_absences(request: Request, group_id: UUID, session: CsrfSession) -> Response:
    """Сохранить причины пропусков недели одним запросом; при отказе — выбранное остаётся на странице."""
    allowed(session)
    form = await request.form()
    week = str(form.get("week") or "")
    try:
        chosen, corrections = parse_corrections([(k, str(v)) for k, v in form.multi_items()])
    except MalformedCorrections:
        problem = FormProblem("Форма не распознана: откройте страницу заново и выберите причины из списков")
        return await absences_page(request, session, group_id, week, problem=problem)
    if not corrections:
        return RedirectResponse(f"/absences/{group_id}?week={week}&saved=0", status_code=303)
    try:
        await call(
            get_runtime(request).clients.journal.CorrectAbsenceReasons,
            pb.CorrectAbsenceReasonsRequest(group_id=str(group_id), corrections=corrections),
            session.access_token,
        )
    except grpc.aio.AioRpcError as exc:
        problem = service_problem(exc)
        return await absences_page(request, session, group_id, week, chosen=chosen, problem=problem)
    return RedirectResponse(f"/absences/{group_id}?week={week}&saved={len(corrections)}", status_code=303)
