"""Portal «Открытие учебного года»: the page for the administration, the check and the import with their
report (counts per sheet, each refused row with sheet, row, column and reason), the copy form, the
journal's refusals in place, CSRF, the template download, the link from «Учебные годы»."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from urllib.parse import parse_qs, urlsplit

import grpc
import pytest
from ejournal.common.v1 import common_pb2
from ejournal.journal.v1 import journal_pb2, journal_service_pb2
from gateway.auth.session import SessionCookie

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEAR_ID = str(uuid.uuid4())
LAST_YEAR_ID = str(uuid.uuid4())


async def log_in(client, idp, *, roles=("admin",)) -> str:
    subject = str(uuid.uuid4())
    started = await client.get("/login")
    query = {k: v[0] for k, v in parse_qs(urlsplit(started.headers["location"]).query).items()}
    idp.issue_tokens(subject, roles, nonce=query["nonce"])
    await client.get("/auth/callback", params={"code": "code-1", "state": query["state"]})
    return subject


def token_of(client) -> str:
    session_id = SessionCookie("test-session-secret", secure=False).load(
        client.cookies.get("ejournal_session")
    )
    assert session_id
    return hmac.new(b"test-session-secret", f"csrf:{session_id}".encode(), hashlib.sha256).hexdigest()


def years(fakes) -> None:
    def year(year_id: str, first: int) -> journal_pb2.AcademicYear:
        def day(y: int, m: int, d: int) -> common_pb2.LocalDate:
            return common_pb2.LocalDate(year=y, month=m, day=d)

        return journal_pb2.AcademicYear(
            year_id=year_id,
            name=f"{first}/{first + 1}",
            span=journal_pb2.DateSpan(starts_on=day(first, 9, 1), ends_on=day(first + 1, 8, 31)),
        )

    fakes.journal.reply(
        "ListAcademicYears",
        journal_service_pb2.ListAcademicYearsResponse(years=[year(YEAR_ID, 2026), year(LAST_YEAR_ID, 2025)]),
    )


def report(*, imported: bool, errors: int = 0) -> journal_service_pb2.ImportYearWorkbookResponse:
    return journal_service_pb2.ImportYearWorkbookResponse(
        imported=imported,
        sheets=[
            journal_service_pb2.ImportSheetSummary(sheet="Группы", rows=2, created=2),
            journal_service_pb2.ImportSheetSummary(sheet="Нагрузка", rows=3, created=2, unchanged=1),
        ],
        errors=[
            journal_service_pb2.ImportRowError(
                sheet="Нагрузка",
                row=4,
                column="Преподаватель",
                code="person_not_teacher",
                message="Нагрузку получает только преподаватель",
            )
        ][:errors],
    )


def upload(data: bytes = b"PK-workbook") -> dict[str, tuple[str, bytes, str]]:
    return {"workbook": ("god.xlsx", data, XLSX)}


async def test_the_admin_sees_the_page_with_the_template_and_both_forms(client, idp, fakes) -> None:
    await log_in(client, idp)
    years(fakes)
    response = await client.get("/year-import")
    assert response.status_code == 200
    page = response.text
    assert "<h1>Открытие учебного года</h1>" in page
    assert 'href="/year-import/template.xlsx"' in page
    assert 'action="/year-import/check"' in page and 'formaction="/year-import/import"' in page
    assert 'action="/year-import/copy"' in page
    assert f'<option value="{YEAR_ID}" selected>2026/2027</option>' in page


@pytest.mark.parametrize("role", ("director", "deputy", "curator"))
async def test_the_administration_reads_the_page_without_forms(client, idp, fakes, role) -> None:
    await log_in(client, idp, roles=(role,))
    years(fakes)
    page = (await client.get("/year-import")).text
    assert "может только администратор" in page
    assert 'action="/year-import/check"' not in page and 'action="/year-import/copy"' not in page


@pytest.mark.parametrize("role", ("teacher", "class_teacher", "student", "parent"))
async def test_other_roles_get_the_russian_403(client, idp, fakes, role) -> None:
    await log_in(client, idp, roles=(role,))
    for path in ("/year-import", "/year-import/template.xlsx"):
        response = await client.get(path)
        assert response.status_code == 403 and "Ошибка 403" in response.text
    assert fakes.journal.calls == []


@pytest.mark.parametrize("role", ("director", "teacher"))
async def test_only_the_admin_may_post(client, idp, fakes, role) -> None:
    await log_in(client, idp, roles=(role,))
    token = token_of(client)
    for path in ("/year-import/check", "/year-import/import"):
        response = await client.post(path, data={"csrf_token": token, "year_id": YEAR_ID}, files=upload())
        assert response.status_code == 403
    response = await client.post(
        "/year-import/copy", data={"csrf_token": token, "from_year_id": LAST_YEAR_ID, "to_year_id": YEAR_ID}
    )
    assert response.status_code == 403
    assert [c for c in fakes.journal.calls if c.method in {"ImportYearWorkbook", "CopyYearStructure"}] == []


async def test_a_post_without_the_sessions_token_is_refused(client, idp, fakes) -> None:
    await log_in(client, idp)
    response = await client.post("/year-import/check", data={"year_id": YEAR_ID}, files=upload())
    assert response.status_code == 403
    assert [c for c in fakes.journal.calls if c.method == "ImportYearWorkbook"] == []


async def test_a_check_shows_each_refused_row_and_writes_nothing(client, idp, fakes) -> None:
    await log_in(client, idp)
    years(fakes)
    fakes.journal.reply("ImportYearWorkbook", report(imported=False, errors=1))

    response = await client.post(
        "/year-import/check", data={"csrf_token": token_of(client), "year_id": YEAR_ID}, files=upload()
    )

    assert response.status_code == 200
    page = response.text
    assert "Проверка книги «god.xlsx»" in page
    assert "Не принято строк: 1. Ничего не записано" in page
    assert '<td data-label="Лист">Нагрузка</td>' in page
    assert '<td data-label="Строка">4</td>' in page
    assert '<td data-label="Столбец">Преподаватель</td>' in page
    assert "Нагрузку получает только преподаватель" in page and "(person_not_teacher)" in page
    sent = fakes.journal.last("ImportYearWorkbook").request
    assert (sent.year_id, sent.workbook, sent.dry_run) == (YEAR_ID, b"PK-workbook", True)


async def test_a_clean_check_then_the_import(client, idp, fakes) -> None:
    await log_in(client, idp)
    years(fakes)
    fakes.journal.reply("ImportYearWorkbook", report(imported=False))
    response = await client.post(
        "/year-import/check", data={"csrf_token": token_of(client), "year_id": YEAR_ID}, files=upload()
    )
    assert "Ошибок нет. Ничего ещё не записано" in response.text
    assert "Будет создано" in response.text

    fakes.journal.reply("ImportYearWorkbook", report(imported=True))
    response = await client.post(
        "/year-import/import", data={"csrf_token": token_of(client), "year_id": YEAR_ID}, files=upload()
    )
    assert response.status_code == 200
    assert "Книга загружена: всё записано." in response.text
    assert '<td data-label="Создано">2</td>' in response.text
    assert fakes.journal.last("ImportYearWorkbook").request.dry_run is False


async def test_a_refused_import_is_422_with_the_report(client, idp, fakes) -> None:
    await log_in(client, idp)
    years(fakes)
    fakes.journal.reply("ImportYearWorkbook", report(imported=False, errors=1))
    response = await client.post(
        "/year-import/import", data={"csrf_token": token_of(client), "year_id": YEAR_ID}, files=upload()
    )
    assert response.status_code == 422
    assert "Ничего не записано" in response.text


async def test_no_file_and_a_malformed_file_are_shown_in_place(client, idp, fakes) -> None:
    await log_in(client, idp)
    years(fakes)
    response = await client.post(
        "/year-import/check", data={"csrf_token": token_of(client), "year_id": YEAR_ID}, files=upload(b"")
    )
    assert response.status_code == 400
    assert "Выберите файл XLSX" in response.text and 'aria-invalid="true"' in response.text
    assert [c for c in fakes.journal.calls if c.method == "ImportYearWorkbook"] == []

    fakes.journal.fail(
        "ImportYearWorkbook",
        grpc.StatusCode.INVALID_ARGUMENT,
        "Файл не читается как книга Excel (XLSX)",
        "xlsx_malformed",
    )
    response = await client.post(
        "/year-import/check", data={"csrf_token": token_of(client), "year_id": YEAR_ID}, files=upload()
    )
    assert response.status_code == 400
    assert "Файл не читается как книга Excel (XLSX)" in response.text

    fakes.journal.fail("ImportYearWorkbook", grpc.StatusCode.UNAVAILABLE, "down", "unavailable")
    response = await client.post(
        "/year-import/check", data={"csrf_token": token_of(client), "year_id": YEAR_ID}, files=upload()
    )
    assert response.status_code == 503 and "не отвечает" in response.text


async def test_copying_last_year_and_its_refusal(client, idp, fakes) -> None:
    await log_in(client, idp)
    years(fakes)
    fakes.journal.reply(
        "CopyYearStructure",
        journal_service_pb2.CopyYearStructureResponse(
            copied=[journal_service_pb2.ImportSheetSummary(sheet="Календарь", rows=5, created=5)]
        ),
    )
    form = {"csrf_token": token_of(client), "from_year_id": LAST_YEAR_ID, "to_year_id": YEAR_ID}
    response = await client.post("/year-import/copy", data=form)
    assert response.status_code == 200
    assert "Скопировано из прошлого года: Календарь — 5." in response.text
    sent = fakes.journal.last("CopyYearStructure").request
    assert (sent.from_year_id, sent.to_year_id) == (LAST_YEAR_ID, YEAR_ID)

    fakes.journal.fail(
        "CopyYearStructure",
        grpc.StatusCode.FAILED_PRECONDITION,
        "В учебном году уже есть данные",
        "year_not_empty",
    )
    response = await client.post("/year-import/copy", data=form)
    assert response.status_code == 409 and "В учебном году уже есть данные" in response.text


async def test_the_template_downloads_and_the_years_page_links_here(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("director",))
    fakes.journal.reply(
        "GetYearImportTemplate", journal_service_pb2.GetYearImportTemplateResponse(workbook=b"PK\x03\x04t")
    )
    response = await client.get("/year-import/template.xlsx")
    assert (response.status_code, response.headers["content-type"], response.content) == (
        200,
        XLSX,
        b"PK\x03\x04t",
    )
    years(fakes)
    assert '<a href="/year-import">Открытие года из XLSX</a>' in (await client.get("/academic-years")).text
