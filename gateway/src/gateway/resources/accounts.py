"""A group's login accounts (issue 8 items 2, 3, 10; slice H1; IdentityService: ListGroupAccounts,
IssueCredentials, IssueParentAccount): the class teacher (or the admin) lists the group's students
and their parents with the state of each account, issues or resets passwords and adds a parent; the
new passwords come back only as printable slips (PDF, one page per person, never cached)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from ejournal.identity.v1 import identity_pb2 as ipb
from ejournal.identity.v1 import identity_service_pb2 as pb
from ejournal.journal.v1 import journal_service_pb2 as jpb
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import ServiceClients, call
from gateway.resources.common import Clients, RequestBody
from gateway.runtime import get_runtime
from gateway.slips import Slip, render_slips

PDF_HEADERS = {"Cache-Control": "no-store", "Content-Disposition": 'attachment; filename="slips.pdf"'}


class AccountOut(BaseModel):
    """Учётная запись человека."""

    person_id: str = Field(description="Идентификатор человека")
    last_name: str = Field(description="Фамилия")
    first_name: str = Field(description="Имя")
    middle_name: str = Field(description="Отчество, может быть пустым")
    username: str = Field(description="Логин")
    role: str = Field(description="Роль: student, parent, …")
    enabled: bool = Field(description="Включена ли учётная запись (отключается при отчислении и выпуске)")
    credentials_issued_at: datetime | None = Field(
        description="Когда последний раз выдан пароль; null — не выдавался"
    )


class StudentAccountsOut(BaseModel):
    """Обучающийся и его родители."""

    student: AccountOut
    parents: list[AccountOut] = Field(description="Привязанные родители (законные представители)")


class GroupAccountsOut(BaseModel):
    """Учётные записи группы."""

    group_id: str = Field(description="Идентификатор группы")
    students: list[StudentAccountsOut] = Field(description="Обучающиеся группы по алфавиту")


class IssueCredentialsIn(RequestBody):
    """Кому выдать новые пароли."""

    person_ids: list[UUID] = Field(description="Обучающиеся группы и их родители, от 1 до 100")


class ParentIn(RequestBody):
    """Новый родитель (законный представитель) обучающегося."""

    last_name: str = Field(description="Фамилия")
    first_name: str = Field(description="Имя")
    middle_name: str = Field(default="", description="Отчество, необязательно")
    email: str = Field(default="", description="Электронная почта, необязательно")


def role_code(role: ipb.Role.ValueType) -> str:
    """Return the role as its lower-case code (ROLE_STUDENT → student)."""
    return ipb.Role.Name(role).removeprefix("ROLE_").lower()


def account_out(account: pb.GroupAccount) -> AccountOut:
    """Map a GroupAccount."""
    return AccountOut(
        person_id=account.person_id,
        last_name=account.last_name,
        first_name=account.first_name,
        middle_name=account.middle_name,
        username=account.username,
        role=role_code(account.role),
        enabled=account.enabled,
        credentials_issued_at=datetime.fromisoformat(account.credentials_issued_at)
        if account.credentials_issued_at
        else None,
    )


async def group_accounts(clients: ServiceClients, token: str, group_id: UUID) -> list[StudentAccountsOut]:
    """Return the group's students with their parents' accounts (identity checks who may ask)."""
    reply = await call(
        clients.identity.ListGroupAccounts, pb.ListGroupAccountsRequest(group_id=str(group_id)), token
    )
    return [
        StudentAccountsOut(student=account_out(s.student), parents=[account_out(p) for p in s.parents])
        for s in reply.students
    ]


async def group_name(clients: ServiceClients, token: str, group_id: UUID) -> str:
    """Return the group's name from the journal (which refuses a group the caller may not read)."""
    reply = await call(clients.journal.GetGroup, jpb.GetGroupRequest(group_id=str(group_id)), token)
    return reply.group.name


def slips_pdf(request: Request, credentials: Sequence[pb.IssuedCredential], group: str) -> bytes:
    """Render one slip per issued credential, with the portal's address and today's date."""
    runtime = get_runtime(request)
    today = datetime.now(runtime.settings.college_zone).date()
    return render_slips([slip_of(c, group, runtime.settings.base_url, today) for c in credentials])


def slip_of(credential: pb.IssuedCredential, group: str, portal_url: str, today: date) -> Slip:
    """Return the slip of one issued credential (a parent's slip names no group)."""
    role = role_code(credential.role)
    names = (credential.last_name, credential.first_name, credential.middle_name)
    return Slip(
        full_name=" ".join(n for n in names if n),
        role=role,
        login=credential.username,
        password=credential.password,
        issued_on=today,
        portal_url=portal_url,
        group=group if role == "student" else "",
    )


async def issue_credentials(
    request: Request, token: str, group_id: UUID, person_ids: Sequence[str]
) -> tuple[list[pb.IssuedCredential], str]:
    """Issue new passwords and return them with the group's name (read first: a group the caller may
    not read is refused before any password changes). Identity ends each person's Keycloak sessions;
    the portal's own sessions of those people end here, so their next page asks for the new password."""
    runtime = get_runtime(request)
    name = await group_name(runtime.clients, token, group_id)
    reply = await call(
        runtime.clients.identity.IssueCredentials, pb.IssueCredentialsRequest(person_ids=person_ids), token
    )
    runtime.sessions.end_sessions_of(c.person_id for c in reply.credentials)
    return list(reply.credentials), name


async def issue_parent_account(
    clients: ServiceClients, token: str, student_id: str, parent: ParentIn
) -> pb.IssuedCredential:
    """Create, link and issue a parent account for a student (identity checks who may)."""
    request = pb.IssueParentAccountRequest(
        student_id=student_id,
        last_name=parent.last_name,
        first_name=parent.first_name,
        middle_name=parent.middle_name,
        email=parent.email,
    )
    reply = await call(clients.identity.IssueParentAccount, request, token)
    return reply.credential


router = APIRouter(tags=["Учётные записи"])


@router.get("/groups/{group_id}/accounts", summary="Учётные записи группы")
async def list_group_accounts(group_id: UUID, caller: Caller, clients: Clients) -> GroupAccountsOut:
    """Обучающиеся группы и их родители: логин, включена ли учётная запись, когда выдан пароль
    (классный руководитель группы или администратор; каждое чтение записывается в журнал аудита)."""
    students = await group_accounts(clients, caller.token, group_id)
    return GroupAccountsOut(group_id=str(group_id), students=students)


@router.post(
    "/groups/{group_id}/accounts/credentials",
    summary="Выдать или сбросить пароли и получить листки",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "Листки с паролями, PDF"}},
)
async def issue_group_credentials(
    group_id: UUID, body: IssueCredentialsIn, request: Request, caller: Caller, clients: Clients
) -> Response:
    """Новые пароли обучающимся группы и их родителям (классный руководитель группы или
    администратор): все сеансы каждого завершаются сразу; ответ — PDF, по странице на человека.
    Обучающемуся пароль выдаётся постоянный, родителю — временный (сменить при первом входе)."""
    credentials, name = await issue_credentials(
        request, caller.token, group_id, [str(p) for p in body.person_ids]
    )
    return Response(slips_pdf(request, credentials, name), media_type="application/pdf", headers=PDF_HEADERS)


@router.post(
    "/students/{student_id}/parents",
    summary="Добавить родителя обучающемуся и выдать ему пароль",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "Листок с паролем, PDF"}},
)
async def add_parent(
    student_id: UUID, body: ParentIn, request: Request, caller: Caller, clients: Clients
) -> Response:
    """Создать учётную запись родителя (законного представителя), привязать её к обучающемуся и выдать
    временный пароль (классный руководитель группы обучающегося или администратор). Родитель с теми же
    ФИО уже привязан — 409 `parent_already_linked`; ответ — PDF с листком."""
    credential = await issue_parent_account(clients, caller.token, str(student_id), body)
    return Response(slips_pdf(request, [credential], ""), media_type="application/pdf", headers=PDF_HEADERS)
