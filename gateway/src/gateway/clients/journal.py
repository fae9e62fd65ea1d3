"""Client of the journal service: groups, disciplines, teaching load and marks."""

from __future__ import annotations

from datetime import date
from typing import Any

import grpc
from chassis.grpc_client import DEFAULT_TIMEOUT
from ejournal.common.v1 import common_pb2
from ejournal.journal.v1 import journal_pb2, journal_service_pb2_grpc
from ejournal.journal.v1 import journal_service_pb2 as pb

from gateway.clients.base import ServiceClient


class JournalClient(ServiceClient):
    """Call JournalService on behalf of the bearer of a token."""

    def __init__(self, channel: grpc.aio.Channel, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        super().__init__(timeout=timeout)
        self._stub = journal_service_pb2_grpc.JournalServiceStub(channel)

    async def create_group(self, token: str, *, name: str) -> Any:
        """Create a study group; return the Group."""
        response = await self._stub.CreateGroup(pb.CreateGroupRequest(name=name), **self._options(token))
        return response.group

    async def enroll_student(self, token: str, *, group_id: str, student_id: str) -> bool:
        """Enrol a student into a group; return True when enrolled now."""
        request = pb.EnrollStudentRequest(group_id=group_id, student_id=student_id)
        response = await self._stub.EnrollStudent(request, **self._options(token))
        return bool(response.created)

    async def create_discipline(
        self, token: str, *, code: str, name: str, kind: journal_pb2.DisciplineKind.ValueType
    ) -> Any:
        """Create a discipline; return the Discipline."""
        request = pb.CreateDisciplineRequest(code=code, name=name, kind=kind)
        response = await self._stub.CreateDiscipline(request, **self._options(token))
        return response.discipline

    async def assign_teaching_load(
        self, token: str, *, teacher_id: str, group_id: str, discipline_id: str
    ) -> Any:
        """Assign a teacher to a group and discipline; return the TeachingLoad."""
        request = pb.AssignTeachingLoadRequest(
            teacher_id=teacher_id, group_id=group_id, discipline_id=discipline_id
        )
        response = await self._stub.AssignTeachingLoad(request, **self._options(token))
        return response.load

    async def record_mark(
        self,
        token: str,
        *,
        student_id: str,
        group_id: str,
        discipline_id: str,
        lesson_date: date,
        value: str,
    ) -> Any:
        """Record a mark; return the Mark."""
        request = pb.RecordMarkRequest(
            student_id=student_id,
            group_id=group_id,
            discipline_id=discipline_id,
            lesson_date=common_pb2.LocalDate(
                year=lesson_date.year, month=lesson_date.month, day=lesson_date.day
            ),
            value=value,
        )
        response = await self._stub.RecordMark(request, **self._options(token))
        return response.mark

    async def list_student_marks(self, token: str, student_id: str) -> Any:
        """Return the diary: a ListStudentMarksResponse (marks newest lesson first, their disciplines)."""
        request = pb.ListStudentMarksRequest(student_id=student_id)
        return await self._stub.ListStudentMarks(request, **self._options(token))

    async def list_disciplines(self, token: str, discipline_ids: list[str]) -> list[Any]:
        """Return the Disciplines with these ids (unknown ids are left out)."""
        request = pb.ListDisciplinesRequest(discipline_ids=discipline_ids)
        response = await self._stub.ListDisciplines(request, **self._options(token))
        return list(response.disciplines)
