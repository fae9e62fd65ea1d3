"""Portal page «Группа»: the group's «календарный учебный график» for a chosen academic year.

There is no ListGroups or GetGroup RPC: the page is reached by the group's id (the admin home has a
box for it). The administration reads the graph; only the admin gets the form, which replaces the
year's spans at once (the journal decides again). A refused form comes back with the journal's
message next to it and every typed value in place.
"""

from __future__ import annotations

import re
from datetime import date
from uuid import UUID

import grpc
from chassis.errors import InvalidArgument, PermissionDenied
from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from gateway.auth.portal import PortalSession
from gateway.auth.session import Session
from gateway.clients import call
from gateway.resources.academic_year import (
    SPAN_KINDS,
    AcademicYearOut,
    CalendarSpanOut,
    calendar_span_out,
    year_out,
)
from gateway.runtime import get_runtime
from gateway.web.csrf import CsrfSession
from gateway.web.year import SERVICE_DOWN, FormProblem, date_of_text, reader, render, service_problem, span

router = APIRouter()

MAX_SPANS = 12
# Keyed by the proto's values, so a kind added there without a label fails the portal's tests.
SPAN_KIND_LABELS: dict[str, str] = {
    SPAN_KINDS.name_of(journal_pb2.CALENDAR_SPAN_KIND_THEORY): "Теоретическое обучение",
    SPAN_KINDS.name_of(journal_pb2.CALENDAR_SPAN_KIND_STUDY_PRACTICE): "Учебная практика (УП)",
    SPAN_KINDS.name_of(journal_pb2.CALENDAR_SPAN_KIND_INDUSTRIAL_PRACTICE): "Производственная практика (ПП)",
    SPAN_KINDS.name_of(journal_pb2.CALENDAR_SPAN_KIND_SESSION): "Промежуточная аттестация",
    SPAN_KINDS.name_of(journal_pb2.CALENDAR_SPAN_KIND_GIA): "ГИА",
    SPAN_KINDS.name_of(journal_pb2.CALENDAR_SPAN_KIND_HOLIDAYS): "Каникулы",
}
# The journal numbers the spans it refuses («Период №2 …») as sent: the page sends the filled rows in
# order and shows them first again, so the number is the row's.
ROW_OF_MESSAGE = re.compile(r"Период №([0-9]+)")

Row = tuple[str, str, str]  # kind, first day, last day — as typed


class AdminOnly(PermissionDenied):
    """Only the admin changes a group's graph."""

    def __init__(self) -> None:
        super().__init__(
            "Изменять календарный учебный график группы может только администратор", code="admin_only"
        )


def group_id_of(text: str) -> str:
    """Return the group id typed in a form, or the portal's Russian 400."""
    try:
        return str(UUID(text.strip()))
    except ValueError:
        raise InvalidArgument(
            "Укажите идентификатор группы (UUID), например из ответа API при создании группы",
            code="invalid_group_id",
        ) from None


@router.get("/groups")
async def group_lookup(session: PortalSession, group_id: str = "") -> RedirectResponse:
    """Open a group's page from the home page's box."""
    reader(session)
    return RedirectResponse(f"/groups/{group_id_of(group_id)}", status_code=303)


def ru(day: date | None) -> str:
    """Return a day as ДД.ММ.ГГГГ for a form field."""
    return f"{day:%d.%m.%Y}" if day else ""


async def years_of(request: Request, session: Session) -> list[AcademicYearOut]:
    """Return the academic years, newest first."""
    reply = await call(
        get_runtime(request).clients.journal.ListAcademicYears,
        pb.ListAcademicYearsRequest(),
        session.access_token,
    )
    return [year_out(y) for y in reply.years]


async def spans_of(request: Request, session: Session, group_id: str, year_id: str) -> list[CalendarSpanOut]:
    """Return the group's spans in the year, by start date."""
    reply = await call(
        get_runtime(request).clients.journal.GetGroupCalendar,
        pb.GetGroupCalendarRequest(group_id=group_id, year_id=year_id),
        session.access_token,
    )
    return [calendar_span_out(s) for s in reply.spans]


async def group_page(
    request: Request,
    session: Session,
    group_id: str,
    year_id: str | None,
    *,
    rows: list[Row] | None = None,
    problem: FormProblem | None = None,
    saved: bool = False,
) -> Response:
    """Render «Группа»: the year's choice, its graph, and for the admin 12 rows of the form."""
    can_edit = reader(session)
    years: list[AcademicYearOut] = []
    spans: list[CalendarSpanOut] | None = None
    try:
        years = await years_of(request, session)
        year = next((y for y in years if y.year_id == year_id), years[0] if years else None)
        if year is not None:
            spans = await spans_of(request, session, group_id, year.year_id)
    except grpc.aio.AioRpcError as exc:
        # After a refused form the typed rows matter more than the table: they are not lost.
        if problem is None or exc.code() not in SERVICE_DOWN:
            raise
        year = next((y for y in years if y.year_id == year_id), None)
    if rows is None:
        rows = [(s.kind, ru(s.starts_on), ru(s.ends_on)) for s in spans or []]
    rows = rows + [("", "", "")] * (MAX_SPANS - len(rows))
    return render(
        request,
        "group.html",
        session,
        status=problem.status if problem else 200,
        group_id=group_id,
        form_year_id=year.year_id if year else year_id if problem else None,
        years=years,
        year=year,
        spans=spans,
        rows=rows,
        can_edit=can_edit,
        problem=problem,
        saved=saved,
        kind_labels=SPAN_KIND_LABELS,
    )


@router.get("/groups/{group_id}")
async def group(
    request: Request, group_id: UUID, session: PortalSession, year: str | None = None, saved: bool = False
) -> Response:
    """Группа: календарный учебный график на выбранный учебный год (по умолчанию — последний открытый)."""
    return await group_page(request, session, str(group_id), year, saved=saved)


def parse_spans(rows: list[Row]) -> tuple[list[journal_pb2.CalendarSpan], FormProblem | None]:
    """Return the filled rows as spans, or the first row that is incomplete or malformed (in Russian)."""
    spans: list[journal_pb2.CalendarSpan] = []
    for number, (kind, starts, ends) in enumerate(rows, start=1):
        if not kind and not starts and not ends:
            continue
        first, last = date_of_text(starts), date_of_text(ends)
        bad = {
            name
            for name, wrong in (
                (f"kind_{number}", kind not in SPAN_KIND_LABELS),
                (f"starts_{number}", first is None),
                (f"ends_{number}", last is None),
            )
            if wrong
        }
        if bad or first is None or last is None:
            what = "выберите вид периода" if f"kind_{number}" in bad else "укажите даты в формате ДД.ММ.ГГГГ"
            return [], FormProblem(f"Период №{number}: {what}", bad)
        spans.append(journal_pb2.CalendarSpan(kind=SPAN_KINDS.to_pb(kind), span=span(first, last)))
    return spans, None


def marked_rows(problem: FormProblem) -> FormProblem:
    """Mark the row the journal's message names, if it names one."""
    match = ROW_OF_MESSAGE.search(problem.message)
    if match:
        number = match.group(1)
        problem.fields |= {f"starts_{number}", f"ends_{number}"}
    return problem


@router.post("/groups/{group_id}/calendar")
async def set_group_calendar(request: Request, group_id: UUID, session: CsrfSession) -> Response:
    """Заменить график группы на учебный год; при отказе — форма с сообщением и введёнными значениями."""
    if not reader(session):
        raise AdminOnly()
    form = await request.form()
    year_id = str(form.get("year_id") or "").strip()
    typed: list[Row] = [
        (
            str(form.get(f"kind_{n}") or "").strip(),
            str(form.get(f"starts_{n}") or "").strip(),
            str(form.get(f"ends_{n}") or "").strip(),
        )
        for n in range(1, MAX_SPANS + 1)
    ]
    # The filled rows first, in the typed order: the journal's «Период №N» is then the row's number.
    rows = [row for row in typed if any(row)]
    spans, problem = parse_spans(rows)
    if problem is None:
        try:
            await call(
                get_runtime(request).clients.journal.SetGroupCalendar,
                pb.SetGroupCalendarRequest(group_id=str(group_id), year_id=year_id, spans=spans),
                session.access_token,
            )
        except grpc.aio.AioRpcError as exc:
            problem = marked_rows(service_problem(exc))
        else:
            return RedirectResponse(f"/groups/{group_id}?year={year_id}&saved=1", status_code=303)
    return await group_page(request, session, str(group_id), year_id, rows=rows, problem=problem)
