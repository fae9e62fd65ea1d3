"""Portal page «Открытие учебного года»: the XLSX template, the upload (check first, then import) with
its report — counts per sheet and every refused row by sheet, row and column —, and the copy of last
year's structure. The administration reads the page; only the admin uploads and copies (the journal
decides again on every write)."""

from __future__ import annotations

from typing import Any

import grpc
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from gateway.auth.portal import PortalSession
from gateway.auth.session import Session
from gateway.clients import call
from gateway.resources.academic_year import AcademicYearOut, year_out
from gateway.resources.year_import import (
    WORKBOOK_BYTES,
    YearImportOut,
    import_workbook,
    sheet_out,
    template_bytes,
)
from gateway.runtime import get_runtime
from gateway.web.csrf import CsrfSession
from gateway.web.year import SERVICE_DOWN, AdminOnly, FormProblem, reader, render, service_problem

router = APIRouter()

NO_FILE = "Выберите файл XLSX, заполненный по шаблону"
NO_YEAR = "Выберите учебный год"


async def _years(request: Request, session: Session) -> list[AcademicYearOut] | None:
    """The years to choose from, newest first; None when the journal does not answer."""
    try:
        reply = await call(
            get_runtime(request).clients.journal.ListAcademicYears,
            pb.ListAcademicYearsRequest(),
            session.access_token,
        )
    except grpc.aio.AioRpcError as exc:
        if exc.code() not in SERVICE_DOWN:
            raise
        return None
    return [year_out(y) for y in reply.years]


async def page(
    request: Request,
    session: Session,
    *,
    problem: FormProblem | None = None,
    report: YearImportOut | None = None,
    copied: list[Any] | None = None,
    chosen: str = "",
    file_name: str = "",
) -> Response:
    """Render the page with whatever the last action produced."""
    can_edit = reader(session)
    years = await _years(request, session)
    status = problem.status if problem else (422 if report and report.errors and not report.dry_run else 200)
    return render(
        request,
        "year_import.html",
        session,
        status=status,
        can_edit=can_edit,
        years=years,
        problem=problem,
        report=report,
        copied=copied,
        chosen=chosen or (years[0].year_id if years else ""),
        file_name=file_name,
        max_mib=WORKBOOK_BYTES // (1024 * 1024),
    )


@router.get("/year-import")
async def year_import_page(request: Request, session: PortalSession) -> Response:
    """Открытие учебного года: шаблон, загрузка книги, копирование прошлого года."""
    return await page(request, session)


@router.get("/year-import/template.xlsx")
async def year_import_template(request: Request, session: PortalSession) -> Response:
    """Шаблон книги открытия года (администрация)."""
    reader(session)
    return await template_bytes(get_runtime(request).clients, session.access_token)


async def _upload(request: Request, session: Session, *, dry_run: bool) -> Response:
    if not reader(session):
        raise AdminOnly()
    form = await request.form()
    year_id = str(form.get("year_id") or "").strip()
    upload = form.get("workbook")
    file_name, data = "", b""
    if isinstance(upload, UploadFile):
        file_name, data = upload.filename or "", await upload.read(WORKBOOK_BYTES + 1)
    if not year_id:
        return await page(request, session, problem=FormProblem(NO_YEAR, {"year_id"}))
    if not data:
        return await page(request, session, problem=FormProblem(NO_FILE, {"workbook"}), chosen=year_id)
    try:
        report = await import_workbook(
            get_runtime(request).clients, session.access_token, year_id, data, dry_run=dry_run
        )
    except grpc.aio.AioRpcError as exc:
        problem = service_problem(exc)
        problem.fields.add("workbook")
        return await page(request, session, problem=problem, chosen=year_id, file_name=file_name)
    return await page(request, session, report=report, chosen=year_id, file_name=file_name)


@router.post("/year-import/check")
async def check_workbook(request: Request, session: CsrfSession) -> Response:
    """Проверить книгу: отчёт по листам и строкам, ничего не записывается."""
    return await _upload(request, session, dry_run=True)


@router.post("/year-import/import")
async def import_year_workbook(request: Request, session: CsrfSession) -> Response:
    """Загрузить книгу: всё одной транзакцией или ничего, с отчётом."""
    return await _upload(request, session, dry_run=False)


@router.post("/year-import/copy")
async def copy_last_year(request: Request, session: CsrfSession) -> Response:
    """Скопировать структуру прошлого года в пустой новый год."""
    if not reader(session):
        raise AdminOnly()
    form = await request.form()
    from_year = str(form.get("from_year_id") or "").strip()
    to_year = str(form.get("to_year_id") or "").strip()
    if not from_year or not to_year:
        return await page(request, session, problem=FormProblem(NO_YEAR, {"from_year_id", "to_year_id"}))
    try:
        reply = await call(
            get_runtime(request).clients.journal.CopyYearStructure,
            pb.CopyYearStructureRequest(from_year_id=from_year, to_year_id=to_year),
            session.access_token,
        )
    except grpc.aio.AioRpcError as exc:
        problem = service_problem(exc)
        problem.fields.update({"from_year_id", "to_year_id"})
        return await page(request, session, problem=problem, chosen=to_year)
    return await page(request, session, copied=[sheet_out(s) for s in reply.copied], chosen=to_year)
