"""Portal page «Сотрудники» (issue 8 items 1 and 10, ADR 0012): the admin's list of the college's staff
with their login, roles and scopes and whether the account is enabled (printable); «Добавить сотрудника»
(the login and the one-time password shown once, printable as the slip), «Назначить роль» with a scope
picker (the groups and, for a chosen group, the disciplines of its teaching loads from the journal),
«Отозвать», «Отключить»/«Включить» (DisableAccount/EnableAccount). Refusals come back in Russian next to
the form with what was typed kept. The list is searched by name or login and shown 50 to a page; after
an action on a person the page shows that person («Все сотрудники» returns to the list).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import grpc
from chassis.errors import NotFound, PermissionDenied
from chassis.grpc_client import error_code_of
from ejournal.identity.v1 import identity_pb2
from ejournal.identity.v1 import identity_service_pb2 as ipb
from ejournal.journal.v1 import journal_service_pb2 as jpb
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from gateway.auth.portal import PortalSession
from gateway.auth.session import Session
from gateway.clients import call
from gateway.resources.staff import NON_STAFF, ROLES, SCOPE_KINDS, STAFF_ROLES, assignment_of
from gateway.runtime import get_runtime
from gateway.web.csrf import CsrfSession
from gateway.web.format import ROLE_LABELS
from gateway.web.year import SERVICE_DOWN, FormProblem, render, service_problem

router = APIRouter()

SCOPE_LABELS: dict[str, str] = {
    SCOPE_KINDS.name_of(identity_pb2.SCOPE_KIND_COLLEGE): "весь колледж",
    SCOPE_KINDS.name_of(identity_pb2.SCOPE_KIND_DEPARTMENT): "отделение",
    SCOPE_KINDS.name_of(identity_pb2.SCOPE_KIND_GROUP): "группа",
    SCOPE_KINDS.name_of(identity_pb2.SCOPE_KIND_DISCIPLINE_IN_GROUP): "дисциплина в группе",
}
PERSON_FIELDS = ("last_name", "first_name", "middle_name", "email", "role")
ROLE_FIELDS = ("person_id", "role", "scope_kind", "department_id", "group_id", "discipline_id")
# Identity's codes → the fields of «Назначить роль» to mark.
FIELDS_OF_CODE: dict[str, set[str]] = {
    "role_not_for_person": {"person_id", "role"},
    "scope_not_for_role": {"role", "scope_kind"},
    "role_already_assigned": {"role", "scope_kind"},
    "invalid_scope": {"department_id", "group_id", "discipline_id"},
    "missing_scope": {"scope_kind"},
    "missing_role": {"role"},
    "missing_last_name": {"last_name"},
    "invalid_last_name": {"last_name"},
    "too_long_last_name": {"last_name"},
    "missing_first_name": {"first_name"},
    "invalid_first_name": {"first_name"},
    "too_long_first_name": {"first_name"},
    "invalid_middle_name": {"middle_name"},
    "too_long_middle_name": {"middle_name"},
    "invalid_email": {"email"},
    "email_taken": {"email"},
}
GROUPS_PAGE = 500
STAFF_PAGE = 50  # rows of the staff table per page (150 teachers: three pages, a phone's screen each)
IDENTITY_DOWN = "Служба учётных записей сейчас не отвечает. Введённое сохранено — отправьте форму позже."


class StaffAdminOnly(PermissionDenied):
    """Staff accounts and roles are the journal administrator's (§4.1.2, R1.2)."""

    def __init__(self) -> None:
        super().__init__(
            "Учётные записи сотрудников и их роли ведёт администратор журнала", code="admin_only"
        )


def _admin(session: Session) -> None:
    if ROLES.name_of(identity_pb2.ROLE_ADMIN) not in session.roles:
        raise StaffAdminOnly()


def _problem(exc: grpc.aio.AioRpcError) -> FormProblem:
    """Return identity's refusal for the page (NOT_FOUND too: a revoked assignment), or re-raise."""
    if exc.code() in SERVICE_DOWN:
        return FormProblem(IDENTITY_DOWN, status=503)
    if exc.code() == grpc.StatusCode.NOT_FOUND and exc.details():
        return FormProblem(exc.details() or "", status=404)
    problem = service_problem(exc)
    problem.fields |= FIELDS_OF_CODE.get(error_code_of(exc), set())
    return problem


@dataclass(frozen=True)
class RoleRow:
    """One assignment as the table shows it."""

    assignment_id: str
    role: str
    scope: str


@dataclass(frozen=True)
class StaffRow:
    """One member of staff as the table shows them."""

    person_id: str
    name: str
    username: str
    role: str
    enabled: bool
    roles: list[RoleRow]


def _scope_text(scope: identity_pb2.RoleScope, groups: dict[str, str], disciplines: dict[str, str]) -> str:
    kind = SCOPE_KINDS.name_of(scope.kind)
    group = groups.get(scope.group_id, "группа не найдена")
    if scope.kind == identity_pb2.SCOPE_KIND_DEPARTMENT:
        return f"отделение {scope.department_id[:8]}"
    if scope.kind == identity_pb2.SCOPE_KIND_GROUP:
        return f"группа {group}"
    if scope.kind == identity_pb2.SCOPE_KIND_DISCIPLINE_IN_GROUP:
        return f"{disciplines.get(scope.discipline_id, 'дисциплина')} в группе {group}"
    return SCOPE_LABELS.get(kind, kind)


def _folded(text: str) -> str:
    """Return text as the search compares it: case and «ё» folded."""
    return text.casefold().replace("ё", "е")


@dataclass(frozen=True)
class StaffList:
    """What the staff table shows: the found rows' page, the search and where the page is."""

    rows: list[StaffRow]
    found: int
    query: str
    focus: str
    page: int
    pages: int


def staff_list(rows: list[StaffRow], *, query: str, focus: str, page: int) -> StaffList:
    """Return the page of the rows matching the query (every word found in the name or the login) or
    the focused person's row alone."""
    if focus:
        found = [r for r in rows if r.person_id == focus]
    else:
        words = _folded(query).split()
        found = [r for r in rows if all(w in _folded(f"{r.name} {r.username}") for w in words)]
    pages = max(1, -(-len(found) // STAFF_PAGE))
    page = min(max(page, 1), pages)
    start = (page - 1) * STAFF_PAGE
    return StaffList(found[start : start + STAFF_PAGE], len(found), query, focus, page, pages)


def empty_role_form() -> dict[str, str]:
    """Return «Назначить роль» before anything is typed."""
    return {name: "" for name in ROLE_FIELDS} | {"scope_kind": "college"}


async def staff_page(
    request: Request,
    session: Session,
    *,
    saved: str = "",
    pick_group: str = "",
    person: dict[str, str] | None = None,
    person_problem: FormProblem | None = None,
    role_form: dict[str, str] | None = None,
    role_problem: FormProblem | None = None,
    problem: FormProblem | None = None,
    created: ipb.CreatePersonResponse | None = None,
    query: str = "",
    focus: str = "",
    page: int = 1,
) -> Response:
    """Render «Сотрудники»: the staff table (searched, a page of it, or one person) and the forms."""
    clients, token = get_runtime(request).clients, session.access_token
    refused = problem or person_problem or role_problem
    staff: list[ipb.StaffMember] | None = None
    try:
        staff = list((await call(clients.identity.ListStaff, ipb.ListStaffRequest(), token)).staff)
    except grpc.aio.AioRpcError as exc:
        if refused is None or exc.code() not in SERVICE_DOWN:
            raise
    # The person just acted on (or added) is shown alone and offered first by «Назначить роль».
    focus = focus or (created.person.person_id if created else "")
    role_form = role_form or {**empty_role_form(), "person_id": focus}
    group_for_disciplines = role_form.get("group_id") or pick_group
    groups: dict[str, str] = {}
    disciplines: dict[str, str] = {}
    group_disciplines: list[tuple[str, str]] = []
    try:
        listed = await call(clients.journal.ListGroups, jpb.ListGroupsRequest(page_size=GROUPS_PAGE), token)
        groups = {g.group_id: g.name for g in listed.groups}
        wanted = {a.scope.discipline_id for m in staff or [] for a in m.assignments if a.scope.discipline_id}
        loads: list[str] = []
        if group_for_disciplines in groups:
            reply = await call(
                clients.journal.ListTeachingLoads,
                jpb.ListTeachingLoadsRequest(group_id=group_for_disciplines),
                token,
            )
            loads = list(dict.fromkeys(load.discipline_id for load in reply.loads))
        if wanted or loads:
            named = await call(
                clients.journal.ListDisciplines,
                jpb.ListDisciplinesRequest(discipline_ids=[*wanted, *loads]),
                token,
            )
            disciplines = {
                d.discipline_id: " ".join(p for p in (d.code, d.name) if p) for d in named.disciplines
            }
        group_disciplines = [(d, disciplines.get(d, d)) for d in loads]
    except grpc.aio.AioRpcError as exc:
        # Without the journal the page still lists staff; the scope picker says the list is missing.
        if exc.code() not in SERVICE_DOWN:
            raise
    rows = [
        StaffRow(
            person_id=m.person.person_id,
            name=" ".join(p for p in (m.person.last_name, m.person.first_name, m.person.middle_name) if p),
            username=m.username,
            role=ROLE_LABELS.get(ROLES.name_of(m.person.role), ""),
            enabled=m.enabled,
            roles=[
                RoleRow(
                    a.assignment_id,
                    ROLE_LABELS.get(ROLES.name_of(a.role), ""),
                    _scope_text(a.scope, groups, disciplines),
                )
                for a in m.assignments
            ],
        )
        for m in staff or []
    ]
    return render(
        request,
        "staff.html",
        session,
        status=refused.status if refused else (201 if created else 200),
        rows=rows,
        shown=staff_list(rows, query=query, focus=focus, page=page),
        listed=staff is not None,
        saved=saved,
        staff_roles=[(r, ROLE_LABELS[r]) for r in STAFF_ROLES],
        scope_labels=SCOPE_LABELS,
        groups=sorted(groups.items(), key=lambda item: item[1]),
        group_disciplines=sorted(group_disciplines, key=lambda item: item[1]),
        pick_group=group_for_disciplines,
        person=person or {name: "" for name in PERSON_FIELDS},
        person_problem=person_problem,
        role_form=role_form,
        role_problem=role_problem,
        problem=problem,
        created=created,
        created_role=ROLE_LABELS.get(ROLES.name_of(created.person.role), "") if created else "",
    )


@router.get("/staff")
async def staff(
    request: Request,
    session: PortalSession,
    *,
    saved: str = "",
    group_id: str = "",
    q: str = "",
    person: str = "",
    page: str = "1",
) -> Response:
    """Сотрудники колледжа, их роли и учётные записи (администратор): `q` — поиск по ФИО или логину,
    `page` — страница списка, `person` — один сотрудник (после действия с ним); с `group_id` —
    дисциплины этой группы для назначения роли «председатель ПЦК» по дисциплине в группе."""
    _admin(session)
    return await staff_page(
        request,
        session,
        saved=saved,
        pick_group=group_id.strip(),
        query=q.strip()[:100],
        focus=person.strip(),
        page=int(page) if page.isdigit() else 1,
    )


@router.post("/staff")
async def add_staff(request: Request, session: CsrfSession) -> Response:
    """Добавить сотрудника; логин и временный пароль показываются один раз (страница печатается)."""
    _admin(session)
    form = await request.form()
    typed = {name: str(form.get(name) or "").strip() for name in PERSON_FIELDS}
    if typed["role"] not in STAFF_ROLES or typed["role"] in NON_STAFF:
        problem = FormProblem("Выберите должность (роль) сотрудника", {"role"})
        return await staff_page(request, session, person=typed, person_problem=problem)
    create = ipb.CreatePersonRequest(
        role=ROLES.to_pb(typed["role"]),
        last_name=typed["last_name"],
        first_name=typed["first_name"],
        middle_name=typed["middle_name"],
        email=typed["email"],
    )
    try:
        created = await call(get_runtime(request).clients.identity.CreatePerson, create, session.access_token)
    except grpc.aio.AioRpcError as exc:
        return await staff_page(request, session, person=typed, person_problem=_problem(exc))
    return await staff_page(request, session, created=created)


@router.post("/staff/roles")
async def assign_role(request: Request, session: CsrfSession) -> Response:
    """Назначить роль в области; при отказе — сообщение у формы и введённое на месте."""
    _admin(session)
    form = await request.form()
    typed = {name: str(form.get(name) or "").strip() for name in ROLE_FIELDS}
    bad = {
        name
        for name, ok in (
            ("person_id", bool(typed["person_id"])),
            ("role", typed["role"] in ROLES.names),
            ("scope_kind", typed["scope_kind"] in SCOPE_KINDS.names),
        )
        if not ok
    }
    if bad:
        problem = FormProblem("Выберите сотрудника, роль и область действия роли", bad)
        return await staff_page(request, session, role_form=typed, role_problem=problem)
    kind = typed["scope_kind"]
    takes = {
        "department": ("department_id",),
        "group": ("group_id",),
        "discipline_in_group": ("group_id", "discipline_id"),
    }.get(kind, ())
    scope = identity_pb2.RoleScope(kind=SCOPE_KINDS.to_pb(kind), **{name: typed[name] for name in takes})
    assign = ipb.AssignRoleRequest(person_id=typed["person_id"], role=ROLES.to_pb(typed["role"]), scope=scope)
    try:
        await call(get_runtime(request).clients.identity.AssignRole, assign, session.access_token)
    except grpc.aio.AioRpcError as exc:
        return await staff_page(request, session, role_form=typed, role_problem=_problem(exc))
    return RedirectResponse(f"/staff?saved=assigned&person={typed['person_id']}", status_code=303)


@router.post("/staff/{person_id}/roles/{assignment_id}/revoke")
async def revoke_role(
    request: Request, person_id: UUID, assignment_id: UUID, session: CsrfSession
) -> Response:
    """Отозвать назначение роли."""
    _admin(session)
    clients, token = get_runtime(request).clients, session.access_token
    try:
        await assignment_of(clients, token, person_id, assignment_id)
        await call(
            clients.identity.RevokeRole, ipb.RevokeRoleRequest(assignment_id=str(assignment_id)), token
        )
    except grpc.aio.AioRpcError as exc:
        return await staff_page(request, session, problem=_problem(exc))
    except NotFound as exc:
        return await staff_page(request, session, problem=FormProblem(exc.message, status=404))
    return RedirectResponse(f"/staff?saved=revoked&person={person_id}", status_code=303)


@router.post("/staff/{person_id}/disable")
async def disable(request: Request, person_id: UUID, session: CsrfSession) -> Response:
    """Отключить учётную запись сотрудника и завершить его сеансы."""
    return await _account(request, session, person_id, enable=False)


@router.post("/staff/{person_id}/enable")
async def enable(request: Request, person_id: UUID, session: CsrfSession) -> Response:
    """Снова включить учётную запись сотрудника."""
    return await _account(request, session, person_id, enable=True)


async def _account(request: Request, session: Session, person_id: UUID, *, enable: bool) -> Response:
    _admin(session)
    identity = get_runtime(request).clients.identity
    try:
        if enable:
            await call(
                identity.EnableAccount,
                ipb.EnableAccountRequest(person_id=str(person_id)),
                session.access_token,
            )
        else:
            await call(
                identity.DisableAccount,
                ipb.DisableAccountRequest(person_id=str(person_id)),
                session.access_token,
            )
            get_runtime(request).sessions.end_sessions_of([str(person_id)])
    except grpc.aio.AioRpcError as exc:
        return await staff_page(request, session, problem=_problem(exc))
    return RedirectResponse(
        f"/staff?saved={'enabled' if enable else 'disabled'}&person={person_id}", status_code=303
    )
