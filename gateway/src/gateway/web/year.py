"""Portal pages of the academic year's structure: «Учебные годы» and «Расписание звонков».

The administration reads them; only the admin gets the forms (the journal decides again on every
write). A form that the journal refuses comes back with its message next to it and every typed
value in place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import grpc
from chassis.errors import PermissionDenied
from chassis.grpc_client import error_code_of
from chassis.grpc_errors import ERROR_CODE_KEY, http_status_for
from ejournal.identity.v1 import identity_pb2
from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from gateway.auth.portal import PortalSession
from gateway.auth.session import Session
from gateway.clients import call
from gateway.resources.academic_year import AcademicYearOut, year_out
from gateway.resources.bell_schedule import BellPairOut, schedule_out
from gateway.resources.common import to_local_date
from gateway.resources.people import ROLES
from gateway.runtime import get_runtime
from gateway.web.csrf import CsrfSession, csrf_token

router = APIRouter()

ADMIN = ROLES.name_of(identity_pb2.ROLE_ADMIN)
# Who sees the pages: the administration (the admin edits, the others read).
READERS = frozenset(
    ROLES.name_of(r)
    for r in (
        identity_pb2.ROLE_ADMIN,
        identity_pb2.ROLE_DIRECTOR,
        identity_pb2.ROLE_DEPUTY,
        identity_pb2.ROLE_CURATOR,
    )
)
MAX_PAIRS = 8
CLOCK = re.compile(r"([0-9]{1,2})[:.]([0-9]{2})")
# Service answers shown next to the form; the rest (403, 401, 500) become the portal's error page.
SHOWN_IN_FORM = frozenset(
    {
        grpc.StatusCode.INVALID_ARGUMENT,
        grpc.StatusCode.ALREADY_EXISTS,
        grpc.StatusCode.FAILED_PRECONDITION,
        grpc.StatusCode.ABORTED,
    }
)
SERVICE_DOWN = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})
# The journal's error codes → the form fields to mark as wrong.
FIELDS_OF_CODE: dict[str, frozenset[str]] = {
    "invalid_year_name": frozenset({"name"}),
    "academic_year_exists": frozenset({"name"}),
    "invalid_year_span": frozenset({"starts_on", "ends_on"}),
    "semesters_out_of_order": frozenset(
        {"semester1_starts_on", "semester1_ends_on", "semester2_starts_on", "semester2_ends_on"}
    ),
}
DOWN_MESSAGE = "Журнал сейчас не отвечает. Введённое сохранено на странице — отправьте форму ещё раз позже."


class NotForYou(PermissionDenied):
    """The page belongs to the administration."""

    def __init__(self) -> None:
        super().__init__(
            "Эта страница доступна администрации колледжа: администратору, директору, "
            "заместителю директора и куратору",
            code="administration_only",
        )


class AdminOnly(PermissionDenied):
    """Only the admin changes the year's structure."""

    def __init__(self) -> None:
        super().__init__(
            "Изменять учебный год и расписание звонков может только администратор", code="admin_only"
        )


def reader(session: Session) -> bool:
    """Return True for the administration; raise the portal's 403 for everyone else."""
    roles = set(session.roles)
    if not roles & READERS:
        raise NotForYou()
    return ADMIN in roles


def render(request: Request, template: str, session: Session, status: int = 200, **context: Any) -> Response:
    """Render a page of this module: the session, its CSRF token and the admin flag in the context."""
    templates = request.app.state.templates
    response: Response = templates.TemplateResponse(
        request,
        template,
        {"session": session, "csrf_token": csrf_token(request, session), **context},
        status_code=status,
    )
    return response


@dataclass
class FormProblem:
    """What is wrong with a submitted form: one message and the fields to mark."""

    message: str
    fields: set[str] = field(default_factory=set)
    status: int = 400


def service_problem(exc: grpc.aio.AioRpcError) -> FormProblem:
    """Return the journal's refusal as a message next to the form, or re-raise what is not the form's."""
    if exc.code() in SERVICE_DOWN:
        return FormProblem(DOWN_MESSAGE, status=503)
    has_code = any(key == ERROR_CODE_KEY for key, _ in exc.trailing_metadata() or ())
    if exc.code() not in SHOWN_IN_FORM or not has_code or not exc.details():
        raise exc
    fields = FIELDS_OF_CODE.get(error_code_of(exc), frozenset[str]())
    return FormProblem(exc.details() or "", set(fields), status=http_status_for(exc.code()))


# -- «Учебные годы» ---------------------------------------------------------------------------------

YEAR_DATES = {
    "starts_on": "Начало учебного года",
    "ends_on": "Конец учебного года",
    "semester1_starts_on": "Начало 1 семестра",
    "semester1_ends_on": "Конец 1 семестра",
    "semester2_starts_on": "Начало 2 семестра",
    "semester2_ends_on": "Конец 2 семестра",
}
YEAR_FIELDS = ("name", *YEAR_DATES)
NAME_FORM = re.compile(r"[0-9]{4}/[0-9]{4}")
RU_DATE = re.compile(r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


async def years_page(
    request: Request,
    session: Session,
    *,
    values: dict[str, str] | None = None,
    problem: FormProblem | None = None,
    opened: str | None = None,
) -> Response:
    """Render «Учебные годы»: the list, and for the admin the form (with what was typed, if any)."""
    can_edit = reader(session)
    years: list[AcademicYearOut] | None = None
    try:
        reply = await call(
            get_runtime(request).clients.journal.ListAcademicYears,
            pb.ListAcademicYearsRequest(),
            session.access_token,
        )
        years = [year_out(y) for y in reply.years]
    except grpc.aio.AioRpcError as exc:
        # After a refused form the typed values matter more than the list: they are not lost.
        if problem is None or exc.code() not in SERVICE_DOWN:
            raise
    return render(
        request,
        "academic_years.html",
        session,
        status=problem.status if problem else 200,
        years=years,
        can_edit=can_edit,
        values=values or {},
        problem=problem,
        opened=next((y for y in years or [] if y.year_id == opened), None),
        date_labels=YEAR_DATES,
    )


@router.get("/academic-years")
async def academic_years(request: Request, session: PortalSession, opened: str | None = None) -> Response:
    """Учебные годы колледжа с семестрами, сначала новые."""
    return await years_page(request, session, opened=opened)


def date_of_text(text: str) -> date | None:
    """Return a date typed as the date field sends it (ГГГГ-ММ-ДД) or by hand (ДД.ММ.ГГГГ), else None."""
    try:
        if RU_DATE.fullmatch(text):
            return datetime.strptime(text, "%d.%m.%Y").date()
        return date.fromisoformat(text) if ISO_DATE.fullmatch(text) else None
    except ValueError:
        return None


def parse_year(values: dict[str, str]) -> tuple[dict[str, date], FormProblem | None]:
    """Return the form's dates, or what is missing or malformed (in Russian, with the fields)."""
    if not NAME_FORM.fullmatch(values["name"]):
        return {}, FormProblem(
            "Название учебного года записывается как «ГГГГ/ГГГГ», например «2026/2027»", {"name"}
        )
    dates: dict[str, date] = {}
    missing: list[str] = []
    for name in YEAR_DATES:
        day = date_of_text(values[name])
        if day is None:
            missing.append(name)
        else:
            dates[name] = day
    if missing:
        labels = ", ".join(f"«{YEAR_DATES[n]}»" for n in missing)
        return {}, FormProblem(f"Укажите даты в формате ДД.ММ.ГГГГ: {labels}", set(missing))
    return dates, None


def span(start: date, end: date) -> journal_pb2.DateSpan:
    """Return a span of dates in the contract's terms."""
    return journal_pb2.DateSpan(starts_on=to_local_date(start), ends_on=to_local_date(end))


@router.post("/academic-years")
async def open_academic_year(request: Request, session: CsrfSession) -> Response:
    """Открыть учебный год из формы; при отказе — форма с сообщением и введёнными значениями."""
    if not reader(session):
        raise AdminOnly()
    form = await request.form()
    values = {name: str(form.get(name) or "").strip() for name in YEAR_FIELDS}
    dates, problem = parse_year(values)
    if problem is None:
        rpc = pb.OpenAcademicYearRequest(
            name=values["name"],
            span=span(dates["starts_on"], dates["ends_on"]),
            semester1=span(dates["semester1_starts_on"], dates["semester1_ends_on"]),
            semester2=span(dates["semester2_starts_on"], dates["semester2_ends_on"]),
        )
        try:
            reply = await call(
                get_runtime(request).clients.journal.OpenAcademicYear, rpc, session.access_token
            )
        except grpc.aio.AioRpcError as exc:
            problem = service_problem(exc)
        else:
            return RedirectResponse(f"/academic-years?opened={reply.year.year_id}", status_code=303)
    return await years_page(request, session, values=values, problem=problem)


# -- «Расписание звонков» ---------------------------------------------------------------------------


def bell_page(
    request: Request,
    session: Session,
    pairs: list[BellPairOut],
    *,
    rows: list[tuple[str, str]] | None = None,
    problem: FormProblem | None = None,
    saved: bool = False,
) -> Response:
    """Render «Расписание звонков»: the table, and for the admin 8 rows of the form."""
    can_edit = reader(session)
    if rows is None:
        by_number = {p.number: (p.starts_at, p.ends_at) for p in pairs}
        rows = [by_number.get(n, ("", "")) for n in range(1, MAX_PAIRS + 1)]
    return render(
        request,
        "bell_schedule.html",
        session,
        status=problem.status if problem else 200,
        pairs=pairs,
        can_edit=can_edit,
        rows=rows,
        problem=problem,
        saved=saved,
    )


async def current_pairs(request: Request, session: Session) -> list[BellPairOut]:
    """Return the college's bell schedule as it is now."""
    reply = await call(
        get_runtime(request).clients.journal.GetBellSchedule,
        pb.GetBellScheduleRequest(),
        session.access_token,
    )
    return schedule_out(list(reply.pairs)).pairs


@router.get("/bell-schedule")
async def bell_schedule(request: Request, session: PortalSession, saved: bool = False) -> Response:
    """Расписание звонков колледжа: пары по номерам."""
    reader(session)
    return bell_page(request, session, await current_pairs(request, session), saved=saved)


def minute_of(text: str) -> int | None:
    """Return «ЧЧ:ММ» as minutes after midnight, or None when it is not a time of day."""
    match = CLOCK.fullmatch(text)
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    return hours * 60 + minutes if hours < 24 and minutes < 60 else None


def parse_pairs(rows: list[tuple[str, str]]) -> tuple[list[journal_pb2.BellPair], FormProblem | None]:
    """Return the filled rows as pairs, or the first row that is not «ЧЧ:ММ–ЧЧ:ММ» (in Russian)."""
    pairs: list[journal_pb2.BellPair] = []
    for number, (starts, ends) in enumerate(rows, start=1):
        if not starts and not ends:
            continue
        start, end = minute_of(starts), minute_of(ends)
        if start is None or end is None:
            bad = [
                name
                for name, value in ((f"starts_{number}", start), (f"ends_{number}", end))
                if value is None
            ]
            shown = starts if start is None else ends
            text = f"«{shown}» — не время" if shown else "не указано время"
            return [], FormProblem(
                f"Пара №{number}: {text}. Время записывается как ЧЧ:ММ, например 08:30", set(bad)
            )
        pairs.append(journal_pb2.BellPair(number=number, starts_at_minute=start, ends_at_minute=end))
    if not pairs:
        return [], FormProblem("Укажите время хотя бы одной пары", {"starts_1", "ends_1"})
    return pairs, None


@router.post("/bell-schedule")
async def set_bell_schedule(request: Request, session: CsrfSession) -> Response:
    """Заменить расписание звонков из формы; при отказе — форма с сообщением и введёнными значениями."""
    if not reader(session):
        raise AdminOnly()
    form = await request.form()
    rows = [
        (str(form.get(f"starts_{n}") or "").strip(), str(form.get(f"ends_{n}") or "").strip())
        for n in range(1, MAX_PAIRS + 1)
    ]
    pairs, problem = parse_pairs(rows)
    if problem is None:
        try:
            await call(
                get_runtime(request).clients.journal.SetBellSchedule,
                pb.SetBellScheduleRequest(pairs=pairs),
                session.access_token,
            )
        except grpc.aio.AioRpcError as exc:
            problem = service_problem(exc)
        else:
            return RedirectResponse("/bell-schedule?saved=1", status_code=303)
    try:
        shown = await current_pairs(request, session)
    except grpc.aio.AioRpcError as exc:
        if exc.code() not in SERVICE_DOWN:
            raise
        shown = []
    return bell_page(request, session, shown, rows=rows, problem=problem)
