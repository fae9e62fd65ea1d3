"""Opening a year in bulk (JournalService, R2.1): the XLSX import, its template, the copy of a year.

The upload is the one route with a larger body than the gateway's cap (`GATEWAY_MAX_BODY_BYTES`, 1 MiB
by default): `UPLOAD_BODY_BYTES` (3 MiB), so a workbook up to the journal's 2 MiB fits with the
multipart framing; `gateway.main` passes `UPLOAD_PATHS` to the body-size middleware.
"""

from __future__ import annotations

import re
from typing import Annotated
from uuid import UUID

from chassis.errors import InvalidArgument
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients

WORKBOOK_BYTES = 2 * 1024 * 1024
UPLOAD_BODY_BYTES = 3 * 1024 * 1024
# The REST upload and the portal's «Открытие года» form (its check and its import).
UPLOAD_PATHS = re.compile(r"/api/v1/academic-years/[^/]+/import|/year-import/(check|import)")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_NAME = "shablon-otkrytiya-goda.xlsx"

router = APIRouter(tags=["Открытие учебного года"])


class ImportSheetOut(BaseModel):
    """Что содержит лист книги (или часть скопированного года)."""

    sheet: str = Field(description="Лист: «Группы», «Дисциплины», «Нагрузка», «Календарь», «Звонки»")
    rows: int = Field(description="Строк с данными")
    created: int = Field(description="Строк, которые создают новое")
    updated: int = Field(description="Строк, которые меняют имеющееся")
    unchanged: int = Field(description="Строк «без изменений»: это уже есть")


class ImportRowErrorOut(BaseModel):
    """Строка книги, которую журнал не принял."""

    sheet: str = Field(description="Лист (пусто — книга целиком)")
    row: int = Field(description="Номер строки, как в Excel (заголовок — строка 1; 0 — лист целиком)")
    column: str = Field(description="Столбец (пусто — строка целиком)")
    code: str = Field(description="Устойчивый код — тот же, что у отдельного запроса")
    message: str = Field(description="Причина по-русски")


class YearImportOut(BaseModel):
    """Итог загрузки: записано ли, что на каждом листе, каждая непринятая строка."""

    imported: bool = Field(description="Всё записано (не проверка и ни одной ошибки)")
    dry_run: bool = Field(description="Только проверка: ничего не записывалось")
    sheets: list[ImportSheetOut]
    errors: list[ImportRowErrorOut]


class YearCopyOut(BaseModel):
    """Что скопировано из прошлого учебного года."""

    copied: list[ImportSheetOut]


def sheet_out(value: pb.ImportSheetSummary) -> ImportSheetOut:
    """Map a sheet's counts."""
    return ImportSheetOut(
        sheet=value.sheet,
        rows=value.rows,
        created=value.created,
        updated=value.updated,
        unchanged=value.unchanged,
    )


def report_out(reply: pb.ImportYearWorkbookResponse, *, dry_run: bool) -> YearImportOut:
    """Map the journal's report."""
    return YearImportOut(
        imported=reply.imported,
        dry_run=dry_run,
        sheets=[sheet_out(s) for s in reply.sheets],
        errors=[
            ImportRowErrorOut(sheet=e.sheet, row=e.row, column=e.column, code=e.code, message=e.message)
            for e in reply.errors
        ],
    )


class NoWorkbook(InvalidArgument):
    """The upload carried no file."""

    def __init__(self) -> None:
        super().__init__("Выберите файл XLSX с листами шаблона", code="missing_workbook")


async def import_workbook(
    clients: Clients, token: str, year_id: str, data: bytes, *, dry_run: bool
) -> YearImportOut:
    """Send the workbook to the journal; the report as it answers (the portal shares this)."""
    if not data:
        raise NoWorkbook()
    request = pb.ImportYearWorkbookRequest(year_id=year_id, workbook=data, dry_run=dry_run)
    return report_out(await call(clients.journal.ImportYearWorkbook, request, token), dry_run=dry_run)


async def read_upload(upload: UploadFile) -> bytes:
    """Read the uploaded file, at most one byte more than the journal takes (it refuses that)."""
    return await upload.read(WORKBOOK_BYTES + 1)


@router.post(
    "/academic-years/{year_id}/import",
    summary="Загрузить структуру учебного года из XLSX",
    response_model=YearImportOut,
    responses={422: {"description": "Есть непринятые строки: ничего не записано (year_import_refused)"}},
)
async def import_year(
    year_id: UUID,
    caller: Caller,
    clients: Clients,
    workbook: Annotated[UploadFile, File(description="Книга XLSX по шаблону, до 2 МБ")],
    dry_run: Annotated[bool, Query(description="Только проверить и показать отчёт")] = False,
) -> Response:
    """Группы, дисциплины, нагрузка, календарный график и звонки из одной книги (только администратор).

    Всё записывается одной транзакцией или ничего: при любой непринятой строке ответ 422 с кодом
    `year_import_refused` и полным отчётом в `report`. С `dry_run=true` — 200 и отчёт, ничего не
    записано. Повторная загрузка той же книги ничего не дублирует: строки «без изменений».
    """
    report = await import_workbook(
        clients, caller.token, str(year_id), await read_upload(workbook), dry_run=dry_run
    )
    if report.errors and not dry_run:
        return JSONResponse(
            status_code=422,
            content={
                "error": {
                    "code": "year_import_refused",
                    "message": f"Не принято строк: {len(report.errors)}. Ничего не записано — "
                    "исправьте их и загрузите книгу снова",
                },
                "report": report.model_dump(),
            },
        )
    return JSONResponse(report.model_dump())


@router.post(
    "/academic-years/{to_year_id}/copy-from/{from_year_id}",
    summary="Скопировать структуру из прошлого учебного года",
)
async def copy_year(to_year_id: UUID, from_year_id: UUID, caller: Caller, clients: Clients) -> YearCopyOut:
    """Календарные графики групп сдвигаются на целые недели в новый год; год должен быть пустым
    (`year_not_empty`). Группы, дисциплины, нагрузка, подгруппы и звонки не привязаны к году и остаются.
    Только администратор."""
    request = pb.CopyYearStructureRequest(from_year_id=str(from_year_id), to_year_id=str(to_year_id))
    reply = await call(clients.journal.CopyYearStructure, request, caller.token)
    return YearCopyOut(copied=[sheet_out(s) for s in reply.copied])


async def template_bytes(clients: Clients, token: str) -> Response:
    """The template as a download."""
    reply = await call(clients.journal.GetYearImportTemplate, pb.GetYearImportTemplateRequest(), token)
    return Response(
        content=reply.workbook,
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{TEMPLATE_NAME}"'},
    )


@router.get(
    "/year-import/template.xlsx",
    summary="Шаблон книги открытия года",
    response_class=Response,
    responses={200: {"content": {XLSX_TYPE: {}}, "description": "Книга XLSX"}},
)
async def year_import_template(caller: Caller, clients: Clients) -> Response:
    """Лист на каждую часть с русскими заголовками и строкой-примером, лист «Описание» (администрация)."""
    return await template_bytes(clients, caller.token)
