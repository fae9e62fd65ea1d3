"""The year's XLSX workbook (R2.1): its sheets and columns, and reading each row into the year's
structure. Pure: the adapter hands over cell values, the application checks them against the database.

Every value is checked by the same rule the single RPC uses (`year.check_group_attributes`,
`year.check_calendar`, `year.check_bell_schedule`, the text limits of the servicers), so the import
refuses exactly what the RPCs refuse, with the same codes.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from chassis.errors import DomainError
from chassis.validation import InvalidText, has_forbidden_control

from journal_service.domain import curriculum, lessons, model, timetable, year
from journal_service.domain.year_import_errors import CellError, XlsxEmpty, XlsxTooManyRows

MAX_WORKBOOK_BYTES = 2 * 1024 * 1024
# Unpacked parts of the XLSX (it is a zip): a small file that unpacks to gigabytes is refused.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_SHEET_ROWS = 5000

Cell = str | int | float | date | time | None
T = TypeVar("T")


@dataclass(frozen=True)
class Column:
    """A column of a sheet: its Russian header, the RPC field it fills, whether it must be filled."""

    header: str
    field: str
    required: bool
    meaning: str
    example: str


@dataclass(frozen=True)
class SheetSpec:
    """A sheet of the template: its name, what it holds, its columns in order."""

    name: str
    purpose: str
    columns: tuple[Column, ...]


GROUPS, DISCIPLINES, LOADS, CALENDAR, BELLS = "Группы", "Дисциплины", "Нагрузка", "Календарь", "Звонки"
CURRICULUM, TIMETABLE, KTP = "Учебный план", "Расписание", "КТП"

STUDY_FORM_LABELS = {
    "очная": year.StudyForm.FULL_TIME,
    "очно-заочная": year.StudyForm.PART_TIME,
    "заочная": year.StudyForm.EXTRAMURAL,
}
DISCIPLINE_KIND_LABELS = {
    "дисциплина": model.DisciplineKind.DISCIPLINE,
    "мдк": model.DisciplineKind.MDK,
    "пм": model.DisciplineKind.PM,
    "уп": model.DisciplineKind.UP,
    "пп": model.DisciplineKind.PP,
}
SPAN_KIND_LABELS = {
    "теоретическое обучение": year.CalendarSpanKind.THEORY,
    "учебная практика": year.CalendarSpanKind.STUDY_PRACTICE,
    "производственная практика": year.CalendarSpanKind.INDUSTRIAL_PRACTICE,
    "промежуточная аттестация": year.CalendarSpanKind.SESSION,
    "сессия": year.CalendarSpanKind.SESSION,
    # The portal's labels of «Группа» are taken as well.
    "учебная практика (уп)": year.CalendarSpanKind.STUDY_PRACTICE,
    "производственная практика (пп)": year.CalendarSpanKind.INDUSTRIAL_PRACTICE,
    "гиа": year.CalendarSpanKind.GIA,
    "каникулы": year.CalendarSpanKind.HOLIDAYS,
}

CONTROL_FORM_LABELS = {
    "нет": curriculum.ControlForm.NONE,
    "экзамен": curriculum.ControlForm.EXAM,
    "дифференцированный зачёт": curriculum.ControlForm.DIFFERENTIATED_CREDIT,
    "дифференцированный зачет": curriculum.ControlForm.DIFFERENTIATED_CREDIT,
    "дифф. зачёт": curriculum.ControlForm.DIFFERENTIATED_CREDIT,
    "дифф. зачет": curriculum.ControlForm.DIFFERENTIATED_CREDIT,
    "зачёт": curriculum.ControlForm.CREDIT,
    "зачет": curriculum.ControlForm.CREDIT,
    "курсовая работа": curriculum.ControlForm.COURSE_WORK,
    "курсовой проект": curriculum.ControlForm.COURSE_WORK,
    "экзамен по модулю": curriculum.ControlForm.MODULE_EXAM,
    "демонстрационный экзамен": curriculum.ControlForm.DEMONSTRATION_EXAM,
    "комплексный экзамен": curriculum.ControlForm.COMPLEX_EXAM,
}

WEEKDAY_LABELS = {
    **{str(n): n for n in range(1, 7)},
    **dict(
        zip(("понедельник", "вторник", "среда", "четверг", "пятница", "суббота"), range(1, 7), strict=True)
    ),
    **dict(zip(("пн", "вт", "ср", "чт", "пт", "сб"), range(1, 7), strict=True)),
}
PARITY_LABELS = {
    "каждая": timetable.WeekParity.EVERY,
    "нечётная": timetable.WeekParity.ODD,
    "нечетная": timetable.WeekParity.ODD,
    "числитель": timetable.WeekParity.ODD,
    "чётная": timetable.WeekParity.EVEN,
    "четная": timetable.WeekParity.EVEN,
    "знаменатель": timetable.WeekParity.EVEN,
}

LESSON_KIND_LABELS = {
    "лекция": lessons.LessonKind.LECTURE,
    "практическое занятие": lessons.LessonKind.PRACTICAL,
    "лабораторная работа": lessons.LessonKind.LABORATORY,
    "контрольная работа": lessons.LessonKind.TEST,
    "семинар": lessons.LessonKind.SEMINAR,
    "самостоятельная работа": lessons.LessonKind.INDEPENDENT_WORK,
    "комбинированное занятие": lessons.LessonKind.COMBINED,
    "консультация": lessons.LessonKind.CONSULTATION,
}

TEACHER_MEANING = (
    "идентификатор (UUID) преподавателя из карточки человека; это должен быть преподаватель или "
    "классный руководитель"
)
SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec(
        GROUPS,
        "Учебные группы и их данные. Группа, которой ещё нет, создаётся; у найденной по названию "
        "меняются заполненные поля (пустая ячейка оставляет значение как есть).",
        (
            Column("Группа", "name", True, "название группы, до 32 символов, уникально", "ИС-21"),
            Column("Курс", "course_year", False, "число от 1 до 5", "2"),
            Column("Код специальности", "specialty_code", False, "«NN.NN.NN» по ФГОС СПО", "09.02.07"),
            Column(
                "Специальность",
                "specialty_name",
                False,
                "наименование специальности, до 200 символов",
                "Информационные системы и программирование",
            ),
            Column("Форма обучения", "study_form", False, "очная, очно-заочная или заочная", "очная"),
            Column(
                "Классный руководитель",
                "class_teacher_id",
                False,
                TEACHER_MEANING,
                "3f6c1a52-8d0e-4d7b-9a51-2b7f0c9e4d11",
            ),
        ),
    ),
    SheetSpec(
        DISCIPLINES,
        "Дисциплины, МДК, профессиональные модули и практики. Код — ключ: дисциплина с тем же кодом, "
        "наименованием и видом уже есть — «без изменений».",
        (
            Column("Код", "code", True, "код по учебному плану, до 32 символов, уникален", "ОП.01"),
            Column("Наименование", "name", True, "до 200 символов", "Операционные системы и среды"),
            Column("Вид", "kind", True, "дисциплина, МДК, ПМ, УП или ПП", "дисциплина"),
        ),
    ),
    SheetSpec(
        LOADS,
        "Педагогическая нагрузка: кто ведёт дисциплину в группе. Группа и дисциплина — из базы или "
        "с листов «Группы» и «Дисциплины» этой же книги.",
        (
            Column("Группа", "group_name", True, "название группы", "ИС-21"),
            Column("Код дисциплины", "discipline_code", True, "код дисциплины", "ОП.01"),
            Column(
                "Преподаватель", "teacher_id", True, TEACHER_MEANING, "9b1f7e0a-3c2d-4e5f-8a6b-7c8d9e0f1a2b"
            ),
        ),
    ),
    SheetSpec(
        CURRICULUM,
        "Учебный план групп на выбранный учебный год: часы дисциплины в семестре и форма контроля. "
        "Строки одной группы заменяют её план на этот год целиком.",
        (
            Column("Группа", "group_name", True, "название группы", "ИС-21"),
            Column("Код дисциплины", "discipline_code", True, "код дисциплины", "ОП.01"),
            Column("Семестр", "semester", True, "1 или 2", "1"),
            Column("Всего часов", "total_hours", True, "от 1 до 2000", "72"),
            Column("Часов в неделю", "weekly_hours", True, "от 0 до 54", "4"),
            Column(
                "Форма контроля",
                "control_form",
                True,
                "нет, экзамен, дифференцированный зачёт, зачёт, курсовая работа (проект), экзамен по "
                "модулю, демонстрационный экзамен или комплексный экзамен",
                "экзамен",
            ),
        ),
    ),
    SheetSpec(
        TIMETABLE,
        "Расписание групп на семестр выбранного учебного года: строки одной группы и семестра заменяют "
        "её расписание на этот семестр целиком. У преподавателя должна быть нагрузка (из базы или с "
        "листа «Нагрузка»); ни у группы, ни у преподавателя не бывает двух занятий сразу.",
        (
            Column("Группа", "group_name", True, "название группы", "ИС-21"),
            Column("Семестр", "semester", True, "1 или 2", "1"),
            Column("День недели", "weekday", True, "понедельник … суббота (или 1–6, пн … сб)", "понедельник"),
            Column("Пара", "pair_number", True, "номер пары из расписания звонков", "1"),
            Column(
                "Неделя",
                "parity",
                False,
                "каждая (пусто), нечётная (числитель) или чётная (знаменатель)",
                "каждая",
            ),
            Column("Код дисциплины", "discipline_code", True, "код дисциплины", "ОП.01"),
            Column(
                "Подгруппа",
                "subgroup",
                False,
                "название подгруппы группы по этой дисциплине; пусто — вся группа",
                "",
            ),
            Column(
                "Преподаватель", "teacher_id", True, TEACHER_MEANING, "9b1f7e0a-3c2d-4e5f-8a6b-7c8d9e0f1a2b"
            ),
            Column("Аудитория", "room", False, "до 32 символов", "301"),
        ),
    ),
    SheetSpec(
        KTP,
        "Календарно-тематические планы: темы по порядку строк, с часами и видом занятия. Строки одной "
        "группы (или подгруппы) и дисциплины заменяют её КТП целиком; тема с тем же названием остаётся "
        "той же темой (занятия по ней не теряют её), а тему, по которой уже было занятие, удалить нельзя.",
        (
            Column("Группа", "group_name", True, "название группы", "ИС-21"),
            Column("Код дисциплины", "discipline_code", True, "код дисциплины", "ОП.01"),
            Column("Подгруппа", "subgroup", False, "название подгруппы; пусто — вся группа", ""),
            Column("Тема", "title", True, "до 500 символов", "Введение. Архитектура операционных систем"),
            Column("Часов", "hours", True, "от 1 до 200", "2"),
            Column(
                "Вид занятия",
                "kind",
                True,
                "лекция, практическое занятие, лабораторная работа, контрольная работа, семинар, "
                "самостоятельная работа, комбинированное занятие или консультация",
                "лекция",
            ),
        ),
    ),
    SheetSpec(
        CALENDAR,
        "Календарный учебный график групп на выбранный учебный год. Строки одной группы заменяют её "
        "график в этом году целиком; периоды внутри года и не пересекаются.",
        (
            Column("Группа", "group_name", True, "название группы", "ИС-21"),
            Column(
                "Вид периода",
                "kind",
                True,
                "теоретическое обучение, учебная практика, производственная практика, "
                "промежуточная аттестация (или сессия), ГИА или каникулы",
                "теоретическое обучение",
            ),
            Column("Начало", "starts_on", True, "первый день, ДД.ММ.ГГГГ (или дата Excel)", "01.09.2026"),
            Column("Окончание", "ends_on", True, "последний день, ДД.ММ.ГГГГ (или дата Excel)", "27.12.2026"),
        ),
    ),
    SheetSpec(
        BELLS,
        "Расписание звонков колледжа: заменяет все пары сразу. Номера от 1 до 8, каждая пара "
        "кончается до начала следующей.",
        (
            Column("Пара", "number", True, "номер пары, от 1 до 8", "1"),
            Column("Начало", "starts_at", True, "ЧЧ:ММ", "08:30"),
            Column("Окончание", "ends_at", True, "ЧЧ:ММ", "10:00"),
        ),
    ),
)
SHEET_BY_NAME = {spec.name: spec for spec in SHEETS}
# The template's own sheet describing the columns: read past, not refused.
NOTES_SHEET = "Описание"


@dataclass(frozen=True)
class RawSheet:
    """A sheet as the adapter read it: its name, its header row, its non-empty rows by row number."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[Cell, ...]], ...]


@dataclass(frozen=True)
class RowError:
    """One refused cell or row: sheet, row number as the spreadsheet shows it, column header, code."""

    sheet: str
    row: int
    column: str
    code: str
    message: str


@dataclass(frozen=True)
class GroupRow:
    row: int
    name: str
    attributes: year.GroupAttributes


@dataclass(frozen=True)
class DisciplineRow:
    row: int
    code: str
    name: str
    kind: model.DisciplineKind


@dataclass(frozen=True)
class LoadRow:
    row: int
    group_name: str
    discipline_code: str
    teacher_id: uuid.UUID


@dataclass(frozen=True)
class CurriculumRowIn:
    row: int
    group_name: str
    discipline_code: str
    semester: int
    total_hours: int
    weekly_hours: int
    control_form: curriculum.ControlForm


@dataclass(frozen=True)
class TimetableRowIn:
    row: int
    group_name: str
    semester: int
    weekday: int
    pair_number: int
    parity: timetable.WeekParity
    discipline_code: str
    subgroup: str
    teacher_id: uuid.UUID
    room: str


@dataclass(frozen=True)
class KtpRowIn:
    row: int
    group_name: str
    discipline_code: str
    subgroup: str
    title: str
    hours: int
    kind: lessons.LessonKind


@dataclass(frozen=True)
class CalendarRow:
    row: int
    group_name: str
    span: year.CalendarSpan


@dataclass(frozen=True)
class BellRow:
    row: int
    pair: year.BellPair


@dataclass
class Workbook:
    """Every row that could be read, by sheet; the sheets the workbook has, in the template's order."""

    sheets: list[str] = field(default_factory=list)
    groups: list[GroupRow] = field(default_factory=list)
    disciplines: list[DisciplineRow] = field(default_factory=list)
    loads: list[LoadRow] = field(default_factory=list)
    curriculum: list[CurriculumRowIn] = field(default_factory=list)
    timetable: list[TimetableRowIn] = field(default_factory=list)
    ktp: list[KtpRowIn] = field(default_factory=list)
    calendar: list[CalendarRow] = field(default_factory=list)
    bells: list[BellRow] = field(default_factory=list)
    rows_read: dict[str, int] = field(default_factory=dict)


# --- cells ------------------------------------------------------------------------------------------


def _plain(cell: Cell) -> str:
    """The cell as text: numbers without a trailing «.0», surrounding spaces dropped."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime | date | time):
        return cell.isoformat()
    return str(cell).strip()


def text(cell: Cell, column: Column, *, max_length: int = 200) -> str:
    """Return the cell's text; missing_<field> when a required cell is empty, too_long_<field>."""
    value = _plain(cell)
    if has_forbidden_control(value):
        raise InvalidText(column.header)
    if not value and column.required:
        raise CellError(f"Заполните «{column.header}»", code=f"missing_{column.field}")
    if len(value) > max_length:
        raise CellError(f"«{column.header}» длиннее {max_length} символов", code=f"too_long_{column.field}")
    return value


def whole_number(cell: Cell, column: Column) -> int:
    """Return the cell as a whole number (5, 5.0 or «5»)."""
    value = text(cell, column)
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        number = float("nan")
    if not number.is_integer():
        raise CellError(
            f"«{column.header}»: нужно целое число, а не «{value}»", code=f"invalid_{column.field}"
        )
    return int(number)


def person(cell: Cell, column: Column) -> uuid.UUID:
    """Return the person id in the cell."""
    value = text(cell, column)
    try:
        return uuid.UUID(value)
    except ValueError:
        raise CellError(
            f"«{column.header}»: нужен идентификатор человека (UUID), а не «{value[:40]}»",
            code=f"invalid_{column.field}",
        ) from None


_DAY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00)?)?$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::00)?$")


def day(cell: Cell, column: Column) -> date:
    """Return the date in the cell: an Excel date, «ДД.ММ.ГГГГ» or «ГГГГ-ММ-ДД»."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    value = text(cell, column)
    found = _DAY.match(value)
    parts = (found[3], found[2], found[1]) if found else None
    if parts is None and (iso := _ISO_DAY.match(value)):
        parts = (iso[1], iso[2], iso[3])
    try:
        if parts is None:
            raise ValueError(value)
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise CellError(
            f"«{column.header}»: нужна дата ДД.ММ.ГГГГ, а не «{value[:40]}»", code=f"invalid_{column.field}"
        ) from None


def minute_of_day(cell: Cell, column: Column) -> int:
    """Return the time in the cell (an Excel time or «ЧЧ:ММ») as minutes after midnight."""
    if isinstance(cell, time):
        return cell.hour * 60 + cell.minute
    if isinstance(cell, datetime):
        return cell.hour * 60 + cell.minute
    if isinstance(cell, float) and 0 <= cell < 1:  # a time Excel stored as a fraction of a day
        return round(cell * 24 * 60)
    value = text(cell, column)
    found = _CLOCK.match(value)
    if found is None or int(found[1]) > 24 or int(found[2]) > 59:
        raise CellError(
            f"«{column.header}»: нужно время ЧЧ:ММ, а не «{value[:40]}»", code=f"invalid_{column.field}"
        )
    return int(found[1]) * 60 + int(found[2])


def label(cell: Cell, column: Column, labels: dict[str, T], code: str) -> T:
    """Return what the label in the cell names (case does not matter)."""
    value = text(cell, column)
    found = labels.get(value.lower())
    if found is None:
        raise CellError(
            f"«{column.header}»: «{value[:40]}» — нет такого значения; допустимы: {column.meaning}", code=code
        )
    return found


# --- sheets -----------------------------------------------------------------------------------------


class _RowReader:
    """Reads one row's cells by header, collecting the errors of every cell (not only the first)."""

    def __init__(
        self, spec: SheetSpec, positions: dict[str, int], number: int, cells: Sequence[Cell]
    ) -> None:
        self.spec, self.positions, self.number, self.cells = spec, positions, number, cells
        self.errors: list[RowError] = []

    def cell(self, header: str) -> Cell:
        position = self.positions.get(header)
        return self.cells[position] if position is not None and position < len(self.cells) else None

    def read(self, header: str, parse: Callable[[Cell, Column], T]) -> T | None:
        column = next(c for c in self.spec.columns if c.header == header)
        try:
            return parse(self.cell(header), column)
        except DomainError as refused:
            self.errors.append(RowError(self.spec.name, self.number, header, refused.code, refused.message))
            return None

    def optional(self, header: str, parse: Callable[[Cell, Column], T]) -> T | None:
        return None if _plain(self.cell(header)) == "" else self.read(header, parse)

    def check(self, header: str, rule: Callable[[], object]) -> None:
        """Apply a domain rule that concerns this row, keeping its code and message."""
        try:
            rule()
        except DomainError as refused:
            self.errors.append(RowError(self.spec.name, self.number, header, refused.code, refused.message))


def _group_row(r: _RowReader) -> GroupRow | None:
    name = r.read("Группа", lambda c, col: text(c, col, max_length=32))
    course = r.optional("Курс", whole_number)
    code = r.optional("Код специальности", lambda c, col: text(c, col, max_length=8))
    specialty = r.optional("Специальность", text)
    form = r.optional("Форма обучения", lambda c, col: label(c, col, STUDY_FORM_LABELS, "invalid_study_form"))
    teacher = r.optional("Классный руководитель", person)
    attributes = year.GroupAttributes(
        course_year=course, specialty_code=code, specialty_name=specialty, study_form=form,
        class_teacher_id=teacher,
    )  # fmt: skip
    if course is not None:
        r.check("Курс", lambda: year.check_group_attributes(year.GroupAttributes(course_year=course)))
    if code is not None:
        r.check(
            "Код специальности",
            lambda: year.check_group_attributes(year.GroupAttributes(specialty_code=code)),
        )
    if name is None or r.errors:
        return None
    return GroupRow(r.number, name, attributes)


def _discipline_row(r: _RowReader) -> DisciplineRow | None:
    code = r.read("Код", lambda c, col: text(c, col, max_length=32))
    name = r.read("Наименование", text)
    kind = r.read("Вид", lambda c, col: label(c, col, DISCIPLINE_KIND_LABELS, "invalid_kind"))
    if code is None or name is None or kind is None:
        return None
    return DisciplineRow(r.number, code, name, kind)


def _load_row(r: _RowReader) -> LoadRow | None:
    group = r.read("Группа", lambda c, col: text(c, col, max_length=32))
    discipline = r.read("Код дисциплины", lambda c, col: text(c, col, max_length=32))
    teacher = r.read("Преподаватель", person)
    if group is None or discipline is None or teacher is None:
        return None
    return LoadRow(r.number, group, discipline, teacher)


def _curriculum_row(r: _RowReader) -> CurriculumRowIn | None:
    group = r.read("Группа", lambda c, col: text(c, col, max_length=32))
    discipline = r.read("Код дисциплины", lambda c, col: text(c, col, max_length=32))
    semester = r.read("Семестр", whole_number)
    total = r.read("Всего часов", whole_number)
    weekly = r.read("Часов в неделю", whole_number)
    form = r.read("Форма контроля", lambda c, col: label(c, col, CONTROL_FORM_LABELS, "invalid_control_form"))
    if None in (group, discipline, semester, total, weekly, form):
        return None
    return CurriculumRowIn(r.number, group, discipline, semester, total, weekly, form)  # type: ignore[arg-type]


def _timetable_row(r: _RowReader) -> TimetableRowIn | None:
    group = r.read("Группа", lambda c, col: text(c, col, max_length=32))
    semester = r.read("Семестр", whole_number)
    weekday = r.read("День недели", lambda c, col: label(c, col, WEEKDAY_LABELS, "invalid_weekday"))
    pair = r.read("Пара", whole_number)
    parity = r.optional("Неделя", lambda c, col: label(c, col, PARITY_LABELS, "invalid_parity"))
    discipline = r.read("Код дисциплины", lambda c, col: text(c, col, max_length=32))
    subgroup = r.optional("Подгруппа", lambda c, col: text(c, col, max_length=64)) or ""
    teacher = r.read("Преподаватель", person)
    room = r.optional("Аудитория", lambda c, col: text(c, col, max_length=timetable.MAX_ROOM)) or ""
    if None in (group, semester, weekday, pair, discipline, teacher) or r.errors:
        return None
    return TimetableRowIn(
        r.number, group, semester, weekday, pair, parity or timetable.WeekParity.EVERY,  # type: ignore[arg-type]
        discipline, subgroup, teacher, room,  # type: ignore[arg-type]
    )  # fmt: skip


def _ktp_row(r: _RowReader) -> KtpRowIn | None:
    group = r.read("Группа", lambda c, col: text(c, col, max_length=32))
    discipline = r.read("Код дисциплины", lambda c, col: text(c, col, max_length=32))
    subgroup = r.optional("Подгруппа", lambda c, col: text(c, col, max_length=64)) or ""
    title = r.read("Тема", lambda c, col: text(c, col, max_length=500))
    hours = r.read("Часов", whole_number)
    kind = r.read("Вид занятия", lambda c, col: label(c, col, LESSON_KIND_LABELS, "invalid_lesson_kind"))
    if group is None or discipline is None or title is None or hours is None or kind is None or r.errors:
        return None
    return KtpRowIn(r.number, group, discipline, subgroup, title, hours, kind)


def _calendar_row(r: _RowReader) -> CalendarRow | None:
    group = r.read("Группа", lambda c, col: text(c, col, max_length=32))
    kind = r.read("Вид периода", lambda c, col: label(c, col, SPAN_KIND_LABELS, "invalid_span_kind"))
    starts, ends = r.read("Начало", day), r.read("Окончание", day)
    if group is None or kind is None or starts is None or ends is None:
        return None
    return CalendarRow(r.number, group, year.CalendarSpan(kind, year.DateSpan(starts, ends)))


def _bell_row(r: _RowReader) -> BellRow | None:
    number = r.read("Пара", whole_number)
    starts, ends = r.read("Начало", minute_of_day), r.read("Окончание", minute_of_day)
    if number is None or starts is None or ends is None:
        return None
    pair = year.BellPair(number, starts, ends)
    r.check("Пара", lambda: year.check_bell_schedule([pair]))
    return None if r.errors else BellRow(r.number, pair)


def read_workbook(sheets: Iterable[RawSheet]) -> tuple[Workbook, list[RowError]]:
    """Read every row of the template's sheets; return what could be read and every cell refused.

    A sheet that is not in the template is refused as a whole (`unknown_sheet`), so a typo in a sheet's
    name is not silently skipped; so is a missing required column (`missing_column`).
    """
    workbook, errors = Workbook(), []
    readers = {
        CURRICULUM: _curriculum_row,
        TIMETABLE: _timetable_row,
        KTP: _ktp_row,
        GROUPS: _group_row,
        DISCIPLINES: _discipline_row,
        LOADS: _load_row,
        CALENDAR: _calendar_row,
        BELLS: _bell_row,
    }
    targets: dict[str, list[object]] = {
        GROUPS: workbook.groups,  # type: ignore[dict-item]
        DISCIPLINES: workbook.disciplines,  # type: ignore[dict-item]
        LOADS: workbook.loads,  # type: ignore[dict-item]
        CURRICULUM: workbook.curriculum,  # type: ignore[dict-item]
        TIMETABLE: workbook.timetable,  # type: ignore[dict-item]
        KTP: workbook.ktp,  # type: ignore[dict-item]
        CALENDAR: workbook.calendar,  # type: ignore[dict-item]
        BELLS: workbook.bells,  # type: ignore[dict-item]
    }
    seen: set[str] = set()
    for sheet in sheets:
        spec = SHEET_BY_NAME.get(sheet.name.strip())
        if sheet.name.strip() == NOTES_SHEET:
            continue
        if spec is None:
            names = ", ".join(f"«{s.name}»" for s in SHEETS)
            errors.append(
                RowError(
                    sheet.name,
                    0,
                    "",
                    "unknown_sheet",
                    f"Лист «{sheet.name}» не из шаблона; листы шаблона: {names}",
                )
            )
            continue
        if len(sheet.rows) > MAX_SHEET_ROWS:
            raise XlsxTooManyRows(spec.name, MAX_SHEET_ROWS)
        seen.add(spec.name)
        headers = [h.strip() for h in sheet.header]
        positions = {h: i for i, h in enumerate(headers) if h}
        missing = [c.header for c in spec.columns if c.required and c.header not in positions]
        if missing:
            errors.extend(
                RowError(spec.name, 1, h, "missing_column", f"На листе «{spec.name}» нет столбца «{h}»")
                for h in missing
            )
            continue
        workbook.rows_read[spec.name] = len(sheet.rows)
        for number, cells in sheet.rows:
            reader = _RowReader(spec, positions, number, cells)
            parsed = readers[spec.name](reader)
            errors.extend(reader.errors)
            if parsed is not None:
                targets[spec.name].append(parsed)
    if not seen and not errors:
        raise XlsxEmpty()
    workbook.sheets = [s.name for s in SHEETS if s.name in seen]
    errors.extend(_duplicates(workbook))
    return workbook, errors


def _duplicates(workbook: Workbook) -> list[RowError]:
    """The same key twice in a sheet: the second row is refused, naming the first."""
    keyed: list[tuple[str, str, Sequence[tuple[int, object]]]] = [
        (GROUPS, "Группа", [(g.row, g.name) for g in workbook.groups]),
        (DISCIPLINES, "Код", [(d.row, d.code) for d in workbook.disciplines]),
        (
            LOADS,
            "Преподаватель",
            [(x.row, (x.group_name, x.discipline_code, x.teacher_id)) for x in workbook.loads],
        ),
        (BELLS, "Пара", [(b.row, b.pair.number) for b in workbook.bells]),
        (
            CURRICULUM,
            "Семестр",
            [(c.row, (c.group_name, c.discipline_code, c.semester)) for c in workbook.curriculum],
        ),
    ]
    errors = []
    for sheet, column, rows in keyed:
        first: dict[object, int] = {}
        for row, key in rows:
            if key in first:
                errors.append(
                    RowError(
                        sheet, row, column, "duplicate_row", f"Повторяет строку {first[key]} этого листа"
                    )
                )
            else:
                first[key] = row
    return errors


def shift_calendar(
    spans: Sequence[year.CalendarSpan], source: year.AcademicYear, target: year.AcademicYear
) -> list[year.CalendarSpan]:
    """Move a calendar from one year to another by the distance between their first days, whole weeks
    kept (so a span starting on a Monday still does), clipped to the target year; spans left empty
    after clipping are dropped."""
    delta = timedelta(weeks=round((target.span.starts_on - source.span.starts_on).days / 7))
    moved = []
    for item in spans:
        starts = max(item.span.starts_on + delta, target.span.starts_on)
        ends = min(item.span.ends_on + delta, target.span.ends_on)
        if starts <= ends:
            moved.append(year.CalendarSpan(item.kind, year.DateSpan(starts, ends)))
    return moved
