"""Portal «Загрузка списка группы» with fake services (slice H2): the page offers the templates and the
form; refused rows stand in a Russian table (row, column, reason) with nothing created; an accepted
list downloads the slips PDF; a file of another kind is refused in place; no CSRF token, no upload."""

from __future__ import annotations

import uuid

from ejournal.identity.v1 import group_list_import_pb2 as gl
from ejournal.identity.v1 import identity_pb2 as ipb
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as jspb

from .test_accounts_slips import page_count
from .test_group_list_import import HEADER, csv_bytes, imported_account
from .test_portal_absences import log_in, token_of

GROUP = str(uuid.uuid4())
PAGE = f"/groups/{GROUP}/accounts/import"


async def test_refused_rows_then_the_slips(client, idp, fakes) -> None:
    await log_in(client, idp, roles=("class_teacher",), subject=str(uuid.uuid4()))
    fakes.journal.reply("GetGroup", jspb.GetGroupResponse(group=jpb.Group(group_id=GROUP, name="ИС-21")))
    page = await client.get(PAGE)
    assert page.status_code == 200
    assert "Загрузка списка группы ИС-21" in page.text and "/group-list-import/template.xlsx" in page.text

    fakes.identity.reply(
        "ImportGroupList",
        gl.ImportGroupListResponse(
            imported=False,
            errors=[
                gl.GroupListRowError(
                    row=3,
                    column="Дата рождения",
                    code="invalid_birth_date",
                    message="Дата рождения: ДД.ММ.ГГГГ",
                )
            ],
        ),
    )
    data = csv_bytes(HEADER, "Иванов;Пётр", "Петров;Иван;;31.02.2008")
    refused = await client.post(
        PAGE, data={"csrf_token": token_of(client)}, files={"file": ("группа.csv", data, "text/csv")}
    )
    assert refused.status_code == 422
    assert "Список не принят" in refused.text and "Ничего не создано" in refused.text
    assert "Дата рождения: ДД.ММ.ГГГГ" in refused.text and "(invalid_birth_date)" in refused.text

    student = str(uuid.uuid4())
    fakes.identity.reply(
        "ImportGroupList",
        gl.ImportGroupListResponse(
            imported=True, import_id="i", accounts=[imported_account(student, ipb.ROLE_STUDENT, "Иванов", [])]
        ),
    )
    pdf = await client.post(
        PAGE, data={"csrf_token": token_of(client)}, files={"file": ("группа.csv", data, "text/csv")}
    )
    assert (pdf.status_code, pdf.headers["content-type"], page_count(pdf.content)) == (
        200,
        "application/pdf",
        1,
    )
    assert pdf.headers["cache-control"] == "no-store"

    other = await client.post(
        PAGE,
        data={"csrf_token": token_of(client)},
        files={"file": ("скан.pdf", b"%PDF-1.4\x00", "application/pdf")},
    )
    assert (
        other.status_code == 422
        and "Этот формат не поддерживается" in other.text
        and "файл целиком" in other.text
    )
    none = await client.post(PAGE, data={"csrf_token": token_of(client)})
    assert none.status_code == 400 and "Выберите файл" in none.text
    forged = await client.post(PAGE, files={"file": ("группа.csv", data, "text/csv")})
    assert forged.status_code == 403


async def test_the_templates_download_from_the_portal(client, idp) -> None:
    await log_in(client, idp, roles=("class_teacher",), subject=str(uuid.uuid4()))
    xlsx = await client.get("/group-list-import/template.xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
