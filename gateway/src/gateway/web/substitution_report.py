"""Portal «Отчёт о заменах» (/reports/substitutions; slice L, issue 7 item 7): for the administration
(admin, director, deputy — reports decides), the substitutions of a period from reports' projection —
per teacher the pairs taught as a substitute and the pairs of theirs taught by one, then the list by
day and pair; names from identity (GetPeople), groups and disciplines from the journal. Printable. A
malformed date, or a period reports refuses, comes back next to the form with the dates typed kept."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import grpc
from chassis.errors import PermissionDenied
from ejournal.journal.v1 import journal_service_pb2 as jpb
from ejournal.reports.v1 import reports_service_pb2 as pb
from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.auth.portal import PortalSession
from gateway.clients import call
from gateway.resources.common import date_of, to_local_date
from gateway.runtime import get_runtime
from gateway.web.group_plan import discipline_labels
from gateway.web.people import names_of
from gateway.web.year import FormProblem, render, service_problem

router = APIRouter()

READERS = frozenset({"admin", "director", "deputy"})
NO_NAME = "преподаватель (имя недоступно)"
GROUPS_PAGE = 500
WEEKDAY_NAMES = ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье")


class AdministrationOnly(PermissionDenied):
    """The report is the administration's."""

    def __init__(self) -> None:
        super().__init__("Отчёт о заменах видит администрация колледжа", code="role_required")


@dataclass
class TeacherLine:
    """One teacher's line of the report."""

    name: str
    pairs_substituted: int
    pairs_replaced: int


@dataclass
class SubstitutionShown:
    """One substitution as the page shows it."""

    day: date | None
    weekday: str
    pair_number: int
    group: str
    discipline: str
    teacher: str
    substitute: str


def month_of(today: date) -> tuple[date, date]:
    """Return the first and the last day of today's month (the page's default period)."""
    first = today.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def typed_period(date_from: str, date_to: str, today: date) -> tuple[date, date] | FormProblem:
    """Return the period typed (this month when nothing is typed), or what is wrong with it."""
    if not date_from and not date_to:
        return month_of(today)
    days = []
    for name, text, label in (("date_from", date_from, "начала"), ("date_to", date_to, "окончания")):
        try:
            days.append(date.fromisoformat(text))
        except ValueError:
            return FormProblem(f"Дата {label} периода — в виде ГГГГ-ММ-ДД", {name})
    return days[0], days[1]


@router.get("/reports/substitutions")
async def substitution_report(
    request: Request, session: PortalSession, *, date_from: str = "", date_to: str = ""
) -> Response:
    """Отчёт о заменах за период (по умолчанию — текущий месяц)."""
    if not READERS & set(session.roles):
        raise AdministrationOnly()
    typed = {"date_from": date_from.strip()[:10], "date_to": date_to.strip()[:10]}
    period = typed_period(
        typed["date_from"], typed["date_to"], datetime.now(get_runtime(request).settings.college_zone).date()
    )
    problem = period if isinstance(period, FormProblem) else None
    report: pb.GetSubstitutionReportResponse | None = None
    if not isinstance(period, FormProblem):
        typed = {"date_from": period[0].isoformat(), "date_to": period[1].isoformat()}
        try:
            report = await call(
                get_runtime(request).clients.reports.GetSubstitutionReport,
                pb.GetSubstitutionReportRequest(
                    date_from=to_local_date(period[0]), date_to=to_local_date(period[1])
                ),
                session.access_token,
            )
        except grpc.aio.AioRpcError as exc:
            problem = service_problem(exc)
            problem.fields = {"date_from", "date_to"}
    teachers: list[TeacherLine] = []
    shown: list[SubstitutionShown] = []
    if report is not None:
        items = list(report.substitutions)
        people = [t.teacher_id for t in report.teachers]
        names, disciplines, groups = await asyncio.gather(
            names_of(request, session, people),
            discipline_labels(request, session, [s.discipline_id for s in items]),
            call(
                get_runtime(request).clients.journal.ListGroups,
                jpb.ListGroupsRequest(page_size=GROUPS_PAGE),
                session.access_token,
            ),
        )
        group_names = {g.group_id: g.name for g in groups.groups}
        teachers = sorted(
            (
                TeacherLine(names.get(t.teacher_id, NO_NAME), t.pairs_substituted, t.pairs_replaced)
                for t in report.teachers
            ),
            key=lambda line: line.name,
        )
        for s in items:
            day = date_of(s.lesson_date)
            shown.append(
                SubstitutionShown(
                    day=day,
                    weekday=WEEKDAY_NAMES[day.weekday()] if day else "",
                    pair_number=s.pair_number,
                    group=group_names.get(s.group_id, "группа"),
                    discipline=disciplines.get(s.discipline_id, "дисциплина"),
                    teacher=names.get(s.teacher_id, NO_NAME),
                    substitute=names.get(s.substitute_teacher_id, NO_NAME),
                )
            )
    return render(
        request,
        "substitution_report.html",
        session,
        status=problem.status if problem else 200,
        typed=typed,
        problem=problem,
        period=None if isinstance(period, FormProblem) or report is None else period,
        teachers=teachers,
        shown=shown,
        total_pairs=len(shown),
    )
