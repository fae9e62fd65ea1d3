"""Errors of removing a teaching load, and finding disciplines by code or name."""

from __future__ import annotations

from chassis.errors import FailedPrecondition, InvalidArgument, NotFound

DISCIPLINE_QUERY_MAX_LENGTH = 64
DEFAULT_DISCIPLINES_PAGE = 50
MAX_DISCIPLINES_PAGE = 200
# What separates the words of a discipline's name («Физическая культура», «МДК.01.01 Технология…»);
# the repository folds names with the same characters (database locales classify letters unevenly).
WORD_SEPARATORS = ".,;:!?()[]«»\"'-–—/+&_"
_TO_SPACES = str.maketrans(WORD_SEPARATORS, " " * len(WORD_SEPARATORS))


class TeachingLoadNotFound(NotFound):
    """No teaching load with this id."""

    def __init__(self) -> None:
        super().__init__("Нагрузка не найдена", code="load_not_found")


class LoadHasLessons(FailedPrecondition):
    """A load with recorded lessons or marks keeps its history."""

    def __init__(self) -> None:
        super().__init__(
            "По этой нагрузке уже записаны занятия или оценки преподавателя: её нельзя снять, история"
            " журнала сохраняется. Передать группу другому преподавателю — это замена (задача 7)",
            code="load_has_lessons",
        )


class LoadInTimetable(FailedPrecondition):
    """Timetable entries use the load: they are removed first."""

    def __init__(self) -> None:
        super().__init__(
            "Нагрузка стоит в расписании группы: сначала уберите эти занятия из расписания",
            code="load_in_timetable",
        )


class DisciplineQueryTooLong(InvalidArgument):
    """A search of disciplines is at most 64 characters."""

    def __init__(self) -> None:
        super().__init__(
            f"Строка поиска дисциплины длиннее {DISCIPLINE_QUERY_MAX_LENGTH} символов",
            code="discipline_query_too_long",
        )


def fold(text: str) -> str:
    """Return text in lower case with «ё» as «е»: how codes and names are compared when searching."""
    return text.lower().replace("ё", "е")


def discipline_query(query: str) -> str:
    """Return the folded query (spaces collapsed; "" finds every discipline) or DisciplineQueryTooLong."""
    text = " ".join(query.split())
    if len(text) > DISCIPLINE_QUERY_MAX_LENGTH:
        raise DisciplineQueryTooLong()
    return fold(text)


def words(text: str) -> str:
    """Return the folded text with its words separated by single spaces."""
    return " ".join(fold(text).translate(_TO_SPACES).split())


def discipline_matches(code: str, name: str, folded_query: str) -> bool:
    """Return True when the query starts the code or a word of the name (both folded)."""
    if not folded_query:
        return True
    in_words = words(folded_query)
    return fold(code).startswith(folded_query) or (bool(in_words) and f" {in_words}" in f" {words(name)}")
