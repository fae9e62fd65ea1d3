"""Portal «КТП»: a group's (or subgroup's) calendar-thematic plan of a discipline — ordered topics with
hours and kind — edited server-side (add, remove, move rows; one save: SetKtp, all or nothing), and
the administration's «Дисциплины без КТП» (ListDisciplinesWithoutKtp).

Readers are the journal page's; the teacher with the load (or the administration) saves, the journal
decides again. A refused save (`ktp_topic_in_use`, bad hours, …) comes back with every row as typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import grpc
from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from gateway.auth.portal import PortalSession
from gateway.auth.session import Session
from gateway.clients import call
from gateway.resources.common import UNSPECIFIED, date_of
from gateway.resources.lessons import LESSON_KINDS
from gateway.runtime import get_runtime
from gateway.web.csrf import CsrfSession
from gateway.web.journal import LESSON_KIND_LABELS, render, staff_only
from gateway.web.names import people_names
from gateway.web.year import SERVICE_DOWN, FormProblem, NotForYou, service_problem

router = APIRouter()

MAX_ROWS = 300
EDITORS = frozenset({"teacher", "admin"})
ADMINISTRATION = frozenset({"admin", "director", "deputy", "curator"})
KIND_CHOICES = {k: v for k, v in LESSON_KIND_LABELS.items() if k != UNSPECIFIED}


@dataclass(frozen=True)
class Row:
    """One topic of the plan as the form holds it (typed text kept as typed)."""

    topic_id: str
    title: str
    hours: str
    kind: str


def rows_of(ktp: pb.Ktp) -> list[Row]:
    """Return the stored topics as form rows."""
    return [Row(t.topic_id, t.title, str(t.hours), LESSON_KINDS.name_of(t.kind)) for t in ktp.topics]


def rows_of_form(items: list[tuple[str, str]]) -> list[Row]:
    """Return the form's rows in order (the fields repeat per row: topic_id, title, hours, kind)."""
    columns: dict[str, list[str]] = {"topic_id": [], "title": [], "hours": [], "kind": []}
    for name, value in items:
        if name in columns:
            columns[name].append(value)
    count = min(len(v) for v in columns.values())
    return [
        Row(
            columns["topic_id"][i].strip(),
            columns["title"][i].strip(),
            columns["hours"][i].strip(),
            columns["kind"][i],
        )
        for i in range(min(count, MAX_ROWS))
    ]


def apply_op(rows: list[Row], op: str) -> list[Row]:
    """Return the rows after «add», «remove:N», «up:N» or «down:N» (N from 0); else unchanged."""
    action, _, where = op.partition(":")
    if action == "add":
        return [*rows, Row("", "", "2", LESSON_KINDS.name_of(journal_pb2.LESSON_KIND_LECTURE))][:MAX_ROWS]
    if not where.isdigit() or int(where) >= len(rows):
        return rows
    i, moved = int(where), list(rows)
    if action == "remove":
        del moved[i]
    elif action == "up" and i > 0:
        moved[i - 1], moved[i] = moved[i], moved[i - 1]
    elif action == "down" and i + 1 < len(rows):
        moved[i + 1], moved[i] = moved[i], moved[i + 1]
    return moved


class BadRow(Exception):
    """A row the journal would refuse anyway, or the form never offers: said next to the form."""

    def __init__(self, message: str, index: int) -> None:
        super().__init__(message)
        self.message = message
        self.index = index


def topics_of(rows: list[Row]) -> list[pb.KtpTopic]:
    """Return the rows as SetKtp's topics; a non-number in hours or a kind not offered is BadRow."""
    topics = []
    for i, row in enumerate(rows):
        if not row.hours.isdigit():
            raise BadRow(f"Строка {i + 1}: часы — целое число от 1 до 200", i)
        if row.kind not in KIND_CHOICES:
            raise BadRow(f"Строка {i + 1}: выберите вид занятия из списка", i)
        topics.append(
            pb.KtpTopic(
                topic_id=row.topic_id,
                title=row.title,
                hours=int(row.hours),
                kind=LESSON_KINDS.to_pb(row.kind),
            )
        )
    return topics


async def ktp_page(
    request: Request,
    session: Session,
    group_id: UUID,
    discipline_id: UUID,
    subgroup: str,
    *,
    rows: list[Row] | None = None,
    problem: FormProblem | None = None,
    bad_row: int | None = None,
    saved: bool = False,
) -> Response:
    """Render the KTP; after an edit or a refused save, with the rows as they are in the form."""
    staff_only(session)
    runtime = get_runtime(request)
    token = session.access_token
    group_name, discipline_name, total = "", "", 0
    try:
        group = await call(
            runtime.clients.journal.GetGroup, pb.GetGroupRequest(group_id=str(group_id)), token
        )
        group_name = group.group.name
        found = await call(
            runtime.clients.journal.ListDisciplines,
            pb.ListDisciplinesRequest(discipline_ids=[str(discipline_id)]),
            token,
        )
        discipline_name = " ".join(f"{d.code} {d.name}" for d in found.disciplines)
        reply = await call(
            runtime.clients.journal.GetKtp,
            pb.GetKtpRequest(group_id=str(group_id), discipline_id=str(discipline_id), subgroup_id=subgroup),
            token,
        )
        total = reply.ktp.total_hours
        if rows is None:
            rows = rows_of(reply.ktp)
    except grpc.aio.AioRpcError as exc:
        # After an edit the rows typed matter more than the names: they are not lost.
        if rows is None or exc.code() not in SERVICE_DOWN:
            raise
    return render(
        request,
        "ktp.html",
        session,
        status=problem.status if problem else 200,
        group_id=str(group_id),
        discipline_id=str(discipline_id),
        subgroup=subgroup,
        group_name=group_name,
        discipline_name=discipline_name,
        rows=rows or [],
        total=total,
        editable=bool(set(session.roles) & EDITORS),
        kinds=KIND_CHOICES,
        problem=problem,
        bad_row=bad_row,
        saved=saved,
    )


@router.get("/ktp/{group_id}/{discipline_id}")
async def ktp(
    request: Request,
    group_id: UUID,
    discipline_id: UUID,
    session: PortalSession,
    *,
    subgroup: UUID | None = None,
    saved: int = 0,
) -> Response:
    """КТП группы (подгруппы) по дисциплине: темы по порядку, часы, вид занятия."""
    return await ktp_page(request, session, group_id, discipline_id, str(subgroup or ""), saved=bool(saved))


@router.post("/ktp/{group_id}/{discipline_id}")
async def edit_ktp(request: Request, group_id: UUID, discipline_id: UUID, session: CsrfSession) -> Response:
    """Изменить строки КТП (добавить, удалить, переставить) или сохранить весь план одним запросом."""
    staff_only(session)
    form = await request.form()
    subgroup = str(form.get("subgroup") or "").strip()
    if subgroup:
        try:
            subgroup = str(UUID(subgroup))
        except ValueError:
            subgroup = ""
    rows = rows_of_form([(k, str(v)) for k, v in form.multi_items()])
    op = str(form.get("op") or "save")
    if op != "save":
        return await ktp_page(request, session, group_id, discipline_id, subgroup, rows=apply_op(rows, op))
    try:
        topics = topics_of(rows)
    except BadRow as bad:
        return await ktp_page(
            request,
            session,
            group_id,
            discipline_id,
            subgroup,
            rows=rows,
            problem=FormProblem(bad.message),
            bad_row=bad.index,
        )
    try:
        await call(
            get_runtime(request).clients.journal.SetKtp,
            pb.SetKtpRequest(
                group_id=str(group_id), discipline_id=str(discipline_id), subgroup_id=subgroup, topics=topics
            ),
            session.access_token,
        )
    except grpc.aio.AioRpcError as exc:
        return await ktp_page(
            request, session, group_id, discipline_id, subgroup, rows=rows, problem=service_problem(exc)
        )
    query = f"?subgroup={subgroup}&saved=1" if subgroup else "?saved=1"
    return RedirectResponse(f"/ktp/{group_id}/{discipline_id}{query}", status_code=303)


@dataclass(frozen=True)
class Missing:
    """A teaching load without a KTP, named."""

    group_id: str
    discipline_id: str
    group: str
    discipline: str
    teacher: str


@router.get("/ktp-missing")
async def ktp_missing(request: Request, session: PortalSession, year: UUID | None = None) -> Response:
    """Дисциплины без КТП (администрация): нагрузка учебного года без плана и срок — 10 сентября."""
    if not set(session.roles) & ADMINISTRATION:
        raise NotForYou()
    runtime = get_runtime(request)
    token = session.access_token
    years = (
        await call(runtime.clients.journal.ListAcademicYears, pb.ListAcademicYearsRequest(), token)
    ).years
    chosen = str(year) if year else (years[0].year_id if years else "")
    listed: list[Missing] = []
    deadline, past, as_of = None, False, None
    if chosen:
        reply = await call(
            runtime.clients.journal.ListDisciplinesWithoutKtp,
            pb.ListDisciplinesWithoutKtpRequest(year_id=chosen),
            token,
        )
        deadline, past, as_of = date_of(reply.deadline), reply.past_deadline, date_of(reply.as_of)
        disciplines = (
            {
                d.discipline_id: f"{d.code} {d.name}"
                for d in (
                    await call(
                        runtime.clients.journal.ListDisciplines,
                        pb.ListDisciplinesRequest(
                            discipline_ids=sorted({x.discipline_id for x in reply.loads})
                        ),
                        token,
                    )
                ).disciplines
            }
            if reply.loads
            else {}
        )
        groups: dict[str, str] = {}
        for group_id in sorted({x.group_id for x in reply.loads}):
            found = await call(runtime.clients.journal.GetGroup, pb.GetGroupRequest(group_id=group_id), token)
            groups[group_id] = found.group.name
        teachers = await people_names(runtime.clients, session, sorted({x.teacher_id for x in reply.loads}))
        listed = sorted(
            (
                Missing(
                    x.group_id,
                    x.discipline_id,
                    groups.get(x.group_id, "Группа"),
                    disciplines.get(x.discipline_id, "Дисциплина"),
                    teachers.get(x.teacher_id, "Преподаватель"),
                )
                for x in reply.loads
            ),
            key=lambda m: (m.group, m.discipline, m.teacher),
        )
    return render(
        request,
        "ktp_missing.html",
        session,
        years=[(y.year_id, y.name) for y in years],
        chosen=chosen,
        loads=listed,
        deadline=deadline,
        past_deadline=past,
        as_of=as_of,
    )
