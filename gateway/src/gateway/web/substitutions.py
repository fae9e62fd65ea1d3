"""Portal pages of substitutions and curriculum execution (issue 7 items 7, 9; R2.4, R2.5).

- «Замены» (/substitutions): the week's substitutions of the college for the administration (Monday to
  Saturday, previous/next week), each with the lesson recorded in its slot and who taught it; the admin
  and the deputy record one — group, discipline, date, pair, reason, the substitute picked by name (the
  teacher search of «Нагрузка группы») — and cancel one not used yet. A refusal of the journal comes back
  next to the form (or the substitution) with every typed value in place.
- «Выполнение программы» (/groups/{id}/curriculum-execution): per discipline of the group's plan the
  hours planned, by the KTP, planned to the date, delivered, and the lag in hours and topics, lag
  highlighted; printable. The administration and the group's class teacher (the journal decides).
- «Отставание от программ» (/curriculum-lag): every group and discipline of the year behind its plan.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import grpc
from chassis.errors import PermissionDenied
from chassis.grpc_client import error_code_of
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from gateway.auth.portal import PortalSession
from gateway.auth.session import Session
from gateway.clients import call
from gateway.resources.academic_year import AcademicYearOut, year_out
from gateway.resources.common import date_of, to_local_date
from gateway.resources.substitutions import REASON_TITLES, REASONS
from gateway.runtime import get_runtime
from gateway.web.csrf import CsrfSession
from gateway.web.group_plan import discipline_labels, with_catalogue
from gateway.web.people import PersonChoice, names_of, teachers_named
from gateway.web.year import FormProblem, reader, render, service_problem

router = APIRouter()

EDITORS = frozenset({"admin", "deputy"})
GROUPS_PAGE = 500
FORM_FIELDS = ("group_id", "discipline_id", "lesson_date", "pair_number", "reason", "substitute_id")
# The journal's error codes → the form fields to mark.
FIELDS_OF_CODE: dict[str, tuple[str, ...]] = {
    "group_not_found": ("group_id",),
    "discipline_not_found": ("discipline_id",),
    "person_not_found": ("substitute_id",),
    "person_not_teacher": ("substitute_id",),
    "substitute_is_own_teacher": ("substitute_id",),
    "substitute_busy": ("substitute_id", "pair_number"),
    "slot_not_in_timetable": ("discipline_id", "lesson_date", "pair_number"),
    "substitution_exists": ("lesson_date", "pair_number"),
    "pair_not_in_schedule": ("pair_number",),
    "invalid_pair_number": ("pair_number",),
    "date_outside_year": ("lesson_date",),
    "not_a_teaching_day": ("lesson_date",),
    "invalid_substitution_reason": ("reason",),
}
WEEKDAY_NAMES = ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье")


class SubstitutionEditorsOnly(PermissionDenied):
    """Only the admin and the deputy record and cancel substitutions."""

    def __init__(self) -> None:
        super().__init__(
            "Записывать и отменять замены могут администратор и заместитель директора", code="editors_only"
        )


async def _journal(request: Request, session: Session, rpc: str, message: Any) -> Any:
    return await call(getattr(get_runtime(request).clients.journal, rpc), message, session.access_token)


def college_today(request: Request) -> date:
    """Return today in the college's time zone."""
    return datetime.now(get_runtime(request).settings.college_zone).date()


def monday_of(text: str | None, today: date) -> date:
    """Return the Monday of the week holding the date typed (today's week when none or malformed)."""
    try:
        day = date.fromisoformat(text or "")
    except ValueError:
        day = today
    return day - timedelta(days=day.weekday())


@dataclass
class Shown:
    """One substitution as the page shows it."""

    item: pb.Substitution
    day: date | None
    weekday: str
    group: str
    discipline: str
    teacher: str
    substitute: str
    taught_by: str
    reason: str


async def substitutions_page(
    request: Request,
    session: Session,
    *,
    week: date,
    typed: dict[str, str] | None = None,
    problem: FormProblem | None = None,
    teacher_query: str = "",
    saved: bool = False,
    cancelled: bool = False,
    refusal: tuple[str, FormProblem] | None = None,
) -> Response:
    """Render «Замены» for the week; for the admin and the deputy also the forms."""
    reader(session)
    can_edit = bool(EDITORS & set(session.roles))
    typed = typed or dict.fromkeys(FORM_FIELDS, "")
    listed, groups, bells = await asyncio.gather(
        _journal(
            request,
            session,
            "ListSubstitutions",
            pb.ListSubstitutionsRequest(
                from_date=to_local_date(week), to_date=to_local_date(week + timedelta(days=6))
            ),
        ),
        _journal(request, session, "ListGroups", pb.ListGroupsRequest(page_size=GROUPS_PAGE)),
        _journal(request, session, "GetBellSchedule", pb.GetBellScheduleRequest()),
    )
    group_names = {g.group_id: g.name for g in groups.groups}
    items = list(listed.substitutions)
    disciplines = await discipline_labels(request, session, [s.discipline_id for s in items])
    catalogue_cut = False
    if can_edit:
        disciplines, catalogue_cut = await with_catalogue(request, session, disciplines)
    people = [p for s in items for p in (s.teacher_id, s.substitute_teacher_id, s.taught_by)]
    found: list[PersonChoice] = []
    search_problem: FormProblem | None = None
    if teacher_query and can_edit:
        found, search_problem = await teachers_named(request, session, teacher_query)
    names = await names_of(request, session, [*people, typed["substitute_id"]])
    substitute_options = {p.person_id: p.label for p in found}
    if typed["substitute_id"] and typed["substitute_id"] not in substitute_options:
        substitute_options[typed["substitute_id"]] = names.get(
            typed["substitute_id"], "выбранный преподаватель"
        )
    shown = []
    for s in items:
        day = date_of(s.lesson_date)
        shown.append(
            Shown(
                item=s,
                day=day,
                weekday=WEEKDAY_NAMES[day.weekday()] if day else "",
                group=group_names.get(s.group_id, "группа"),
                discipline=disciplines.get(s.discipline_id, "дисциплина"),
                teacher=names.get(s.teacher_id, "преподаватель (имя недоступно)"),
                substitute=names.get(s.substitute_teacher_id, "преподаватель (имя недоступно)"),
                taught_by=names.get(s.taught_by, "преподаватель") if s.taught_by else "",
                reason=REASON_TITLES.get(REASONS.name_of(s.reason), ""),
            )
        )
    return render(
        request,
        "substitutions.html",
        session,
        status=problem.status if problem else refusal[1].status if refusal else 200,
        week=week,
        week_end=week + timedelta(days=5),
        previous_week=week - timedelta(days=7),
        next_week=week + timedelta(days=7),
        shown=shown,
        can_edit=can_edit,
        groups=sorted(group_names.items(), key=lambda item: item[1]),
        disciplines=disciplines,
        catalogue_cut=catalogue_cut,
        pairs=[p.number for p in bells.pairs] or list(range(1, 7)),
        reasons=REASON_TITLES,
        typed=typed,
        problem=problem,
        teacher_query=teacher_query,
        found=found,
        search_problem=search_problem,
        substitute_options=substitute_options,
        saved=saved,
        cancelled=cancelled,
        refusal_id=refusal[0] if refusal else "",
        refusal_problem=refusal[1] if refusal else None,
    )


@router.get("/substitutions")
async def substitutions(
    request: Request,
    session: PortalSession,
    *,
    week: str = "",
    teacher_query: str = "",
    saved: bool = False,
    cancelled: bool = False,
) -> Response:
    """Замены недели (понедельник — суббота); с `teacher_query` — найденные по имени преподаватели."""
    return await substitutions_page(
        request,
        session,
        week=monday_of(week, college_today(request)),
        teacher_query=teacher_query.strip()[:100],
        saved=saved,
        cancelled=cancelled,
    )


def form_problem(typed: dict[str, str]) -> FormProblem | None:
    """Return what is missing or malformed in the form (in Russian), before asking the journal."""
    for name, message in (
        ("group_id", "Выберите группу"),
        ("discipline_id", "Выберите дисциплину"),
        ("lesson_date", "Укажите день пары"),
        ("pair_number", "Выберите пару"),
        ("reason", "Выберите причину замены"),
        ("substitute_id", "Выберите заменяющего преподавателя: найдите его по имени формой выше"),
    ):
        if not typed[name]:
            return FormProblem(message, {name})
    for name in ("group_id", "discipline_id", "substitute_id"):
        try:
            UUID(typed[name])
        except ValueError:
            return FormProblem("Выберите значение из списка", {name})
    try:
        date.fromisoformat(typed["lesson_date"])
    except ValueError:
        return FormProblem("День пары — дата в виде ГГГГ-ММ-ДД", {"lesson_date"})
    if not typed["pair_number"].isdigit() or not 1 <= int(typed["pair_number"]) <= 8:
        return FormProblem("Номер пары — от 1 до 8", {"pair_number"})
    if typed["reason"] not in REASONS.names:
        return FormProblem("Выберите причину замены из списка", {"reason"})
    return None


@router.post("/substitutions")
async def record_substitution(request: Request, session: CsrfSession) -> Response:
    """Записать замену; при отказе журнала — форма с сообщением и введёнными значениями."""
    reader(session)
    if not EDITORS & set(session.roles):
        raise SubstitutionEditorsOnly()
    form = await request.form()
    typed = {name: str(form.get(name) or "").strip() for name in FORM_FIELDS}
    problem = form_problem(typed)
    week = monday_of(typed["lesson_date"], college_today(request))
    if problem is None:
        try:
            await _journal(
                request,
                session,
                "RecordSubstitution",
                pb.RecordSubstitutionRequest(
                    group_id=typed["group_id"],
                    discipline_id=typed["discipline_id"],
                    lesson_date=to_local_date(date.fromisoformat(typed["lesson_date"])),
                    pair_number=int(typed["pair_number"]),
                    substitute_teacher_id=typed["substitute_id"],
                    reason=REASONS.to_pb(typed["reason"]),
                ),
            )
        except grpc.aio.AioRpcError as exc:
            problem = service_problem(exc)
            problem.fields |= set(FIELDS_OF_CODE.get(error_code_of(exc), ()))
        else:
            return RedirectResponse(f"/substitutions?week={week.isoformat()}&saved=1", status_code=303)
    return await substitutions_page(request, session, week=week, typed=typed, problem=problem)


@router.post("/substitutions/{substitution_id}/cancel")
async def cancel_substitution(request: Request, substitution_id: UUID, session: CsrfSession) -> Response:
    """Отменить замену; при отказе (занятие уже записано) — сообщение у этой замены."""
    reader(session)
    if not EDITORS & set(session.roles):
        raise SubstitutionEditorsOnly()
    form = await request.form()
    week = monday_of(str(form.get("week") or ""), college_today(request))
    try:
        await _journal(
            request,
            session,
            "CancelSubstitution",
            pb.CancelSubstitutionRequest(substitution_id=str(substitution_id)),
        )
    except grpc.aio.AioRpcError as exc:
        refusal = (str(substitution_id), service_problem(exc))
        return await substitutions_page(request, session, week=week, refusal=refusal)
    return RedirectResponse(f"/substitutions?week={week.isoformat()}&cancelled=1", status_code=303)


# -- «Выполнение программы» -------------------------------------------------------------------------


def chosen_year(years: list[AcademicYearOut], year_id: str, on: date) -> AcademicYearOut | None:
    """Return the year asked for, else the one holding the date, else the newest."""
    return (
        next((y for y in years if y.year_id == year_id), None)
        or next((y for y in years if y.starts_on and y.ends_on and y.starts_on <= on <= y.ends_on), None)
        or (years[0] if years else None)
    )


def parse_day(text: str) -> date | None:
    """Return the date typed, or None."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@router.get("/groups/{group_id}/curriculum-execution")
async def curriculum_execution(
    request: Request,
    group_id: UUID,
    session: PortalSession,
    *,
    year_id: str = "",
    semester: int = 0,
    as_of: str = "",
) -> Response:
    """Выполнение программы группой: по дисциплинам план, КТП, на дату, проведено и отставание."""
    years_reply, group_reply = await asyncio.gather(
        _journal(request, session, "ListAcademicYears", pb.ListAcademicYearsRequest()),
        _journal(request, session, "GetGroup", pb.GetGroupRequest(group_id=str(group_id))),
    )
    years = [year_out(y) for y in years_reply.years]
    day = parse_day(as_of)
    year = chosen_year(years, year_id, day or college_today(request))
    semester = semester if semester in (0, 1, 2) else 0
    rows: list[Any] = []
    shown_as_of: date | None = day
    if year is not None:
        query = pb.GetCurriculumExecutionRequest(
            group_id=str(group_id), year_id=year.year_id, semester=semester
        )
        if day is not None:
            query.as_of.CopyFrom(to_local_date(day))
        reply = await _journal(request, session, "GetCurriculumExecution", query)
        rows = list(reply.rows)
        shown_as_of = date_of(reply.as_of)
    labels = await discipline_labels(request, session, [r.discipline_id for r in rows])
    rows.sort(key=lambda r: labels.get(r.discipline_id, ""))
    return render(
        request,
        "curriculum_execution.html",
        session,
        group_id=str(group_id),
        group_name=group_reply.group.name,
        years=years,
        year=year,
        semester=semester,
        as_of=shown_as_of,
        rows=rows,
        labels=labels,
        behind=sum(1 for r in rows if r.lag_hours > 0 or r.lag_topics > 0),
    )


@router.get("/curriculum-lag")
async def curriculum_lag(
    request: Request, session: PortalSession, *, year_id: str = "", as_of: str = ""
) -> Response:
    """Отставание от программ по колледжу: группы и дисциплины позади плана (администрация)."""
    reader(session)
    years = [
        year_out(y)
        for y in (await _journal(request, session, "ListAcademicYears", pb.ListAcademicYearsRequest())).years
    ]
    day = parse_day(as_of)
    year = chosen_year(years, year_id, day or college_today(request))
    rows: list[Any] = []
    shown_as_of: date | None = day
    groups: dict[str, str] = {}
    if year is not None:
        query = pb.ListCurriculumLagRequest(year_id=year.year_id)
        if day is not None:
            query.as_of.CopyFrom(to_local_date(day))
        reply, listed = await asyncio.gather(
            _journal(request, session, "ListCurriculumLag", query),
            _journal(request, session, "ListGroups", pb.ListGroupsRequest(page_size=GROUPS_PAGE)),
        )
        rows = list(reply.rows)
        shown_as_of = date_of(reply.as_of)
        groups = {g.group_id: g.name for g in listed.groups}
    labels = await discipline_labels(request, session, [r.execution.discipline_id for r in rows])
    rows.sort(key=lambda r: (groups.get(r.group_id, ""), labels.get(r.execution.discipline_id, "")))
    return render(
        request,
        "curriculum_lag.html",
        session,
        years=years,
        year=year,
        as_of=shown_as_of,
        rows=rows,
        labels=labels,
        groups=groups,
    )
