"""Errors of the year's XLSX import and of copying a year (R2.1): the workbook as a whole, or one cell."""

from __future__ import annotations

from chassis.errors import FailedPrecondition, InvalidArgument, PayloadTooLarge


class XlsxMalformed(InvalidArgument):
    """The file is not an XLSX workbook that can be read."""

    def __init__(self) -> None:
        super().__init__(
            "Файл не читается как книга Excel (XLSX): сохраните его в Excel или LibreOffice "
            "как «Книга Excel (.xlsx)» и загрузите снова",
            code="xlsx_malformed",
        )


class XlsxTooLarge(PayloadTooLarge):
    """The workbook is larger than the import takes (bytes, or unpacked size)."""

    def __init__(self, limit_mib: int) -> None:
        super().__init__(f"Файл больше {limit_mib} МБ: разделите его на части", code="xlsx_too_large")


class XlsxTooManyRows(InvalidArgument):
    """A sheet has more rows than the import takes."""

    def __init__(self, sheet: str, limit: int) -> None:
        super().__init__(
            f"На листе «{sheet}» больше {limit} строк: разделите его на части", code="xlsx_too_many_rows"
        )


class XlsxEmpty(InvalidArgument):
    """The workbook has none of the template's sheets."""

    def __init__(self) -> None:
        super().__init__(
            "В книге нет ни одного листа шаблона («Группы», «Дисциплины», «Нагрузка», «Учебный план», "
            "«Расписание», «КТП», «Календарь», «Звонки»)",
            code="xlsx_empty",
        )


class CellError(InvalidArgument):
    """A cell's value cannot be read as what its column holds."""


class YearNotEmpty(FailedPrecondition):
    """A year is copied only into a year that holds nothing of its own yet."""

    def __init__(self) -> None:
        super().__init__(
            "В учебном году, куда копируется структура, уже есть данные (график групп): "
            "копирование делается только в пустой год",
            code="year_not_empty",
        )


class SameYear(InvalidArgument):
    """A year is not copied onto itself."""

    def __init__(self) -> None:
        super().__init__("Нельзя скопировать учебный год в него же", code="same_year")
