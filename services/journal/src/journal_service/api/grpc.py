"""Thin gRPC servicer: proto → command → handler → proto. No SQL, no rules."""

from __future__ import annotations

import uuid
from typing import Any

from chassis.errors import InvalidArgument
from chassis.principal import require_principal as _actor
from chassis.validation import page_size, require_text
from chassis.validation import parse_uuid as _id
from ejournal.journal.v1 import journal_service_pb2 as pb
from ejournal.journal.v1 import journal_service_pb2_grpc as pb_grpc
from ejournal.journal.v1 import period_locks_pb2 as lpb

from journal_service.adapters import xlsx
from journal_service.api import debts as debts_api
from journal_service.api import demo_exam as demo_exam_api
from journal_service.api import final_history as final_history_api
from journal_service.api import finals as finals_api
from journal_service.api import history as history_api
from journal_service.api import mappers
from journal_service.api import movement as movement_api
from journal_service.api import period_locks as locks_api
from journal_service.api import subgroup_membership as subgroup_membership_api
from journal_service.api import substitutions as substitutions_api
from journal_service.api.read_models import (
    absences_to_pb,
    corrected_to_pb,
    corrections_from_pb,
    diary_to_pb,
    group_overview_to_pb,
    journal_page_to_pb,
)
from journal_service.application.absences import CorrectAbsenceReasons, ListGroupAbsences
from journal_service.application.academic_year import GetGroupCalendar, OpenAcademicYear, SetGroupCalendar
from journal_service.application.bell_schedule import SetBellSchedule
from journal_service.application.correction_requests import (
    AnswerCorrectionRequest,
    FileCorrectionRequest,
    ListCorrectionRequests,
)
from journal_service.application.curriculum import GetCurriculum, SetCurriculum
from journal_service.application.debts import ListGroupDebts, RecordRetake
from journal_service.application.demo_exam import (
    ListDemoExamResults,
    RecordDemoExamResult,
    SetDemoExamScale,
)
from journal_service.application.disciplines import CreateDiscipline, FindDisciplines, ListDisciplines
from journal_service.application.groups import (
    CreateGroup,
    EnrollStudent,
    GetGroup,
    ListGroups,
    ListGroupStudents,
    UpdateGroup,
)
from journal_service.application.handlers import JournalHandlers
from journal_service.application.history import GetAttendanceHistory, GetMarkHistory
from journal_service.application.ktp import GetKtp, ListDisciplinesWithoutKtp, SetKtp
from journal_service.application.lessons import (
    GetAttendance,
    ListLessons,
    RecordAttendance,
    RecordLesson,
)
from journal_service.application.mark_changes import ChangeMark, RemoveMark
from journal_service.application.marks import ListStudentMarks, RecordMark, local_date
from journal_service.application.movement import (
    GetStudentMovements,
    GraduateGroup,
    ListGroupMovements,
    MoveStudent,
)
from journal_service.application.read_models import GetGroupOverview, GetJournalPage, GetStudentDiary
from journal_service.application.subgroup_membership import (
    ListSubgroupMemberships,
    MoveStudentBetweenSubgroups,
)
from journal_service.application.subgroups import CreateSubgroup, ListSubgroups
from journal_service.application.teaching_load import (
    AssignTeachingLoad,
    ListTeachingLoads,
    RemoveTeachingLoad,
)
from journal_service.application.timetable import GetGroupTimetable, GetTeacherDay, SetGroupTimetable
from journal_service.application.year_import import CopyYearStructure, ImportYearWorkbook
from journal_service.domain import curriculum, ktp, lesson_errors, lessons, timetable, year, year_errors
from journal_service.domain import teaching_load as load_rules
from journal_service.domain.movement import check_order_number

Context = Any
# One page of a diary or of notifications names far fewer disciplines than a curriculum holds.
MAX_DISCIPLINE_IDS = 500
# A group's name is at most 32 characters; a list of groups is one page of the college's groups.
MAX_GROUP_NAME = 32
DEFAULT_GROUPS_PAGE = 200
MAX_GROUPS_PAGE = 500


def _attributes(message: pb.GroupAttributes) -> year.GroupAttributes:
    """Return the attributes a request sets: absent fields stay; an empty class teacher removes them."""
    teacher = message.class_teacher_id.strip() if message.HasField("class_teacher_id") else None
    return year.GroupAttributes(
        course_year=message.course_year if message.HasField("course_year") else None,
        specialty_code=message.specialty_code.strip() if message.HasField("specialty_code") else None,
        specialty_name=(
            _optional_text(message.specialty_name, "specialty_name")
            if message.HasField("specialty_name")
            else None
        ),
        study_form=mappers.study_form_from_pb(message.study_form),
        class_teacher_id=_id(teacher, "class_teacher_id") if teacher else None,
        clear_class_teacher=teacher == "",
    )


def _optional_text(value: str, field: str, *, max_length: int = 200) -> str:
    """Return the stripped text ("" allowed: it clears) or raise InvalidArgument when too long."""
    text = value.strip()
    if len(text) > max_length:
        raise InvalidArgument(f"Поле «{field}» длиннее {max_length} символов", code=f"too_long_{field}")
    return text


class JournalServicer(pb_grpc.JournalServiceServicer):
    """gRPC face of the journal's use cases."""

    def __init__(self, handlers: JournalHandlers) -> None:
        self._h = handlers

    async def CreateGroup(self, request: pb.CreateGroupRequest, context: Context) -> pb.CreateGroupResponse:
        cmd = CreateGroup(
            name=require_text(request.name, "name", max_length=32),
            attributes=_attributes(request.attributes),
        )
        group = await self._h.groups.create(cmd, _actor())
        return pb.CreateGroupResponse(group=mappers.group_to_pb(group))

    async def EnrollStudent(
        self, request: pb.EnrollStudentRequest, context: Context
    ) -> pb.EnrollStudentResponse:
        cmd = EnrollStudent(
            group_id=_id(request.group_id, "group_id"),
            student_id=_id(request.student_id, "student_id"),
            enrolled_on=mappers.date_from_pb(request.enrolled_on, "enrolled_on")
            if request.HasField("enrolled_on")
            else None,
        )
        return pb.EnrollStudentResponse(created=await self._h.groups.enroll_student(cmd, _actor()))

    async def MoveStudent(self, request: pb.MoveStudentRequest, context: Context) -> pb.MoveStudentResponse:
        cmd = MoveStudent(
            student_id=_id(request.student_id, "student_id"),
            kind=movement_api.kind_from_pb(request.kind),
            from_group_id=movement_api.optional_id(request.from_group_id, "from_group_id"),
            to_group_id=movement_api.optional_id(request.to_group_id, "to_group_id"),
            on_date=mappers.date_from_pb(request.on_date, "on_date"),
            order_number=check_order_number(request.order_number),
        )
        moved = await self._h.movement.move_student(cmd, _actor())
        return pb.MoveStudentResponse(movement=movement_api.movement_to_pb(moved))

    async def GraduateGroup(
        self, request: pb.GraduateGroupRequest, context: Context
    ) -> pb.GraduateGroupResponse:
        cmd = GraduateGroup(
            group_id=_id(request.group_id, "group_id"),
            on_date=mappers.date_from_pb(request.on_date, "on_date"),
            order_number=check_order_number(request.order_number),
        )
        moved = await self._h.movement.graduate_group(cmd, _actor())
        return pb.GraduateGroupResponse(movements=[movement_api.movement_to_pb(m) for m in moved])

    async def GetStudentMovements(
        self, request: pb.GetStudentMovementsRequest, context: Context
    ) -> pb.GetStudentMovementsResponse:
        query = GetStudentMovements(student_id=_id(request.student_id, "student_id"))
        found = await self._h.movement.student_movements(query, _actor())
        return pb.GetStudentMovementsResponse(movements=[movement_api.movement_to_pb(m) for m in found])

    async def ListGroupMovements(
        self, request: pb.ListGroupMovementsRequest, context: Context
    ) -> pb.ListGroupMovementsResponse:
        query = ListGroupMovements(group_id=_id(request.group_id, "group_id"))
        found = await self._h.movement.group_movements(query, _actor())
        return pb.ListGroupMovementsResponse(movements=[movement_api.movement_to_pb(m) for m in found])

    async def CreateDiscipline(
        self, request: pb.CreateDisciplineRequest, context: Context
    ) -> pb.CreateDisciplineResponse:
        cmd = CreateDiscipline(
            code=(request.code or "").strip()[:32],
            name=require_text(request.name, "name"),
            kind=mappers.kind_from_pb(request.kind),
        )
        discipline = await self._h.disciplines.create(cmd, _actor())
        return pb.CreateDisciplineResponse(discipline=mappers.discipline_to_pb(discipline))

    async def AssignTeachingLoad(
        self, request: pb.AssignTeachingLoadRequest, context: Context
    ) -> pb.AssignTeachingLoadResponse:
        cmd = AssignTeachingLoad(
            teacher_id=_id(request.teacher_id, "teacher_id"),
            group_id=_id(request.group_id, "group_id"),
            discipline_id=_id(request.discipline_id, "discipline_id"),
            subgroup_id=_id(subgroup, "subgroup_id") if (subgroup := request.subgroup_id.strip()) else None,
        )
        load = await self._h.loads.assign(cmd, _actor())
        return pb.AssignTeachingLoadResponse(load=mappers.load_to_pb(load))

    async def ListTeachingLoads(
        self, request: pb.ListTeachingLoadsRequest, context: Context
    ) -> pb.ListTeachingLoadsResponse:
        query = ListTeachingLoads(group_id=_id(request.group_id, "group_id"))
        loads = await self._h.loads.of_group(query, _actor())
        return pb.ListTeachingLoadsResponse(loads=[mappers.load_to_pb(load) for load in loads])

    async def RemoveTeachingLoad(
        self, request: pb.RemoveTeachingLoadRequest, context: Context
    ) -> pb.RemoveTeachingLoadResponse:
        cmd = RemoveTeachingLoad(load_id=_id(request.load_id, "load_id"))
        load = await self._h.loads.remove(cmd, _actor())
        return pb.RemoveTeachingLoadResponse(load=mappers.load_to_pb(load))

    async def FindDisciplines(
        self, request: pb.FindDisciplinesRequest, context: Context
    ) -> pb.FindDisciplinesResponse:
        query = FindDisciplines(
            query=load_rules.discipline_query(request.query),
            page_size=page_size(
                request.page_size,
                default=load_rules.DEFAULT_DISCIPLINES_PAGE,
                maximum=load_rules.MAX_DISCIPLINES_PAGE,
            ),
        )
        found = await self._h.disciplines.find(query, _actor())
        return pb.FindDisciplinesResponse(
            disciplines=[mappers.discipline_to_pb(d) for d in found.disciplines], truncated=found.truncated
        )

    async def RecordMark(self, request: pb.RecordMarkRequest, context: Context) -> pb.RecordMarkResponse:
        lesson = request.lesson_id.strip()
        group = request.group_id.strip()
        discipline = request.discipline_id.strip()
        on_lesson = bool(lesson)
        cmd = RecordMark(
            student_id=_id(request.student_id, "student_id"),
            # On a lesson they come from it (and, when given anyway, must be the lesson's).
            group_id=_id(group, "group_id") if group or not on_lesson else None,
            discipline_id=_id(discipline, "discipline_id") if discipline or not on_lesson else None,
            lesson_date=(
                mappers.date_from_pb(request.lesson_date, "lesson_date")
                if request.HasField("lesson_date") or not on_lesson
                else None
            ),
            value=require_text(request.value, "value", max_length=16),
            lesson_id=_id(lesson, "lesson_id") if on_lesson else None,
            kind_of_work=mappers.kind_of_work_from_pb(request.kind_of_work),
            weight=request.weight or 1,
        )
        mark = await self._h.marks.record(cmd, _actor())
        return pb.RecordMarkResponse(mark=mappers.mark_to_pb(mark))

    async def ChangeMark(self, request: pb.ChangeMarkRequest, context: Context) -> pb.ChangeMarkResponse:
        cmd = ChangeMark(
            mark_id=_id(request.mark_id, "mark_id"),
            value=require_text(request.value, "value", max_length=16),
            # Unspecified (0) keeps the mark's kind, as 0 keeps its weight.
            kind_of_work=mappers.kind_of_work_from_pb(request.kind_of_work) if request.kind_of_work else None,
            weight=request.weight or None,
            reason=request.reason,
        )
        mark = await self._h.mark_changes.change(cmd, _actor())
        return pb.ChangeMarkResponse(mark=mappers.mark_to_pb(mark))

    async def RemoveMark(self, request: pb.RemoveMarkRequest, context: Context) -> pb.RemoveMarkResponse:
        cmd = RemoveMark(mark_id=_id(request.mark_id, "mark_id"), reason=request.reason)
        await self._h.mark_changes.remove(cmd, _actor())
        return pb.RemoveMarkResponse(mark_id=str(cmd.mark_id))

    # Finals and the enough-marks rule (issue 7 items 1-2; slice A): api/finals.py.
    async def GetFinalRule(
        self, request: pb.GetFinalRuleRequest, context: Context
    ) -> pb.GetFinalRuleResponse:
        return await finals_api.get_rule(self._h, request)

    async def SetFinalRule(
        self, request: pb.SetFinalRuleRequest, context: Context
    ) -> pb.SetFinalRuleResponse:
        return await finals_api.set_rule(self._h, request)

    async def ProposeFinals(
        self, request: pb.ProposeFinalsRequest, context: Context
    ) -> pb.ProposeFinalsResponse:
        return await finals_api.propose(self._h, request)

    async def SetFinal(self, request: pb.SetFinalRequest, context: Context) -> pb.SetFinalResponse:
        return await finals_api.set_final(self._h, request)

    async def GetStudentFinals(
        self, request: pb.GetStudentFinalsRequest, context: Context
    ) -> pb.GetStudentFinalsResponse:
        return await finals_api.student_finals(self._h, request)

    async def GetFinalHistory(
        self, request: pb.GetFinalHistoryRequest, context: Context
    ) -> pb.GetFinalHistoryResponse:
        return await final_history_api.final_history(self._h, request)

    async def GetGroupFinals(
        self, request: pb.GetGroupFinalsRequest, context: Context
    ) -> pb.GetGroupFinalsResponse:
        return await finals_api.group_finals(self._h, request)

    async def ListStudentsWithTooFewMarks(
        self, request: pb.ListStudentsWithTooFewMarksRequest, context: Context
    ) -> pb.ListStudentsWithTooFewMarksResponse:
        return await finals_api.too_few_marks(self._h, request)

    async def ListStudentMarks(
        self, request: pb.ListStudentMarksRequest, context: Context
    ) -> pb.ListStudentMarksResponse:
        query = ListStudentMarks(student_id=_id(request.student_id, "student_id"))
        diary = await self._h.marks.diary(query, _actor())
        return pb.ListStudentMarksResponse(
            marks=[mappers.mark_to_pb(m) for m in diary.marks],
            disciplines=[mappers.discipline_to_pb(d) for d in diary.disciplines],
            averages=[mappers.averages_to_pb(a) for a in diary.averages],
        )

    async def ListDisciplines(
        self, request: pb.ListDisciplinesRequest, context: Context
    ) -> pb.ListDisciplinesResponse:
        _actor()  # any authenticated caller: names of disciplines are not personal data
        if len(request.discipline_ids) > MAX_DISCIPLINE_IDS:
            raise InvalidArgument(
                f"Можно запросить не больше {MAX_DISCIPLINE_IDS} дисциплин за раз",
                code="too_many_discipline_ids",
            )
        ids = dict.fromkeys(_id(value, "discipline_ids") for value in request.discipline_ids)
        disciplines = await self._h.disciplines.lookup(ListDisciplines(discipline_ids=tuple(ids)))
        return pb.ListDisciplinesResponse(disciplines=[mappers.discipline_to_pb(d) for d in disciplines])

    async def ListGroupStudents(
        self, request: pb.ListGroupStudentsRequest, context: Context
    ) -> pb.ListGroupStudentsResponse:
        query = ListGroupStudents(
            group_id=_id(request.group_id, "group_id"),
            on_date=mappers.date_from_pb(request.on_date, "on_date") if request.HasField("on_date") else None,
        )
        students = await self._h.groups.students(query, _actor())
        return pb.ListGroupStudentsResponse(student_ids=[str(s) for s in students])

    async def ListGroups(self, request: pb.ListGroupsRequest, context: Context) -> pb.ListGroupsResponse:
        prefix = _optional_text(request.name_prefix, "name_prefix", max_length=MAX_GROUP_NAME)
        size = page_size(request.page_size, default=DEFAULT_GROUPS_PAGE, maximum=MAX_GROUPS_PAGE)
        groups = await self._h.groups.list_groups(ListGroups(name_prefix=prefix, page_size=size), _actor())
        return pb.ListGroupsResponse(groups=[mappers.group_to_pb(g) for g in groups])

    async def GetGroup(self, request: pb.GetGroupRequest, context: Context) -> pb.GetGroupResponse:
        group = await self._h.groups.get_group(GetGroup(group_id=_id(request.group_id, "group_id")), _actor())
        return pb.GetGroupResponse(group=mappers.group_to_pb(group))

    async def UpdateGroup(self, request: pb.UpdateGroupRequest, context: Context) -> pb.UpdateGroupResponse:
        cmd = UpdateGroup(
            group_id=_id(request.group_id, "group_id"), attributes=_attributes(request.attributes)
        )
        group = await self._h.groups.update(cmd, _actor())
        return pb.UpdateGroupResponse(group=mappers.group_to_pb(group))

    async def OpenAcademicYear(
        self, request: pb.OpenAcademicYearRequest, context: Context
    ) -> pb.OpenAcademicYearResponse:
        cmd = OpenAcademicYear(
            name=require_text(request.name, "name", max_length=9),
            span=mappers.span_from_pb(request.span, "year"),
            semester1=mappers.span_from_pb(request.semester1, "semester1"),
            semester2=mappers.span_from_pb(request.semester2, "semester2"),
        )
        opened = await self._h.years.open(cmd, _actor())
        return pb.OpenAcademicYearResponse(year=mappers.year_to_pb(opened))

    async def ListAcademicYears(
        self, request: pb.ListAcademicYearsRequest, context: Context
    ) -> pb.ListAcademicYearsResponse:
        years = await self._h.years.all(_actor())
        return pb.ListAcademicYearsResponse(years=[mappers.year_to_pb(y) for y in years])

    async def SetGroupCalendar(
        self, request: pb.SetGroupCalendarRequest, context: Context
    ) -> pb.SetGroupCalendarResponse:
        if len(request.spans) > year.MAX_SPANS:
            raise year_errors.TooManySpans(year.MAX_SPANS)
        cmd = SetGroupCalendar(
            group_id=_id(request.group_id, "group_id"),
            year_id=_id(request.year_id, "year_id"),
            spans=tuple(mappers.calendar_span_from_pb(s) for s in request.spans),
        )
        spans = await self._h.years.set_calendar(cmd, _actor())
        return pb.SetGroupCalendarResponse(spans=[mappers.calendar_span_to_pb(s) for s in spans])

    async def GetGroupCalendar(
        self, request: pb.GetGroupCalendarRequest, context: Context
    ) -> pb.GetGroupCalendarResponse:
        query = GetGroupCalendar(
            group_id=_id(request.group_id, "group_id"), year_id=_id(request.year_id, "year_id")
        )
        calendar = await self._h.years.calendar(query, _actor())
        return pb.GetGroupCalendarResponse(
            year=mappers.year_to_pb(calendar.academic_year),
            spans=[mappers.calendar_span_to_pb(s) for s in calendar.spans],
        )

    async def SetBellSchedule(
        self, request: pb.SetBellScheduleRequest, context: Context
    ) -> pb.SetBellScheduleResponse:
        cmd = SetBellSchedule(pairs=tuple(mappers.pair_from_pb(p) for p in request.pairs))
        pairs = await self._h.bells.set(cmd, _actor())
        return pb.SetBellScheduleResponse(pairs=[mappers.pair_to_pb(p) for p in pairs])

    async def GetBellSchedule(
        self, request: pb.GetBellScheduleRequest, context: Context
    ) -> pb.GetBellScheduleResponse:
        pairs = await self._h.bells.get(_actor())
        return pb.GetBellScheduleResponse(pairs=[mappers.pair_to_pb(p) for p in pairs])

    async def CreateSubgroup(
        self, request: pb.CreateSubgroupRequest, context: Context
    ) -> pb.CreateSubgroupResponse:
        if len(request.student_ids) > year.MAX_SUBGROUP_STUDENTS:
            raise year_errors.TooManySubgroupStudents(year.MAX_SUBGROUP_STUDENTS)
        cmd = CreateSubgroup(
            group_id=_id(request.group_id, "group_id"),
            discipline_id=_id(request.discipline_id, "discipline_id"),
            name=require_text(request.name, "name", max_length=64),
            student_ids=tuple(_id(s, "student_ids") for s in request.student_ids),
        )
        subgroup = await self._h.subgroups.create(cmd, _actor())
        return pb.CreateSubgroupResponse(subgroup=mappers.subgroup_to_pb(subgroup))

    async def ListSubgroups(
        self, request: pb.ListSubgroupsRequest, context: Context
    ) -> pb.ListSubgroupsResponse:
        query = ListSubgroups(group_id=_id(request.group_id, "group_id"))
        subgroups = await self._h.subgroups.of_group(query, _actor())
        return pb.ListSubgroupsResponse(subgroups=[mappers.subgroup_to_pb(s) for s in subgroups])

    async def MoveStudentBetweenSubgroups(
        self, request: pb.MoveStudentBetweenSubgroupsRequest, context: Context
    ) -> pb.MoveStudentBetweenSubgroupsResponse:
        """Slice J: a transfer between subgroups on a date (admin or deputy)."""
        cmd = MoveStudentBetweenSubgroups(
            student_id=_id(request.student_id, "student_id"),
            from_subgroup_id=_id(request.from_subgroup_id, "from_subgroup_id"),
            to_subgroup_id=_id(request.to_subgroup_id, "to_subgroup_id"),
            on_date=mappers.date_from_pb(request.on_date, "on_date"),
        )
        moved = await self._h.subgroup_membership.move(cmd, _actor())
        return subgroup_membership_api.transfer_to_pb(moved)

    async def ListSubgroupMemberships(
        self, request: pb.ListSubgroupMembershipsRequest, context: Context
    ) -> pb.ListSubgroupMembershipsResponse:
        """Slice J: the dated memberships of a group's subgroups."""
        query = ListSubgroupMemberships(group_id=_id(request.group_id, "group_id"))
        found = await self._h.subgroup_membership.of_group(query, _actor())
        return pb.ListSubgroupMembershipsResponse(
            memberships=[subgroup_membership_api.membership_to_pb(m) for m in found]
        )

    async def RecordLesson(
        self, request: pb.RecordLessonRequest, context: Context
    ) -> pb.RecordLessonResponse:
        subgroup = request.subgroup_id.strip()
        homework = _optional_text(request.homework, "homework", max_length=2000)
        ktp_topic = request.ktp_topic_id.strip()
        if len(request.homework_student_ids) > lessons.MAX_HOMEWORK_STUDENTS:
            raise lesson_errors.TooManyHomeworkStudents(lessons.MAX_HOMEWORK_STUDENTS)
        cmd = RecordLesson(
            group_id=_id(request.group_id, "group_id"),
            subgroup_id=_id(subgroup, "subgroup_id") if subgroup else None,
            discipline_id=_id(request.discipline_id, "discipline_id"),
            lesson_date=mappers.date_from_pb(request.lesson_date, "lesson_date"),
            pair_number=request.pair_number,
            # With a KTP topic an empty topic takes the topic's title.
            topic=(
                _optional_text(request.topic, "topic", max_length=500)
                if ktp_topic
                else require_text(request.topic, "topic", max_length=500)
            ),
            kind=mappers.lesson_kind_from_pb(request.kind),
            homework=homework,
            homework_deadline=(
                mappers.date_from_pb(request.homework_deadline, "homework_deadline")
                if request.HasField("homework_deadline")
                else None
            ),
            ktp_topic_id=_id(ktp_topic, "ktp_topic_id") if ktp_topic else None,
            homework_kind=mappers.homework_kind_from_pb(request.homework_kind),
            homework_student_ids=tuple(_id(s, "homework_student_ids") for s in request.homework_student_ids),
        )
        recorded = await self._h.lessons.record(cmd, _actor())
        return pb.RecordLessonResponse(lesson=mappers.lesson_to_pb(recorded.lesson), created=recorded.created)

    async def ListLessons(self, request: pb.ListLessonsRequest, context: Context) -> pb.ListLessonsResponse:
        query = ListLessons(
            group_id=_id(request.group_id, "group_id"),
            discipline_id=_id(request.discipline_id, "discipline_id"),
            span=year.DateSpan(
                mappers.date_from_pb(request.from_date, "from_date"),
                mappers.date_from_pb(request.to_date, "to_date"),
            ),
        )
        found = await self._h.lessons.of_group(query, _actor())
        return pb.ListLessonsResponse(lessons=[mappers.lesson_to_pb(lesson) for lesson in found])

    async def RecordAttendance(
        self, request: pb.RecordAttendanceRequest, context: Context
    ) -> pb.RecordAttendanceResponse:
        if len(request.entries) > lessons.MAX_ATTENDANCE_ENTRIES:
            raise lesson_errors.TooManyAttendanceEntries(lessons.MAX_ATTENDANCE_ENTRIES)
        cmd = RecordAttendance(
            lesson_id=_id(request.lesson_id, "lesson_id"),
            entries=tuple(
                mappers.attendance_entry_from_pb(entry, index, _id(entry.student_id, "student_id"))
                for index, entry in enumerate(request.entries)
            ),
        )
        entries = await self._h.lessons.record_attendance(cmd, _actor())
        return pb.RecordAttendanceResponse(entries=[mappers.attendance_entry_to_pb(e) for e in entries])

    async def GetAttendance(
        self, request: pb.GetAttendanceRequest, context: Context
    ) -> pb.GetAttendanceResponse:
        query = GetAttendance(lesson_id=_id(request.lesson_id, "lesson_id"))
        found = await self._h.lessons.attendance(query, _actor())
        return pb.GetAttendanceResponse(
            lesson=mappers.lesson_to_pb(found.lesson),
            entries=[mappers.attendance_entry_to_pb(e) for e in found.entries],
        )

    async def GetJournalPage(
        self, request: pb.GetJournalPageRequest, context: Context
    ) -> pb.GetJournalPageResponse:
        subgroup = request.subgroup_id.strip()
        query = GetJournalPage(
            group_id=_id(request.group_id, "group_id"),
            discipline_id=_id(request.discipline_id, "discipline_id"),
            subgroup_id=_id(subgroup, "subgroup_id") if subgroup else None,
            span=year.DateSpan(
                mappers.date_from_pb(request.date_from, "date_from"),
                mappers.date_from_pb(request.date_to, "date_to"),
            ),
        )
        return journal_page_to_pb(await self._h.read_models.journal_page(query, _actor()))

    async def GetGroupOverview(
        self, request: pb.GetGroupOverviewRequest, context: Context
    ) -> pb.GetGroupOverviewResponse:
        query = GetGroupOverview(
            group_id=_id(request.group_id, "group_id"),
            span=year.DateSpan(
                mappers.date_from_pb(request.date_from, "date_from"),
                mappers.date_from_pb(request.date_to, "date_to"),
            ),
        )
        return group_overview_to_pb(await self._h.read_models.group_overview(query, _actor()))

    async def GetStudentDiary(
        self, request: pb.GetStudentDiaryRequest, context: Context
    ) -> pb.GetStudentDiaryResponse:
        query = GetStudentDiary(
            student_id=_id(request.student_id, "student_id"),
            span=year.DateSpan(
                mappers.date_from_pb(request.date_from, "date_from"),
                mappers.date_from_pb(request.date_to, "date_to"),
            ),
        )
        return diary_to_pb(await self._h.read_models.diary(query, _actor()))

    async def ListGroupAbsences(
        self, request: pb.ListGroupAbsencesRequest, context: Context
    ) -> pb.ListGroupAbsencesResponse:
        query = ListGroupAbsences(
            group_id=_id(request.group_id, "group_id"),
            week_start=mappers.date_from_pb(request.week_start, "week_start"),
        )
        return absences_to_pb(await self._h.absences.week(query, _actor()))

    async def CorrectAbsenceReasons(
        self, request: pb.CorrectAbsenceReasonsRequest, context: Context
    ) -> pb.CorrectAbsenceReasonsResponse:
        items = request.corrections
        cmd = CorrectAbsenceReasons(
            group_id=_id(request.group_id, "group_id"),
            corrections=corrections_from_pb(
                items,
                [_id(c.lesson_id, "lesson_id") for c in items],
                [_id(c.student_id, "student_id") for c in items],
            ),
        )
        return corrected_to_pb(await self._h.absences.correct(cmd, _actor()))

    # Period locks and reopen requests (slice B, R1.5).
    async def ClosePeriod(self, request: lpb.ClosePeriodRequest, context: Context) -> lpb.ClosePeriodResponse:
        lock = await self._h.period_locks.close(locks_api.close_from_pb(request), _actor())
        return lpb.ClosePeriodResponse(lock=locks_api.lock_to_pb(lock))

    async def ListPeriodLocks(
        self, request: lpb.ListPeriodLocksRequest, context: Context
    ) -> lpb.ListPeriodLocksResponse:
        found = await self._h.period_locks.of_group(locks_api.list_locks_from_pb(request), _actor())
        return lpb.ListPeriodLocksResponse(locks=[locks_api.lock_to_pb(lock) for lock in found])

    async def RequestReopen(
        self, request: lpb.RequestReopenRequest, context: Context
    ) -> lpb.RequestReopenResponse:
        filed = await self._h.reopen_requests.request(locks_api.request_from_pb(request), _actor())
        return lpb.RequestReopenResponse(request=locks_api.request_to_pb(filed))

    async def ApproveReopen(
        self, request: lpb.ApproveReopenRequest, context: Context
    ) -> lpb.ApproveReopenResponse:
        approved = await self._h.reopen_requests.approve(locks_api.approve_from_pb(request), _actor())
        return lpb.ApproveReopenResponse(
            request=locks_api.request_to_pb(approved), lock=locks_api.lock_to_pb(approved.lock)
        )

    async def RejectReopen(
        self, request: lpb.RejectReopenRequest, context: Context
    ) -> lpb.RejectReopenResponse:
        rejected = await self._h.reopen_requests.reject(locks_api.reject_from_pb(request), _actor())
        return lpb.RejectReopenResponse(request=locks_api.request_to_pb(rejected))

    async def ListReopenRequests(
        self, request: lpb.ListReopenRequestsRequest, context: Context
    ) -> lpb.ListReopenRequestsResponse:
        found = await self._h.reopen_requests.listed(locks_api.list_requests_from_pb(request), _actor())
        return lpb.ListReopenRequestsResponse(requests=[locks_api.request_to_pb(r) for r in found])

    # History and correction requests (issue 7 item 6, R3.3).
    async def GetMarkHistory(
        self, request: pb.GetMarkHistoryRequest, context: Context
    ) -> pb.GetMarkHistoryResponse:
        query = GetMarkHistory(mark_id=_id(request.mark_id, "mark_id"))
        return history_api.mark_history_to_pb(await self._h.history.mark(query, _actor()))

    async def GetAttendanceHistory(
        self, request: pb.GetAttendanceHistoryRequest, context: Context
    ) -> pb.GetAttendanceHistoryResponse:
        query = GetAttendanceHistory(
            lesson_id=_id(request.lesson_id, "lesson_id"), student_id=_id(request.student_id, "student_id")
        )
        return history_api.attendance_history_to_pb(await self._h.history.attendance(query, _actor()))

    async def FileCorrectionRequest(
        self, request: pb.FileCorrectionRequestRequest, context: Context
    ) -> pb.FileCorrectionRequestResponse:
        cmd = FileCorrectionRequest(mark_id=_id(request.mark_id, "mark_id"), text=request.text)
        filed = await self._h.correction_requests.file(cmd, _actor())
        return pb.FileCorrectionRequestResponse(request=history_api.request_to_pb(filed))

    async def ListCorrectionRequests(
        self, request: pb.ListCorrectionRequestsRequest, context: Context
    ) -> pb.ListCorrectionRequestsResponse:
        query = ListCorrectionRequests(status=history_api.status_from_pb(request.status))
        found = await self._h.correction_requests.list(query, _actor())
        return pb.ListCorrectionRequestsResponse(requests=[history_api.request_to_pb(r) for r in found])

    async def AnswerCorrectionRequest(
        self, request: pb.AnswerCorrectionRequestRequest, context: Context
    ) -> pb.AnswerCorrectionRequestResponse:
        cmd = AnswerCorrectionRequest(
            request_id=_id(request.request_id, "request_id"),
            decision=history_api.decision_from_pb(request.decision),
            text=request.text,
            new_value=request.new_value,
        )
        return history_api.answered_to_pb(await self._h.correction_requests.answer(cmd, _actor()))

    # Curriculum and KTP (issue 6, items 1-2).
    async def SetCurriculum(
        self, request: pb.SetCurriculumRequest, context: Context
    ) -> pb.SetCurriculumResponse:
        if len(request.rows) > curriculum.MAX_CURRICULUM_ROWS:
            raise curriculum.TooManyCurriculumRows()
        cmd = SetCurriculum(
            group_id=_id(request.group_id, "group_id"),
            year_id=_id(request.year_id, "year_id"),
            rows=tuple(
                mappers.curriculum_row_from_pb(row, index, _id(row.discipline_id, "discipline_id"))
                for index, row in enumerate(request.rows)
            ),
        )
        rows = await self._h.curricula.set(cmd, _actor())
        return pb.SetCurriculumResponse(rows=[mappers.curriculum_row_to_pb(r) for r in rows])

    async def GetCurriculum(
        self, request: pb.GetCurriculumRequest, context: Context
    ) -> pb.GetCurriculumResponse:
        query = GetCurriculum(
            group_id=_id(request.group_id, "group_id"), year_id=_id(request.year_id, "year_id")
        )
        rows = await self._h.curricula.get(query, _actor())
        return pb.GetCurriculumResponse(rows=[mappers.curriculum_row_to_pb(r) for r in rows])

    async def SetKtp(self, request: pb.SetKtpRequest, context: Context) -> pb.SetKtpResponse:
        if len(request.topics) > ktp.MAX_KTP_TOPICS:
            raise ktp.TooManyKtpTopics()
        subgroup = request.subgroup_id.strip()
        cmd = SetKtp(
            group_id=_id(request.group_id, "group_id"),
            discipline_id=_id(request.discipline_id, "discipline_id"),
            subgroup_id=_id(subgroup, "subgroup_id") if subgroup else None,
            topics=tuple(
                ktp.TopicDraft(
                    topic_id=_id(t.topic_id.strip(), "topic_id") if t.topic_id.strip() else None,
                    title=require_text(t.title, "title", max_length=500),
                    hours=t.hours,
                    kind=mappers.lesson_kind_from_pb(t.kind),
                )
                for t in request.topics
            ),
        )
        plan = await self._h.ktps.set(cmd, _actor())
        return pb.SetKtpResponse(
            ktp=mappers.ktp_to_pb(plan, cmd.group_id, cmd.discipline_id, cmd.subgroup_id)
        )

    async def GetKtp(self, request: pb.GetKtpRequest, context: Context) -> pb.GetKtpResponse:
        subgroup = request.subgroup_id.strip()
        query = GetKtp(
            group_id=_id(request.group_id, "group_id"),
            discipline_id=_id(request.discipline_id, "discipline_id"),
            subgroup_id=_id(subgroup, "subgroup_id") if subgroup else None,
        )
        plan = await self._h.ktps.get(query, _actor())
        return pb.GetKtpResponse(
            ktp=mappers.ktp_to_pb(plan, query.group_id, query.discipline_id, query.subgroup_id)
        )

    async def ListDisciplinesWithoutKtp(
        self, request: pb.ListDisciplinesWithoutKtpRequest, context: Context
    ) -> pb.ListDisciplinesWithoutKtpResponse:
        query = ListDisciplinesWithoutKtp(
            year_id=_id(request.year_id, "year_id"),
            as_of=mappers.date_from_pb(request.as_of, "as_of") if request.HasField("as_of") else None,
        )
        missing = await self._h.ktps.without_ktp(query, _actor())
        return pb.ListDisciplinesWithoutKtpResponse(
            loads=[mappers.load_without_ktp_to_pb(load) for load in missing.loads],
            deadline=local_date(missing.deadline),
            past_deadline=missing.past_deadline,
            as_of=local_date(missing.as_of),
        )

    async def ImportYearWorkbook(
        self, request: pb.ImportYearWorkbookRequest, context: Context
    ) -> pb.ImportYearWorkbookResponse:
        data = request.workbook
        cmd = ImportYearWorkbook(
            year_id=_id(request.year_id, "year_id"),
            read_sheets=lambda: xlsx.read_workbook(data),
            dry_run=request.dry_run,
        )
        report = await self._h.year_import.import_workbook(cmd, _actor())
        return mappers.import_report_to_pb(report)

    async def CopyYearStructure(
        self, request: pb.CopyYearStructureRequest, context: Context
    ) -> pb.CopyYearStructureResponse:
        cmd = CopyYearStructure(
            from_year_id=_id(request.from_year_id, "from_year_id"),
            to_year_id=_id(request.to_year_id, "to_year_id"),
        )
        copied = await self._h.year_import.copy(cmd, _actor())
        return pb.CopyYearStructureResponse(copied=[mappers.sheet_summary_to_pb(s) for s in copied])

    async def GetYearImportTemplate(
        self, request: pb.GetYearImportTemplateRequest, context: Context
    ) -> pb.GetYearImportTemplateResponse:
        self._h.year_import.template(_actor())
        return pb.GetYearImportTemplateResponse(workbook=xlsx.template_workbook())

    # The timetable and the teacher's day (issue 6, items 1 and 6).
    async def SetGroupTimetable(
        self, request: pb.SetGroupTimetableRequest, context: Context
    ) -> pb.SetGroupTimetableResponse:
        if len(request.entries) > timetable.MAX_ENTRIES:
            raise timetable.TooManyTimetableEntries(timetable.MAX_ENTRIES)
        group_id, year_id = _id(request.group_id, "group_id"), _id(request.year_id, "year_id")
        cmd = SetGroupTimetable(
            group_id=group_id,
            year_id=year_id,
            semester=request.semester,
            entries=tuple(
                _timetable_entry(entry, index, group_id, year_id, request.semester)
                for index, entry in enumerate(request.entries)
            ),
        )
        stored = await self._h.timetable.set(cmd, _actor())
        return pb.SetGroupTimetableResponse(entries=[mappers.timetable_entry_to_pb(e) for e in stored])

    async def GetGroupTimetable(
        self, request: pb.GetGroupTimetableRequest, context: Context
    ) -> pb.GetGroupTimetableResponse:
        query = GetGroupTimetable(
            group_id=_id(request.group_id, "group_id"),
            year_id=_id(request.year_id, "year_id"),
            semester=request.semester,
        )
        found = await self._h.timetable.of_group(query, _actor())
        return pb.GetGroupTimetableResponse(entries=[mappers.timetable_entry_to_pb(e) for e in found])

    async def GetTeacherDay(
        self, request: pb.GetTeacherDayRequest, context: Context
    ) -> pb.GetTeacherDayResponse:
        query = GetTeacherDay(
            teacher_id=_id(request.teacher_id, "teacher_id"), day=mappers.date_from_pb(request.date, "date")
        )
        day = await self._h.timetable.teacher_day(query, _actor())
        placement = day.placement
        return pb.GetTeacherDayResponse(
            date=request.date,
            year_id=str(placement.academic_year.id) if placement else "",
            semester=placement.semester if placement else 0,
            week_number=placement.week if placement else 0,
            pairs=[
                pb.TeacherDayPair(
                    entry=mappers.timetable_entry_to_pb(pair.entry),
                    group_id=str(pair.entry.group_id),
                    starts_at_minute=pair.starts_at,
                    ends_at_minute=pair.ends_at,
                    lesson_id=str(pair.lesson_id or ""),
                    **substitutions_api.day_pair_fields(pair.substitution, query.teacher_id),
                )
                for pair in day.pairs
            ],
        )

    # Substitutions and curriculum execution (issue 7 items 7, 9): api/substitutions.py.
    async def RecordSubstitution(
        self, request: pb.RecordSubstitutionRequest, context: Context
    ) -> pb.RecordSubstitutionResponse:
        return await substitutions_api.record(self._h, request)

    async def CancelSubstitution(
        self, request: pb.CancelSubstitutionRequest, context: Context
    ) -> pb.CancelSubstitutionResponse:
        return await substitutions_api.cancel(self._h, request)

    async def ListSubstitutions(
        self, request: pb.ListSubstitutionsRequest, context: Context
    ) -> pb.ListSubstitutionsResponse:
        return await substitutions_api.listed(self._h, request)

    async def GetCurriculumExecution(
        self, request: pb.GetCurriculumExecutionRequest, context: Context
    ) -> pb.GetCurriculumExecutionResponse:
        return await substitutions_api.execution(self._h, request)

    async def ListCurriculumLag(
        self, request: pb.ListCurriculumLagRequest, context: Context
    ) -> pb.ListCurriculumLagResponse:
        return await substitutions_api.lag(self._h, request)

    # The demonstration exam (issue 7 item 4).
    async def SetDemoExamScale(
        self, request: pb.SetDemoExamScaleRequest, context: Context
    ) -> pb.SetDemoExamScaleResponse:
        cmd = SetDemoExamScale(
            bands=demo_exam_api.bands_from_pb(list(request.bands)),
            effective_from=(
                mappers.date_from_pb(request.effective_from, "effective_from")
                if request.HasField("effective_from")
                else None
            ),
        )
        scale = await self._h.demo_exams.set_scale(cmd, _actor())
        return pb.SetDemoExamScaleResponse(scale=demo_exam_api.scale_to_pb(scale))

    async def GetDemoExamScale(
        self, request: pb.GetDemoExamScaleRequest, context: Context
    ) -> pb.GetDemoExamScaleResponse:
        scale = await self._h.demo_exams.get_scale(request.version or None, _actor())
        return pb.GetDemoExamScaleResponse(scale=demo_exam_api.scale_to_pb(scale))

    async def RecordDemoExamResult(
        self, request: pb.RecordDemoExamResultRequest, context: Context
    ) -> pb.RecordDemoExamResultResponse:
        cmd = RecordDemoExamResult(
            group_id=_id(request.group_id, "group_id"),
            discipline_id=_id(request.discipline_id, "discipline_id"),
            year_id=_id(request.year_id, "year_id"),
            semester=demo_exam_api.semester_from_pb(request.semester),
            student_id=_id(request.student_id, "student_id"),
            points=require_text(request.points, "points", max_length=16),
            maximum=require_text(request.maximum, "maximum", max_length=16),
            exam_date=mappers.date_from_pb(request.exam_date, "exam_date"),
        )
        result = await self._h.demo_exams.record(cmd, _actor())
        return pb.RecordDemoExamResultResponse(result=demo_exam_api.result_to_pb(result))

    async def ListDemoExamResults(
        self, request: pb.ListDemoExamResultsRequest, context: Context
    ) -> pb.ListDemoExamResultsResponse:
        query = ListDemoExamResults(
            group_id=_id(request.group_id, "group_id"),
            discipline_id=_id(request.discipline_id, "discipline_id"),
            year_id=_id(request.year_id, "year_id"),
            semester=demo_exam_api.semester_from_pb(request.semester),
        )
        results = await self._h.demo_exams.results(query, _actor())
        return pb.ListDemoExamResultsResponse(results=[demo_exam_api.result_to_pb(r) for r in results])

    # Academic debts and retakes (issue 7 item 3).
    async def RecordRetake(
        self, request: pb.RecordRetakeRequest, context: Context
    ) -> pb.RecordRetakeResponse:
        chairman = request.commission_chairman_id.strip()
        cmd = RecordRetake(
            final_id=_id(request.final_id, "final_id"),
            retake_date=mappers.date_from_pb(request.retake_date, "retake_date"),
            value=require_text(request.value, "value", max_length=16),
            commission_member_ids=[_id(m, "commission_member_ids") for m in request.commission_member_ids],
            commission_chairman_id=_id(chairman, "commission_chairman_id") if chairman else None,
        )
        debt = await self._h.debts.record_retake(cmd, _actor())
        return pb.RecordRetakeResponse(debt=debts_api.debt_to_pb(debt, self._h.debts.today()))

    async def ListStudentDebts(
        self, request: pb.ListStudentDebtsRequest, context: Context
    ) -> pb.ListStudentDebtsResponse:
        found = await self._h.debts.of_student(_id(request.student_id, "student_id"), _actor())
        today = self._h.debts.today()
        return pb.ListStudentDebtsResponse(debts=[debts_api.debt_to_pb(d, today) for d in found])

    async def ListGroupDebts(
        self, request: pb.ListGroupDebtsRequest, context: Context
    ) -> pb.ListGroupDebtsResponse:
        query = ListGroupDebts(
            group_id=_id(request.group_id, "group_id"), year_id=_id(request.year_id, "year_id")
        )
        found = await self._h.debts.of_group(query, _actor())
        today = self._h.debts.today()
        return pb.ListGroupDebtsResponse(debts=[debts_api.debt_to_pb(d, today) for d in found])


def _timetable_entry(
    entry: pb.TimetableEntry, index: int, group_id: uuid.UUID, year_id: uuid.UUID, semester: int
) -> timetable.TimetableEntry:
    """Return a request's entry (its id ignored) or raise InvalidArgument naming the field."""
    subgroup = entry.subgroup_id.strip()
    return timetable.TimetableEntry(
        id=uuid.uuid4(),
        group_id=group_id,
        year_id=year_id,
        semester=semester,
        weekday=entry.weekday,
        pair_number=entry.pair_number,
        parity=mappers.parity_from_pb(entry.parity, index),
        discipline_id=_id(entry.discipline_id, "discipline_id"),
        subgroup_id=_id(subgroup, "subgroup_id") if subgroup else None,
        teacher_id=_id(entry.teacher_id, "teacher_id"),
        room=entry.room.strip(),
    )
