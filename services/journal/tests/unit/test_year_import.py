"""Opening a year from XLSX and copying a year (R2.1) against in-memory fakes: workbooks built in memory
with openpyxl, every refusal code, nothing written when any row is refused, idempotent re-import."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import date, datetime, time
from typing import Any

import pytest
from chassis.auth import Principal
from chassis.errors import DomainError, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from ejournal.journal.v1 import events_pb2 as events
from journal_service.adapters import xlsx
from journal_service.application.handlers import JournalHandlers
from journal_service.application.year_import import CopyYearStructure, ImportReport, ImportYearWorkbook
from journal_service.domain import lessons, model, timetable, year
from journal_service.domain import year_import as wb
from journal_service.domain.curriculum import ControlForm, CurriculumRow
from journal_service.domain.year import CalendarSpan, CalendarSpanKind, DateSpan
from openpyxl import Workbook, load_workbook

from .fakes import FakeGuardians, FakePersonDirectory, FakeStore, fake_unit_of_work, person_directory

ADMIN = Principal(subject=str(uuid.uuid4()), roles=frozenset({"admin"}), token="t")
YEAR = DateSpan(date(2026, 9, 1), date(2027, 8, 31))
SEM1 = DateSpan(date(2026, 9, 1), date(2026, 12, 31))
SEM2 = DateSpan(date(2027, 1, 12), date(2027, 6, 30))
HEADERS = {spec.name: [c.header for c in spec.columns] for spec in wb.SHEETS}


def xlsx_bytes(sheets: dict[str, list[list[Any]]], *, headers: bool = True) -> bytes:
    """A workbook with these sheets: the template's header row (unless told not to), then the rows."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        if headers:
            sheet.append(HEADERS.get(name, ["A"]))
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def directory() -> FakePersonDirectory:
    return FakePersonDirectory()


@pytest.fixture
def handlers(store: FakeStore, directory: FakePersonDirectory) -> JournalHandlers:
    return JournalHandlers(
        uow=lambda: fake_unit_of_work(store),
        guardians=FakeGuardians(),
        today=date.today,
        people=person_directory(directory),
    )


def known(directory: FakePersonDirectory, role: str) -> uuid.UUID:
    person_id = uuid.uuid4()
    directory.roles[person_id] = role
    return person_id


def open_year(store: FakeStore, first: int = 2026) -> year.AcademicYear:
    opened = year.new_academic_year(
        f"{first}/{first + 1}",
        DateSpan(date(first, 9, 1), date(first + 1, 8, 31)),
        DateSpan(date(first, 9, 1), date(first, 12, 31)),
        DateSpan(date(first + 1, 1, 12), date(first + 1, 6, 30)),
    )
    store.years.items[opened.id] = opened
    return opened


async def run(
    handlers: JournalHandlers,
    year_id: uuid.UUID,
    data: bytes,
    *,
    dry_run: bool = False,
    actor: Principal = ADMIN,
) -> ImportReport:
    cmd = ImportYearWorkbook(year_id=year_id, read_sheets=lambda: xlsx.read_workbook(data), dry_run=dry_run)
    return await handlers.year_import.import_workbook(cmd, actor)


def codes(report: ImportReport) -> list[tuple[str, int, str, str]]:
    return [(e.sheet, e.row, e.column, e.code) for e in report.errors]


def full_workbook(teacher: uuid.UUID, class_teacher: uuid.UUID) -> dict[str, list[list[Any]]]:
    return {
        "Группы": [
            [
                "ИС-21",
                2,
                "09.02.07",
                "Информационные системы и программирование",
                "очная",
                str(class_teacher),
            ],
            ["ИС-22", "1", None, None, "Заочная", None],
        ],
        "Дисциплины": [
            ["ОП.01", "Операционные системы", "дисциплина"],
            ["МДК.01.01", "Разработка ПО", "МДК"],
        ],
        "Нагрузка": [["ИС-21", "ОП.01", str(teacher)], ["ИС-22", "МДК.01.01", str(teacher)]],
        "Календарь": [
            ["ИС-21", "теоретическое обучение", "01.09.2026", "27.12.2026"],
            ["ИС-21", "каникулы", datetime(2026, 12, 31), date(2027, 1, 11)],
            ["ИС-22", "Учебная практика", "2027-05-03", "2027-05-28"],
        ],
        "Звонки": [[1, "8:30", "10:00"], [2, time(10, 10), "11:40"], [3, "12:20", "13:50"]],
    }


async def test_a_whole_workbook_is_written_with_the_events_of_the_single_writes(
    handlers: JournalHandlers, store: FakeStore, directory: FakePersonDirectory
) -> None:
    academic_year = open_year(store)
    teacher, class_teacher = known(directory, "teacher"), known(directory, "class_teacher")
    report = await run(handlers, academic_year.id, xlsx_bytes(full_workbook(teacher, class_teacher)))

    assert report.imported and report.errors == []
    counts = {s.sheet: (s.rows, s.created, s.updated, s.unchanged) for s in report.sheets}
    assert counts == {
        "Группы": (2, 2, 0, 0),
        "Дисциплины": (2, 2, 0, 0),
        "Нагрузка": (2, 2, 0, 0),
        "Календарь": (3, 3, 0, 0),
        "Звонки": (3, 0, 3, 0),
    }
    groups = {g.name: g for g in store.groups.items.values()}
    assert groups["ИС-21"].course_year == 2 and groups["ИС-21"].class_teacher_id == class_teacher
    assert groups["ИС-21"].study_form == year.StudyForm.FULL_TIME
    assert groups["ИС-22"].study_form == year.StudyForm.EXTRAMURAL and groups["ИС-22"].specialty_code == ""
    kinds = {d.code: d.kind for d in store.disciplines.items.values()}
    assert kinds == {"ОП.01": model.DisciplineKind.DISCIPLINE, "МДК.01.01": model.DisciplineKind.MDK}
    assert {(x.teacher_id, x.group_id) for x in store.loads.items} == {
        (teacher, groups["ИС-21"].id),
        (teacher, groups["ИС-22"].id),
    }
    calendar = store.years.calendars[(groups["ИС-21"].id, academic_year.id)]
    assert [c.kind for c in calendar] == [CalendarSpanKind.THEORY, CalendarSpanKind.HOLIDAYS]
    assert calendar[1].span == DateSpan(date(2026, 12, 31), date(2027, 1, 11))
    assert [(p.number, p.starts_at, p.ends_at) for p in store.bells.items] == [
        (1, 510, 600),
        (2, 610, 700),
        (3, 740, 830),
    ]
    assert len(store.events_of(events.GroupCreated)) == 2
    assert len(store.events_of(events.TeachingLoadAssigned)) == 2
    assert len(store.events_of(events.GroupCalendarSet)) == 2
    assert [e.pair_count for e in store.events_of(events.BellScheduleSet)] == [3]


async def test_the_same_workbook_again_changes_nothing_and_says_so(
    handlers: JournalHandlers, store: FakeStore, directory: FakePersonDirectory
) -> None:
    academic_year = open_year(store)
    data = xlsx_bytes(full_workbook(known(directory, "teacher"), known(directory, "class_teacher")))
    await run(handlers, academic_year.id, data)
    emitted = len(store.events)

    again = await run(handlers, academic_year.id, data)

    assert again.imported and again.errors == []
    assert {s.sheet: (s.created, s.updated, s.unchanged) for s in again.sheets} == {
        "Группы": (0, 0, 2),
        "Дисциплины": (0, 0, 2),
        "Нагрузка": (0, 0, 2),
        "Календарь": (0, 0, 3),
        "Звонки": (0, 0, 3),
    }
    assert len(store.groups.items) == 2 and len(store.disciplines.items) == 2 and len(store.loads.items) == 2
    assert len(store.events) == emitted


async def test_a_changed_group_is_updated_with_the_group_updated_event(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    academic_year = open_year(store)
    group = model.Group(id=uuid.uuid4(), name="ИС-21", course_year=1)
    store.groups.add(group)

    report = await run(
        handlers, academic_year.id, xlsx_bytes({"Группы": [["ИС-21", 2, None, None, None, None]]})
    )

    assert [(s.created, s.updated, s.unchanged) for s in report.sheets] == [(0, 1, 0)]
    assert group.course_year == 2
    assert [e.course_year for e in store.events_of(events.GroupUpdated)] == [2]


async def test_a_dry_run_checks_everything_and_writes_nothing(
    handlers: JournalHandlers, store: FakeStore, directory: FakePersonDirectory
) -> None:
    academic_year = open_year(store)
    data = xlsx_bytes(full_workbook(known(directory, "teacher"), known(directory, "class_teacher")))

    report = await run(handlers, academic_year.id, data, dry_run=True)

    assert not report.imported and report.errors == []
    assert sum(s.created for s in report.sheets) == 9
    assert store.groups.items == {} and store.disciplines.items == {} and store.loads.items == []
    assert store.events == [] and store.years.calendars == {}


async def test_one_bad_row_in_the_last_sheet_leaves_nothing_written(
    handlers: JournalHandlers, store: FakeStore, directory: FakePersonDirectory
) -> None:
    academic_year = open_year(store)
    sheets = full_workbook(known(directory, "teacher"), known(directory, "class_teacher"))
    sheets["Звонки"].append([4, "13:40", "15:10"])  # starts before pair 3 ends

    report = await run(handlers, academic_year.id, xlsx_bytes(sheets))

    assert not report.imported
    assert codes(report) == [("Звонки", 5, "Начало", "pairs_overlap")]
    assert store.groups.items == {} and store.disciplines.items == {} and store.loads.items == []
    assert store.events == [] and store.years.calendars == {}
    assert [p.number for p in store.bells.items] == [1, 2]


async def test_every_row_refusal_carries_sheet_row_column_and_the_rpcs_code(
    handlers: JournalHandlers, store: FakeStore, directory: FakePersonDirectory
) -> None:
    academic_year = open_year(store)
    student = known(directory, "student")
    store.disciplines.add(model.Discipline(uuid.uuid4(), "ОП.09", "История", model.DisciplineKind.DISCIPLINE))
    stranger = uuid.uuid4()
    sheets: dict[str, list[list[Any]]] = {
        "Группы": [
            ["", 1, None, None, None, None],  # row 2
            ["ИС-31", 7, "09-02-07", None, "вечерняя", None],  # row 3
            ["ИС-34", None, None, None, None, str(student)],  # row 4
            ["ИС-32", None, None, None, None, "не-uuid"],  # row 5
            ["ИС-33", None, None, None, None, None],  # row 6
            ["ИС-33", None, None, None, None, None],  # row 7
            ["Г" * 33, None, None, None, None, None],  # row 8
        ],
        "Дисциплины": [
            ["ОП.09", "Другая история", "дисциплина"],  # row 2
            ["ОП.10", "Физика", "предмет"],  # row 3
            ["ОП.11", "", "дисциплина"],  # row 4
        ],
        "Нагрузка": [
            ["НЕТ-1", "ОП.99", str(stranger)],  # row 2
            ["ИС-33", "ОП.09", str(student)],  # row 3
        ],
        "Календарь": [
            ["ИС-33", "теоретическое обучение", "01.09.2026", "20.12.2026"],  # row 2
            ["ИС-33", "каникулы", "15.12.2026", "10.01.2027"],  # row 3
            ["ИС-33", "сессия", "01.02.2027", "10.02.2027"],  # row 4
            ["ИС-33", "каникулы", "10.08.2027", "10.09.2027"],  # row 5
            ["ИС-33", "ГИА", "30.06.2027", "01.06.2027"],  # row 6
            ["ИС-33", "ГИА", "31.06.2027", "01.07.2027"],  # row 7
            ["НЕТ-2", "ГИА", "01.06.2027", "20.06.2027"],  # row 8
        ],
        "Звонки": [[9, "8:30", "10:00"], [2, "11:00", "10:10"], [3, "25:00", "26:00"], [1, "8:30", "10:00"]],
    }

    report = await run(handlers, academic_year.id, xlsx_bytes(sheets))

    assert codes(report) == [
        ("Группы", 2, "Группа", "missing_name"),
        ("Группы", 3, "Форма обучения", "invalid_study_form"),
        ("Группы", 3, "Курс", "invalid_course_year"),
        ("Группы", 3, "Код специальности", "invalid_specialty_code"),
        ("Группы", 4, "Классный руководитель", "person_not_teacher"),
        ("Группы", 5, "Классный руководитель", "invalid_class_teacher_id"),
        ("Группы", 7, "Группа", "duplicate_row"),
        ("Группы", 8, "Группа", "too_long_name"),
        ("Дисциплины", 2, "Наименование", "discipline_differs"),
        ("Дисциплины", 3, "Вид", "invalid_kind"),
        ("Дисциплины", 4, "Наименование", "missing_name"),
        ("Нагрузка", 2, "Группа", "group_not_found"),
        ("Нагрузка", 2, "Код дисциплины", "discipline_not_found"),
        ("Нагрузка", 2, "Преподаватель", "person_not_found"),
        ("Нагрузка", 3, "Преподаватель", "person_not_teacher"),
        ("Календарь", 3, "Начало", "spans_overlap"),
        ("Календарь", 5, "Окончание", "span_outside_year"),
        ("Календарь", 6, "Окончание", "invalid_span_dates"),
        ("Календарь", 7, "Начало", "invalid_starts_on"),
        ("Календарь", 8, "Группа", "group_not_found"),
        ("Звонки", 2, "Пара", "invalid_bell_schedule"),
        ("Звонки", 3, "Пара", "invalid_bell_schedule"),
        ("Звонки", 4, "Начало", "invalid_starts_at"),
        ("Звонки", 4, "Окончание", "invalid_ends_at"),
    ]
    assert all(e.message for e in report.errors)
    assert not report.imported and store.events == [] and store.groups.items == {}


async def test_duplicate_rows_of_each_keyed_sheet_are_refused(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    academic_year = open_year(store)
    teacher = uuid.uuid4()
    sheets: dict[str, list[list[Any]]] = {
        "Дисциплины": [["ОП.01", "А", "дисциплина"], ["ОП.01", "А", "дисциплина"]],
        "Нагрузка": [["ИС", "ОП.01", str(teacher)], ["ИС", "ОП.01", str(teacher)]],
        "Звонки": [[1, "8:30", "10:00"], [1, "8:30", "10:00"]],
    }
    report = await run(handlers, academic_year.id, xlsx_bytes(sheets), dry_run=True)
    assert [(s, r, c) for s, r, _, c in codes(report) if c == "duplicate_row"] == [
        ("Дисциплины", 3, "duplicate_row"),
        ("Нагрузка", 3, "duplicate_row"),
        ("Звонки", 3, "duplicate_row"),
    ]


async def test_unknown_sheets_and_missing_columns_are_refused_by_sheet(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    academic_year = open_year(store)
    book = Workbook()
    book.active.title = "Групы"
    book.active.append(["Группа"])
    book.active.append(["ИС-21"])
    loads = book.create_sheet("Нагрузка")
    loads.append(["Группа", "Преподаватель"])
    loads.append(["ИС-21", str(uuid.uuid4())])
    book.create_sheet("Описание").append(["что угодно"])
    out = io.BytesIO()
    book.save(out)

    report = await run(handlers, academic_year.id, out.getvalue())

    assert codes(report) == [
        ("Нагрузка", 1, "Код дисциплины", "missing_column"),
        ("Групы", 0, "", "unknown_sheet"),
    ]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "xlsx_malformed"),
        (b"%PDF-1.7 not a workbook", "xlsx_malformed"),
        (b"PK\x03\x04" + b"\x00" * 100, "xlsx_malformed"),
        ("Группа;Курс\nИС-21;2\n".encode(), "xlsx_malformed"),
        (b"x" * (wb.MAX_WORKBOOK_BYTES + 1), "xlsx_too_large"),
    ],
    ids=["empty", "pdf", "broken-zip", "csv", "too-large"],
)
async def test_a_file_that_is_no_readable_workbook_is_refused_whole(
    handlers: JournalHandlers, store: FakeStore, data: bytes, code: str
) -> None:
    academic_year = open_year(store)
    with pytest.raises(DomainError) as refused:
        await run(handlers, academic_year.id, data)
    assert refused.value.code == code


async def test_a_zip_that_is_no_workbook_or_unpacks_too_large_is_refused(
    handlers: JournalHandlers, store: FakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wb, "MAX_UNPACKED_BYTES", 1024 * 1024)
    academic_year = open_year(store)
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as packed:
        packed.writestr("hello.txt", "not a workbook")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as packed:
        packed.writestr("xl/huge.xml", b"0" * (wb.MAX_UNPACKED_BYTES + 1))
    assert len(bomb.getvalue()) < wb.MAX_WORKBOOK_BYTES

    for data, code in ((plain.getvalue(), "xlsx_malformed"), (bomb.getvalue(), "xlsx_too_large")):
        with pytest.raises(DomainError) as refused:
            await run(handlers, academic_year.id, data)
        assert refused.value.code == code


async def test_too_many_rows_and_no_template_sheet_are_refused(
    handlers: JournalHandlers, store: FakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wb, "MAX_SHEET_ROWS", 50)
    academic_year = open_year(store)
    many = xlsx_bytes({"Звонки": [[1, "8:30", "10:00"]] * (wb.MAX_SHEET_ROWS + 1)})
    with pytest.raises(InvalidArgument) as refused:
        await run(handlers, academic_year.id, many)
    assert refused.value.code == "xlsx_too_many_rows"
    with pytest.raises(InvalidArgument) as empty:
        await run(handlers, academic_year.id, xlsx_bytes({"Описание": []}, headers=False))
    assert empty.value.code == "xlsx_empty"


async def test_only_the_admin_imports_and_the_year_must_exist(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    academic_year = open_year(store)
    data = xlsx_bytes({"Звонки": [[1, "8:30", "10:00"]]})
    for role in ("director", "deputy", "curator", "teacher", "class_teacher", "student", "parent"):
        with pytest.raises(PermissionDenied) as refused:
            await run(
                handlers,
                academic_year.id,
                b"not even a workbook",
                actor=Principal(str(uuid.uuid4()), frozenset({role}), "t"),
            )
        assert refused.value.code == "role_required"
    with pytest.raises(NotFound) as missing:
        await run(handlers, uuid.uuid4(), data)
    assert missing.value.code == "academic_year_not_found"


async def test_a_teacher_identity_does_not_know_yet_is_asked_for_once(
    handlers: JournalHandlers, store: FakeStore, directory: FakePersonDirectory
) -> None:
    academic_year = open_year(store)
    teacher = known(directory, "teacher")
    data = xlsx_bytes(
        {
            "Группы": [["ИС-21", None, None, None, None, None]],
            "Дисциплины": [["ОП.01", "Физика", "дисциплина"]],
            "Нагрузка": [["ИС-21", "ОП.01", str(teacher)]],
        }
    )
    report = await run(handlers, academic_year.id, data)
    assert report.imported
    assert directory.asked == [[teacher]] and store.people.roles == {teacher: "teacher"}


def test_the_template_reads_back_as_a_workbook_without_errors() -> None:
    data = xlsx.template_workbook()
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == [*HEADERS, "Описание"]
    for name, headers in HEADERS.items():
        assert [c.value for c in book[name][1]] == headers
    sheets = xlsx.read_workbook(data)
    read, errors = wb.read_workbook(sheets)
    assert errors == [] and read.sheets == list(HEADERS)
    parts = ("groups", "disciplines", "loads", "curriculum", "timetable", "ktp", "calendar", "bells")
    assert [len(getattr(read, part)) for part in parts] == [1] * 8


async def test_the_template_is_for_the_administration(handlers: JournalHandlers) -> None:
    for role in ("admin", "director", "deputy", "curator"):
        handlers.year_import.template(Principal(str(uuid.uuid4()), frozenset({role}), "t"))
    for role in ("teacher", "class_teacher", "student", "parent"):
        with pytest.raises(PermissionDenied):
            handlers.year_import.template(Principal(str(uuid.uuid4()), frozenset({role}), "t"))


async def test_copying_a_year_moves_the_calendars_by_whole_weeks_into_an_empty_year(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    last, this = open_year(store, 2025), open_year(store, 2026)
    group = uuid.uuid4()
    store.years.calendars[(group, last.id)] = [
        CalendarSpan(CalendarSpanKind.THEORY, DateSpan(date(2025, 9, 1), date(2025, 12, 28))),
        CalendarSpan(CalendarSpanKind.HOLIDAYS, DateSpan(date(2025, 12, 29), date(2026, 1, 11))),
        CalendarSpan(CalendarSpanKind.HOLIDAYS, DateSpan(date(2026, 7, 1), date(2026, 8, 31))),
    ]
    discipline = uuid.uuid4()
    store.curricula.items[(group, last.id)] = [CurriculumRow(discipline, 1, 72, 4, ControlForm.EXAM)]
    source_entry = timetable.TimetableEntry(
        uuid.uuid4(), group, last.id, 1, 1, 2, timetable.WeekParity.EVERY, discipline, None, uuid.uuid4()
    )
    store.timetables.items[source_entry.id] = source_entry

    copied = await handlers.year_import.copy(CopyYearStructure(last.id, this.id), ADMIN)

    assert [(c.sheet, c.created) for c in copied] == [
        ("Календарь", 3),
        ("Учебный план", 1),
        ("Расписание", 1),
    ]
    assert store.curricula.items[(group, this.id)] == store.curricula.items[(group, last.id)]
    (entry,) = [e for e in store.timetables.items.values() if e.year_id == this.id]
    assert (entry.group_id, entry.semester, entry.weekday, entry.pair_number) == (group, 1, 1, 2)
    assert [e.row_count for e in store.events_of(events.CurriculumSet)] == [1]
    assert [e.entry_count for e in store.events_of(events.GroupTimetableSet)] == [1]
    moved = store.years.calendars[(group, this.id)]
    # 2025-09-01 and 2026-08-31 are Mondays: 52 weeks on; the first span is clipped to the year's start.
    assert [(c.span.starts_on, c.span.ends_on) for c in moved] == [
        (date(2026, 9, 1), date(2026, 12, 27)),
        (date(2026, 12, 28), date(2027, 1, 10)),
        (date(2027, 6, 30), date(2027, 8, 30)),
    ]
    assert [e.span_count for e in store.events_of(events.GroupCalendarSet)] == [3]

    with pytest.raises(FailedPrecondition) as again:
        await handlers.year_import.copy(CopyYearStructure(last.id, this.id), ADMIN)
    assert again.value.code == "year_not_empty"


async def test_copying_refuses_the_same_year_an_unknown_year_and_non_admins(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    last, this = open_year(store, 2025), open_year(store, 2026)
    with pytest.raises(InvalidArgument) as same:
        await handlers.year_import.copy(CopyYearStructure(this.id, this.id), ADMIN)
    assert same.value.code == "same_year"
    with pytest.raises(NotFound) as missing:
        await handlers.year_import.copy(CopyYearStructure(uuid.uuid4(), this.id), ADMIN)
    assert missing.value.code == "academic_year_not_found"
    with pytest.raises(PermissionDenied):
        await handlers.year_import.copy(
            CopyYearStructure(last.id, this.id), Principal(str(uuid.uuid4()), frozenset({"director"}), "t")
        )


async def test_the_curriculum_sheet_sets_each_groups_plan_and_refuses_with_the_rules_codes(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    academic_year = open_year(store)
    sheets: dict[str, list[list[Any]]] = {
        "Группы": [["ИС-21", None, None, None, None, None]],
        "Дисциплины": [["ОП.01", "Физика", "дисциплина"], ["ПМ.01", "Разработка модулей", "ПМ"]],
        "Учебный план": [
            ["ИС-21", "ОП.01", 1, 72, 4, "экзамен"],
            ["ИС-21", "ОП.01", 2, 36, 2, "Дифф. зачёт"],
            ["ИС-21", "ПМ.01", 2, 120, 6, "экзамен по модулю"],
        ],
    }
    report = await run(handlers, academic_year.id, xlsx_bytes(sheets))
    assert report.imported and report.errors == []
    assert [(s.sheet, s.created) for s in report.sheets if s.sheet == "Учебный план"] == [("Учебный план", 3)]
    (group,) = store.groups.items.values()
    rows = store.curricula.items[(group.id, academic_year.id)]
    assert sorted((r.semester, r.total_hours, r.control_form) for r in rows) == [
        (1, 72, ControlForm.EXAM),
        (2, 36, ControlForm.DIFFERENTIATED_CREDIT),
        (2, 120, ControlForm.MODULE_EXAM),
    ]
    assert [e.row_count for e in store.events_of(events.CurriculumSet)] == [3]

    again = await run(handlers, academic_year.id, xlsx_bytes(sheets))
    assert [(s.created, s.updated, s.unchanged) for s in again.sheets if s.sheet == "Учебный план"] == [
        (0, 0, 3)
    ]
    assert len(store.events_of(events.CurriculumSet)) == 1

    sheets["Учебный план"] = [
        ["ИС-21", "ОП.01", 3, 72, 4, "экзамен"],  # row 2
        ["ИС-21", "ОП.01", 1, 0, 4, "экзамен"],  # row 3
        ["ИС-21", "ОП.01", 2, 72, 60, "экзамен"],  # row 4
        ["ИС-21", "ОП.01", 1, 72, 4, "реферат"],  # row 5
        ["НЕТ", "ОП.99", 1, 72, 4, "зачёт"],  # row 6
        ["ИС-21", "ПМ.01", 1, 72, 4, "зачёт"],  # row 7
        ["ИС-21", "ПМ.01", 1, 72, 4, "зачёт"],  # row 8
    ]
    refused = await run(handlers, academic_year.id, xlsx_bytes(sheets))
    assert [(e.row, e.column, e.code) for e in refused.errors] == [
        (2, "Семестр", "invalid_semester"),
        (3, "Всего часов", "invalid_total_hours"),
        (4, "Часов в неделю", "invalid_weekly_hours"),
        (5, "Форма контроля", "invalid_control_form"),
        (6, "Группа", "group_not_found"),
        (6, "Код дисциплины", "discipline_not_found"),
        (8, "Семестр", "duplicate_row"),
    ]
    assert not refused.imported and len(store.events_of(events.CurriculumSet)) == 1


async def test_the_timetable_sheet_sets_each_groups_semester_and_refuses_clashes_and_missing_loads(
    handlers: JournalHandlers, store: FakeStore, directory: FakePersonDirectory
) -> None:
    academic_year = open_year(store)
    teacher, other = known(directory, "teacher"), known(directory, "teacher")
    sheets: dict[str, list[list[Any]]] = {
        "Группы": [["ИС-21", None, None, None, None, None], ["ИС-22", None, None, None, None, None]],
        "Дисциплины": [["ОП.01", "Физика", "дисциплина"]],
        "Нагрузка": [["ИС-21", "ОП.01", str(teacher)], ["ИС-22", "ОП.01", str(teacher)]],
        "Расписание": [
            ["ИС-21", 1, "понедельник", 1, None, "ОП.01", None, str(teacher), "301"],
            ["ИС-21", 1, "Вт", 2, "нечётная", "ОП.01", None, str(teacher), None],
            ["ИС-22", 1, 1, 2, "каждая", "ОП.01", None, str(teacher), "302"],
        ],
    }
    report = await run(handlers, academic_year.id, xlsx_bytes(sheets))
    assert report.errors == [] and report.imported
    assert [(s.sheet, s.created) for s in report.sheets if s.sheet == "Расписание"] == [("Расписание", 3)]
    entries = sorted(store.timetables.items.values(), key=lambda e: (e.weekday, e.pair_number))
    assert [(e.weekday, e.pair_number, e.parity.value, e.room) for e in entries] == [
        (1, 1, "every", "301"),
        (1, 2, "every", "302"),
        (2, 2, "odd", ""),
    ]
    assert sorted(e.entry_count for e in store.events_of(events.GroupTimetableSet)) == [1, 2]
    again = await run(handlers, academic_year.id, xlsx_bytes(sheets))
    assert [(s.created, s.unchanged) for s in again.sheets if s.sheet == "Расписание"] == [(0, 3)]

    sheets["Расписание"] = [
        ["ИС-21", 1, "понедельник", 1, None, "ОП.01", None, str(teacher), None],  # row 2
        ["ИС-22", 1, "понедельник", 1, None, "ОП.01", None, str(teacher), None],  # row 3: the teacher is busy
        ["ИС-21", 1, "вторник", 9, None, "ОП.01", None, str(teacher), None],  # row 4
        ["ИС-21", 1, "вторник", 2, None, "ОП.01", None, str(other), None],  # row 5: no load
        ["ИС-21", 1, "воскресенье", 3, None, "ОП.01", None, str(teacher), None],  # row 6
        ["ИС-21", 1, "среда", 2, None, "ОП.01", "подгруппа 1", str(teacher), None],  # row 7
        ["ИС-21", 3, "среда", 3, "через неделю", "ОП.01", None, str(teacher), None],  # row 8
    ]
    refused = await run(handlers, academic_year.id, xlsx_bytes(sheets))
    assert [(e.row, e.column, e.code) for e in refused.errors] == [
        (3, "Преподаватель", "timetable_teacher_clash"),
        (4, "Пара", "pair_not_found"),
        (5, "Преподаватель", "teacher_has_no_load"),
        (6, "День недели", "invalid_weekday"),
        (7, "Подгруппа", "subgroup_of_other_group"),
        (8, "Неделя", "invalid_parity"),
    ]
    assert refused.errors[0].message.startswith("У преподавателя в это время")
    assert len(store.events_of(events.GroupTimetableSet)) == 2


async def test_the_ktp_sheet_sets_each_ktp_keeping_topics_by_title_and_never_dropping_one_in_use(
    handlers: JournalHandlers, store: FakeStore
) -> None:
    academic_year = open_year(store)
    sheets: dict[str, list[list[Any]]] = {
        "Группы": [["ИС-21", None, None, None, None, None]],
        "Дисциплины": [["ОП.01", "Физика", "дисциплина"]],
        "КТП": [
            ["ИС-21", "ОП.01", None, "Кинематика", 2, "лекция"],
            ["ИС-21", "ОП.01", None, "Динамика", 4, "Практическое занятие"],
            ["ИС-21", "ОП.01", None, "Контрольная по механике", 2, "контрольная работа"],
        ],
    }
    report = await run(handlers, academic_year.id, xlsx_bytes(sheets))
    assert report.imported and report.errors == []
    (saved,) = store.ktps.items.values()
    assert [(t.position, t.title, t.hours) for t in saved.topics] == [
        (1, "Кинематика", 2),
        (2, "Динамика", 4),
        (3, "Контрольная по механике", 2),
    ]
    assert [(e.topic_count, e.total_hours, e.actor_id) for e in store.events_of(events.KtpSet)] == [
        (3, 8, ADMIN.subject)
    ]
    again = await run(handlers, academic_year.id, xlsx_bytes(sheets))
    assert [(s.created, s.updated, s.unchanged) for s in again.sheets if s.sheet == "КТП"] == [(0, 0, 3)]

    sheets["КТП"] = [
        ["ИС-21", "ОП.01", None, "Введение", 1, "лекция"],
        ["ИС-21", "ОП.01", None, "Кинематика", 3, "лекция"],
        ["ИС-21", "ОП.01", None, "Динамика", 4, "практическое занятие"],
    ]
    changed = await run(handlers, academic_year.id, xlsx_bytes(sheets))
    assert [(s.created, s.updated) for s in changed.sheets if s.sheet == "КТП"] == [(0, 3)]
    (updated,) = store.ktps.items.values()
    assert updated.id == saved.id
    assert updated.topics[1].id == saved.topics[0].id and updated.topics[2].id == saved.topics[1].id

    # A lesson taught on «Введение»: the fake, like the database, finds the topic in use through it.
    taught = lessons.Lesson(
        id=uuid.uuid4(),
        group_id=updated.group_id,
        subgroup_id=None,
        discipline_id=updated.discipline_id,
        teacher_id=uuid.uuid4(),
        lesson_date=date(2026, 9, 7),
        pair_number=1,
        topic="Введение",
        kind=lessons.LessonKind.LECTURE,
        ktp_topic_id=updated.topics[0].id,
    )
    await store.lessons.add(taught)
    sheets["КТП"] = [
        ["ИС-21", "ОП.01", None, "Кинематика", 3, "лекция"],  # row 2
        ["ИС-21", "ОП.01", None, "Динамика", 0, "лекция"],  # row 3
        ["ИС-21", "ОП.01", None, "Статика", 2, "экскурсия"],  # row 4
        ["ИС-21", "ОП.01", "подгруппа 1", "Статика", 2, "лекция"],  # row 5
    ]
    refused = await run(handlers, academic_year.id, xlsx_bytes(sheets))
    assert [(e.row, e.column, e.code) for e in refused.errors] == [
        (3, "Часов", "invalid_topic_hours"),
        (4, "Вид занятия", "invalid_lesson_kind"),
        (5, "Подгруппа", "subgroup_not_found"),
    ]
    sheets["КТП"] = [["ИС-21", "ОП.01", None, "Кинематика", 3, "лекция"]]  # drops «Введение», in use
    dropped = await run(handlers, academic_year.id, xlsx_bytes(sheets))
    assert [(e.row, e.column, e.code) for e in dropped.errors] == [(2, "Тема", "ktp_topic_in_use")]
    assert len(store.events_of(events.KtpSet)) == 2
