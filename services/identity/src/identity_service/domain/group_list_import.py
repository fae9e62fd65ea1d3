"""A group list to import (issue 8 item 2 «bulk»): its rows checked all at once, before anything exists.

Each row is a student with up to two parents. A parent listed with the same ФИО and e-mail for two
students (siblings) is one person with two links. Every refusal names the row as a spreadsheet shows
it and the column by the template's header, so the class teacher can fix the file and load it again.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

from chassis.errors import AlreadyExists, DomainError

from identity_service.domain import model

MAX_ROWS = 60
MAX_PARENTS = 2
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
_DMY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")

# The template's headers (docs/group-list-import.md); the gateway reads files by the same names.
STUDENT_COLUMNS = {
    "last_name": "Фамилия студента",
    "first_name": "Имя студента",
    "middle_name": "Отчество студента",
}
BIRTH_DATE_COLUMN = "Дата рождения"


def parent_columns(number: int) -> dict[str, str]:
    """Return the headers of parent 1 or 2, field by field."""
    return {
        "last_name": f"Фамилия родителя {number}",
        "first_name": f"Имя родителя {number}",
        "middle_name": f"Отчество родителя {number}",
        "email": f"E-mail родителя {number}",
    }


@dataclass(frozen=True)
class ParentInput:
    """A parent as written in the file."""

    last_name: str
    first_name: str
    middle_name: str = ""
    email: str = ""


@dataclass(frozen=True)
class RowInput:
    """A row as written in the file."""

    row: int
    last_name: str
    first_name: str
    middle_name: str = ""
    birth_date: str = ""
    parents: tuple[ParentInput, ...] = ()


@dataclass(frozen=True)
class RowError:
    """A refused row (row 0: the list as a whole) and the column by its header (empty: the row)."""

    row: int
    column: str
    code: str
    message: str


@dataclass
class PlannedStudent:
    """A student to create."""

    row: int
    details: model.PersonDetails
    birth_date: date | None


@dataclass
class PlannedParent:
    """A parent to create, linked to the students at these indices of the plan's students."""

    details: model.PersonDetails
    rows: list[int] = field(default_factory=list)
    students: list[int] = field(default_factory=list)


@dataclass
class GroupListPlan:
    """Who is to be created and linked; `digest` tells the same list loaded again."""

    students: list[PlannedStudent]
    parents: list[PlannedParent]

    @property
    def links(self) -> int:
        """Return how many parent↔student links the plan makes."""
        return sum(len(p.students) for p in self.parents)

    def digest(self, group_id: str) -> str:
        """Return a fingerprint of the group and the people in it (order and spacing aside)."""
        people = sorted(
            "|".join((_fold(s.details.last_name), _fold(s.details.first_name), _fold(s.details.middle_name)))
            for s in self.students
        )
        return hashlib.sha256("\n".join([group_id, *people]).encode()).hexdigest()


def _fold(text: str) -> str:
    return text.lower().replace("ё", "е")


def _person_key(details: model.PersonDetails) -> tuple[str, ...]:
    return (
        _fold(details.last_name),
        _fold(details.first_name),
        _fold(details.middle_name),
        (details.email or "").lower(),
    )


def parse_birth_date(value: str, today: date) -> date | None:
    """Return the date of «ДД.ММ.ГГГГ» or «ГГГГ-ММ-ДД» (empty: None), or raise ValueError."""
    text = value.strip()
    if not text:
        return None
    if match := _DMY.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _ISO.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        raise ValueError(text)
    born = date(year, month, day)
    if not EARLIEST_BIRTH_DATE <= born < today:
        raise ValueError(text)
    return born


def _details(
    errors: list[RowError], row: int, columns: dict[str, str], **fields: str
) -> model.PersonDetails | None:
    """Check one person's names (and e-mail): every bad field is reported, not only the first."""
    parsed: dict[str, str | None] = {}
    for name, value in fields.items():
        try:
            one = model.PersonDetails.parse(
                last_name=value if name == "last_name" else "x",
                first_name=value if name == "first_name" else "x",
                middle_name=value if name == "middle_name" else "",
                email=value if name == "email" else "",
            )
        except DomainError as refused:
            errors.append(RowError(row, columns[name], refused.code, refused.message))
            continue
        parsed[name] = getattr(one, name)
    if len(parsed) < len(fields):
        return None
    return model.PersonDetails(
        last_name=str(parsed["last_name"]),
        first_name=str(parsed["first_name"]),
        middle_name=str(parsed.get("middle_name") or ""),
        email=parsed.get("email"),
    )


def plan_group_list(rows: list[RowInput], today: date) -> GroupListPlan | list[RowError]:
    """Check every row; return the plan, or every refusal found (then nothing may be created)."""
    if not rows:
        return [RowError(0, "", "empty_group_list", "В списке нет ни одного студента")]
    if len(rows) > MAX_ROWS:
        return [
            RowError(
                0,
                "",
                "too_many_rows",
                f"В списке {len(rows)} строк, а можно не больше {MAX_ROWS} (одна группа за раз)",
            )
        ]
    errors: list[RowError] = []
    students: list[PlannedStudent] = []
    parents: dict[tuple[str, ...], PlannedParent] = {}
    seen_students: dict[tuple[str, ...], int] = {}
    for item in rows:
        student = _details(
            errors,
            item.row,
            STUDENT_COLUMNS,
            last_name=item.last_name,
            first_name=item.first_name,
            middle_name=item.middle_name,
        )
        try:
            born = parse_birth_date(item.birth_date, today)
        except ValueError:
            born = None
            errors.append(
                RowError(
                    item.row,
                    BIRTH_DATE_COLUMN,
                    "invalid_birth_date",
                    "Дата рождения: ДД.ММ.ГГГГ (например, 05.03.2008), не позже вчерашнего дня",
                )
            )
        if len(item.parents) > MAX_PARENTS:
            errors.append(RowError(item.row, "", "too_many_parents", "Не больше двух родителей в строке"))
        row_parents: list[model.PersonDetails] = []
        for number, parent in enumerate(item.parents[:MAX_PARENTS], start=1):
            checked = _details(
                errors,
                item.row,
                parent_columns(number),
                last_name=parent.last_name,
                first_name=parent.first_name,
                middle_name=parent.middle_name,
                email=parent.email,
            )
            if checked is None:
                continue
            if any(_person_key(checked)[:3] == _person_key(p)[:3] for p in row_parents):
                errors.append(
                    RowError(
                        item.row,
                        parent_columns(number)["last_name"],
                        "parent_listed_twice",
                        "Этот родитель уже указан в строке: один человек привязывается к студенту один раз",
                    )
                )
                continue
            row_parents.append(checked)
        if student is None:
            continue
        key = (*_person_key(student)[:3], born.isoformat() if born else "")
        if key in seen_students:
            errors.append(
                RowError(
                    item.row,
                    STUDENT_COLUMNS["last_name"],
                    "student_listed_twice",
                    f"Этот студент уже есть в строке {seen_students[key]}",
                )
            )
            continue
        seen_students[key] = item.row
        students.append(PlannedStudent(row=item.row, details=student, birth_date=born))
        for checked in row_parents:
            planned = parents.setdefault(_person_key(checked), PlannedParent(details=checked))
            planned.rows.append(item.row)
            planned.students.append(len(students) - 1)
    if errors:
        return errors
    return GroupListPlan(students=students, parents=list(parents.values()))


class GroupListAlreadyImported(AlreadyExists):
    """The same list is already imported into the group (or being imported)."""

    def __init__(self) -> None:
        super().__init__(
            "Этот список уже загружен в группу: учётные записи созданы. Повторная загрузка ничего "
            "не создаёт — новых студентов загрузите отдельным файлом",
            code="group_list_already_imported",
        )
