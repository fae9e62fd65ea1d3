"""Portal: a mark's history and students' correction requests (R3.3).

«История оценки» (`/marks/{mark_id}/history`) lists the mark's recording, each change and removal
(who, when, old → new, why) and the correction requests with their answers, people named through
identity; it opens from the teacher's grid (double click or «?» on a mark), from the diary and from the
requests list, and prints. The mark's own student files a request there («Запросить исправление»).
«Запросы на исправление» (`/corrections`) lists the teacher's requests, open ones first, each with an
answer form («Оценка исправлена» with the new value, or «Дано пояснение»), and the student's own with
the answers. The journal decides every read and write again; a refused form comes back with what was
typed and the journal's reason next to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
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
from gateway.clients import ServiceClients, call
from gateway.resources.common import date_of, instant_of
from gateway.resources.disciplines import discipline_out
from gateway.resources.history import ACTIONS, DECISIONS, MAX_TEXT, REQUEST_STATUSES
from gateway.resources.marks import KINDS_OF_WORK
from gateway.resources.people import ROLES
from gateway.runtime import get_runtime
from gateway.web.csrf import CsrfSession
from gateway.web.format import discipline_label
from gateway.web.journal import KIND_OF_WORK_LABELS, render
from gateway.web.names import people_names
from gateway.web.pages import names_if_available
from gateway.web.year import FormProblem, service_problem

router = APIRouter()

STUDENT = ROLES.name_of(identity_pb2.ROLE_STUDENT)
TEACHER = ROLES.name_of(identity_pb2.ROLE_TEACHER)
CHANGED = DECISIONS.name_of(journal_pb2.CORRECTION_DECISION_CHANGED)
EXPLAINED = DECISIONS.name_of(journal_pb2.CORRECTION_DECISION_EXPLAINED)
OPEN = REQUEST_STATUSES.name_of(pb.CORRECTION_REQUEST_STATUS_OPEN)
# Keyed by the proto's values, so an action added there without a label fails the portal's tests.
ACTION_LABELS: dict[str, str] = {
    ACTIONS.name_of(pb.HISTORY_ACTION_RECORDED): "Выставлена",
    ACTIONS.name_of(pb.HISTORY_ACTION_CHANGED): "Исправлена",
    ACTIONS.name_of(pb.HISTORY_ACTION_REMOVED): "Удалена",
    ACTIONS.name_of(pb.HISTORY_ACTION_CORRECTION_REQUESTED): "Запрос на исправление",
    ACTIONS.name_of(pb.HISTORY_ACTION_CORRECTION_ANSWERED): "Ответ на запрос",
}
DECISION_LABELS: dict[str, str] = {
    CHANGED: "Оценка исправлена",
    EXPLAINED: "Оценка оставлена, дано пояснение",
}


class CorrectionsForStudentsAndTeachers(PermissionDenied):
    """«Запросы на исправление» belong to the students who file them and the teachers who answer."""

    def __init__(self) -> None:
        super().__init__(
            "Запросы на исправление оценок подают обучающиеся и рассматривают преподаватели дисциплин.",
            code="corrections_for_students_and_teachers",
        )


@dataclass(frozen=True)
class EntryShown:
    """One line of a mark's history as the page shows it."""

    at: datetime | None
    who: str
    what: str
    before: str
    after: str
    text: str
    request_id: str


@dataclass(frozen=True)
class RequestShown:
    """A correction request as the list shows it."""

    request_id: str
    mark_id: str
    student: str
    discipline: str
    lesson_date: date | None
    mark_value: str
    text: str
    filed_at: datetime | None
    open: bool
    decision: str
    answer_text: str
    answered_by: str
    answered_at: datetime | None
    new_value: str


def _work(kind: int, weight: int) -> str:
    label = KIND_OF_WORK_LABELS.get(KINDS_OF_WORK.name_of(kind), "") if kind else ""
    return ", ".join(p for p in (label, f"вес {weight}" if weight > 1 else "") if p)


def _what(entry: pb.MarkHistoryEntry) -> str:
    what = ACTION_LABELS.get(ACTIONS.name_of(entry.action), "")
    if entry.action == pb.HISTORY_ACTION_CORRECTION_REQUESTED and entry.old_value:
        return f"{what} оценки {entry.old_value}"
    decision = DECISION_LABELS.get(DECISIONS.name_of(entry.decision), "")
    if decision and entry.new_value:
        return f"{what}: {decision.lower()}, {entry.new_value}"
    return f"{what}: {decision.lower()}" if decision else what


def _changes(entry: pb.MarkHistoryEntry) -> bool:
    return entry.action in (pb.HISTORY_ACTION_RECORDED, pb.HISTORY_ACTION_CHANGED, pb.HISTORY_ACTION_REMOVED)


def _work_changed(entry: pb.MarkHistoryEntry) -> bool:
    """Show the kind of work and weight when they changed, or when a mark was recorded with other than
    «ответ на занятии», weight 1 (a value alone says the rest)."""
    if entry.action == pb.HISTORY_ACTION_RECORDED:
        return entry.new_kind_of_work not in (0, journal_pb2.KIND_OF_WORK_ANSWER) or entry.new_weight > 1
    return (entry.old_kind_of_work, entry.old_weight) != (entry.new_kind_of_work, entry.new_weight) and bool(
        entry.new_kind_of_work
    )


def _value(value: str, kind: int, weight: int, shown: bool) -> str:
    work = _work(kind, weight) if shown else ""
    return f"{value} ({work})" if value and work else value


async def _disciplines(clients: ServiceClients, session: Session, ids: list[str]) -> dict[str, str]:
    ids = list(dict.fromkeys(i for i in ids if i))
    if not ids:
        return {}
    request = pb.ListDisciplinesRequest(discipline_ids=ids)
    found = await names_if_available(call(clients.journal.ListDisciplines, request, session.access_token))
    return {
        d.discipline_id: discipline_label(discipline_out(d)) for d in (found.disciplines if found else [])
    }


def _named(names: dict[str, str], person: str, session: Session, unnamed: str) -> str:
    """Return a person's name («(вы)» for the caller); identity may not show everyone to everyone
    (a student does not see staff by name), so the unnamed get their part: `unnamed`."""
    if person == session.subject:
        return f"{names[person]} (вы)" if person in names else "Вы"
    return names.get(person, unnamed)


def _part(person: str, mark: journal_pb2.Mark) -> str:
    if person == mark.student_id:
        return "Обучающийся"
    return "Преподаватель" if person == mark.teacher_id else "Сотрудник колледжа"


async def history_page(
    request: Request,
    session: Session,
    mark_id: UUID,
    *,
    text: str = "",
    problem: FormProblem | None = None,
    filed: bool = False,
) -> Response:
    """Render a mark's history; the mark's own student gets the request form unless one is open."""
    clients = get_runtime(request).clients
    reply = await call(
        clients.journal.GetMarkHistory, pb.GetMarkHistoryRequest(mark_id=str(mark_id)), session.access_token
    )
    mark = reply.mark
    people = [mark.student_id, *(e.actor_id for e in reply.entries)]
    names = await people_names(clients, session, people)
    disciplines = await _disciplines(clients, session, [mark.discipline_id])
    entries = [
        EntryShown(
            at=instant_of(e.at, present=e.HasField("at")),
            who=_named(names, e.actor_id, session, _part(e.actor_id, mark)),
            what=_what(e),
            # A request and its answer change nothing by themselves (a «changed» answer's change is its
            # own line): their value is in «Что».
            before=""
            if e.correction_request_id and not _changes(e)
            else _value(e.old_value, e.old_kind_of_work, e.old_weight, _work_changed(e)),
            after=""
            if e.correction_request_id and not _changes(e)
            else _value(e.new_value, e.new_kind_of_work, e.new_weight, _work_changed(e)),
            text=e.text,
            request_id=e.correction_request_id,
        )
        for e in reply.entries
    ]
    requested = {
        e.correction_request_id for e in reply.entries if e.action == pb.HISTORY_ACTION_CORRECTION_REQUESTED
    }
    answered = {
        e.correction_request_id for e in reply.entries if e.action == pb.HISTORY_ACTION_CORRECTION_ANSWERED
    }
    own = mark.student_id == session.subject and STUDENT in session.roles
    return render(
        request,
        "mark_history.html",
        session,
        status=problem.status if problem else 200,
        mark=mark,
        removed=reply.removed,
        lesson_date=date_of(mark.lesson_date),
        student=_named(names, mark.student_id, session, "Обучающийся"),
        discipline=disciplines.get(mark.discipline_id, "Дисциплина"),
        work=_work(mark.kind_of_work, mark.weight),
        entries=entries,
        can_request=own and not reply.removed and not (requested - answered),
        waiting=own and bool(requested - answered),
        text=text,
        max_text=MAX_TEXT,
        problem=problem,
        filed=filed,
    )


@router.get("/marks/{mark_id}/history")
async def mark_history(request: Request, mark_id: UUID, session: PortalSession, filed: int = 0) -> Response:
    """История оценки: кто, когда, было → стало, почему; запросы на исправление и ответы."""
    return await history_page(request, session, mark_id, filed=bool(filed))


@router.post("/marks/{mark_id}/history")
async def file_request(request: Request, mark_id: UUID, session: CsrfSession) -> Response:
    """Запросить исправление своей оценки: текст уходит преподавателю дисциплины."""
    form = await request.form()
    text = str(form.get("text") or "")
    if not text.strip() or len(text.strip()) > MAX_TEXT:
        problem = FormProblem(f"Опишите, что не так с оценкой: от 1 до {MAX_TEXT} символов", {"text"})
        return await history_page(request, session, mark_id, text=text, problem=problem)
    try:
        await call(
            get_runtime(request).clients.journal.FileCorrectionRequest,
            pb.FileCorrectionRequestRequest(mark_id=str(mark_id), text=text),
            session.access_token,
        )
    except grpc.aio.AioRpcError as exc:
        return await history_page(request, session, mark_id, text=text, problem=service_problem(exc))
    return RedirectResponse(f"/marks/{mark_id}/history?filed=1", status_code=303)


def allowed(session: Session) -> None:
    """Refuse everyone but students and teachers (the journal decides whose requests)."""
    if not {STUDENT, TEACHER} & set(session.roles):
        raise CorrectionsForStudentsAndTeachers()


async def corrections_page(
    request: Request,
    session: Session,
    *,
    answering: str = "",
    values: dict[str, str] | None = None,
    problem: FormProblem | None = None,
    answered: str = "",
) -> Response:
    """Render «Запросы на исправление»: the teacher's to answer and the student's own."""
    allowed(session)
    clients = get_runtime(request).clients
    reply = await call(
        clients.journal.ListCorrectionRequests, pb.ListCorrectionRequestsRequest(), session.access_token
    )
    names = await people_names(
        clients, session, [p for r in reply.requests for p in (r.student_id, r.answered_by) if p]
    )
    disciplines = await _disciplines(clients, session, [r.discipline_id for r in reply.requests])
    shown = [
        RequestShown(
            request_id=r.request_id,
            mark_id=r.mark_id,
            student=_named(names, r.student_id, session, "Обучающийся"),
            discipline=disciplines.get(r.discipline_id, "Дисциплина"),
            lesson_date=date_of(r.lesson_date),
            mark_value=r.mark_value,
            text=r.text,
            filed_at=instant_of(r.filed_at, present=r.HasField("filed_at")),
            open=REQUEST_STATUSES.name_of(r.status) == OPEN,
            decision=DECISION_LABELS.get(DECISIONS.name_of(r.decision), ""),
            answer_text=r.answer_text,
            answered_by=_named(names, r.answered_by, session, "преподаватель") if r.answered_by else "",
            answered_at=instant_of(r.answered_at, present=r.HasField("answered_at")),
            new_value=r.new_value,
        )
        for r in reply.requests
    ]
    teacher = TEACHER in session.roles
    return render(
        request,
        "corrections.html",
        session,
        status=problem.status if problem else 200,
        requests=shown,
        teacher=teacher,
        answering=answering,
        values=values or {},
        problem=problem,
        answered=answered,
        changed=CHANGED,
        explained=EXPLAINED,
        max_text=MAX_TEXT,
    )


@router.get("/corrections")
async def corrections(request: Request, session: PortalSession, answered: str = "") -> Response:
    """Запросы на исправление оценок: преподавателю — по его дисциплинам, обучающемуся — свои."""
    return await corrections_page(request, session, answered=answered)


@router.post("/corrections/{request_id}/answer")
async def answer(request: Request, request_id: UUID, session: CsrfSession) -> Response:
    """Ответить на запрос: оценка исправлена (новая отметка) или дано пояснение."""
    allowed(session)
    form = await request.form()
    values = {k: str(form.get(k) or "") for k in ("decision", "text", "new_value")}
    ref = str(request_id)
    problem = None
    if values["decision"] not in (CHANGED, EXPLAINED):
        problem = FormProblem("Выберите решение: оценка исправлена или дано пояснение", {"decision"})
    elif not values["text"].strip() or len(values["text"].strip()) > MAX_TEXT:
        problem = FormProblem(f"Напишите ответ обучающемуся: от 1 до {MAX_TEXT} символов", {"text"})
    elif values["decision"] == CHANGED and not values["new_value"].strip():
        problem = FormProblem("Укажите новую оценку, например 5", {"new_value"})
    if problem is not None:
        return await corrections_page(request, session, answering=ref, values=values, problem=problem)
    try:
        await call(
            get_runtime(request).clients.journal.AnswerCorrectionRequest,
            pb.AnswerCorrectionRequestRequest(
                request_id=ref,
                decision=DECISIONS.to_pb(values["decision"]),
                text=values["text"],
                new_value=values["new_value"].strip() if values["decision"] == CHANGED else "",
            ),
            session.access_token,
        )
    except grpc.aio.AioRpcError as exc:
        return await corrections_page(
            request, session, answering=ref, values=values, problem=service_problem(exc)
        )
    return RedirectResponse(f"/corrections?answered={ref}", status_code=303)
