"""Portal «Демонстрационный экзамен» (issue 7 item 4): the teacher of a group's discipline records each
student's points and the maximum and sees the percent and the mark the table in force gives
(RecordDemoExamResult); the group's readers see the results. «Шкала перевода» for the admin: the
table in force, its earlier versions, and a new version (SetDemoExamScale) — results already recorded
keep the version they were converted with. Refusals are shown next to the form with what was typed."""

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
from gateway.resources.common import date_of, to_local_date
from gateway.runtime import get_runtime
from gateway.web.csrf import CsrfSession
from gateway.web.finals import year_of
from gateway.web.journal import render
from gateway.web.names import people_names
from gateway.web.year import FormProblem, service_problem

router = APIRouter()
BAND_ROWS = 6


@dataclass(frozen=True)
class StudentRow:
    """A student of the group with their result, if recorded."""

    student_id: str
    name: str
    result: pb.DemoExamResult | None


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


async def demo_exam_page(
    request: Request,
    session: Session,
    group_id: UUID,
    discipline_id: UUID,
    *,
    year_id: str = "",
    semester: int = 0,
    typed: dict[str, str] | None = None,
    problem: FormProblem | None = None,
    recorded: str = "",
) -> Response:
    """Render the group's demonstration exam in a discipline and semester, with the form per student."""
    runtime = get_runtime(request)
    clients, token = runtime.clients, session.access_token
    today = datetime.now(runtime.settings.college_zone).date()
    years = list((await call(clients.journal.ListAcademicYears, pb.ListAcademicYearsRequest(), token)).years)
    academic_year = year_of(years, year_id, today)
    group = (await call(clients.journal.GetGroup, pb.GetGroupRequest(group_id=str(group_id)), token)).group
    discipline = next(
        iter(
            (
                await call(
                    clients.journal.ListDisciplines,
                    pb.ListDisciplinesRequest(discipline_ids=[str(discipline_id)]),
                    token,
                )
            ).disciplines
        ),
        None,
    )
    scale = (await call(clients.journal.GetDemoExamScale, pb.GetDemoExamScaleRequest(), token)).scale
    rows: list[StudentRow] = []
    if academic_year is not None:
        if semester not in (1, 2):
            ends = date_of(academic_year.semester1.ends_on)
            semester = 1 if ends is None or today <= ends else 2
        results = (
            await call(
                clients.journal.ListDemoExamResults,
                pb.ListDemoExamResultsRequest(
                    group_id=str(group_id),
                    discipline_id=str(discipline_id),
                    year_id=academic_year.year_id,
                    semester=semester,
                ),
                token,
            )
        ).results
        by_student = {r.student_id: r for r in results}
        students = list(
            (
                await call(
                    clients.journal.ListGroupStudents,
                    pb.ListGroupStudentsRequest(group_id=str(group_id)),
                    token,
                )
            ).student_ids
        )
        students += [s for s in by_student if s not in students]
        names = await people_names(clients, session, students)
        rows = [
            StudentRow(s, names.get(s, f"Обучающийся №{n}"), by_student.get(s))
            for n, s in enumerate(students, start=1)
        ]
        rows.sort(key=lambda r: (r.name.startswith("Обучающийся №"), r.name))
    return render(
        request,
        "demo_exam.html",
        session,
        status=problem.status if problem else 200,
        group_id=str(group_id),
        group_name=group.name,
        discipline_id=str(discipline_id),
        discipline=discipline,
        years=years,
        academic_year=academic_year,
        semester=semester,
        scale=scale,
        rows=rows,
        may_record="teacher" in session.roles,
        typed=typed or {},
        problem=problem,
        recorded=recorded,
        today=today,
    )


@router.get("/demo-exam/{group_id}/{discipline_id}")
async def demo_exam(
    request: Request,
    group_id: UUID,
    discipline_id: UUID,
    session: PortalSession,
    *,
    year_id: str = "",
    semester: int = 0,
    recorded: str = "",
) -> Response:
    """Демонстрационный экзамен группы по дисциплине: баллы, максимум, процент и отметка."""
    return await demo_exam_page(
        request, session, group_id, discipline_id, year_id=year_id, semester=semester, recorded=recorded
    )


@router.post("/demo-exam/{group_id}/{discipline_id}")
async def record_demo_exam(
    request: Request, group_id: UUID, discipline_id: UUID, session: CsrfSession
) -> Response:
    """Записать результат обучающегося; при отказе — введённое остаётся на странице с причиной."""
    form = {k: str(v).strip() for k, v in (await request.form()).items()}
    year_id, student_id = form.get("year_id", ""), form.get("student_id", "")
    semester = int(form["semester"]) if form.get("semester", "") in ("1", "2") else 0
    exam_date = _date(form.get("exam_date", ""))
    if exam_date is None:
        problem = FormProblem("Укажите дату экзамена", {"exam_date"})
        return await demo_exam_page(
            request,
            session,
            group_id,
            discipline_id,
            year_id=year_id,
            semester=semester,
            typed=form,
            problem=problem,
        )
    try:
        reply = await call(
            get_runtime(request).clients.journal.RecordDemoExamResult,
            pb.RecordDemoExamResultRequest(
                group_id=str(group_id),
                discipline_id=str(discipline_id),
                year_id=year_id,
                semester=semester,
                student_id=student_id,
                points=form.get("points", ""),
                maximum=form.get("maximum", ""),
                exam_date=to_local_date(exam_date),
            ),
            session.access_token,
        )
    except grpc.aio.AioRpcError as exc:
        return await demo_exam_page(
            request,
            session,
            group_id,
            discipline_id,
            year_id=year_id,
            semester=semester,
            typed=form,
            problem=service_problem(exc),
        )
    return RedirectResponse(
        f"/demo-exam/{group_id}/{discipline_id}?year_id={year_id}&semester={semester}"
        f"&recorded={reply.result.student_id}",
        status_code=303,
    )


# -- «Шкала перевода» (admin) ----------------------------------------------------------------------


async def scale_page(
    request: Request,
    session: Session,
    *,
    typed: list[tuple[str, str, str]] | None = None,
    effective_from: str = "",
    problem: FormProblem | None = None,
    saved: int = 0,
) -> Response:
    """Render the table in force, its versions and (for the admin) the form of a new version."""
    clients, token = get_runtime(request).clients, session.access_token
    current = (await call(clients.journal.GetDemoExamScale, pb.GetDemoExamScaleRequest(), token)).scale
    versions = [current]
    for version in range(current.version - 1, 0, -1):
        try:
            reply = await call(
                clients.journal.GetDemoExamScale, pb.GetDemoExamScaleRequest(version=version), token
            )
        except grpc.aio.AioRpcError:
            break
        versions.append(reply.scale)
    rows = typed or [(b.from_percent, b.to_percent, b.mark) for b in current.bands]
    rows = [*rows, *[("", "", "")] * (BAND_ROWS - len(rows))][: max(BAND_ROWS, len(rows))]
    return render(
        request,
        "demo_exam_scale.html",
        session,
        status=problem.status if problem else 200,
        current=current,
        versions=versions,
        rows=rows,
        effective_from=effective_from,
        may_edit="admin" in session.roles,
        problem=problem,
        saved=saved,
    )


@router.get("/demo-exam-scale")
async def demo_exam_scale(request: Request, session: PortalSession, saved: int = 0) -> Response:
    """Шкала перевода баллов демонстрационного экзамена в отметку и её версии."""
    return await scale_page(request, session, saved=saved)


@router.post("/demo-exam-scale")
async def set_demo_exam_scale(request: Request, session: CsrfSession) -> Response:
    """Задать новую версию шкалы; при отказе строки остаются на странице с причиной."""
    form = await request.form()
    rows = [
        (
            str(form.get(f"from_{i}", "")).strip(),
            str(form.get(f"to_{i}", "")).strip(),
            str(form.get(f"mark_{i}", "")),
        )
        for i in range(BAND_ROWS)
    ]
    filled = [r for r in rows if any(r)]
    effective_from = str(form.get("effective_from", "")).strip()
    request_pb = pb.SetDemoExamScaleRequest(
        bands=[pb.DemoExamBand(from_percent=f, to_percent=t, mark=m) for f, t, m in filled]
    )
    if effective_from:
        day = _date(effective_from)
        if day is None:
            return await scale_page(
                request,
                session,
                typed=rows,
                effective_from=effective_from,
                problem=FormProblem("Дата начала действия — в формате ДД.ММ.ГГГГ", {"effective_from"}),
            )
        request_pb.effective_from.CopyFrom(to_local_date(day))
    try:
        reply = await call(
            get_runtime(request).clients.journal.SetDemoExamScale, request_pb, session.access_token
        )
    except grpc.aio.AioRpcError as exc:
        return await scale_page(
            request, session, typed=rows, effective_from=effective_from, problem=service_problem(exc)
        )
    return RedirectResponse(f"/demo-exam-scale?saved={reply.scale.version}", status_code=303)
