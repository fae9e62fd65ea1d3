"""Portal pages «Группы» and «Группа»: the groups by name; a group's attributes and its
«календарный учебный график» for a chosen academic year.

The administration reads both; only the admin gets the forms. The attributes form starts filled with
what GetGroup returned and sends every field to UpdateGroup, so saving it wipes nothing; the calendar
form replaces the year's spans at once (the journal decides again). A refused form comes back with
the journal's message next to it and every typed value in place.
"""

from __future__ import annotations

import re
from datetime import date
from uuid import UUID

import grpc
from chassis.errors import InvalidArgument, PermissionDenied
from chassis.grpc_client import error_code_of
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
from gateway.resources.group_attributes import STUDY_FORMS, GroupDetailsOut, group_details_out
from gateway.runtime import get_runtime
from gateway.web.csrf import CsrfSession
from gateway.web.people import names_of, teachers_named
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
# Keyed by the proto's values, so a form of study added there without a label fails the portal's tests.
STUDY_FORM_LABELS: dict[str, str] = {
    STUDY_FORMS.name_of(journal_pb2.STUDY_FORM_FULL_TIME): "Очная",
    STUDY_FORMS.name_of(journal_pb2.STUDY_FORM_PART_TIME): "Очно-заочная",
    STUDY_FORMS.name_of(journal_pb2.STUDY_FORM_EXTRAMURAL): "Заочная",
}
ATTRIBUTE_FIELDS = ("course_year", "specialty_code", "specialty_name", "study_form", "class_teacher_id")
# The journal's error codes → the attribute fields to mark as wrong.
FIELDS_OF_ATTRIBUTE_CODE: dict[str, str] = {
    "invalid_course_year": "course_year",
    "invalid_specialty_code": "specialty_code",
    "too_long_specialty_name": "specialty_name",
    "invalid_class_teacher_id": "class_teacher_id",
    "person_not_found": "class_teacher_id",
    "person_not_teacher": "class_teacher_id",
}
GROUPS_PAGE = 200


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


class AttributesAdminOnly(PermissionDenied):
    """Only the admin changes a group's attributes."""

    def __init__(self) -> None:
        super().__init__("Изменять данные группы может только администратор", code="admin_only")


@router.get("/groups")
async def groups(
    request: Request, session: PortalSession, group_id: str | None = None, name: str = ""
) -> Response:
    """Группы по названию (фильтр — начало названия); с `group_id` — переход к группе по идентификатору."""
    can_edit = reader(session)
    if group_id is not None:
        return RedirectResponse(f"/groups/{group_id_of(group_id)}", status_code=303)
    name = name.strip()
    found: list[GroupDetailsOut] | None = None
    problem: FormProblem | None = None
    try:
        reply = await call(
            get_runtime(request).clients.journal.ListGroups,
            pb.ListGroupsRequest(name_prefix=name, page_size=GROUPS_PAGE),
            session.access_token,
        )
        found = [group_details_out(g) for g in reply.groups]
    except grpc.aio.AioRpcError as exc:
        problem = service_problem(exc)
        if error_code_of(exc) == "too_long_name_prefix":
            problem = FormProblem("Начало названия — не длиннее 32 символов", {"name"})
    return render(
        request,
        "groups.html",
        session,
        status=problem.status if problem else 200,
        name=name,
        groups=found,
        page_size=GROUPS_PAGE,
        problem=problem,
        can_edit=can_edit,
        form_labels=STUDY_FORM_LABELS,
    )


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
    attributes: dict[str, str] | None = None,
    attributes_problem: FormProblem | None = None,
    attributes_saved: bool = False,
    teacher_query: str = "",
) -> Response:
    """Render «Группа»: its attributes (and for the admin their form, filled with them), the year's
    choice, its graph, and for the admin 12 rows of the calendar form."""
    can_edit = reader(session)
    years: list[AcademicYearOut] = []
    spans: list[CalendarSpanOut] | None = None
    group: GroupDetailsOut | None = None
    refused = problem or attributes_problem
    try:
        group = group_details_out(
            (
                await call(
                    get_runtime(request).clients.journal.GetGroup,
                    pb.GetGroupRequest(group_id=group_id),
                    session.access_token,
                )
            ).group
        )
        years = await years_of(request, session)
        year = next((y for y in years if y.year_id == year_id), years[0] if years else None)
        if year is not None:
            spans = await spans_of(request, session, group_id, year.year_id)
    except grpc.aio.AioRpcError as exc:
        # After a refused form the typed rows matter more than the table: they are not lost.
        if refused is None or exc.code() not in SERVICE_DOWN:
            raise
        year = next((y for y in years if y.year_id == year_id), None)
    if rows is None:
        rows = [(s.kind, ru(s.starts_on), ru(s.ends_on)) for s in spans or []]
    rows = rows + [("", "", "")] * (MAX_SPANS - len(rows))
    if attributes is None:
        attributes = attributes_of(group)
    # The class teacher is picked by name: the search's matches and the people already chosen.
    teachers, teacher_problem = (
        await teachers_named(request, session, teacher_query) if teacher_query else ([], None)
    )
    names = await names_of(
        request, session, [group.class_teacher_id or "" if group else "", attributes["class_teacher_id"]]
    )
    return render(
        request,
        "group.html",
        session,
        status=refused.status if refused else 200,
        group_id=group_id,
        group=group,
        attributes=attributes,
        attributes_problem=attributes_problem,
        attributes_saved=attributes_saved,
        form_labels=STUDY_FORM_LABELS,
        form_year_id=year.year_id if year else year_id if problem else None,
        years=years,
        year=year,
        spans=spans,
        rows=rows,
        can_edit=can_edit,
        problem=problem,
        saved=saved,
        kind_labels=SPAN_KIND_LABELS,
        teacher_query=teacher_query,
        teachers=teachers,
        teacher_problem=teacher_problem,
        names=names,
    )


def attributes_of(group: GroupDetailsOut | None) -> dict[str, str]:
    """Return the group's attributes as the form's fields."""
    if group is None:
        return dict.fromkeys(ATTRIBUTE_FIELDS, "")
    return {
        "course_year": str(group.course_year or ""),
        "specialty_code": group.specialty_code,
        "specialty_name": group.specialty_name,
        "study_form": group.study_form or "",
        "class_teacher_id": group.class_teacher_id or "",
    }


@router.get("/groups/{group_id}")
async def group(
    request: Request,
    group_id: UUID,
    session: PortalSession,
    *,
    year: str | None = None,
    saved: bool = False,
    attributes_saved: bool = False,
    teacher_query: str = "",
) -> Response:
    """Группа: её данные и календарный учебный график на выбранный учебный год (по умолчанию — последний);
    с `teacher_query` — ещё и преподаватели, чьё имя начинается с введённого, для выбора классного
    руководителя."""
    return await group_page(
        request,
        session,
        str(group_id),
        year,
        saved=saved,
        attributes_saved=attributes_saved,
        teacher_query=teacher_query.strip(),
    )


def parse_attributes(typed: dict[str, str]) -> tuple[pb.GroupAttributes, FormProblem | None]:
    """Return every attribute of the form for UpdateGroup, or what is wrong with it (in Russian).

    The form starts filled with the stored values, so all of them are sent: nothing is wiped. An
    empty class teacher removes them; an empty course or form of study leaves what is stored (the
    journal cannot unset those).
    """
    attributes = pb.GroupAttributes(
        specialty_code=typed["specialty_code"],
        specialty_name=typed["specialty_name"],
        class_teacher_id=typed["class_teacher_id"],
    )
    course = typed["course_year"]
    if course:
        if not course.isdigit() or not 1 <= int(course) <= 5:
            return attributes, FormProblem("Курс — число от 1 до 5", {"course_year"})
        attributes.course_year = int(course)
    if typed["study_form"]:
        if typed["study_form"] not in STUDY_FORM_LABELS:
            return attributes, FormProblem("Выберите форму обучения из списка", {"study_form"})
        attributes.study_form = STUDY_FORMS.to_pb(typed["study_form"])
    if typed["class_teacher_id"]:
        try:
            attributes.class_teacher_id = str(UUID(typed["class_teacher_id"]))
        except ValueError:
            return attributes, FormProblem(
                "Классный руководитель — идентификатор (UUID) сотрудника", {"class_teacher_id"}
            )
    return attributes, None


@router.post("/groups/{group_id}/attributes")
async def update_group(request: Request, group_id: UUID, session: CsrfSession) -> Response:
    """Сохранить данные группы; при отказе — форма с сообщением и введёнными значениями."""
    if not reader(session):
        raise AttributesAdminOnly()
    form = await request.form()
    typed = {name: str(form.get(name) or "").strip() for name in ATTRIBUTE_FIELDS}
    attributes, problem = parse_attributes(typed)
    if problem is None:
        try:
            await call(
                get_runtime(request).clients.journal.UpdateGroup,
                pb.UpdateGroupRequest(group_id=str(group_id), attributes=attributes),
                session.access_token,
            )
        except grpc.aio.AioRpcError as exc:
            problem = service_problem(exc)
            field_name = FIELDS_OF_ATTRIBUTE_CODE.get(error_code_of(exc))
            if field_name:
                problem.fields.add(field_name)
        else:
            return RedirectResponse(f"/groups/{group_id}?attributes_saved=1", status_code=303)
    return await group_page(
        request, session, str(group_id), None, attributes=typed, attributes_problem=problem
    )


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
