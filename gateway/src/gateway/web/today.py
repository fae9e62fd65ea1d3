"""Portal «Сегодня»: a teacher's pairs of a day from the timetable (GetTeacherDay), each a link to the
journal page of that group and discipline — with the lesson opened when it is recorded, else with the
lesson form filled with the date and pair — and the teacher's groups and disciplines of the week.

The home page shows the same for a teacher (`teacher_home`); `/today?date=` walks day by day.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import grpc
from chassis.errors import InvalidArgument, PermissionDenied
from ejournal.identity.v1 import identity_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.auth.portal import PortalSession
from gateway.auth.session import Session
from gateway.clients import ServiceClients, call
from gateway.resources.common import to_local_date
from gateway.resources.people import ROLES
from gateway.runtime import get_runtime
from gateway.web.year import SERVICE_DOWN, date_of_text

log = logging.getLogger(__name__)
router = APIRouter()

TEACHER = ROLES.name_of(identity_pb2.ROLE_TEACHER)
CLASS_TEACHER = ROLES.name_of(identity_pb2.ROLE_CLASS_TEACHER)
ADMINISTRATION = frozenset(
    ROLES.name_of(r)
    for r in (
        identity_pb2.ROLE_ADMIN,
        identity_pb2.ROLE_DIRECTOR,
        identity_pb2.ROLE_DEPUTY,
        identity_pb2.ROLE_CURATOR,
    )
)
WEEKDAYS = ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье")
GROUPS_PAGE = 500


class TodayForTeachers(PermissionDenied):
    """«Сегодня» lists a teacher's own pairs."""

    def __init__(self) -> None:
        super().__init__(
            "Страница «Сегодня» — расписание преподавателя. Откройте журнал группы с главной страницы.",
            code="teacher_only",
        )


@dataclass(frozen=True)
class PairShown:
    """One pair of the teacher's day, with where it leads."""

    number: int
    starts: str
    ends: str
    group_name: str
    discipline_name: str
    subgroup: bool
    room: str
    recorded: bool
    href: str
    # Substitutions (R2.4): «замена: …» when the teacher takes this pair or another teacher takes theirs.
    substitution: str = ""


@dataclass(frozen=True)
class LoadShown:
    """A group and discipline the teacher teaches (from the week's timetable)."""

    group_name: str
    discipline_name: str
    subgroup: bool
    href: str


@dataclass(frozen=True)
class TeacherDay:
    """What the teacher's home and «Сегодня» show."""

    day: date
    weekday: str
    pairs: list[PairShown] | None  # None: the journal did not answer
    loads: list[LoadShown]


def clock(minutes: int) -> str:
    """Return minutes after midnight as «08:30»."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def today_in_college(request: Request) -> date:
    """Return today's date in the college's time zone."""
    return datetime.now(get_runtime(request).settings.college_zone).date()


def journal_href(group_id: str, discipline_id: str, subgroup_id: str, **query: str) -> str:
    """Return the journal page's address of a group (subgroup) and discipline."""
    params = ([f"subgroup={subgroup_id}"] if subgroup_id else []) + [f"{k}={v}" for k, v in query.items()]
    suffix = f"?{'&'.join(params)}" if params else ""
    # A recorded lesson gets no fragment: the grid focuses and shows its column itself.
    anchor = "#lesson-form" if "pair" in query else ""
    return f"/journal/{group_id}/{discipline_id}{suffix}{anchor}"


async def names_of(
    clients: ServiceClients, session: Session, discipline_ids: list[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Return the names of the caller's groups and of these disciplines, by id."""
    token = session.access_token
    groups, disciplines = await asyncio.gather(
        call(clients.journal.ListGroups, pb.ListGroupsRequest(page_size=GROUPS_PAGE), token),
        call(
            clients.journal.ListDisciplines,
            pb.ListDisciplinesRequest(discipline_ids=list(dict.fromkeys(discipline_ids))),
            token,
        ),
    )
    return (
        {g.group_id: g.name for g in groups.groups},
        {d.discipline_id: f"{d.code} {d.name}".strip() for d in disciplines.disciplines},
    )


def substitution_note(pair: pb.TeacherDayPair) -> str:
    """Return how the teacher's day marks a pair under a substitution (no names: the day is one call)."""
    if pair.replaced_teacher_id:
        return "замена: вы заменяете преподавателя этой пары"
    if pair.substitute_teacher_id:
        return "замена: пару ведёт другой преподаватель"
    return ""


async def teacher_day(
    clients: ServiceClients, session: Session, day: date, *, on_home: bool = False
) -> TeacherDay:
    """Return the teacher's pairs on `day` and their groups and disciplines of that week (on the home
    page any refusal only leaves the block empty: the page is the way to everything else)."""
    monday = day - timedelta(days=day.weekday())
    week = [monday + timedelta(days=n) for n in range(6)]
    days = [day, *(d for d in week if d != day)]
    try:
        replies = await asyncio.gather(
            *(
                call(
                    clients.journal.GetTeacherDay,
                    pb.GetTeacherDayRequest(teacher_id=session.subject, date=to_local_date(d)),
                    session.access_token,
                )
                for d in days
            )
        )
        pairs = [p for reply in replies for p in reply.pairs]
        groups, disciplines = await names_of(clients, session, [p.entry.discipline_id for p in pairs])
        # A group the teacher only substitutes in is not among their groups: named one by one (slice D).
        for group_id in dict.fromkeys(p.group_id for p in pairs if p.replaced_teacher_id):
            if group_id not in groups:
                reply = await call(
                    clients.journal.GetGroup, pb.GetGroupRequest(group_id=group_id), session.access_token
                )
                groups[group_id] = reply.group.name
    except grpc.aio.AioRpcError as exc:
        if exc.code() not in SERVICE_DOWN and not on_home:
            raise
        log.warning("teacher's day not shown", extra={"grpc_status": exc.code().name})
        return TeacherDay(day, WEEKDAYS[day.weekday()], None, [])
    shown = [
        PairShown(
            number=p.entry.pair_number,
            starts=clock(p.starts_at_minute),
            ends=clock(p.ends_at_minute),
            group_name=groups.get(p.group_id, "группа"),
            discipline_name=disciplines.get(p.entry.discipline_id, "дисциплина"),
            subgroup=bool(p.entry.subgroup_id),
            room=p.entry.room,
            recorded=bool(p.lesson_id),
            substitution=substitution_note(p),
            href=journal_href(p.group_id, p.entry.discipline_id, p.entry.subgroup_id, lesson=p.lesson_id)
            if p.lesson_id
            else journal_href(
                p.group_id,
                p.entry.discipline_id,
                p.entry.subgroup_id,
                date=day.isoformat(),
                pair=str(p.entry.pair_number),
            ),
        )
        for p in sorted(replies[0].pairs, key=lambda p: p.entry.pair_number)
    ]
    loads: dict[tuple[str, str, str], LoadShown] = {}
    for p in pairs:
        key = (p.group_id, p.entry.discipline_id, p.entry.subgroup_id)
        loads.setdefault(
            key,
            LoadShown(
                group_name=groups.get(p.group_id, "группа"),
                discipline_name=disciplines.get(p.entry.discipline_id, "дисциплина"),
                subgroup=bool(p.entry.subgroup_id),
                href=journal_href(*key),
            ),
        )
    ordered = sorted(loads.values(), key=lambda x: (x.group_name, x.discipline_name))
    return TeacherDay(day, WEEKDAYS[day.weekday()], shown, ordered)


@dataclass(frozen=True)
class GroupLink:
    """A group on the home page."""

    group_id: str
    name: str


async def home_navigation(request: Request, session: Session) -> dict[str, object]:
    """Return what a staff member's home page offers: a teacher's day, the class teacher's groups,
    the administration's choice of a group's journals (the journal decides who reads what)."""
    roles = set(session.roles)
    clients = get_runtime(request).clients
    day = None
    if TEACHER in roles:
        day = await teacher_day(clients, session, today_in_college(request), on_home=True)
    led: list[GroupLink] = []
    all_groups: list[GroupLink] | None = []
    if roles & (ADMINISTRATION | {CLASS_TEACHER}):
        try:
            reply = await call(
                clients.journal.ListGroups, pb.ListGroupsRequest(page_size=GROUPS_PAGE), session.access_token
            )
        except grpc.aio.AioRpcError as exc:
            log.warning("groups not shown on the home page", extra={"grpc_status": exc.code().name})
            all_groups = None
        else:
            led = [
                GroupLink(g.group_id, g.name) for g in reply.groups if g.class_teacher_id == session.subject
            ]
            if roles & ADMINISTRATION:
                all_groups = [GroupLink(g.group_id, g.name) for g in reply.groups]
    return {"today": day, "led_groups": led, "journal_groups": all_groups}


@router.get("/today")
async def today(request: Request, session: PortalSession, date: str | None = None) -> Response:
    """Сегодня: пары преподавателя на день по расписанию, со ссылками на журнал."""
    if TEACHER not in session.roles:
        raise TodayForTeachers()
    asked = date_of_text(date.strip()) if date else today_in_college(request)
    if asked is None:
        raise InvalidArgument("Дата — в формате ДД.ММ.ГГГГ", code="invalid_date")
    shown = await teacher_day(get_runtime(request).clients, session, asked)
    templates = request.app.state.templates
    response: Response = templates.TemplateResponse(
        request,
        "today.html",
        {
            "session": session,
            "today": shown,
            "previous": asked - timedelta(days=1),
            "next": asked + timedelta(days=1),
            "is_today": asked == today_in_college(request),
        },
        status_code=503 if shown.pairs is None else 200,  # the journal did not answer: the page says so
    )
    return response
