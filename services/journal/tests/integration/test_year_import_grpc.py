"""Opening a year from XLSX and copying a year (R2.1) over real gRPC and PostgreSQL: a whole workbook in
one transaction with the single writes' events; a bad row in the last sheet leaves nothing written;
a malformed file is refused; a re-import changes nothing; a copy moves the calendars into an empty year."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from typing import Any

import grpc
import pytest
from chassis.grpc_client import error_code_of
from chassis.outbox import OUTBOX
from chassis.testing import LocalIssuer
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.journal.v1 import journal_pb2 as jpb
from ejournal.journal.v1 import journal_service_pb2 as pb
from journal_service.adapters import orm
from openpyxl import Workbook
from sqlalchemy import func, select

from .served import Journal as Served

pytestmark = pytest.mark.integration
TABLES = (
    orm.groups,
    orm.disciplines,
    orm.teaching_loads,
    orm.calendar_spans,
    orm.bell_pairs,
    orm.timetable_entries,
)


class Journal(Served):
    async def counts(self) -> dict[str, int]:
        async with self.sessions() as s:
            found = {t.name: int(await s.scalar(select(func.count()).select_from(t)) or 0) for t in TABLES}
            found["outbox"] = int(await s.scalar(select(func.count()).select_from(OUTBOX)) or 0)
            return found

    async def subjects(self) -> list[str]:
        async with self.sessions() as s:
            return list(await s.scalars(select(OUTBOX.c.subject).order_by(OUTBOX.c.created_at)))

    async def open_year(self, first: int) -> str:
        def day(y: int, m: int, d: int) -> LocalDate:
            return LocalDate(year=y, month=m, day=d)

        request = pb.OpenAcademicYearRequest(
            name=f"{first}/{first + 1}",
            span=jpb.DateSpan(starts_on=day(first, 9, 1), ends_on=day(first + 1, 8, 31)),
            semester1=jpb.DateSpan(starts_on=day(first, 9, 1), ends_on=day(first, 12, 31)),
            semester2=jpb.DateSpan(starts_on=day(first + 1, 1, 12), ends_on=day(first + 1, 6, 30)),
        )
        return str((await self.stub.OpenAcademicYear(request, metadata=self.admin)).year.year_id)

    async def load(
        self, year_id: str, data: bytes, *, dry_run: bool = False
    ) -> pb.ImportYearWorkbookResponse:
        request = pb.ImportYearWorkbookRequest(year_id=year_id, workbook=data, dry_run=dry_run)
        return await self.stub.ImportYearWorkbook(request, metadata=self.admin)


@pytest.fixture
async def journal(fresh_db: Callable[[str], Awaitable[str]], issuer: LocalIssuer) -> AsyncIterator[Journal]:
    async with Journal.served(await fresh_db("journal"), issuer, today=date(2026, 10, 15)) as journal:
        yield journal


def xlsx_bytes(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def workbook(teacher: str, class_teacher: str) -> dict[str, list[list[Any]]]:
    return {
        "Группы": [
            [
                "Группа",
                "Курс",
                "Код специальности",
                "Специальность",
                "Форма обучения",
                "Классный руководитель",
            ],
            ["ИС-21", 2, "09.02.07", "Информационные системы", "очная", class_teacher],
            ["ИС-22", 1, None, None, None, None],
        ],
        "Дисциплины": [["Код", "Наименование", "Вид"], ["ОП.01", "Операционные системы", "дисциплина"]],
        "Нагрузка": [
            ["Группа", "Код дисциплины", "Преподаватель"],
            ["ИС-21", "ОП.01", teacher],
            ["ИС-22", "ОП.01", teacher],
        ],
        "Календарь": [
            ["Группа", "Вид периода", "Начало", "Окончание"],
            ["ИС-21", "теоретическое обучение", "01.09.2026", "27.12.2026"],
            ["ИС-21", "каникулы", "28.12.2026", "11.01.2027"],
        ],
        "Звонки": [["Пара", "Начало", "Окончание"], [1, "08:30", "10:00"], [2, "10:10", "11:40"]],
        "Расписание": [
            ["Группа", "Семестр", "День недели", "Пара", "Неделя", "Код дисциплины", "Преподаватель"],
            ["ИС-21", 1, "понедельник", 2, "чётная", "ОП.01", teacher],
        ],
        "КТП": [
            ["Группа", "Код дисциплины", "Тема", "Часов", "Вид занятия"],
            ["ИС-21", "ОП.01", "Процессы и потоки", 2, "лекция"],
            ["ИС-21", "ОП.01", "Планировщик", 2, "лабораторная работа"],
        ],
    }


async def test_a_workbook_is_written_in_one_transaction_and_a_repeat_changes_nothing(
    journal: Journal,
) -> None:
    year_id = await journal.open_year(2026)
    before = await journal.counts()
    data = xlsx_bytes(workbook(journal.people.new("teacher"), journal.people.new("class_teacher")))

    dry = await journal.load(year_id, data, dry_run=True)
    assert not dry.imported and list(dry.errors) == []
    assert await journal.counts() == before

    done = await journal.load(year_id, data)

    assert done.imported and list(done.errors) == []
    assert [(s.sheet, s.rows, s.created, s.updated, s.unchanged) for s in done.sheets] == [
        ("Группы", 2, 2, 0, 0),
        ("Дисциплины", 1, 1, 0, 0),
        ("Нагрузка", 2, 2, 0, 0),
        ("Расписание", 1, 1, 0, 0),
        ("КТП", 2, 2, 0, 0),
        ("Календарь", 2, 2, 0, 0),
        ("Звонки", 2, 0, 2, 0),
    ]
    after = await journal.counts()
    assert {k: after[k] - before[k] for k in after} == {
        "groups": 2,
        "disciplines": 1,
        "teaching_loads": 2,
        "calendar_spans": 2,
        "bell_pairs": 2 - before["bell_pairs"],
        "timetable_entries": 1,
        "outbox": 2 + 2 + 1 + 1 + 1 + 1,
    }
    subjects = (await journal.subjects())[-8:]
    assert sorted(subjects) == sorted(
        ["journal.group.created.v1"] * 2
        + ["journal.load.assigned.v1"] * 2
        + [
            "journal.calendar.set.v1",
            "journal.bells.set.v1",
            "journal.timetable.set.v1",
            "journal.ktp.set.v1",
        ]
    )
    groups = await journal.stub.ListGroups(pb.ListGroupsRequest(name_prefix="ИС-2"), metadata=journal.admin)
    assert [(g.name, g.course_year, g.specialty_code) for g in groups.groups] == [
        ("ИС-21", 2, "09.02.07"),
        ("ИС-22", 1, ""),
    ]

    again = await journal.load(year_id, data)
    assert again.imported
    assert [(s.created, s.updated) for s in again.sheets] == [(0, 0)] * 7
    assert await journal.counts() == after


async def test_a_bad_row_in_the_last_sheet_leaves_nothing_written(journal: Journal) -> None:
    year_id = await journal.open_year(2026)
    sheets = workbook(journal.people.new("teacher"), journal.people.new("class_teacher"))
    sheets["Звонки"].append([3, "11:00", "12:00"])  # starts before pair 2 ends
    before = await journal.counts()

    report = await journal.load(year_id, xlsx_bytes(sheets))

    assert not report.imported
    assert [(e.sheet, e.row, e.column, e.code) for e in report.errors] == [
        ("Звонки", 4, "Начало", "pairs_overlap")
    ]
    assert "Пара №3" in report.errors[0].message
    assert await journal.counts() == before


async def test_a_database_refusal_in_the_middle_leaves_nothing_written(journal: Journal) -> None:
    year_id = await journal.open_year(2026)
    teacher = journal.people.new("teacher")
    student = journal.people.new("student")
    sheets = workbook(teacher, journal.people.new("class_teacher"))
    sheets["Нагрузка"].append(["ИС-22", "ОП.01", student])  # row 4: a student is given a load
    before = await journal.counts()

    report = await journal.load(year_id, xlsx_bytes(sheets))

    assert [(e.sheet, e.row, e.column, e.code) for e in report.errors] == [
        ("Нагрузка", 4, "Преподаватель", "person_not_teacher")
    ]
    assert await journal.counts() == before


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"this is not a workbook", grpc.StatusCode.INVALID_ARGUMENT, "xlsx_malformed"),
        (b"PK\x03\x04broken", grpc.StatusCode.INVALID_ARGUMENT, "xlsx_malformed"),
        (b"", grpc.StatusCode.INVALID_ARGUMENT, "xlsx_malformed"),
    ],
    ids=["text", "broken-zip", "empty"],
)
async def test_a_malformed_file_is_refused_with_its_code(
    journal: Journal, data: bytes, status: grpc.StatusCode, code: str
) -> None:
    year_id = await journal.open_year(2026)
    before = await journal.counts()
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await journal.load(year_id, data)
    assert (refused.value.code(), error_code_of(refused.value)) == (status, code)
    assert "XLSX" in (refused.value.details() or "")
    assert await journal.counts() == before


async def test_an_unknown_year_and_a_bad_id_are_refused(journal: Journal) -> None:
    data = xlsx_bytes({"Звонки": [["Пара", "Начало", "Окончание"], [1, "08:30", "10:00"]]})
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await journal.load(str(uuid.uuid4()), data)
    assert (missing.value.code(), error_code_of(missing.value)) == (
        grpc.StatusCode.NOT_FOUND,
        "academic_year_not_found",
    )
    with pytest.raises(grpc.aio.AioRpcError) as bad:
        await journal.load("2026", data)
    assert error_code_of(bad.value) == "invalid_year_id"


async def test_the_template_is_a_workbook_that_imports_clean_on_a_dry_run(journal: Journal) -> None:
    year_id = await journal.open_year(2026)
    template = await journal.stub.GetYearImportTemplate(
        pb.GetYearImportTemplateRequest(), metadata=journal.admin
    )
    report = await journal.load(year_id, template.workbook, dry_run=True)
    # The examples name people this journal does not know: those rows, and only those, are refused.
    assert {(e.sheet, e.code) for e in report.errors} == {
        ("Группы", "person_not_found"),
        ("Нагрузка", "person_not_found"),
        ("Расписание", "person_not_found"),
    }


async def test_copying_a_year_moves_the_calendars_into_an_empty_year_once(journal: Journal) -> None:
    last, this = await journal.open_year(2025), await journal.open_year(2026)
    sheets = {
        "Группы": [["Группа"], ["ИС-31"]],
        "Дисциплины": [["Код", "Наименование", "Вид"], ["ОП.31", "Физика", "дисциплина"]],
        "Учебный план": [
            ["Группа", "Код дисциплины", "Семестр", "Всего часов", "Часов в неделю", "Форма контроля"],
            ["ИС-31", "ОП.31", 1, 72, 4, "экзамен"],
        ],
        "Календарь": [
            ["Группа", "Вид периода", "Начало", "Окончание"],
            ["ИС-31", "теоретическое обучение", "01.09.2025", "28.12.2025"],
            ["ИС-31", "каникулы", "29.12.2025", "11.01.2026"],
        ],
    }
    assert (await journal.load(last, xlsx_bytes(sheets))).imported

    copied = await journal.stub.CopyYearStructure(
        pb.CopyYearStructureRequest(from_year_id=last, to_year_id=this), metadata=journal.admin
    )

    assert [(c.sheet, c.created) for c in copied.copied] == [
        ("Календарь", 2),
        ("Учебный план", 1),
        ("Расписание", 0),
    ]
    group = (
        await journal.stub.ListGroups(pb.ListGroupsRequest(name_prefix="ИС-31"), metadata=journal.admin)
    ).groups[0]
    calendar = await journal.stub.GetGroupCalendar(
        pb.GetGroupCalendarRequest(group_id=group.group_id, year_id=this), metadata=journal.admin
    )
    assert [(s.span.starts_on.month, s.span.starts_on.day, s.span.ends_on.day) for s in calendar.spans] == [
        (9, 1, 27),
        (12, 28, 10),
    ]
    assert (await journal.subjects())[-2:] == ["journal.calendar.set.v1", "journal.curriculum.set.v1"]
    plan = await journal.stub.GetCurriculum(
        pb.GetCurriculumRequest(group_id=group.group_id, year_id=this), metadata=journal.admin
    )
    assert [(r.semester, r.total_hours) for r in plan.rows] == [(1, 72)]
    before = await journal.counts()
    with pytest.raises(grpc.aio.AioRpcError) as again:
        await journal.stub.CopyYearStructure(
            pb.CopyYearStructureRequest(from_year_id=last, to_year_id=this), metadata=journal.admin
        )
    assert (again.value.code(), error_code_of(again.value)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "year_not_empty",
    )
    assert await journal.counts() == before
