"""Portal «Загрузка списка группы» (slice H2, issue 8 items 2 and 10): the class teacher of a group (or
the admin) downloads the template, uploads the group's students and parents (XLSX or CSV) and either
gets everyone's credential slips as one PDF, or sees every refused row — row, column, reason in
Russian — with nothing created. Linked from «Учётные записи» of the group."""

from __future__ import annotations

from uuid import UUID

import grpc
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from gateway.auth.portal import PortalSession
from gateway.auth.session import Session
from gateway.group_list_file import MAX_FILE_BYTES, template_csv, template_xlsx
from gateway.resources.group_list_import import (
    PDF_HEADERS,
    GroupListRowErrorOut,
    ImportRefused,
    ensure_may_import,
    group_name,
    import_group_list,
    slips_pdf,
)
from gateway.runtime import get_runtime
from gateway.web.csrf import CsrfSession
from gateway.web.year import FormProblem, render, service_problem

# Portal pages stay out of the OpenAPI description, as every page of web/__init__.py's router.
router = APIRouter(include_in_schema=False)
NO_FILE = "Выберите файл со списком группы (XLSX или CSV по шаблону)"


async def _page(
    request: Request,
    session: Session,
    group_id: UUID,
    *,
    problem: FormProblem | None = None,
    errors: list[GroupListRowErrorOut] | None = None,
    file_name: str = "",
) -> Response:
    name = await group_name(get_runtime(request).clients, session.access_token, group_id)
    status = problem.status if problem else (422 if errors else 200)
    return render(
        request,
        "group_list_import.html",
        session,
        status=status,
        group_id=str(group_id),
        group_name=name,
        problem=problem,
        errors=errors or [],
        file_name=file_name,
        max_mb=MAX_FILE_BYTES // (1024 * 1024),
    )


@router.get("/groups/{group_id}/accounts/import")
async def group_list_page(request: Request, group_id: UUID, session: PortalSession) -> Response:
    """Загрузка списка группы: шаблон и форма (классный руководитель группы или администратор)."""
    await ensure_may_import(get_runtime(request).clients, session.access_token, group_id)
    return await _page(request, session, group_id)


@router.get("/group-list-import/template.xlsx")
async def group_list_template_xlsx(session: PortalSession) -> Response:
    """Шаблон списка группы (XLSX)."""
    return Response(
        template_xlsx(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="shablon-spiska-gruppy.xlsx"'},
    )


@router.get("/group-list-import/template.csv")
async def group_list_template_csv(session: PortalSession) -> Response:
    """Шаблон списка группы (CSV, UTF-8, «;»)."""
    return Response(
        template_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="shablon-spiska-gruppy.csv"'},
    )


@router.post("/groups/{group_id}/accounts/import")
async def import_from_page(request: Request, group_id: UUID, session: CsrfSession) -> Response:
    """Загрузить список: листки всех созданных одним PDF или непринятые строки (ничего не создано)."""
    form = await request.form()
    upload = form.get("file")
    file_name, data = "", b""
    if isinstance(upload, UploadFile):
        file_name, data = upload.filename or "", await upload.read(MAX_FILE_BYTES + 1)
    if not data and not file_name:
        return await _page(request, session, group_id, problem=FormProblem(NO_FILE, {"file"}))
    clients = get_runtime(request).clients
    try:
        reply, name = await import_group_list(clients, session.access_token, group_id, data, file_name)
    except ImportRefused as refused:
        return await _page(request, session, group_id, errors=refused.errors, file_name=file_name)
    except grpc.aio.AioRpcError as exc:
        problem = service_problem(exc)
        problem.fields.add("file")
        return await _page(request, session, group_id, problem=problem, file_name=file_name)
    pdf = slips_pdf(request, reply.accounts, name)
    return Response(pdf, media_type="application/pdf", headers=PDF_HEADERS)
