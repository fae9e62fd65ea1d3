"""A group list file → rows (slice H2; docs/group-list-import.md): CSV (UTF-8 with or without BOM, or
Windows-1251 as Excel saves it; `;` or `,`) or XLSX, the template's columns found by their Russian
headers. Only the file's shape is judged here (type, size, header, number of rows); what is in each
cell — names, dates, e-mails, a person twice — is identity's to check, all rows at once.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import Workbook, load_workbook

MAX_FILE_BYTES = 1024 * 1024
MAX_ROWS = 60
MAX_CELL = 200
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STUDENT, PARENT_1, PARENT_2 = "student", "parent1", "parent2"
# The template's headers, in order; identity names refused cells by the same words.
TEMPLATE_HEADERS = [
    "Фамилия студента",
    "Имя студента",
    "Отчество студента",
    "Дата рождения",
    "Фамилия родителя 1",
    "Имя родителя 1",
    "Отчество родителя 1",
    "E-mail родителя 1",
    "Фамилия родителя 2",
    "Имя родителя 2",
    "Отчество родителя 2",
    "E-mail родителя 2",
]
EXAMPLE = [
    "Иванов",
    "Пётр",
    "Сергеевич",
    "05.03.2008",
    "Иванова",
    "Мария",
    "Петровна",
    "ivanova@example.ru",
    "",
    "",
    "",
    "",
]
_FIELDS = {"фамилия": "last_name", "имя": "first_name", "отчество": "middle_name"}
_EMAIL = {"e-mail", "email", "эл. почта", "электронная почта", "почта"}
_WHO = {"студента": STUDENT, "обучающегося": STUDENT, "родителя 1": PARENT_1, "родителя 2": PARENT_2}


class GroupListFileError(Exception):
    """The file as a whole cannot be read: a stable code and a Russian message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class FileParent:
    """A parent as written in the file."""

    last_name: str = ""
    first_name: str = ""
    middle_name: str = ""
    email: str = ""


@dataclass(frozen=True)
class FileRow:
    """A student's row as written in the file (`row`: its number as a spreadsheet shows it)."""

    row: int
    last_name: str = ""
    first_name: str = ""
    middle_name: str = ""
    birth_date: str = ""
    parents: list[FileParent] = field(default_factory=list)


def _fold(text: str) -> str:
    return " ".join(text.replace("\ufeff", "").lower().replace("ё", "е").split())


def _columns(header: list[str]) -> dict[int, tuple[str, str]]:
    """Map column index → (whose, field): «Фамилия студента», then «Имя» or «Имя студента», …"""
    mapped: dict[int, tuple[str, str]] = {}
    who = STUDENT
    for index, raw in enumerate(header):
        text = _fold(raw)
        if text == "дата рождения":
            mapped[index] = (STUDENT, "birth_date")
            continue
        for suffix, whose in _WHO.items():
            if text.endswith(" " + suffix):
                who, text = whose, text.removesuffix(" " + suffix)
                break
        if text in _FIELDS:
            mapped[index] = (who, _FIELDS[text])
        elif text in _EMAIL and who != STUDENT:
            mapped[index] = (who, "email")
    found = set(mapped.values())
    missing = [
        title
        for title, need in (
            ("Фамилия студента", (STUDENT, "last_name")),
            ("Имя студента", (STUDENT, "first_name")),
        )
        if need not in found
    ]
    if missing:
        raise GroupListFileError(
            "missing_column",
            f"В первой строке нет столбца «{missing[0]}». Скачайте шаблон и сохраните его заголовки",
        )
    return mapped


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()[: MAX_CELL + 1]


def _rows(table: list[list[str]]) -> list[FileRow]:
    if not table or not any(table[0]):
        raise GroupListFileError("empty_file", "Файл пуст: нет строки заголовков и ни одного студента")
    mapped = _columns(table[0])
    rows: list[FileRow] = []
    for number, cells in enumerate(table[1:], start=2):
        values: dict[tuple[str, str], str] = {}
        for index, key in mapped.items():
            if index < len(cells) and cells[index]:
                values[key] = cells[index]
        if not values:
            continue  # an empty row (between groups of rows, at the end)
        parents = []
        for who in (PARENT_1, PARENT_2):
            parent = FileParent(**{f: v for (w, f), v in values.items() if w == who})
            if parent != FileParent():
                parents.append(parent)
        student = {f: v for (w, f), v in values.items() if w == STUDENT}
        rows.append(FileRow(row=number, parents=parents, **student))
    if not rows:
        raise GroupListFileError(
            "empty_file", "В файле нет ни одного студента: заполните строки под заголовком"
        )
    if len(rows) > MAX_ROWS:
        raise GroupListFileError(
            "too_many_rows",
            f"В файле {len(rows)} студентов, а можно не больше {MAX_ROWS} (одна группа за раз)",
        )
    return rows


def _xlsx_table(data: bytes) -> list[list[str]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        table = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError) as exc:
        raise GroupListFileError(
            "malformed_file", "Файл XLSX повреждён или не читается; сохраните его в Excel заново"
        ) from exc
    while table and not any(table[-1]):
        table.pop()
    return table


def _csv_table(data: bytes) -> list[list[str]]:
    if b"\x00" in data:
        raise GroupListFileError(
            "unsupported_file", "Это не CSV и не XLSX. Загрузите список в формате XLSX или CSV по шаблону"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel in a Russian locale saves «CSV» in Windows-1251.
        text = data.decode("cp1251", errors="strict") if _looks_cp1251(data) else ""
        if not text:
            raise GroupListFileError(
                "malformed_file", "Не удалось прочитать текст файла: сохраните CSV в кодировке UTF-8"
            ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    try:
        return [
            [c.strip()[: MAX_CELL + 1] for c in row]
            for row in csv.reader(io.StringIO(text), delimiter=delimiter)
        ]
    except csv.Error as exc:
        raise GroupListFileError("malformed_file", f"Файл CSV повреждён: {exc}") from exc


def _looks_cp1251(data: bytes) -> bool:
    try:
        data.decode("cp1251")
    except UnicodeDecodeError:
        return False
    return True


def read_group_list(data: bytes, filename: str = "") -> list[FileRow]:
    """Return the rows of a group list, or raise GroupListFileError for the file as a whole."""
    if not data:
        raise GroupListFileError("empty_file", "Файл пуст: выберите файл со списком группы")
    if len(data) > MAX_FILE_BYTES:
        raise GroupListFileError(
            "file_too_large", "Файл больше 1 МБ; в списке одной группы столько не бывает"
        )
    if data.startswith(b"PK\x03\x04"):
        return _rows(_xlsx_table(data))
    if data.startswith(b"\xd0\xcf\x11\xe0") or re.search(r"\.(xls|ods|docx?|pdf)$", filename.lower()):
        raise GroupListFileError(
            "unsupported_file", "Этот формат не поддерживается. Сохраните список как XLSX или CSV по шаблону"
        )
    return _rows(_csv_table(data))


def template_xlsx() -> bytes:
    """Return the XLSX template: the header row and one example row."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Список группы"
    sheet.append(TEMPLATE_HEADERS)
    sheet.append(EXAMPLE)
    for index, title in enumerate(TEMPLATE_HEADERS):
        sheet.column_dimensions[chr(ord("A") + index)].width = max(14, len(title) + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_csv() -> bytes:
    """Return the CSV template (UTF-8 with BOM, `;`: Excel opens it with the Cyrillic intact)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADERS)
    writer.writerow(EXAMPLE)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
