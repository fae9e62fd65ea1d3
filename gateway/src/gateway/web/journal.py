"""Portal «Журнал группы»: the journal page of a group (or subgroup) and discipline as a grid.

Rows are the students, columns the lessons of the period (date, pair, the topic as a tooltip), cells
the marks and the attendance, the last columns the averages the journal computed. The server renders
the whole table, so it reads without JavaScript; `static/journal.js` turns it into a keyboard-first
grid for the teacher: each cell is saved as it is typed through the JSON endpoints below (form
encoded with the session's CSRF token, like every portal POST). The journal decides every write
again; a refused value comes back with its Russian reason and stays in the cell.

The lesson form (date, pair, topic, kind, homework and deadline) is an ordinary form and works
without JavaScript; a refused lesson comes back with the journal's message and the typed values.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import grpc
from chassis.errors import InvalidArgument, PermissionDenied
from chassis.grpc_client import error_code_of
from chassis.grpc_errors import ERROR_CODE_KEY, http_status_for
from ejournal.identity.v1 import identity_pb2
from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from gateway.auth.portal import PortalSession
from gateway.auth.session import Session
from gateway.clients import ServiceClients, call
from gateway.resources.attendance import REASONS, STATUSES
from gateway.resources.common import ProtoEnum, date_of, to_local_date
from gateway.resources.lessons import LESSON_KINDS, LessonOut, lesson_out
from gateway.resources.marks import KINDS_OF_WORK
from gateway.resources.people import ROLES
from gateway.runtime import get_runtime
from gateway.web.csrf import CsrfSession, csrf_token
from gateway.web.names import people_names
from gateway.web.pages import STAFF_ROLES
from gateway.web.period_locks import LockShown, page_locks
from gateway.web.year import SERVICE_DOWN, FormProblem, date_of_text, service_problem

router = APIRouter()

TEACHER = ROLES.name_of(identity_pb2.ROLE_TEACHER)
DEFAULT_PERIOD_DAYS = 56  # eight weeks back from today: the columns a teacher needs on a working day
MAX_PERIOD_DAYS = 366  # ListLessons' limit
MAX_PAIRS = 8

PRESENT = STATUSES.name_of(journal_pb2.ATTENDANCE_STATUS_PRESENT)
ABSENT = STATUSES.name_of(journal_pb2.ATTENDANCE_STATUS_ABSENT)
LATE = STATUSES.name_of(journal_pb2.ATTENDANCE_STATUS_LATE)
# How a status is written in the cell (the regulation's «н» and «оп»).
STATUS_SIGNS: dict[str, str] = {PRESENT: "", ABSENT: "н", LATE: "оп"}
STATUS_LABELS: dict[str, str] = {PRESENT: "присутствовал", ABSENT: "отсутствовал", LATE: "опоздал"}
# Keyed by the proto's values, so a kind added there without a label fails the portal's tests.
LESSON_KIND_LABELS: dict[str, str] = {
    LESSON_KINDS.name_of(journal_pb2.LESSON_KIND_LECTURE): "Лекция",
    LESSON_KINDS.name_of(journal_pb2.LESSON_KIND_PRACTICAL): "Практическое занятие",
    LESSON_KINDS.name_of(journal_pb2.LESSON_KIND_LABORATORY): "Лабораторная работа",
    LESSON_KINDS.name_of(journal_pb2.LESSON_KIND_TEST): "Контрольная работа",
    LESSON_KINDS.name_of(journal_pb2.LESSON_KIND_SEMINAR): "Семинар",
    LESSON_KINDS.name_of(journal_pb2.LESSON_KIND_INDEPENDENT_WORK): "Самостоятельная работа",
    LESSON_KINDS.name_of(journal_pb2.LESSON_KIND_COMBINED): "Комбинированное занятие",
    LESSON_KINDS.name_of(journal_pb2.LESSON_KIND_CONSULTATION): "Консультация",
}
KIND_OF_WORK_LABELS: dict[str, str] = {
    KINDS_OF_WORK.name_of(journal_pb2.KIND_OF_WORK_ANSWER): "Ответ на занятии",
    KINDS_OF_WORK.name_of(journal_pb2.KIND_OF_WORK_CONTROL_WORK): "Контрольная работа",
    KINDS_OF_WORK.name_of(journal_pb2.KIND_OF_WORK_INDEPENDENT_WORK): "Самостоятельная работа",
    KINDS_OF_WORK.name_of(journal_pb2.KIND_OF_WORK_LABORATORY_WORK): "Лабораторная работа",
    KINDS_OF_WORK.name_of(journal_pb2.KIND_OF_WORK_PRACTICAL_WORK): "Практическая работа",
    KINDS_OF_WORK.name_of(journal_pb2.KIND_OF_WORK_HOMEWORK): "Домашнее задание",
    KINDS_OF_WORK.name_of(journal_pb2.KIND_OF_WORK_TEST): "Тест",
    KINDS_OF_WORK.name_of(journal_pb2.KIND_OF_WORK_ESSAY): "Реферат, доклад",
}
LESSON_FIELDS = (
    "lesson_date",
    "pair_number",
    "ktp_topic_id",
    "topic",
    "kind",
    "homework_kind",
    "homework",
    "homework_deadline",
    "subgroup_id",
)
HOMEWORK_KINDS = ProtoEnum(journal_pb2.HomeworkKind)
# Keyed by the proto's values, so a kind added there without a label fails the portal's tests.
HOMEWORK_KIND_LABELS: dict[str, str] = {
    HOMEWORK_KINDS.name_of(journal_pb2.HOMEWORK_KIND_HOMEWORK): "Домашнее задание",
    HOMEWORK_KINDS.name_of(journal_pb2.HOMEWORK_KIND_INDEPENDENT_WORK): "Самостоятельная работа",
}
MAX_RECIPIENTS = 200
# The journal's error codes → the lesson form's fields to mark as wrong.
FIELDS_OF_LESSON_CODE: dict[str, str] = {
    "lesson_date_in_future": "lesson_date",
    "not_a_teaching_day": "lesson_date",
    "pair_not_in_schedule": "pair_number",
    "lesson_slot_taken": "pair_number",
    "invalid_lesson_kind": "kind",
    "invalid_homework_deadline": "homework_deadline",
    "subgroup_not_found": "subgroup_id",
    "ktp_topic_of_other_discipline": "ktp_topic_id",
    "ktp_topic_not_found": "ktp_topic_id",
    "student_not_in_group": "homework_student_ids",
    "student_not_in_subgroup": "homework_student_ids",
}
# The portal's policy (gateway.middleware.PORTAL_CSP) with the portal's own scripts allowed: no inline
# script, nothing from elsewhere, fetches only back to the portal.
SCRIPTED_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
DOWN = "Журнал сейчас не отвечает. Введённое осталось на странице — сохраните ещё раз чуть позже."


class JournalForStaff(PermissionDenied):
    """Students and parents read their diary, not a group's journal."""

    def __init__(self) -> None:
        super().__init__(
            "Журнал группы доступен преподавателям, классным руководителям и администрации колледжа. "
            "Оценки обучающегося — в его дневнике.",
            code="staff_only",
        )


@dataclass(frozen=True)
class MarkShown:
    """A mark in a cell: the value, what it was for, its weight."""

    value: str
    hint: str
    weight: int = 1
    mark_id: str = ""  # the grid changes and removes it by id


@dataclass
class Cell:
    """What a student has on one lesson: the marks (in order) and the attendance."""

    marks: list[MarkShown] = field(default_factory=list)
    status: str = ""
    reason: str = ""
    off: bool = False  # a subgroup's lesson the student is not in
    off_reason: str = ""  # slice J: why the cell is not theirs (shown on it; the grid gives no input)

    @property
    def sign(self) -> str:
        """Return «н» or «оп» for an absence or lateness, nothing otherwise."""
        return STATUS_SIGNS.get(self.status, "")


@dataclass
class Row:
    """One student of the journal page."""

    student_id: str
    name: str
    cells: dict[str, Cell]
    dated: list[tuple[date | None, MarkShown]] = field(default_factory=list)  # marks without a lesson
    mean: str = ""
    weighted_mean: str = ""
    label: str = ""  # slice J: «переведён 10.11.2026», «выбыл …», «зачислен …» within the page's dates


# Slice J: how a page student joined or left, as the label next to the name says it.
JOINED_LABELS = {"transfer": "переведён", "subgroup_transfer": "переведён", "return": "восстановлен"}
LEFT_LABELS = {"transfer": "переведён", "subgroup_transfer": "переведён"}


def movement_label(membership: pb.PageMembership) -> tuple[str, date | None, date | None]:
    """Return the label of a page student's joining and leaving within the page's dates, and the two
    dates (None: before / after the page)."""
    joined = date_of(membership.joined_on) if membership.HasField("joined_on") else None
    left = date_of(membership.left_on) if membership.HasField("left_on") else None
    parts = []
    if joined is not None:
        parts.append(f"{JOINED_LABELS.get(membership.joined_by, 'зачислен')} {joined:%d.%m.%Y}")
    if left is not None:
        parts.append(f"{LEFT_LABELS.get(membership.left_by, 'выбыл')} {left:%d.%m.%Y}")
    return ", ".join(parts), joined, left


async def dated_members(
    clients: ServiceClients, session: Session, group_id: str, subgroups: list[journal_pb2.Subgroup]
) -> Callable[[str, str, date | None], bool]:
    """Return «is the student in the subgroup on the day» by the dated memberships (slice J); the members
    in force when the journal does not answer."""
    try:
        reply = await call(
            clients.journal.ListSubgroupMemberships,
            pb.ListSubgroupMembershipsRequest(group_id=group_id),
            session.access_token,
        )
    except grpc.aio.AioRpcError:
        reply = pb.ListSubgroupMembershipsResponse()
    current = {s.subgroup_id: set(s.student_ids) for s in subgroups}
    spans: dict[tuple[str, str], list[tuple[date | None, date | None]]] = {}
    for m in reply.memberships:
        to_date = date_of(m.to_date) if m.HasField("to_date") else None
        spans.setdefault((m.subgroup_id, m.student_id), []).append((date_of(m.from_date), to_date))

    def member(subgroup_id: str, student_id: str, day: date | None) -> bool:
        if (subgroup_id, student_id) not in spans:  # not told: the members in force
            return student_id in current.get(subgroup_id, set())
        return any(
            day is None or ((start is None or start <= day) and (end is None or day < end))
            for start, end in spans.get((subgroup_id, student_id), [])
        )

    return member


@dataclass
class Grid:
    """The journal page: its lessons (columns) and students (rows)."""

    lessons: list[LessonOut]
    rows: list[Row]


def staff_only(session: Session) -> None:
    """Refuse students and parents (the journal decides the rest: whose load, whose group)."""
    if not set(session.roles) & STAFF_ROLES:
        raise JournalForStaff()


def period_of(first: str | None, last: str | None, today: date) -> tuple[date, date]:
    """Return the page's period: typed ДД.ММ.ГГГГ or ГГГГ-ММ-ДД, by default eight weeks to today."""
    end = date_of_text(last.strip()) if last else today
    start = date_of_text(first.strip()) if first else None
    if end is None or (first and start is None):
        raise InvalidArgument("Период — даты в формате ДД.ММ.ГГГГ", code="invalid_period")
    start = start or end - timedelta(days=DEFAULT_PERIOD_DAYS)
    if start > end or (end - start).days > MAX_PERIOD_DAYS - 1:
        raise InvalidArgument(
            "Период: начало не позже конца, не длиннее учебного года (366 дней)", code="invalid_period"
        )
    return start, end


def today_of(request: Request) -> date:
    """Return today's date in the college's time zone."""
    return datetime.now(get_runtime(request).settings.college_zone).date()


async def load_grid(
    clients: ServiceClients,
    session: Session,
    *,
    group_id: str,
    discipline_id: str,
    subgroup_id: str,
    subgroups: list[journal_pb2.Subgroup],
    first: date,
    last: date,
) -> Grid:
    """Read the page in one journal call (GetJournalPage) and name its students in one identity call."""
    reply = await call(
        clients.journal.GetJournalPage,
        pb.GetJournalPageRequest(
            group_id=group_id,
            discipline_id=discipline_id,
            subgroup_id=subgroup_id,
            date_from=to_local_date(first),
            date_to=to_local_date(last),
        ),
        session.access_token,
    )
    names = await people_names(clients, session, list(reply.student_ids))
    in_subgroup = (
        await dated_members(clients, session, group_id, subgroups)
        if any(lesson.subgroup_id for lesson in reply.lessons)
        else None
    )
    memberships = list(reply.memberships)
    rows: dict[str, Row] = {}
    for number, student_id in enumerate(reply.student_ids, start=1):
        row = Row(student_id, names.get(student_id, f"Обучающийся №{number}"), {})
        joined = left = None
        if number <= len(memberships):
            row.label, joined, left = movement_label(memberships[number - 1])
        for lesson in reply.lessons:
            day = date_of(lesson.lesson_date)
            shown = Cell()
            if day is not None and (
                (joined is not None and day < joined) or (left is not None and day >= left)
            ):
                shown.off, shown.off_reason = True, f"{row.label}: в этот день не в группе (подгруппе)"
            elif in_subgroup and lesson.subgroup_id and not in_subgroup(lesson.subgroup_id, student_id, day):
                shown.off, shown.off_reason = (
                    True,
                    "Занятие подгруппы, в которой обучающийся в этот день не состоял",
                )
            row.cells[lesson.lesson_id] = shown
        rows[student_id] = row
    # The page's cells come as columns of positions (student, lesson); the marks point at their cell.
    row_list = [rows[student_id] for student_id in reply.student_ids]
    lesson_list = [lesson.lesson_id for lesson in reply.lessons]
    cells = reply.cells
    placed: list[Cell | None] = [
        row_list[student].cells.get(lesson_list[lesson])
        for student, lesson in zip(cells.student, cells.lesson, strict=True)
    ]
    for cell, status, reason in zip(placed, cells.status, cells.reason, strict=True):
        if cell is not None and status:
            cell.status = STATUSES.name_of(status)
            cell.reason = REASONS.name_of(reason) if reason else ""
    marks = reply.marks
    for position, mark_id, value, kind, weight in zip(
        marks.cell, marks.mark_id, marks.value, marks.kind_of_work, marks.weight, strict=True
    ):
        cell = placed[position]
        if cell is not None:
            cell.marks.append(shown_mark(mark_id, value, kind, weight))
    # The journal sends absences and lateness only: at a lesson whose attendance was taken, the others
    # were present.
    for lesson_id in reply.lessons_with_attendance:
        for row in rows.values():
            cell = row.cells.get(lesson_id)
            if cell is not None and not cell.status and not cell.off:
                cell.status = PRESENT
    for dated in reply.marks_without_lesson:
        if dated.student_id in rows:
            day = date_of(dated.lesson_date)
            rows[dated.student_id].dated.append((day, mark_of(dated.mark)))
    for row, mean, weighted_mean in zip(
        row_list, reply.averages.mean, reply.averages.weighted_mean, strict=True
    ):
        row.mean, row.weighted_mean = mean, weighted_mean
    # Named students by name; those identity did not name keep their place, after them.
    ordered = sorted(rows.values(), key=lambda r: (r.name.startswith("Обучающийся №"), r.name))
    return Grid([lesson_out(lesson) for lesson in reply.lessons], ordered)


def shown_mark(mark_id: str, value: str, kind_of_work: int, weight: int) -> MarkShown:
    """Return a mark as a cell shows it: its value, and its kind of work and weight as a hint."""
    kind = KIND_OF_WORK_LABELS.get(KINDS_OF_WORK.name_of(kind_of_work), "Ответ на занятии")
    weight = max(weight, 1)
    return MarkShown(value, f"{kind}, вес {weight}", weight, mark_id)


def mark_of(mark: pb.CellMark) -> MarkShown:
    """Return a mark (of a diary, or recorded by date only) as a cell shows it."""
    return shown_mark(mark.mark_id, mark.value, mark.kind_of_work, mark.weight)


async def substituted_lessons(
    clients: ServiceClients, session: Session, group_id: str, first: date, last: date
) -> dict[str, str]:
    """Return «Фамилия Имя» of the substitute by lesson id for the page's lessons a substitute taught
    (ListSubstitutions of the group; none when it is refused or down: the marking is a courtesy)."""
    try:
        reply = await call(
            clients.journal.ListSubstitutions,
            pb.ListSubstitutionsRequest(
                group_id=group_id, from_date=to_local_date(first), to_date=to_local_date(last)
            ),
            session.access_token,
        )
    except grpc.aio.AioRpcError:
        return {}
    taught = {s.lesson_id: s.taught_by for s in reply.substitutions if s.lesson_id and s.taught_by}
    names = await people_names(clients, session, list(taught.values())) if taught else {}
    return {lesson: names.get(person, "другой преподаватель") for lesson, person in taught.items()}


async def ktp_topics(
    clients: ServiceClients, session: Session, group_id: str, discipline_id: str, subgroup_id: str
) -> list[pb.KtpTopic]:
    """Return the KTP's topics for the lesson form's select (none when there is no KTP or it is down)."""
    try:
        reply = await call(
            clients.journal.GetKtp,
            pb.GetKtpRequest(group_id=group_id, discipline_id=discipline_id, subgroup_id=subgroup_id),
            session.access_token,
        )
    except grpc.aio.AioRpcError as exc:
        if exc.code() not in SERVICE_DOWN:
            raise
        return []  # the topic is typed by hand then
    return list(reply.ktp.topics)


def lesson_form_of(request: Request, typed: dict[str, str] | None, today: date) -> dict[str, str]:
    """Return the lesson form's values: what was typed, else the date and pair the link asked for
    (today's date when none)."""
    if typed is not None:
        return typed
    params = request.query_params
    values = dict.fromkeys(LESSON_FIELDS, "")
    asked = date_of_text(params.get("date", "")) or today
    values["lesson_date"] = f"{asked:%d.%m.%Y}"
    values["pair_number"] = params.get("pair", "") if params.get("pair", "").isdigit() else ""
    values["kind"] = LESSON_KINDS.name_of(journal_pb2.LESSON_KIND_COMBINED)
    values["homework_kind"] = HOMEWORK_KINDS.name_of(journal_pb2.HOMEWORK_KIND_HOMEWORK)
    return values


async def journal_page(
    request: Request,
    session: Session,
    group_id: UUID,
    discipline_id: UUID,
    *,
    subgroup_id: str = "",
    first: str | None = None,
    last: str | None = None,
    typed: dict[str, str] | None = None,
    chosen: list[str] | None = None,
    problem: FormProblem | None = None,
) -> Response:
    """Render the journal page (the grid, the lesson form), after a refused lesson with what was typed."""
    staff_only(session)
    clients = get_runtime(request).clients
    today = today_of(request)
    start, end = period_of(first, last, today)
    token = session.access_token
    group_name, discipline_name = "", ""
    subgroups: list[journal_pb2.Subgroup] = []
    grid: Grid | None = None
    locks: list[LockShown] = []  # slice B: the page's closed periods
    try:
        group_reply, discipline_reply, subgroups_reply = await asyncio.gather(
            call(clients.journal.GetGroup, pb.GetGroupRequest(group_id=str(group_id)), token),
            call(
                clients.journal.ListDisciplines,
                pb.ListDisciplinesRequest(discipline_ids=[str(discipline_id)]),
                token,
            ),
            call(clients.journal.ListSubgroups, pb.ListSubgroupsRequest(group_id=str(group_id)), token),
        )
        group_name = group_reply.group.name
        discipline_name = next(
            (f"{d.code} {d.name}".strip() for d in discipline_reply.disciplines), "Дисциплина"
        )
        subgroups = [s for s in subgroups_reply.subgroups if s.discipline_id == str(discipline_id)]
        if subgroup_id not in {s.subgroup_id for s in subgroups}:
            subgroup_id = ""  # a stale or mistyped choice: the whole group
        grid = await load_grid(
            clients,
            session,
            group_id=str(group_id),
            discipline_id=str(discipline_id),
            subgroup_id=subgroup_id,
            subgroups=subgroups,
            first=start,
            last=end,
        )
        locks = await page_locks(
            clients, session, group_id=str(group_id), discipline_id=str(discipline_id), first=start, last=end
        )
    except grpc.aio.AioRpcError as exc:
        # After a refused lesson form the typed values matter more than the table: they are not lost.
        if problem is None or exc.code() not in SERVICE_DOWN:
            raise
    # R2.4 (slice D): the lessons a substitute taught are marked «замена: <teacher>».
    substituted = await substituted_lessons(clients, session, str(group_id), start, end) if grid else {}
    # R1.5: a closed period on the page's days makes the grid read-only (slice B).
    period_closed = any(lock.closed for lock in locks)
    can_edit = TEACHER in session.roles and not period_closed
    topics = (
        await ktp_topics(clients, session, str(group_id), str(discipline_id), subgroup_id) if can_edit else []
    )
    opened = request.query_params.get("lesson", "")
    return render(
        request,
        "journal.html",
        session,
        status=problem.status if problem else 200,
        scripted=can_edit,
        group_id=str(group_id),
        discipline_id=str(discipline_id),
        group_name=group_name,
        discipline_name=discipline_name,
        subgroups=subgroups,
        subgroup_id=subgroup_id,
        start=start,
        end=end,
        grid=grid,
        can_edit=can_edit,
        period_locks=locks,
        substituted=substituted,
        period_closed=period_closed,
        period_teacher=TEACHER in session.roles,
        opened=opened,
        recorded=request.query_params.get("recorded") == "1",
        form=lesson_form_of(request, typed, today),
        chosen=set(chosen or []),
        topics=topics,
        homework_kind_labels=HOMEWORK_KIND_LABELS,
        problem=problem,
        status_signs=STATUS_SIGNS,
        status_labels=STATUS_LABELS,
        kind_labels=LESSON_KIND_LABELS,
        work_labels=KIND_OF_WORK_LABELS,
        pairs=range(1, MAX_PAIRS + 1),
    )


def render(
    request: Request,
    template: str,
    session: Session,
    status: int = 200,
    *,
    scripted: bool = False,
    **context: Any,
) -> Response:
    """Render a page with the session and its CSRF token; a `scripted` page may run the portal's own
    static scripts (the portal's policy otherwise runs none; the middleware keeps a policy a page set)."""
    templates = request.app.state.templates
    response: Response = templates.TemplateResponse(
        request,
        template,
        {"session": session, "csrf_token": csrf_token(request, session), **context},
        status_code=status,
    )
    if scripted:
        response.headers["Content-Security-Policy"] = SCRIPTED_CSP
    return response


@router.get("/journal/token")
async def grid_token(request: Request, session: PortalSession) -> Response:
    """Return this session's CSRF token: the grid asks again after a new login in another tab."""
    return JSONResponse({"csrf_token": csrf_token(request, session)}, headers={"Cache-Control": "no-store"})


@router.get("/journal")
async def journal_lookup(session: PortalSession, group_id: str = "") -> RedirectResponse:
    """Open a group's journals from the home page's choice of a group."""
    staff_only(session)
    chosen = uuid_or_none(group_id)
    if chosen is None:
        raise InvalidArgument("Выберите группу из списка", code="invalid_group_id")
    return RedirectResponse(f"/journal/{chosen}", status_code=303)


def year_start(today: date) -> date:
    """Return 1 September of the academic year holding `today` (the regulation's year start)."""
    return date(today.year if today.month >= 9 else today.year - 1, 9, 1)


@dataclass(frozen=True)
class OverviewCell:
    """A student's results in one discipline over the period."""

    mean: str
    weighted_mean: str
    absences: int
    without_reason: int
    lateness: int


@router.get("/journal/{group_id}")
async def group_journals(request: Request, group_id: UUID, session: PortalSession) -> Response:
    """Журналы группы: дисциплины с занятиями с начала учебного года и сводка по обучающимся (чтение)."""
    staff_only(session)
    clients = get_runtime(request).clients
    today = today_of(request)
    start = year_start(today)
    token = session.access_token
    group_reply, overview = await asyncio.gather(
        call(clients.journal.GetGroup, pb.GetGroupRequest(group_id=str(group_id)), token),
        call(
            clients.journal.GetGroupOverview,
            pb.GetGroupOverviewRequest(
                group_id=str(group_id), date_from=to_local_date(start), date_to=to_local_date(today)
            ),
            token,
        ),
    )
    names = await people_names(clients, session, list(overview.student_ids))
    cells = {
        (c.student_id, c.discipline_id): OverviewCell(
            c.mean, c.weighted_mean, c.absences, c.absences_without_valid_reason, c.lateness
        )
        for c in overview.cells
    }
    students = [
        (student_id, names.get(student_id, f"Обучающийся №{number}"))
        for number, student_id in enumerate(overview.student_ids, start=1)
    ]
    students.sort(key=lambda s: (s[1].startswith("Обучающийся №"), s[1]))
    return render(
        request,
        "group_journals.html",
        session,
        group_id=str(group_id),
        group_name=group_reply.group.name,
        start=start,
        end=today,
        disciplines=list(overview.disciplines),
        students=students,
        cells=cells,
    )


@router.get("/journal/{group_id}/{discipline_id}")
async def journal(
    request: Request,
    group_id: UUID,
    discipline_id: UUID,
    session: PortalSession,
    *,
    subgroup: str = "",
    start: str | None = None,
    end: str | None = None,
) -> Response:
    """Журнал группы (подгруппы) по дисциплине за период: обучающиеся × занятия, оценки, пропуски, средние."""
    return await journal_page(
        request, session, group_id, discipline_id, subgroup_id=subgroup.strip(), first=start, last=end
    )


def parse_lesson(
    typed: dict[str, str], chosen: list[str], group_id: str, discipline_id: str
) -> pb.RecordLessonRequest:
    """Return the lesson form as RecordLesson, or raise LessonFormRefused with what is wrong."""
    lesson_day = date_of_text(typed["lesson_date"])
    if lesson_day is None:
        raise LessonFormRefused(FormProblem("Дата занятия — в формате ДД.ММ.ГГГГ", {"lesson_date"}))
    pair = typed["pair_number"]
    if not pair.isdigit() or not 1 <= int(pair) <= MAX_PAIRS:
        raise LessonFormRefused(FormProblem("Выберите пару из списка", {"pair_number"}))
    if typed["ktp_topic_id"] and uuid_or_none(typed["ktp_topic_id"]) is None:
        raise LessonFormRefused(FormProblem("Выберите тему из КТП в списке", {"ktp_topic_id"}))
    if not typed["topic"] and not typed["ktp_topic_id"]:
        raise LessonFormRefused(FormProblem("Выберите тему из КТП или впишите её", {"topic"}))
    if typed["homework_kind"] and typed["homework_kind"] not in HOMEWORK_KIND_LABELS:
        raise LessonFormRefused(FormProblem("Выберите вид задания из списка", {"homework_kind"}))
    if typed["kind"] not in LESSON_KIND_LABELS:
        raise LessonFormRefused(FormProblem("Выберите вид занятия из списка", {"kind"}))
    request = pb.RecordLessonRequest(
        group_id=group_id,
        subgroup_id=typed["subgroup_id"],
        discipline_id=discipline_id,
        lesson_date=to_local_date(lesson_day),
        pair_number=int(pair),
        topic=typed["topic"],
        kind=LESSON_KINDS.to_pb(typed["kind"]),
        homework=typed["homework"],
        ktp_topic_id=typed["ktp_topic_id"],
    )
    if typed["homework"] and typed["homework_kind"]:
        request.homework_kind = HOMEWORK_KINDS.to_pb(typed["homework_kind"])
    recipients = [uuid_or_none(s) for s in chosen]
    if chosen and not typed["homework"]:
        raise LessonFormRefused(FormProblem("Студентов выбирают вместе с заданием", {"homework"}))
    if None in recipients or len(recipients) > MAX_RECIPIENTS:
        raise LessonFormRefused(FormProblem("Выберите студентов из списка", {"homework_student_ids"}))
    request.homework_student_ids.extend(r for r in recipients if r)
    if typed["homework_deadline"]:
        deadline = date_of_text(typed["homework_deadline"])
        if deadline is None:
            raise LessonFormRefused(FormProblem("Срок задания — в формате ДД.ММ.ГГГГ", {"homework_deadline"}))
        if not typed["homework"]:
            raise LessonFormRefused(FormProblem("Срок указывают вместе с заданием", {"homework"}))
        request.homework_deadline.CopyFrom(to_local_date(deadline))
    if typed["subgroup_id"]:
        try:
            request.subgroup_id = str(UUID(typed["subgroup_id"]))
        except ValueError:
            raise LessonFormRefused(FormProblem("Выберите подгруппу из списка", {"subgroup_id"})) from None
    return request


class LessonFormRefused(Exception):
    """The lesson form is malformed: the page comes back with the message and the typed values."""

    def __init__(self, problem: FormProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@router.post("/journal/{group_id}/{discipline_id}/lessons")
async def record_lesson(
    request: Request, group_id: UUID, discipline_id: UUID, session: CsrfSession
) -> Response:
    """Записать занятие (дата, пара, тема, вид, задание); при отказе — страница с введённым и причиной."""
    staff_only(session)
    form = await request.form()
    typed = {name: str(form.get(name) or "").strip() for name in LESSON_FIELDS}
    chosen = [str(v) for v in form.getlist("homework_student_ids")]
    problem: FormProblem
    try:
        lesson_request = parse_lesson(typed, chosen, str(group_id), str(discipline_id))
        reply = await call(
            get_runtime(request).clients.journal.RecordLesson, lesson_request, session.access_token
        )
    except LessonFormRefused as refused:
        problem = refused.problem
    except grpc.aio.AioRpcError as exc:
        problem = service_problem(exc)
        field_name = FIELDS_OF_LESSON_CODE.get(error_code_of(exc))
        if field_name:
            problem.fields.add(field_name)
    else:
        lesson = reply.lesson
        day = date_of(lesson.lesson_date)
        query = f"lesson={lesson.lesson_id}&recorded=1"
        if typed["subgroup_id"]:
            query += f"&subgroup={typed['subgroup_id']}"
        if day is not None:
            query += f"&end={max(day, today_of(request)):%Y-%m-%d}"
        # No fragment: a browser that scrolls to one blurs the cell the grid focuses in the lesson's column.
        return RedirectResponse(f"/journal/{group_id}/{discipline_id}?{query}", 303)
    return await journal_page(
        request,
        session,
        group_id,
        discipline_id,
        subgroup_id=typed["subgroup_id"],
        typed=typed,
        chosen=chosen,
        problem=problem,
    )


# -- the grid's JSON endpoints (static/journal.js) ---------------------------------------------------


def refusal(exc: grpc.aio.AioRpcError) -> JSONResponse:
    """Return the journal's refusal for the grid: its Russian reason and code, or «not answering»."""
    if exc.code() in SERVICE_DOWN:
        return JSONResponse({"ok": False, "code": "unavailable", "message": DOWN}, status_code=503)
    has_code = any(key == ERROR_CODE_KEY for key, _ in exc.trailing_metadata() or ())
    if not has_code or not exc.details():
        raise exc
    return JSONResponse(
        {"ok": False, "code": error_code_of(exc), "message": exc.details()},
        status_code=http_status_for(exc.code()),
    )


def refused(message: str, code: str, status: int = 400) -> JSONResponse:
    """Return the portal's own refusal of a grid request (malformed before the journal is asked)."""
    return JSONResponse({"ok": False, "code": code, "message": message}, status_code=status)


def uuid_or_none(text: str) -> str | None:
    """Return a canonical UUID, or None for anything else."""
    try:
        return str(UUID(text.strip()))
    except ValueError:
        return None


@router.post("/journal/{group_id}/{discipline_id}/marks")
async def record_mark(
    request: Request, group_id: UUID, discipline_id: UUID, session: CsrfSession
) -> Response:
    """Выставить оценку в клетку: занятие, обучающийся, значение из словаря колледжа (и вид работы, вес)."""
    staff_only(session)
    form = await request.form()
    lesson_id = uuid_or_none(str(form.get("lesson_id") or ""))
    student_id = uuid_or_none(str(form.get("student_id") or ""))
    value = str(form.get("value") or "").strip()
    work = str(form.get("kind_of_work") or "")
    weight = str(form.get("weight") or "1")
    if lesson_id is None or student_id is None:
        return refused("Клетка журнала не распознана: обновите страницу", "invalid_cell")
    if not value or len(value) > 16:
        return refused("Введите отметку, например 5", "invalid_mark_value")
    if work and work not in KIND_OF_WORK_LABELS:
        return refused("Выберите вид работы из списка", "invalid_kind_of_work")
    if not weight.isdigit() or not 1 <= int(weight) <= 5:
        return refused("Вес оценки — от 1 до 5", "invalid_weight")
    mark_request = pb.RecordMarkRequest(
        student_id=student_id,
        group_id=str(group_id),
        discipline_id=str(discipline_id),
        lesson_id=lesson_id,
        value=value,
        weight=int(weight),
    )
    if work:
        mark_request.kind_of_work = KINDS_OF_WORK.to_pb(work)
    try:
        reply = await call(
            get_runtime(request).clients.journal.RecordMark, mark_request, session.access_token
        )
    except grpc.aio.AioRpcError as exc:
        return refusal(exc)
    shown = mark_of(
        pb.CellMark(value=reply.mark.value, kind_of_work=reply.mark.kind_of_work, weight=reply.mark.weight)
    )
    return JSONResponse(
        {
            "ok": True,
            "mark_id": reply.mark.mark_id,
            "value": shown.value,
            "hint": shown.hint,
            "weight": shown.weight,
        }
    )


@router.post("/journal/{group_id}/{discipline_id}/attendance")
async def record_attendance(
    request: Request, group_id: UUID, discipline_id: UUID, session: CsrfSession
) -> Response:
    """Отметить посещаемость занятия: по строке `student_id:status[:reason]` на обучающегося страницы.

    RecordAttendance replaces a lesson's attendance whole, and a page may show part of the lesson's
    students (a subgroup's page with a whole-group lesson, a page older than an enrolment): the
    stored entries of students the form does not name are sent again as they are, so none is lost."""
    staff_only(session)
    form = await request.form()
    lesson_id = uuid_or_none(str(form.get("lesson_id") or ""))
    if lesson_id is None:
        return refused("Занятие не распознано: обновите страницу", "invalid_cell")
    entries: list[journal_pb2.AttendanceEntry] = []
    for item in form.getlist("entry"):
        student, _, rest = str(item).partition(":")
        status, _, reason = rest.partition(":")
        student_id = uuid_or_none(student)
        if student_id is None or status not in STATUS_SIGNS or (reason and reason not in REASONS.names):
            return refused("Посещаемость не распознана: обновите страницу", "invalid_attendance")
        entry = journal_pb2.AttendanceEntry(student_id=student_id, status=STATUSES.to_pb(status))
        if reason and status != PRESENT:
            entry.reason = REASONS.to_pb(reason)
        entries.append(entry)
    journal = get_runtime(request).clients.journal
    try:
        stored = await call(
            journal.GetAttendance, pb.GetAttendanceRequest(lesson_id=lesson_id), session.access_token
        )
        named = {e.student_id for e in entries}
        kept = [e for e in stored.entries if e.student_id not in named]
        reply = await call(
            journal.RecordAttendance,
            pb.RecordAttendanceRequest(lesson_id=lesson_id, entries=[*entries, *kept]),
            session.access_token,
        )
    except grpc.aio.AioRpcError as exc:
        return refusal(exc)
    return JSONResponse(
        {
            "ok": True,
            "entries": {
                e.student_id: STATUSES.name_of(e.status) for e in reply.entries if e.student_id in named
            },
        }
    )
