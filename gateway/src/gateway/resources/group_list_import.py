"""Bulk import of a group list (issue 8 item 2 «bulk», slice H2; IdentityService.ImportGroupList): the
class teacher (or the admin) uploads the group's students and parents as CSV or XLSX and gets back
the credential slips of everyone created (PDF, one page each, never cached), or every refused row.
Nothing is created unless every row is accepted; the journal then enrols the students in the group.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from ejournal.identity.v1 import group_list_import_pb2 as gl
from ejournal.identity.v1 import identity_pb2 as ipb
from ejournal.journal.v1 import journal_service_pb2 as jpb
from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import ServiceClients, call
from gateway.group_list_file import (
    MAX_FILE_BYTES,
    XLSX_TYPE,
    FileRow,
    GroupListFileError,
    read_group_list,
    template_csv,
    template_xlsx,
)
from gateway.resources.common import Clients
from gateway.runtime import get_runtime
from gateway.slips import Slip, render_slips

# The upload's body: the file (1 MB at most, judged here) and the multipart framing around it.
UPLOAD_BODY_BYTES = MAX_FILE_BYTES + 64 * 1024
UPLOAD_PATHS = re.compile(r"/api/v1/groups/[^/]+/accounts/import|/groups/[^/]+/accounts/import")
REFUSED_CODE = "group_list_refused"
PDF_HEADERS = {"Cache-Control": "no-store", "Content-Disposition": 'attachment; filename="slips.pdf"'}
# Sixty students and their parents are up to 180 Keycloak users, each hashed password taking Keycloak
# tens of milliseconds of CPU: far longer than an ordinary call's deadline.
IMPORT_TIMEOUT_SECONDS = 180.0

router = APIRouter(tags=["Учётные записи"])


class GroupListRowErrorOut(BaseModel):
    """Строка списка (или файл целиком), которую не приняли."""

    row: int = Field(description="Номер строки, как в Excel (заголовок — строка 1; 0 — файл целиком)")
    column: str = Field(description="Столбец по заголовку шаблона (пусто — строка целиком)")
    code: str = Field(description="Устойчивый код причины")
    message: str = Field(description="Причина по-русски")


def rows_to_pb(rows: list[FileRow]) -> list[gl.GroupListRow]:
    """Map the file's rows as written (identity checks every cell)."""
    return [
        gl.GroupListRow(
            row=r.row,
            last_name=r.last_name,
            first_name=r.first_name,
            middle_name=r.middle_name,
            birth_date=r.birth_date,
            parents=[
                gl.GroupListParent(
                    last_name=p.last_name, first_name=p.first_name, middle_name=p.middle_name, email=p.email
                )
                for p in r.parents
            ],
        )
        for r in rows
    ]


def slip_of(account: gl.ImportedAccount, group: str, portal_url: str, today: date) -> Slip:
    """Return the credential slip of an imported account (a parent's slip names no group)."""
    student = account.role == ipb.ROLE_STUDENT
    return Slip(
        full_name=" ".join(n for n in (account.last_name, account.first_name, account.middle_name) if n),
        role="student" if student else "parent",
        login=account.username,
        password=account.password,
        issued_on=today,
        portal_url=portal_url,
        group=group if student else "",
    )


def slips_pdf(request: Request, accounts: Sequence[gl.ImportedAccount], group: str) -> bytes:
    """Render one slip per created account (gateway/slips.py), dated the college's today."""
    settings = get_runtime(request).settings
    today = datetime.now(settings.college_zone).date()
    return render_slips([slip_of(a, group, settings.base_url, today) for a in accounts])


async def group_name(clients: ServiceClients, token: str, group_id: UUID) -> str:
    """Return the group's name from the journal (which refuses a group the caller may not read)."""
    reply = await call(clients.journal.GetGroup, jpb.GetGroupRequest(group_id=str(group_id)), token)
    return reply.group.name


class ImportRefused(Exception):
    """The list was refused: every row error (nothing was created)."""

    def __init__(self, errors: list[GroupListRowErrorOut]) -> None:
        super().__init__(REFUSED_CODE)
        self.errors = errors


async def ensure_may_import(clients: ServiceClients, token: str, group_id: UUID) -> None:
    """Let identity refuse a caller who may not import into the group: an empty list, which it checks
    the caller's scope for first and then refuses as empty, creating nothing."""
    await call(clients.identity.ImportGroupList, gl.ImportGroupListRequest(group_id=str(group_id)), token)


async def import_group_list(
    clients: ServiceClients, token: str, group_id: UUID, data: bytes, filename: str
) -> tuple[gl.ImportGroupListResponse, str]:
    """Read the file, then ask identity to create everyone (the portal shares this); the group's name is
    read first, so a group the caller may not read is refused before anything is created."""
    try:
        rows = read_group_list(data, filename)
    except GroupListFileError as refused:
        # Access before content: only then is the file's fault told.
        await ensure_may_import(clients, token, group_id)
        raise ImportRefused(
            [GroupListRowErrorOut(row=0, column="", code=refused.code, message=refused.message)]
        ) from None
    name = await group_name(clients, token, group_id)
    request = gl.ImportGroupListRequest(group_id=str(group_id), rows=rows_to_pb(rows))
    reply = await call(clients.identity.ImportGroupList, request, token, timeout=IMPORT_TIMEOUT_SECONDS)
    if not reply.imported:
        raise ImportRefused(
            [
                GroupListRowErrorOut(row=e.row, column=e.column, code=e.code, message=e.message)
                for e in reply.errors
            ]
        )
    return reply, name


def refused_response(refused: ImportRefused) -> JSONResponse:
    """Return the 422 answer: the error envelope and every refused row."""
    return JSONResponse(
        status_code=422,
        content={
            "error": {
                "code": REFUSED_CODE,
                "message": f"Не принято строк: {len(refused.errors)}. Ничего не создано — исправьте файл "
                "и загрузите его снова",
            },
            "errors": [e.model_dump() for e in refused.errors],
        },
    )


async def read_upload(upload: UploadFile) -> bytes:
    """Read the uploaded file, at most one byte more than allowed (that byte refuses it)."""
    return await upload.read(MAX_FILE_BYTES + 1)


@router.post(
    "/groups/{group_id}/accounts/import",
    summary="Загрузить список группы и получить листки с паролями",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "Листки всех созданных, PDF"},
        422: {"description": "Непринятые строки (group_list_refused): ничего не создано"},
    },
)
async def import_group_list_route(
    group_id: UUID,
    request: Request,
    caller: Caller,
    clients: Clients,
    file: Annotated[UploadFile, File(description="Список группы: XLSX или CSV по шаблону, до 1 МБ")],
) -> Response:
    """Студенты группы и их родители (до двух на студента) из одного файла (классный руководитель группы
    или администратор). Сначала проверяются все строки: при любой ошибке — 422 со списком строк
    (номер, столбец, код, причина) и ничего не создаётся. Иначе создаются учётные записи всех (родитель
    двух братьев или сестёр с теми же ФИО и почтой — одна запись, две привязки), студенты зачисляются в
    группу, ответ — PDF, по странице на человека. Тот же список повторно — 409
    `group_list_already_imported`; служба учётных записей недоступна — 503 `accounts_unavailable`, ничего
    не создано."""
    try:
        reply, name = await import_group_list(
            clients, caller.token, group_id, await read_upload(file), file.filename or ""
        )
    except ImportRefused as refused:
        return refused_response(refused)
    students = sum(1 for a in reply.accounts if a.role == ipb.ROLE_STUDENT)
    headers = {
        **PDF_HEADERS,
        "X-Import-Id": reply.import_id,
        "X-Students-Created": str(students),
        "X-Parents-Created": str(len(reply.accounts) - students),
    }
    pdf = slips_pdf(request, reply.accounts, name)
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.get(
    "/group-list-import/template.xlsx",
    summary="Шаблон списка группы (XLSX)",
    response_class=Response,
    responses={200: {"content": {XLSX_TYPE: {}}, "description": "Книга XLSX"}},
)
async def group_list_template_xlsx(caller: Caller) -> Response:
    """Заголовки столбцов и строка-пример (замените её своими строками)."""
    return Response(
        template_xlsx(),
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": 'attachment; filename="shablon-spiska-gruppy.xlsx"'},
    )


@router.get(
    "/group-list-import/template.csv",
    summary="Шаблон списка группы (CSV)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "CSV, UTF-8, разделитель «;»"}},
)
async def group_list_template_csv(caller: Caller) -> Response:
    """Те же столбцы в CSV (UTF-8 с BOM, разделитель «;»)."""
    return Response(
        template_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="shablon-spiska-gruppy.csv"'},
    )
