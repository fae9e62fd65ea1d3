"""Thin gRPC servicer: proto → command → handler → proto. No SQL, no rules."""

from __future__ import annotations

from typing import Any

from chassis.errors import InvalidArgument
from chassis.principal import require_principal as _actor
from chassis.validation import parse_uuid as _id
from chassis.validation import require_text
from ejournal.journal.v1 import journal_service_pb2 as pb
from ejournal.journal.v1 import journal_service_pb2_grpc as pb_grpc

from journal_service.api import mappers
from journal_service.application.disciplines import CreateDiscipline, ListDisciplines
from journal_service.application.groups import CreateGroup, EnrollStudent, ListGroupStudents
from journal_service.application.handlers import JournalHandlers
from journal_service.application.marks import ListStudentMarks, RecordMark
from journal_service.application.teaching_load import AssignTeachingLoad

Context = Any
# One page of a diary or of notifications names far fewer disciplines than a curriculum holds.
MAX_DISCIPLINE_IDS = 500


class JournalServicer(pb_grpc.JournalServiceServicer):
    """gRPC face of the journal's use cases."""

    def __init__(self, handlers: JournalHandlers) -> None:
        self._h = handlers

    async def CreateGroup(self, request: pb.CreateGroupRequest, context: Context) -> pb.CreateGroupResponse:
        cmd = CreateGroup(name=require_text(request.name, "name", max_length=32))
        group = await self._h.groups.create(cmd, _actor())
        return pb.CreateGroupResponse(group=mappers.group_to_pb(group))

    async def EnrollStudent(
        self, request: pb.EnrollStudentRequest, context: Context
    ) -> pb.EnrollStudentResponse:
        cmd = EnrollStudent(
            group_id=_id(request.group_id, "group_id"), student_id=_id(request.student_id, "student_id")
        )
        return pb.EnrollStudentResponse(created=await self._h.groups.enroll_student(cmd, _actor()))

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
        )
        load = await self._h.loads.assign(cmd, _actor())
        return pb.AssignTeachingLoadResponse(load=mappers.load_to_pb(load))

    async def RecordMark(self, request: pb.RecordMarkRequest, context: Context) -> pb.RecordMarkResponse:
        cmd = RecordMark(
            student_id=_id(request.student_id, "student_id"),
            group_id=_id(request.group_id, "group_id"),
            discipline_id=_id(request.discipline_id, "discipline_id"),
            lesson_date=mappers.date_from_pb(request.lesson_date, "lesson_date"),
            value=require_text(request.value, "value", max_length=16),
        )
        mark = await self._h.marks.record(cmd, _actor())
        return pb.RecordMarkResponse(mark=mappers.mark_to_pb(mark))

    async def ListStudentMarks(
        self, request: pb.ListStudentMarksRequest, context: Context
    ) -> pb.ListStudentMarksResponse:
        query = ListStudentMarks(student_id=_id(request.student_id, "student_id"))
        diary = await self._h.marks.diary(query, _actor())
        return pb.ListStudentMarksResponse(
            marks=[mappers.mark_to_pb(m) for m in diary.marks],
            disciplines=[mappers.discipline_to_pb(d) for d in diary.disciplines],
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
        query = ListGroupStudents(group_id=_id(request.group_id, "group_id"))
        students = await self._h.groups.students(query, _actor())
        return pb.ListGroupStudentsResponse(student_ids=[str(s) for s in students])
