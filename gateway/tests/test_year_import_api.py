"""REST routes of opening a year in bulk: the XLSX upload (report, refusal with the report, dry run, the
journal's codes), the route's own body limit, the copy of a year and the template download."""

from __future__ import annotations

import uuid

import grpc
from ejournal.journal.v1 import journal_service_pb2 as pb

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIB = 1024 * 1024


def report(*, imported: bool, errors: int = 0) -> pb.ImportYearWorkbookResponse:
    return pb.ImportYearWorkbookResponse(
        imported=imported,
        sheets=[pb.ImportSheetSummary(sheet="Группы", rows=3, created=2, updated=0, unchanged=1)],
        errors=[
            pb.ImportRowError(
                sheet="Нагрузка",
                row=4 + i,
                column="Преподаватель",
                code="person_not_teacher",
                message="Не преподаватель",
            )
            for i in range(errors)
        ],
    )


def upload(data: bytes = b"PK-a-workbook") -> dict[str, tuple[str, bytes, str]]:
    return {"workbook": ("god.xlsx", data, XLSX)}


async def test_the_upload_reaches_the_journal_and_its_report_comes_back(client, bearer, fakes) -> None:
    year_id = str(uuid.uuid4())
    fakes.journal.reply("ImportYearWorkbook", report(imported=False))

    response = await client.post(
        f"/api/v1/academic-years/{year_id}/import?dry_run=true", files=upload(), headers=bearer()
    )

    assert response.status_code == 200
    assert response.json() == {
        "imported": False,
        "dry_run": True,
        "sheets": [{"sheet": "Группы", "rows": 3, "created": 2, "updated": 0, "unchanged": 1}],
        "errors": [],
    }
    sent = fakes.journal.last("ImportYearWorkbook").request
    assert (sent.year_id, sent.workbook, sent.dry_run) == (year_id, b"PK-a-workbook", True)

    fakes.journal.reply("ImportYearWorkbook", report(imported=True))
    response = await client.post(f"/api/v1/academic-years/{year_id}/import", files=upload(), headers=bearer())
    assert (response.status_code, response.json()["imported"]) == (200, True)
    assert fakes.journal.last("ImportYearWorkbook").request.dry_run is False


async def test_refused_rows_are_422_with_the_whole_report_and_nothing_written(client, bearer, fakes) -> None:
    fakes.journal.reply("ImportYearWorkbook", report(imported=False, errors=2))
    response = await client.post(
        f"/api/v1/academic-years/{uuid.uuid4()}/import", files=upload(), headers=bearer()
    )
    body = response.json()
    assert (response.status_code, body["error"]["code"]) == (422, "year_import_refused")
    assert "Ничего не записано" in body["error"]["message"]
    assert [(e["sheet"], e["row"], e["column"], e["code"]) for e in body["report"]["errors"]] == [
        ("Нагрузка", 4, "Преподаватель", "person_not_teacher"),
        ("Нагрузка", 5, "Преподаватель", "person_not_teacher"),
    ]
    # On a dry run the same report is a plain 200.
    response = await client.post(
        f"/api/v1/academic-years/{uuid.uuid4()}/import?dry_run=true", files=upload(), headers=bearer()
    )
    assert (response.status_code, len(response.json()["errors"])) == (200, 2)


async def test_the_journals_refusals_keep_their_codes(client, bearer, fakes) -> None:
    url = f"/api/v1/academic-years/{uuid.uuid4()}/import"
    cases = [
        (grpc.StatusCode.INVALID_ARGUMENT, "xlsx_malformed", 400),
        (grpc.StatusCode.NOT_FOUND, "academic_year_not_found", 404),
        (grpc.StatusCode.PERMISSION_DENIED, "role_required", 403),
        (grpc.StatusCode.UNAVAILABLE, "unavailable", 503),
    ]
    for status, code, http in cases:
        fakes.journal.fail("ImportYearWorkbook", status, "Отказ журнала", code)
        response = await client.post(url, files=upload(), headers=bearer())
        assert (response.status_code, response.json()["error"]["code"]) == (http, code)


async def test_no_file_an_empty_file_and_a_bad_year_id_are_refused_before_the_journal(
    client, bearer, fakes
) -> None:
    url = f"/api/v1/academic-years/{uuid.uuid4()}/import"
    response = await client.post(url, files=upload(b""), headers=bearer())
    assert (response.status_code, response.json()["error"]["code"]) == (400, "missing_workbook")
    response = await client.post(url, headers=bearer())
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_request")
    response = await client.post("/api/v1/academic-years/2026/import", files=upload(), headers=bearer())
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_request")
    response = await client.post(url, files=upload())
    assert response.status_code == 401
    assert not [c for c in fakes.journal.calls if c.method == "ImportYearWorkbook"]


async def test_the_upload_route_takes_up_to_3_mib_and_the_others_keep_the_1_mib_cap(
    client, bearer, fakes
) -> None:
    fakes.journal.reply("ImportYearWorkbook", report(imported=False))
    url = f"/api/v1/academic-years/{uuid.uuid4()}/import?dry_run=true"

    response = await client.post(url, files=upload(b"x" * (2 * MIB)), headers=bearer())
    assert response.status_code == 200
    # A file over the journal's 2 MiB is sent cut at 2 MiB + 1 byte, for the journal to refuse.
    assert len(fakes.journal.last("ImportYearWorkbook").request.workbook) == 2 * MIB

    response = await client.post(url, files=upload(b"x" * (3 * MIB)), headers=bearer())
    assert (response.status_code, response.json()["error"]["code"]) == (413, "payload_too_large")
    assert "3 МБ" in response.json()["error"]["message"]

    response = await client.post(
        f"/api/v1/academic-years/{uuid.uuid4()}/copy-from/{uuid.uuid4()}",
        content=b"x" * (2 * MIB),
        headers=bearer(),
    )
    assert (response.status_code, response.json()["error"]["code"]) == (413, "payload_too_large")


async def test_copying_a_year(client, bearer, fakes) -> None:
    to_year, from_year = str(uuid.uuid4()), str(uuid.uuid4())
    fakes.journal.reply(
        "CopyYearStructure",
        pb.CopyYearStructureResponse(copied=[pb.ImportSheetSummary(sheet="Календарь", rows=12, created=12)]),
    )
    response = await client.post(f"/api/v1/academic-years/{to_year}/copy-from/{from_year}", headers=bearer())
    assert response.status_code == 200
    assert response.json() == {
        "copied": [{"sheet": "Календарь", "rows": 12, "created": 12, "updated": 0, "unchanged": 0}]
    }
    sent = fakes.journal.last("CopyYearStructure").request
    assert (sent.from_year_id, sent.to_year_id) == (from_year, to_year)

    fakes.journal.fail(
        "CopyYearStructure", grpc.StatusCode.FAILED_PRECONDITION, "Год не пуст", "year_not_empty"
    )
    response = await client.post(f"/api/v1/academic-years/{to_year}/copy-from/{from_year}", headers=bearer())
    assert (response.status_code, response.json()["error"]["code"]) == (409, "year_not_empty")


async def test_the_template_is_an_xlsx_download(client, bearer, fakes) -> None:
    fakes.journal.reply(
        "GetYearImportTemplate", pb.GetYearImportTemplateResponse(workbook=b"PK\x03\x04template")
    )
    response = await client.get("/api/v1/year-import/template.xlsx", headers=bearer(("director",)))
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.content == b"PK\x03\x04template"

    fakes.journal.fail("GetYearImportTemplate", grpc.StatusCode.PERMISSION_DENIED, "Нет", "role_required")
    response = await client.get("/api/v1/year-import/template.xlsx", headers=bearer(("student",)))
    assert (response.status_code, response.json()["error"]["code"]) == (403, "role_required")
