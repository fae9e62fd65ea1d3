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
from journal_service.adapters.repositories.correction_requests import CorrectionRequestRepository
from journal_service.adapters.repositories.curriculum import CurriculumRepository
from journal_service.adapters.repositories.curriculum_execution import CurriculumExecutionRepository
from journal_service.adapters.repositories.debts import DebtRepository
from journal_service.adapters.repositories.demo_exam import DemoExamRepository
from journal_service.adapters.repositories.finals import FinalRepository
from journal_service.adapters.repositories.history import HistoryRepository
from journal_service.adapters.repositories.ktp import KtpRepository
from journal_service.adapters.repositories.mark_changes import MarkChangeRepository
from journal_service.adapters.repositories.movement import MovementRepository
from journal_service.adapters.repositories.people import PeopleRepository
from journal_service.adapters.repositories.period_locks import PeriodLockRepository
from journal_service.adapters.repositories.read_models import ReadModelRepository
from journal_service.adapters.repositories.reopen_requests import ReopenRequestRepository
from journal_service.adapters.repositories.subgroup_membership import SubgroupMembershipRepository
from journal_service.adapters.repositories.substitutions import SubstitutionRepository
from journal_service.adapters.repositories.year_import import YearImportRepository


class JournalUnitOfWork(UnitOfWork):
    """One transaction over the journal database."""

    debts: DebtRepository
    demo_exams: DemoExamRepository
    groups: GroupRepository
    substitutions: SubstitutionRepository
    curriculum_execution: CurriculumExecutionRepository
    period_locks: PeriodLockRepository
    reopen_requests: ReopenRequestRepository
    disciplines: DisciplineRepository
    loads: TeachingLoadRepository
    marks: MarkRepository
    people: PeopleRepository
    years: AcademicYearRepository
    bells: BellScheduleRepository
    subgroups: SubgroupRepository
    subgroup_memberships: SubgroupMembershipRepository
    lessons: LessonRepository
    read_models: ReadModelRepository
    timetables: TimetableRepository
    curricula: CurriculumRepository
    ktps: KtpRepository
    mark_changes: MarkChangeRepository
    year_import: YearImportRepository
    finals: FinalRepository
    history: HistoryRepository
    correction_requests: CorrectionRequestRepository
    movements: MovementRepository

    def _open(self) -> None:
        self.debts = DebtRepository(self.session)
        self.demo_exams = DemoExamRepository(self.session)
        self.groups = GroupRepository(self.session)
        self.substitutions = SubstitutionRepository(self.session)
        self.curriculum_execution = CurriculumExecutionRepository(self.session)
        self.period_locks = PeriodLockRepository(self.session)
        self.reopen_requests = ReopenRequestRepository(self.session)
        self.disciplines = DisciplineRepository(self.session)
        self.loads = TeachingLoadRepository(self.session)
        self.marks = MarkRepository(self.session)
        self.people = PeopleRepository(self.session)
        self.years = AcademicYearRepository(self.session)
        self.bells = BellScheduleRepository(self.session)
        self.subgroups = SubgroupRepository(self.session)
        self.subgroup_memberships = SubgroupMembershipRepository(self.session)
        self.lessons = LessonRepository(self.session)
        self.read_models = ReadModelRepository(self.session)
        self.timetables = TimetableRepository(self.session)
        self.curricula = CurriculumRepository(self.session)
        self.ktps = KtpRepository(self.session)
        self.mark_changes = MarkChangeRepository(self.session)
        self.year_import = YearImportRepository(self.session)
        self.finals = FinalRepository(self.session)
        self.history = HistoryRepository(self.session)
        self.correction_requests = CorrectionRequestRepository(self.session)
        self.movements = MovementRepository(self.session)
