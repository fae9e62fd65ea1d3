"""Portal page «Движение контингента» of a group (R2.6, §4.2.2): the movements into and out of the
group by date (printable), and for the admin the forms that record one — a student picked by name
(the group's students, or a search of the college's students), the kind, the date, the order number
and the group joined — and graduate the whole group by one order. A refused form comes back with the
journal's message and every typed value in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

import grpc
from chassis.errors import PermissionDenied
from chassis.grpc_client import error_code_of
from ejournal.identity.v1 import identity_pb2
from ejournal.identity.v1 import identity_service_pb2 as ipb
from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from gateway.auth.portal import PortalSession
from gateway.auth.session import Session
from gateway.clients import call
from gateway.resources.common import to_local_date
from gateway.resources.group_attributes import GroupDetailsOut, group_details_out
from gateway.resources.movement import KINDS, MovementOut, movement_out
from gateway.runtime import get_runtime
from gateway.web.csrf import CsrfSession
from gateway.web.people import QUERY_CODES, PersonChoice, full_name, names_of
from gateway.web.year import SERVICE_DOWN, FormProblem, date_of_text, reader, render, service_problem

router = APIRouter()

# Keyed by the proto's values, so a kind added there without a label fails the portal's tests.
KIND_LABELS: dict[str, str] = {
    KINDS.name_of(journal_pb2.MOVEMENT_KIND_ENROLMENT): "Зачисление",
    KINDS.name_of(journal_pb2.MOVEMENT_KIND_TRANSFER): "Перевод в другую группу",
    KINDS.name_of(journal_pb2.MOVEMENT_KIND_ACADEMIC_LEAVE): "Академический отпуск",
    KINDS.name_of(journal_pb2.MOVEMENT_KIND_RETURN): "Восстановление",
    KINDS.name_of(journal_pb2.MOVEMENT_KIND_EXPULSION): "Отчисление",
    KINDS.name_of(journal_pb2.MOVEMENT_KIND_GRADUATION): "Выпуск",
}
# The kinds that join a group (the form's «группа» is sent as to_group_id) and those that leave this one.
JOINING = frozenset({"enrolment", "transfer", "return"})
LEAVING = frozenset({"transfer", "academic_leave", "expulsion", "graduation"})
FORM_FIELDS = ("student_id", "kind", "on_date", "order_number", "to_group_id")
# The journal's error codes → the form fields to mark as wrong.
FIELDS_OF_CODE: dict[str, set[str]] = {
    "invalid_order_number": {"order_number"},
    "missing_to_group_id": {"to_group_id"},
    "transfer_to_same_group": {"to_group_id"},
    "transfer_across_years": {"to_group_id"},
    "student_already_in_group": {"to_group_id"},
    "movement_out_of_order": {"on_date"},
    "movement_same_day": {"on_date"},
    "movement_before_enrolment": {"on_date"},
    "records_after_movement": {"on_date"},
    "student_not_in_group": {"student_id", "on_date"},
}
GROUPS_PAGE = 200
SEARCH_PAGE = 50


class MovementAdminOnly(PermissionDenied):
    """Only the admin records movements (class teachers report them, §4.2.2)."""

    def __init__(self) -> None:
        super().__init__("Движение обучающихся оформляет администратор", code="admin_only")


@dataclass(frozen=True)
class MovementRow:
    """One line of the group's list, named."""

    on_date: date | None
    student: str
    kind: str
    from_group: str
    to_group: str
    order_number: str


def empty_form(group_id: str) -> dict[str, str]:
    """Return the movement form's fields before anything is typed."""
    return {"student_id": "", "kind": "", "on_date": "", "order_number": "", "to_group_id": group_id}


async def students_named(
    request: Request, session: Session, query: str
) -> tuple[list[PersonChoice], FormProblem | None]:
    """Return the college's students whose names start with the words of `query`, or why not."""
    try:
        reply = await call(
            get_runtime(request).clients.identity.SearchPeople,
            ipb.SearchPeopleRequest(query=query, role=identity_pb2.ROLE_STUDENT, page_size=SEARCH_PAGE),
            session.access_token,
        )
    except grpc.aio.AioRpcError as exc:
        problem = service_problem(exc)
        if error_code_of(exc) in QUERY_CODES:
            problem.fields.add("student_query")
        return [], problem
    return [PersonChoice(p.person_id, full_name(p)) for p in reply.people], None


async def movement_page(
    request: Request,
    session: Session,
    group_id: str,
    *,
    typed: dict[str, str] | None = None,
    problem: FormProblem | None = None,
    graduation: dict[str, str] | None = None,
    graduation_problem: FormProblem | None = None,
    saved: str = "",
    student_query: str = "",
) -> Response:
    """Render «Движение контингента»: the group's movements and, for the admin, the two forms."""
    can_edit = reader(session)
    clients = get_runtime(request).clients
    refused = problem or graduation_problem
    group: GroupDetailsOut | None = None
    movements: list[MovementOut] | None = None
    groups: list[GroupDetailsOut] = []
    members: list[str] = []
    try:
        group = group_details_out(
            (
                await call(
                    clients.journal.GetGroup, pb.GetGroupRequest(group_id=group_id), session.access_token
                )
            ).group
        )
        reply = await call(
            clients.journal.ListGroupMovements,
            pb.ListGroupMovementsRequest(group_id=group_id),
            session.access_token,
        )
        movements = [movement_out(m) for m in reply.movements]
        # The administration reads every group: the list names the groups left and joined.
        groups = [
            group_details_out(g)
            for g in (
                await call(
                    clients.journal.ListGroups,
                    pb.ListGroupsRequest(page_size=GROUPS_PAGE),
                    session.access_token,
                )
            ).groups
        ]
        if can_edit:
            members = list(
                (
                    await call(
                        clients.journal.ListGroupStudents,
                        pb.ListGroupStudentsRequest(group_id=group_id),
                        session.access_token,
                    )
                ).student_ids
            )
    except grpc.aio.AioRpcError as exc:
        # After a refused form the typed values matter more than the list: they are not lost.
        if refused is None or exc.code() not in SERVICE_DOWN:
            raise
    found, search_problem = (
        await students_named(request, session, student_query) if student_query and can_edit else ([], None)
    )
    typed = typed or empty_form(group_id)
    names = await names_of(
        request, session, [*(m.student_id for m in movements or []), *members, typed["student_id"]]
    )
    group_names = {g.group_id: g.name for g in groups}
    if group is not None:
        group_names[group_id] = group.name
    rows = [
        MovementRow(
            on_date=m.on_date,
            student=names.get(m.student_id, m.student_id),
            kind=KIND_LABELS.get(m.kind, m.kind),
            from_group=group_names.get(m.from_group_id or "", m.from_group_id or "—"),
            to_group=group_names.get(m.to_group_id or "", m.to_group_id or "—"),
            order_number=m.order_number,
        )
        for m in movements or []
    ]
    choices = {c.person_id: c.label for c in found}
    # The group's students now, those who moved in or out of it (a return after a leave), the one typed.
    for person_id in (*members, *(m.student_id for m in movements or []), typed["student_id"]):
        if person_id and person_id not in choices:
            choices[person_id] = names.get(person_id, person_id)
    return render(
        request,
        "movement.html",
        session,
        status=refused.status if refused else 200,
        group_id=group_id,
        group=group,
        rows=rows,
        listed=movements is not None,
        can_edit=can_edit,
        kind_labels=KIND_LABELS,
        typed=typed,
        problem=problem,
        graduation=graduation or {"on_date": "", "order_number": ""},
        graduation_problem=graduation_problem,
        saved=saved,
        student_query=student_query,
        search_problem=search_problem,
        found=len(found),
        choices=sorted(choices.items(), key=lambda item: item[1]),
        groups=sorted(groups, key=lambda g: g.name),
    )


@router.get("/groups/{group_id}/movements")
async def movements(
    request: Request, group_id: UUID, session: PortalSession, *, saved: str = "", student_query: str = ""
) -> Response:
    """Движение контингента группы; с `student_query` — ещё и обучающиеся колледжа, чьё имя начинается
    с введённого, для выбора в форме."""
    return await movement_page(
        request, session, str(group_id), saved=saved, student_query=student_query.strip()
    )


def parse_movement(group_id: str, typed: dict[str, str]) -> tuple[pb.MoveStudentRequest, FormProblem | None]:
    """Return the MoveStudent request of the form, or what is wrong with it (in Russian, with fields)."""
    request = pb.MoveStudentRequest(order_number=typed["order_number"])
    bad: set[str] = set()
    try:
        request.student_id = str(UUID(typed["student_id"]))
    except ValueError:
        bad.add("student_id")
    if typed["kind"] not in KIND_LABELS:
        bad.add("kind")
    day = date_of_text(typed["on_date"])
    if day is None:
        bad.add("on_date")
    if not typed["order_number"]:
        bad.add("order_number")
    if bad:
        messages = {
            "student_id": "выберите обучающегося",
            "kind": "выберите вид движения",
            "on_date": "укажите дату в формате ДД.ММ.ГГГГ",
            "order_number": "укажите номер приказа",
        }
        text = "; ".join(messages[f] for f in FORM_FIELDS if f in bad)
        return request, FormProblem(text[0].upper() + text[1:], bad)
    if day is None:  # checked above; narrows the type
        return request, FormProblem("Укажите дату в формате ДД.ММ.ГГГГ", {"on_date"})
    request.kind = KINDS.to_pb(typed["kind"])
    request.on_date.CopyFrom(to_local_date(day))
    if typed["kind"] in LEAVING:
        request.from_group_id = group_id
    if typed["kind"] in JOINING:
        if not typed["to_group_id"]:
            return request, FormProblem("Выберите группу, в которую зачисляется обучающийся", {"to_group_id"})
        request.to_group_id = typed["to_group_id"]
    return request, None


@router.post("/groups/{group_id}/movements")
async def record_movement(request: Request, group_id: UUID, session: CsrfSession) -> Response:
    """Записать движение обучающегося; при отказе — форма с сообщением и введёнными значениями."""
    if not reader(session):
        raise MovementAdminOnly()
    form = await request.form()
    typed = {name: str(form.get(name) or "").strip() for name in FORM_FIELDS}
    move, problem = parse_movement(str(group_id), typed)
    if problem is None:
        try:
            await call(get_runtime(request).clients.journal.MoveStudent, move, session.access_token)
        except grpc.aio.AioRpcError as exc:
            problem = service_problem(exc)
            problem.fields |= FIELDS_OF_CODE.get(error_code_of(exc), set())
        else:
            return RedirectResponse(f"/groups/{group_id}/movements?saved=movement", status_code=303)
    return await movement_page(request, session, str(group_id), typed=typed, problem=problem)


@router.post("/groups/{group_id}/graduation")
async def graduate(request: Request, group_id: UUID, session: CsrfSession) -> Response:
    """Выпустить группу по приказу; при отказе — форма с сообщением и введёнными значениями."""
    if not reader(session):
        raise MovementAdminOnly()
    form = await request.form()
    typed = {name: str(form.get(name) or "").strip() for name in ("on_date", "order_number")}
    day = date_of_text(typed["on_date"])
    problem: FormProblem | None = None
    if day is None or not typed["order_number"]:
        problem = FormProblem(
            "Укажите дату выпуска (ДД.ММ.ГГГГ) и номер приказа",
            {
                f
                for f, wrong in (("on_date", day is None), ("order_number", not typed["order_number"]))
                if wrong
            },
        )
    else:
        try:
            await call(
                get_runtime(request).clients.journal.GraduateGroup,
                pb.GraduateGroupRequest(
                    group_id=str(group_id), on_date=to_local_date(day), order_number=typed["order_number"]
                ),
                session.access_token,
            )
        except grpc.aio.AioRpcError as exc:
            problem = service_problem(exc)
        else:
            return RedirectResponse(f"/groups/{group_id}/movements?saved=graduation", status_code=303)
    return await movement_page(request, session, str(group_id), graduation=typed, graduation_problem=problem)
