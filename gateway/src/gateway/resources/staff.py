"""The admin's staff accounts and scoped role assignments (issue 8 items 1 and 10; IdentityService:
ListStaff, CreatePerson, AssignRole, RevokeRole, ListRoleAssignments; ADR 0012): routes and mapping."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from chassis.errors import InvalidArgument, NotFound
from ejournal.identity.v1 import identity_pb2
from ejournal.identity.v1 import identity_service_pb2 as pb
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, ProtoEnum, RequestBody
from gateway.runtime import get_runtime
from gateway.slips import Slip, render_slips

ROLES = ProtoEnum(identity_pb2.Role)
SCOPE_KINDS = ProtoEnum(identity_pb2.ScopeKind)
NON_STAFF = frozenset({"student", "parent"})
STAFF_ROLES = tuple(name for name in ROLES.names if name not in NON_STAFF)


class ScopeIn(RequestBody):
    """Область действия роли: весь колледж, отделение, группа или дисциплина в группе."""

    kind: Annotated[str, SCOPE_KINDS] = Field(description=SCOPE_KINDS.describe("Вид области"))
    department_id: UUID | None = Field(default=None, description="Отделение (для department)")
    group_id: UUID | None = Field(default=None, description="Группа (для group и discipline_in_group)")
    discipline_id: UUID | None = Field(default=None, description="Дисциплина (для discipline_in_group)")


class ScopeOut(BaseModel):
    """Область действия роли."""

    kind: str = Field(description=SCOPE_KINDS.describe("Вид области"))
    department_id: str | None = Field(description="Отделение")
    group_id: str | None = Field(description="Группа")
    discipline_id: str | None = Field(description="Дисциплина")


class RoleAssignIn(RequestBody):
    """Назначение роли человеку в области."""

    role: Annotated[str, ROLES] = Field(description=ROLES.describe("Роль"))
    scope: ScopeIn


class AssignmentOut(BaseModel):
    """Действующее (или только что отозванное) назначение роли."""

    assignment_id: str = Field(description="Идентификатор назначения")
    person_id: str = Field(description="Идентификатор человека")
    role: str = Field(description=ROLES.describe("Роль"))
    scope: ScopeOut
    assigned_at: datetime | None = Field(description="Когда назначена")
    assigned_by: str = Field(description="Кто назначил (пусто — система)")


class AssignmentListOut(BaseModel):
    """Действующие назначения ролей человека, старые первыми."""

    assignments: list[AssignmentOut]


class StaffMemberOut(BaseModel):
    """Сотрудник: имя, логин, роли с областями, состояние учётной записи."""

    person_id: str = Field(description="Идентификатор человека")
    last_name: str = Field(description="Фамилия")
    first_name: str = Field(description="Имя")
    middle_name: str = Field(description="Отчество, может быть пустым")
    role: str = Field(description=ROLES.describe("Основная роль (с которой создан)"))
    username: str = Field(description="Логин")
    enabled: bool = Field(description="Может ли входить в систему")
    assignments: list[AssignmentOut]


class StaffListOut(BaseModel):
    """Сотрудники колледжа по фамилии, имени, отчеству."""

    staff: list[StaffMemberOut]


class StaffCreate(RequestBody):
    """Новый сотрудник: учётная запись с временным паролем."""

    role: Annotated[str, ROLES] = Field(description=f"Роль сотрудника: {', '.join(STAFF_ROLES)}")
    last_name: str = Field(min_length=1, max_length=100, description="Фамилия")
    first_name: str = Field(min_length=1, max_length=100, description="Имя")
    middle_name: str | None = Field(default=None, max_length=100, description="Отчество, если есть")
    email: str | None = Field(default=None, max_length=254, description="Адрес электронной почты")


def scope_out(scope: identity_pb2.RoleScope) -> ScopeOut:
    """Map a RoleScope."""
    return ScopeOut(
        kind=SCOPE_KINDS.name_of(scope.kind),
        department_id=scope.department_id or None,
        group_id=scope.group_id or None,
        discipline_id=scope.discipline_id or None,
    )


def assignment_out(assignment: pb.RoleAssignment) -> AssignmentOut:
    """Map a RoleAssignment."""
    return AssignmentOut(
        assignment_id=assignment.assignment_id,
        person_id=assignment.person_id,
        role=ROLES.name_of(assignment.role),
        scope=scope_out(assignment.scope),
        assigned_at=datetime.fromisoformat(assignment.assigned_at) if assignment.assigned_at else None,
        assigned_by=assignment.assigned_by,
    )


def staff_member_out(member: pb.StaffMember) -> StaffMemberOut:
    """Map a StaffMember."""
    return StaffMemberOut(
        person_id=member.person.person_id,
        last_name=member.person.last_name,
        first_name=member.person.first_name,
        middle_name=member.person.middle_name,
        role=ROLES.name_of(member.person.role),
        username=member.username,
        enabled=member.enabled,
        assignments=[assignment_out(a) for a in member.assignments],
    )


def scope_pb(scope: ScopeIn) -> identity_pb2.RoleScope:
    """Return the protobuf scope of a body's scope (identity checks which ids its kind takes)."""
    return identity_pb2.RoleScope(
        kind=SCOPE_KINDS.to_pb(scope.kind),
        department_id=str(scope.department_id) if scope.department_id else "",
        group_id=str(scope.group_id) if scope.group_id else "",
        discipline_id=str(scope.discipline_id) if scope.discipline_id else "",
    )


class RoleNotStaff(InvalidArgument):
    """«Сотрудники» create staff only: students and parents get their accounts elsewhere."""

    def __init__(self) -> None:
        super().__init__(
            "Здесь создаются только сотрудники; учётные записи обучающимся и родителям выдаёт "
            "классный руководитель",
            code="role_not_staff",
        )


async def create_staff_member(
    request: Request, clients: Clients, token: str, body: StaffCreate
) -> tuple[pb.CreatePersonResponse, Slip]:
    """Create a staff person through identity; return the reply and their credential slip."""
    if body.role in NON_STAFF:
        raise RoleNotStaff()
    created = pb.CreatePersonRequest(
        role=ROLES.to_pb(body.role),
        last_name=body.last_name,
        first_name=body.first_name,
        middle_name=body.middle_name or "",
        email=body.email or "",
    )
    reply = await call(clients.identity.CreatePerson, created, token)
    person, settings = reply.person, get_runtime(request).settings
    slip = Slip(
        full_name=" ".join(p for p in (person.last_name, person.first_name, person.middle_name) if p),
        role=ROLES.name_of(person.role),
        login=person.username,
        password=reply.temporary_password,
        issued_on=datetime.now(settings.college_zone).date(),
        portal_url=settings.base_url,
    )
    return reply, slip


async def assignment_of(clients: Clients, token: str, person_id: UUID, assignment_id: UUID) -> None:
    """Raise NotFound unless the assignment in force belongs to the person (so a path names one thing)."""
    listed = await call(
        clients.identity.ListRoleAssignments, pb.ListRoleAssignmentsRequest(person_id=str(person_id)), token
    )
    if str(assignment_id) not in {a.assignment_id for a in listed.assignments}:
        raise NotFound("Назначение роли не найдено или уже отозвано", code="assignment_not_found")


router = APIRouter(tags=["Сотрудники и роли"])


@router.get("/staff", summary="Сотрудники с ролями и состоянием учётных записей")
async def list_staff(caller: Caller, clients: Clients) -> StaffListOut:
    """Все сотрудники (кроме обучающихся и родителей) с логином, действующими ролями и областями и
    тем, включена ли учётная запись (администратор). Каждое чтение — в журнале аудита."""
    reply = await call(clients.identity.ListStaff, pb.ListStaffRequest(), caller.token)
    return StaffListOut(staff=[staff_member_out(m) for m in reply.staff])


@router.post(
    "/staff",
    status_code=201,
    summary="Добавить сотрудника (памятка с паролем в PDF)",
    response_class=Response,
    responses={201: {"content": {"application/pdf": {}}, "description": "Памятка с логином и паролем"}},
)
async def create_staff(request: Request, body: StaffCreate, caller: Caller, clients: Clients) -> Response:
    """Создать сотрудника с учётной записью и временным паролем (администратор). Ответ — памятка в PDF
    (одна страница: ФИО, роль, логин, пароль); идентификатор — в заголовке `X-Person-Id`. Пароль
    больше нигде не показывается."""
    reply, slip = await create_staff_member(request, clients, caller.token, body)
    pdf = render_slips([slip])
    person = reply.person
    return Response(
        pdf,
        status_code=201,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="pamyatka-{person.username}.pdf"',
            "Cache-Control": "no-store",
            "X-Person-Id": person.person_id,
            "Location": f"/api/v1/people/{person.person_id}/roles",
        },
    )


@router.get("/people/{person_id}/roles", summary="Роли человека")
async def list_roles(person_id: UUID, caller: Caller, clients: Clients) -> AssignmentListOut:
    """Действующие назначения ролей с областями (администратор; сам человек — свои)."""
    request = pb.ListRoleAssignmentsRequest(person_id=str(person_id))
    reply = await call(clients.identity.ListRoleAssignments, request, caller.token)
    return AssignmentListOut(assignments=[assignment_out(a) for a in reply.assignments])


@router.post("/people/{person_id}/roles", status_code=201, summary="Назначить роль")
async def assign_role(person_id: UUID, body: RoleAssignIn, caller: Caller, clients: Clients) -> AssignmentOut:
    """Назначить человеку роль в области (администратор). Роли сотрудников — только сотрудникам
    (`role_not_for_person`), область должна подходить роли (`scope_not_for_role`), повтор —
    `role_already_assigned`. Роль в Keycloak появляется с первым назначением."""
    request = pb.AssignRoleRequest(
        person_id=str(person_id), role=ROLES.to_pb(body.role), scope=scope_pb(body.scope)
    )
    reply = await call(clients.identity.AssignRole, request, caller.token)
    return assignment_out(reply.assignment)


@router.delete("/people/{person_id}/roles/{assignment_id}", summary="Отозвать роль")
async def revoke_role(
    person_id: UUID, assignment_id: UUID, caller: Caller, clients: Clients
) -> AssignmentOut:
    """Отозвать назначение (администратор). Роль в Keycloak уходит с последним назначением этой роли
    (основная роль человека остаётся); свою последнюю роль администратора отозвать нельзя
    (`own_last_admin`)."""
    await assignment_of(clients, caller.token, person_id, assignment_id)
    request = pb.RevokeRoleRequest(assignment_id=str(assignment_id))
    reply = await call(clients.identity.RevokeRole, request, caller.token)
    return assignment_out(reply.assignment)
