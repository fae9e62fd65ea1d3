"""The journal's unit of work: the chassis transaction plus the journal repositories."""

from __future__ import annotations

from chassis.uow import UnitOfWork

from journal_service.adapters.repositories import (
    AcademicYearRepository,
    BellScheduleRepository,
    DisciplineRepository,
    GroupRepository,
    LessonRepository,
    MarkRepository,
    SubgroupRepository,
    TeachingLoadRepository,
    TimetableRepository,
)
from journal_service.adapters.repositories.curriculum import CurriculumRepository
from journal_service.adapters.repositories.ktp import KtpRepository
from journal_service.adapters.repositories.mark_changes import MarkChangeRepository
from journal_service.adapters.repositories.people import PeopleRepository
from journal_service.adapters.repositories.read_models import ReadModelRepository
from journal_service.adapters.repositories.year_import import YearImportRepository


class JournalUnitOfWork(UnitOfWork):
    """One transaction over the journal database."""

    groups: GroupRepository
    disciplines: DisciplineRepository
    loads: TeachingLoadRepository
    marks: MarkRepository
    people: PeopleRepository
    years: AcademicYearRepository
    bells: BellScheduleRepository
    subgroups: SubgroupRepository
    lessons: LessonRepository
    read_models: ReadModelRepository
    timetables: TimetableRepository
    curricula: CurriculumRepository
    ktps: KtpRepository
    mark_changes: MarkChangeRepository
    year_import: YearImportRepository

    def _open(self) -> None:
        self.groups = GroupRepository(self.session)
        self.disciplines = DisciplineRepository(self.session)
        self.loads = TeachingLoadRepository(self.session)
        self.marks = MarkRepository(self.session)
        self.people = PeopleRepository(self.session)
        self.years = AcademicYearRepository(self.session)
        self.bells = BellScheduleRepository(self.session)
        self.subgroups = SubgroupRepository(self.session)
        self.lessons = LessonRepository(self.session)
        self.read_models = ReadModelRepository(self.session)
        self.timetables = TimetableRepository(self.session)
        self.curricula = CurriculumRepository(self.session)
        self.ktps = KtpRepository(self.session)
        self.mark_changes = MarkChangeRepository(self.session)
        self.year_import = YearImportRepository(self.session)
