"""Repositories of the journal, one module per aggregate: every query lives in them; none commits."""

from journal_service.adapters.repositories.academic_year import AcademicYearRepository
from journal_service.adapters.repositories.bell_schedule import BellScheduleRepository
from journal_service.adapters.repositories.disciplines import DisciplineRepository
from journal_service.adapters.repositories.groups import GroupRepository
from journal_service.adapters.repositories.lessons import LessonRepository
from journal_service.adapters.repositories.marks import MarkRepository
from journal_service.adapters.repositories.subgroups import SubgroupRepository
from journal_service.adapters.repositories.teaching_load import TeachingLoadRepository
from journal_service.adapters.repositories.timetable import TimetableRepository

__all__ = [
    "AcademicYearRepository",
    "BellScheduleRepository",
    "DisciplineRepository",
    "GroupRepository",
    "LessonRepository",
    "MarkRepository",
    "SubgroupRepository",
    "TeachingLoadRepository",
    "TimetableRepository",
]
