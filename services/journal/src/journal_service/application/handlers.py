"""The journal's use cases, one handler class per aggregate, wired once in the composition root."""

from __future__ import annotations

from journal_service.application.absences import AbsenceHandlers
from journal_service.application.academic_year import AcademicYearHandlers
from journal_service.application.bell_schedule import BellScheduleHandlers
from journal_service.application.correction_requests import CorrectionRequestHandlers
from journal_service.application.curriculum import CurriculumHandlers
from journal_service.application.curriculum_execution import CurriculumExecutionHandlers
from journal_service.application.debts import DebtHandlers
from journal_service.application.demo_exam import DemoExamHandlers
from journal_service.application.disciplines import DisciplineHandlers
from journal_service.application.final_history import FinalHistoryHandlers
from journal_service.application.finals import FinalHandlers
from journal_service.application.groups import GroupHandlers
from journal_service.application.history import HistoryHandlers
from journal_service.application.imported_students import ImportedStudentsHandlers
from journal_service.application.ktp import KtpHandlers
from journal_service.application.lessons import LessonHandlers
from journal_service.application.mark_changes import MarkChangeHandlers
from journal_service.application.marks import MarkHandlers
from journal_service.application.movement import MovementHandlers
from journal_service.application.people import PeopleHandlers
from journal_service.application.period_locks import PeriodLockHandlers
from journal_service.application.ports import (
    GuardianDirectory,
    PersonDirectory,
    Today,
    UnitOfWorkFactory,
)
from journal_service.application.read_models import ReadModelHandlers
from journal_service.application.reopen_requests import ReopenRequestHandlers
from journal_service.application.subgroup_membership import SubgroupMembershipHandlers
from journal_service.application.subgroups import SubgroupHandlers
from journal_service.application.substitutions import SubstitutionHandlers
from journal_service.application.teaching_load import TeachingLoadHandlers
from journal_service.application.timetable import TimetableHandlers
from journal_service.application.year_import import YearImportHandlers


class JournalHandlers:
    """Every use case of the journal, by aggregate: `handlers.marks.record(...)`."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        guardians: GuardianDirectory,
        today: Today,
        people: PersonDirectory,
    ) -> None:
        self.people = PeopleHandlers(uow, people)
        self.groups = GroupHandlers(uow, self.people, today)
        self.movement = MovementHandlers(uow, self.people, guardians)
        # Slice H2: identity's imported group lists enrol their students (same code as EnrollStudent).
        self.imported_students = ImportedStudentsHandlers(uow, self.people)
        self.disciplines = DisciplineHandlers(uow)
        self.loads = TeachingLoadHandlers(uow, self.people)
        self.marks = MarkHandlers(uow, guardians, today)
        self.mark_changes = MarkChangeHandlers(uow)
        self.period_locks = PeriodLockHandlers(uow, today)
        self.reopen_requests = ReopenRequestHandlers(uow)
        self.years = AcademicYearHandlers(uow)
        self.bells = BellScheduleHandlers(uow)
        self.subgroups = SubgroupHandlers(uow, today)
        self.subgroup_membership = SubgroupMembershipHandlers(uow)
        self.lessons = LessonHandlers(uow, today)
        self.read_models = ReadModelHandlers(uow, guardians)
        self.absences = AbsenceHandlers(uow)
        self.curricula = CurriculumHandlers(uow)
        self.ktps = KtpHandlers(uow, today)
        self.year_import = YearImportHandlers(uow, people, today)
        self.timetable = TimetableHandlers(uow, guardians)
        self.finals = FinalHandlers(uow, guardians, today)
        self.final_history = FinalHistoryHandlers(uow, guardians)
        self.substitutions = SubstitutionHandlers(uow, self.people)
        self.curriculum_execution = CurriculumExecutionHandlers(uow, today)
        self.history = HistoryHandlers(uow, guardians)
        self.correction_requests = CorrectionRequestHandlers(uow)
        self.demo_exams = DemoExamHandlers(uow, today, self.finals)
        self.debts = DebtHandlers(uow, guardians, today, self.people)
