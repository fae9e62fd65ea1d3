"""The group-list file and its upload (slice H2): CSV (UTF-8 ± BOM, Windows-1251, `;` or `,`) and
XLSX read by the template's headers; a file that is empty, too big, not a list or missing a column is
refused as a whole (row 0) before identity is asked; identity's refused rows come back as 422; the
created accounts as the slips PDF (one page each, not cached); the templates download."""

from __future__ import annotations

import io
import uuid

import grpc
import pytest
from ejournal.identity.v1 import group_list_import_pb2 as gl
from ejournal.identity.v1 import identity_pb2 as ipb
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as jspb
from gateway.group_list_file import (
    TEMPLATE_HEADERS,
    FileParent,
    GroupListFileError,
    read_group_list,
    template_csv,
    template_xlsx,
)
from openpyxl import Workbook

from .test_accounts_slips import page_count

GROUP = str(uuid.uuid4())
HEADER = ";".join(TEMPLATE_HEADERS)


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return "\r\n".join(lines).encode(encoding)


def test_csv_with_bom_and_semicolons_reads_students_and_parents() -> None:
    data = "\ufeff".encode() + csv_bytes(
        HEADER,
        "Иванов;Пётр;Сергеевич;05.03.2008;Иванова;Мария;Петровна;m@example.ru;Иванов;Сергей;;",
        ";;;;;;;;;;;",
        "Петрова;Анна;;;;;;;;;;",
    )
    rows = read_group_list(data)
    assert [(r.row, r.last_name, r.birth_date) for r in rows] == [
        (2, "Иванов", "05.03.2008"),
        (4, "Петрова", ""),
    ]
    assert rows[0].parents == [
        FileParent("Иванова", "Мария", "Петровна", "m@example.ru"),
        FileParent("Иванов", "Сергей", "", ""),
    ]
    assert rows[1].parents == []


def test_commas_windows_1251_and_short_headers_after_each_surname() -> None:
    data = csv_bytes(
        "Фамилия студента,Имя,Отчество,Фамилия родителя 1,Имя,E-mail",
        "Сидоров,Иван,Ильич,Сидорова,Ольга,o@example.ru",
        encoding="cp1251",
    )
    [row] = read_group_list(data)
    assert (row.last_name, row.first_name, row.middle_name) == ("Сидоров", "Иван", "Ильич")
    assert row.parents == [FileParent("Сидорова", "Ольга", "", "o@example.ru")]


def test_xlsx_with_dates_typed_as_dates() -> None:
    from datetime import datetime

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(TEMPLATE_HEADERS)
    sheet.append(["Иванов", "Пётр", "", datetime(2008, 3, 5)])
    out = io.BytesIO()
    book.save(out)
    [row] = read_group_list(out.getvalue(), "список.xlsx")
    assert (row.row, row.last_name, row.birth_date) == (2, "Иванов", "2008-03-05")


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "a.csv", "empty_file"),
        (csv_bytes(HEADER), "a.csv", "empty_file"),
        (b"x" * (1024 * 1024 + 1), "a.csv", "file_too_large"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "a.xls", "unsupported_file"),
        (b"%PDF-1.4\x00\x01", "a.pdf", "unsupported_file"),
        (b"PK\x03\x04broken", "a.xlsx", "malformed_file"),
        (csv_bytes("Имя;Отчество", "Пётр;Ильич"), "a.csv", "missing_column"),
        (csv_bytes(HEADER, *[f"Студент{'а' * n};Анна" for n in range(61)]), "a.csv", "too_many_rows"),
    ],
    ids=["empty", "header only", "too big", "xls", "pdf", "broken xlsx", "no student surname", "61 rows"],
)
def test_a_file_refused_as_a_whole(data: bytes, name: str, code: str) -> None:
    with pytest.raises(GroupListFileError) as refused:
        read_group_list(data, name)
    assert refused.value.code == code and refused.value.message


def test_the_templates_read_back_as_their_example_row() -> None:
    for data in (template_xlsx(), template_csv()):
        [row] = read_group_list(data)
        assert (row.last_name, row.parents[0].email) == ("Иванов", "ivanova@example.ru")


def upload(data: bytes, name: str = "список.csv") -> dict[str, tuple[str, bytes, str]]:
    return {"file": (name, data, "text/csv")}


def imported_account(
    pid: str, role: ipb.Role.ValueType, last: str, students: list[str]
) -> gl.ImportedAccount:
    return gl.ImportedAccount(
        person_id=pid, role=role, username=f"{pid[:6]}", password="aB3dE5fG7hJ8kM", last_name=last,
        first_name="Анна", rows=[2], student_ids=students,
    )  # fmt: skip


async def test_the_class_teacher_gets_one_slip_per_person_created(client, bearer, fakes) -> None:
    fakes.journal.reply("GetGroup", jspb.GetGroupResponse(group=jpb.Group(group_id=GROUP, name="ИС-21")))
    student, parent = str(uuid.uuid4()), str(uuid.uuid4())
    fakes.identity.reply(
        "ImportGroupList",
        gl.ImportGroupListResponse(
            imported=True,
            import_id="imp",
            accounts=[
                imported_account(student, ipb.ROLE_STUDENT, "Иванов", []),
                imported_account(parent, ipb.ROLE_PARENT, "Иванова", [student]),
            ],
        ),
    )
    data = csv_bytes(HEADER, "Иванов;Пётр;;05.03.2008;Иванова;Мария;;;;;;")
    done = await client.post(
        f"/api/v1/groups/{GROUP}/accounts/import", files=upload(data), headers=bearer(("class_teacher",))
    )
    assert done.status_code == 200, done.text
    assert done.headers["content-type"] == "application/pdf" and done.headers["cache-control"] == "no-store"
    assert (done.headers["x-students-created"], done.headers["x-parents-created"]) == ("1", "1")
    assert page_count(done.content) == 2
    [row] = fakes.identity.last("ImportGroupList").request.rows
    assert (row.row, row.last_name, row.birth_date, row.parents[0].first_name) == (
        2,
        "Иванов",
        "05.03.2008",
        "Мария",
    )


async def test_refused_rows_come_back_as_422_and_a_bad_file_never_reaches_identity(
    client, bearer, fakes
) -> None:
    fakes.journal.reply("GetGroup", jspb.GetGroupResponse(group=jpb.Group(group_id=GROUP, name="ИС-21")))
    fakes.identity.reply(
        "ImportGroupList",
        gl.ImportGroupListResponse(
            imported=False,
            errors=[
                gl.GroupListRowError(
                    row=3, column="Фамилия студента", code="student_listed_twice", message="…"
                )
            ],
        ),
    )
    refused = await client.post(
        f"/api/v1/groups/{GROUP}/accounts/import",
        files=upload(csv_bytes(HEADER, "Иванов;Пётр", "Иванов;Пётр")),
        headers=bearer(("class_teacher",)),
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "group_list_refused"
    assert refused.json()["errors"] == [
        {"row": 3, "column": "Фамилия студента", "code": "student_listed_twice", "message": "…"}
    ]
    bad = await client.post(
        f"/api/v1/groups/{GROUP}/accounts/import",
        files=upload(b"%PDF-1.4\x00", "scan.pdf"),
        headers=bearer(("class_teacher",)),
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["code"] == "unsupported_file"
    # Identity was asked only whether the caller may import into the group: no row sent.
    assert list(fakes.identity.last("ImportGroupList").request.rows) == []


async def test_a_bad_file_from_a_stranger_is_refused_as_a_stranger(client, bearer, fakes) -> None:
    fakes.identity.fail(
        "ImportGroupList", grpc.StatusCode.PERMISSION_DENIED, "Нет доступа", "not_class_teacher_of_group"
    )
    refused = await client.post(
        f"/api/v1/groups/{GROUP}/accounts/import", files=upload(b""), headers=bearer(("class_teacher",))
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_class_teacher_of_group"


async def test_a_group_the_journal_refuses_stops_the_import_before_identity(client, bearer, fakes) -> None:
    fakes.journal.fail("GetGroup", grpc.StatusCode.NOT_FOUND, "Группа не найдена", "group_not_found")
    refused = await client.post(
        f"/api/v1/groups/{GROUP}/accounts/import",
        files=upload(csv_bytes(HEADER, "Иванов;Пётр")),
        headers=bearer(("class_teacher",)),
    )
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "group_not_found"
    assert not [c for c in fakes.identity.calls if c.method == "ImportGroupList"]


async def test_a_file_just_under_a_megabyte_is_not_cut_by_the_body_cap(client, bearer, fakes) -> None:
    fakes.identity.reply("ImportGroupList", gl.ImportGroupListResponse(imported=False))
    refused = await client.post(
        f"/api/v1/groups/{GROUP}/accounts/import",
        files=upload(csv_bytes(HEADER) + b"\r\n" + b";" * (1024 * 1024 - 2000)),
        headers=bearer(("class_teacher",)),
    )
    # Read whole and judged by the file's rules (no student in it), not refused as a 413 body.
    assert refused.status_code == 422 and refused.json()["errors"][0]["code"] == "empty_file"


async def test_the_templates_download(client, bearer) -> None:
    xlsx = await client.get("/api/v1/group-list-import/template.xlsx", headers=bearer(("class_teacher",)))
    csv = await client.get("/api/v1/group-list-import/template.csv", headers=bearer(("class_teacher",)))
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert csv.status_code == 200 and csv.content.startswith("\ufeff".encode())
