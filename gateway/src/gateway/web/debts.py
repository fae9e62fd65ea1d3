"""Portal «Задолженности» (issue 7 item 3; 273-ФЗ ст.58): a group's academic debts of a year for the
class teacher, the curator and the administration — student, discipline, period, attempts, deadline and
the next step —, with a retake recorded in place by the teacher of the discipline, the curator or the
admin (RecordRetake): the commission of the second retake picked by name (a search among the teachers,
members ticked, the chairman chosen), no ids typed. «Мои задолженности»: a student's own debts (and a
parent's child's), linked from the home page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

import grpc
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from gateway.auth.portal import PortalSession
from gateway.auth.session import Session
from gateway.clients import call
from gateway.resources.common import to_local_date
from gateway.resources.debts import NEXT_STEPS
from gateway.runtime import get_runtime
from gateway.web.csrf import CsrfSession
from gateway.web.finals import year_of
from gateway.web.journal import render
from gateway.web.names import people_names
from gateway.web.people import PersonChoice, names_of, teachers_named
from gateway.web.year import FormProblem, service_problem

router = APIRouter()
RECORDERS = frozenset({"teacher", "curator", "admin"})
COMMISSION_PICKERS = frozenset({"curator", "admin"})
NEXT_STEP_LABELS = {
    NEXT_STEPS.name_of(pb.DEBT_NEXT_STEP_FIRST_RETAKE): "Первая пересдача (преподаватель)",
    NEXT_STEPS.name_of(pb.DEBT_NEXT_STEP_COMMISSION_RETAKE): "Вторая пересдача — комиссией",
    NEXT_STEPS.name_of(pb.DEBT_NEXT_STEP_NO_RETAKES_LEFT): "Пересдачи исчерпаны",
    NEXT_STEPS.name_of(pb.DEBT_NEXT_STEP_DEADLINE_PASSED): "Срок пересдачи истёк",
    NEXT_STEPS.name_of(pb.DEBT_NEXT_STEP_CLOSED): "Ликвидирована",
}
KIND_LABELS = {
    "semester": "за семестр",
    "year": "за год",
    "exam": "экзамен",
    "differentiated_credit": "дифференцированный зачёт",
    "credit": "зачёт",
    "module_exam": "экзамен по модулю",
    "demonstration_exam": "демонстрационный экзамен",
    "other_attestation": "другая аттестация",
}
CREDIT_VALUES = ("зач", "незач", "н/а")
MARK_VALUES = ("5", "4", "3", "2", "н/а")


@dataclass(frozen=True)
class DebtShown:
    """A debt as the page lists it."""

    debt: pb.AcademicDebt
    student: str
    discipline: str
    kind: str
    next_step: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class RetakeForm:
    """What was typed into a retake's form, and the teachers offered for its commission."""

    final_id: str
    retake_date: str = ""
    value: str = ""
    query: str = ""
    members: tuple[str, ...] = ()
    chairman: str = ""
    candidates: tuple[PersonChoice, ...] = ()


async def _shown(request: Request, session: Session, debts: list[pb.AcademicDebt]) -> list[DebtShown]:
    clients, token = get_runtime(request).clients, session.access_token
    names = await people_names(clients, session, [d.student_id for d in debts])
    ids = list(dict.fromkeys(d.discipline_id for d in debts))
    disciplines = {}
    if ids:
        reply = await call(
            clients.journal.ListDisciplines, pb.ListDisciplinesRequest(discipline_ids=ids), token
        )
        disciplines = {d.discipline_id: f"{d.code} {d.name}".strip() for d in reply.disciplines}
    places = {s: n for n, s in enumerate(dict.fromkeys(d.student_id for d in debts), start=1)}
    return [
        DebtShown(
            debt=d,
            student=names.get(d.student_id, f"Обучающийся №{places[d.student_id]}"),
            discipline=disciplines.get(d.discipline_id, "Дисциплина"),
            kind=KIND_LABELS.get(d.final_kind, d.final_kind),
            next_step=NEXT_STEP_LABELS.get(NEXT_STEPS.name_of(d.next_step), ""),
            values=CREDIT_VALUES if d.final_kind == "credit" else MARK_VALUES,
        )
        for d in debts
    ]


async def debts_page(
    request: Request,
    session: Session,
    group_id: UUID,
    year_id: str,
    *,
    form: RetakeForm | None = None,
    problem: FormProblem | None = None,
    saved: str = "",
) -> Response:
    """Render the group's debts of the year; a retake's form open with what was typed, if any."""
    runtime = get_runtime(request)
    clients, token = runtime.clients, session.access_token
    today = datetime.now(runtime.settings.college_zone).date()
    years = list((await call(clients.journal.ListAcademicYears, pb.ListAcademicYearsRequest(), token)).years)
    academic_year = year_of(years, year_id, today)
    group = (await call(clients.journal.GetGroup, pb.GetGroupRequest(group_id=str(group_id)), token)).group
    shown: list[DebtShown] = []
    if academic_year is not None:
        reply = await call(
            clients.journal.ListGroupDebts,
            pb.ListGroupDebtsRequest(group_id=str(group_id), year_id=academic_year.year_id),
            token,
        )
        shown = await _shown(request, session, list(reply.debts))
    return render(
        request,
        "debts.html",
        session,
        status=problem.status if problem else 200,
        group_id=str(group_id),
        group_name=group.name,
        years=years,
        academic_year=academic_year,
        debts=shown,
        may_record=bool(set(session.roles) & RECORDERS),
        # Finding teachers by name is the administration's (identity's SearchPeople): the commission of a
        # second retake is picked by the curator or the admin.
        may_pick_commission=bool(set(session.roles) & COMMISSION_PICKERS),
        form=form,
        problem=problem,
        saved=saved,
        today=today,
    )


@router.get("/debts/{group_id}")
async def group_debts(
    request: Request, group_id: UUID, session: PortalSession, year_id: str = "", saved: str = ""
) -> Response:
    """Задолженности группы за учебный год: попытки, срок и следующий шаг."""
    return await debts_page(request, session, group_id, year_id, saved=saved)


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@router.post("/debts/{group_id}")
async def record_retake(request: Request, group_id: UUID, session: CsrfSession) -> Response:
    """Найти преподавателей для комиссии или записать пересдачу; при отказе введённое остаётся."""
    data = await request.form()
    year_id = str(data.get("year_id", ""))
    members = tuple(dict.fromkeys(str(m) for m in data.getlist("member") if str(m)))
    form = RetakeForm(
        final_id=str(data.get("final_id", "")),
        retake_date=str(data.get("retake_date", "")).strip(),
        value=str(data.get("value", "")),
        query=str(data.get("teacher_query", "")).strip(),
        members=members,
        chairman=str(data.get("chairman", "")),
    )
    chosen_names = await names_of(request, session, list(members))
    chosen = tuple(PersonChoice(m, chosen_names.get(m, "Преподаватель")) for m in members)
    if data.get("action") == "search":
        found, problem = await teachers_named(request, session, form.query)
        extra = tuple(p for p in found if p.person_id not in members)
        if problem is None and not found:
            problem = FormProblem("Преподаватели с такой фамилией не найдены", {"teacher_query"})
        form = RetakeForm(**{**form.__dict__, "candidates": chosen + extra})
        return await debts_page(request, session, group_id, year_id, form=form, problem=problem)
    form = RetakeForm(**{**form.__dict__, "candidates": chosen})
    retake_date = _date(form.retake_date)
    if retake_date is None:
        problem = FormProblem("Укажите дату пересдачи", {"retake_date"})
        return await debts_page(request, session, group_id, year_id, form=form, problem=problem)
    try:
        await call(
            get_runtime(request).clients.journal.RecordRetake,
            pb.RecordRetakeRequest(
                final_id=form.final_id,
                retake_date=to_local_date(retake_date),
                value=form.value,
                commission_member_ids=list(members),
                commission_chairman_id=form.chairman if members else "",
            ),
            session.access_token,
        )
    except grpc.aio.AioRpcError as exc:
        return await debts_page(request, session, group_id, year_id, form=form, problem=service_problem(exc))
    return RedirectResponse(f"/debts/{group_id}?year_id={year_id}&saved={form.final_id}", status_code=303)


@router.get("/diary/{student_id}/debts")
async def student_debts(request: Request, student_id: UUID, session: PortalSession) -> Response:
    """Задолженности обучающегося (сам обучающийся, родитель, классный руководитель, администрация)."""
    clients, token = get_runtime(request).clients, session.access_token
    reply = await call(
        clients.journal.ListStudentDebts, pb.ListStudentDebtsRequest(student_id=str(student_id)), token
    )
    shown = await _shown(request, session, list(reply.debts))
    name = (await people_names(clients, session, [str(student_id)])).get(str(student_id), "")
    return render(
        request,
        "student_debts.html",
        session,
        student_id=str(student_id),
        student_name=name,
        own=session.subject == str(student_id),
        debts=shown,
    )
