"""XLSX in and out for the year's import (openpyxl): the workbook's cells as plain values, the template.

Anything openpyxl cannot read is `xlsx_malformed`; a file over the limit, or a zip that unpacks to
more than the limit, is refused before openpyxl parses it.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from datetime import date, time

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from journal_service.domain import year_import
from journal_service.domain.year_import import Cell, RawSheet
from journal_service.domain.year_import_errors import XlsxMalformed, XlsxTooLarge, XlsxTooManyRows

MIB = 1024 * 1024


def _cell(value: object) -> Cell:
    """A cell as the domain reads it: text, a number, a date or a time, or None."""
    if value is None or isinstance(value, str | int | float | date | time):
        return value if not isinstance(value, bool) else str(value)
    return str(value)


def read_workbook(data: bytes) -> list[RawSheet]:
    """Return every sheet's header and non-empty rows (numbered as the spreadsheet shows them)."""
    if len(data) > year_import.MAX_WORKBOOK_BYTES:
        raise XlsxTooLarge(year_import.MAX_WORKBOOK_BYTES // MIB)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as packed:
            unpacked = sum(info.file_size for info in packed.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise XlsxMalformed() from None
    if unpacked > year_import.MAX_UNPACKED_BYTES:
        raise XlsxTooLarge(year_import.MAX_WORKBOOK_BYTES // MIB)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises whatever its XML and zip layers raise on a broken file
        raise XlsxMalformed() from None
    try:
        return [_read_sheet(sheet) for sheet in book.worksheets]
    except (XlsxTooManyRows, XlsxMalformed):
        raise
    except Exception:
        raise XlsxMalformed() from None
    finally:
        book.close()


def _read_sheet(sheet: object) -> RawSheet:
    name = str(getattr(sheet, "title", ""))
    rows = getattr(sheet, "iter_rows")(values_only=True)  # noqa: B009 (openpyxl has no types)
    header: tuple[str, ...] = ()
    data: list[tuple[int, tuple[Cell, ...]]] = []
    for number, values in enumerate(rows, start=1):
        cells = tuple(_cell(v) for v in values)
        if number == 1:
            header = tuple("" if c is None else str(c).strip() for c in cells)
            continue
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        data.append((number, cells))
        if len(data) > year_import.MAX_SHEET_ROWS:
            raise XlsxTooManyRows(name, year_import.MAX_SHEET_ROWS)
    return RawSheet(name, header, tuple(data))


def template_workbook(sheets: Iterable[year_import.SheetSpec] = year_import.SHEETS) -> bytes:
    """Return the template: a sheet per part, bold Russian headers, one example row, a note per column."""
    book = Workbook()
    book.remove(book.active)
    for spec in sheets:
        sheet = book.create_sheet(spec.name)
        sheet.append([c.header for c in spec.columns])
        sheet.append([c.example for c in spec.columns])
        for index, column in enumerate(spec.columns, start=1):
            head = sheet.cell(row=1, column=index)
            head.font = Font(bold=True)
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = max(14, min(48, len(column.example) + 4))
            # Every cell is text: a code «09.02.07» or a date stays as typed.
            sheet.cell(row=2, column=index).number_format = "@"
        sheet.freeze_panes = "A2"
    notes = book.create_sheet(year_import.NOTES_SHEET)
    notes.append(["Лист", "Столбец", "Обязательный", "Что писать"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for spec in sheets:
        notes.append([spec.name, "", "", spec.purpose])
        for column in spec.columns:
            notes.append(["", column.header, "да" if column.required else "нет", column.meaning])
    notes.column_dimensions["D"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
