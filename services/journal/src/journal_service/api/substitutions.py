"""Substitutions and curriculum execution between protobuf and the application (slice D): the
servicer's methods delegate here, so `grpc.py` keeps one line each."""

from __future__ import annotations

import uuid

from chassis.errors import InvalidArgument
from chassis.principal import require_principal as _actor
from chassis.validation import parse_uuid as _id
from ejournal.journal.v1 import journal_service_pb2 as pb

from journal_service.api import mappers
from journal_service.api.movement import optional_id
from journal_service.application.curriculum_execution import GetCurriculumExecution, ListCurriculumLag
from journal_service.application.handlers import JournalHandlers
from journal_service.application.marks import local_date
from journal_service.application.substitutions import (
    CancelSubstitution,
    ListSubstitutions,
    RecordSubstitution,
)
from journal_service.domain import curriculum_execution, substitutions, year


def _pair_number(value: int) -> int:
    if not 1 <= value <= 8:
        raise InvalidArgument("Номер пары — от 1 до 8", code="invalid_pair_number")
    return value


def reason_from_pb(value: int) -> substitutions.SubstitutionReason:
    """Return the reason by the proto enum's name; unspecified or unknown → invalid_substitution_reason."""
    name = next((n for n, v in pb.SubstitutionReason.items() if v == value), "")
    if not name or value == pb.SUBSTITUTION_REASON_UNSPECIFIED:
        raise substitutions.InvalidSubstitutionReason()
    return substitutions.SubstitutionReason[name.removeprefix("SUBSTITUTION_REASON_")]


def substitution_to_pb(view: substitutions.SubstitutionView) -> pb.Substitution:
    """Map a substitution with its recorded lesson."""
    s = view.substitution
    return pb.Substitution(
        substitution_id=str(s.id),
        group_id=str(s.slot.group_id),
        subgroup_id=str(s.slot.subgroup_id or ""),
        discipline_id=str(s.slot.discipline_id),
        lesson_date=local_date(s.slot.lesson_date),
        pair_number=s.slot.pair_number,
        teacher_id=str(s.teacher_id),
        substitute_teacher_id=str(s.substitute_id),
        reason=pb.SubstitutionReason.Value(f"SUBSTITUTION_REASON_{s.reason.name}"),
        recorded_by=str(s.recorded_by),
        cancelled=s.cancelled,
        lesson_id=str(view.lesson_id or ""),
        taught_by=str(view.taught_by or ""),
    )


def execution_row_to_pb(row: curriculum_execution.ExecutionRow) -> pb.CurriculumExecutionRow:
    """Map one discipline's figures."""
    return pb.CurriculumExecutionRow(
        discipline_id=str(row.discipline_id),
        planned_hours=row.planned_hours,
        ktp_hours=row.ktp_hours,
        ktp_topics=row.ktp_topics,
        planned_hours_to_date=row.planned_hours_to_date,
        planned_topics_to_date=row.planned_topics_to_date,
        delivered_hours=row.delivered_hours,
        delivered_topics=row.delivered_topics,
        lag_hours=row.lag_hours,
        lag_topics=row.lag_topics,
    )


async def record(h: JournalHandlers, request: pb.RecordSubstitutionRequest) -> pb.RecordSubstitutionResponse:
    """RecordSubstitution: validate, record, map."""
    cmd = RecordSubstitution(
        slot=substitutions.Slot(
            group_id=_id(request.group_id, "group_id"),
            subgroup_id=optional_id(request.subgroup_id, "subgroup_id"),
            discipline_id=_id(request.discipline_id, "discipline_id"),
            lesson_date=mappers.date_from_pb(request.lesson_date, "lesson_date"),
            pair_number=_pair_number(request.pair_number),
        ),
        substitute_id=_id(request.substitute_teacher_id, "substitute_teacher_id"),
        reason=reason_from_pb(request.reason),
    )
    view = await h.substitutions.record(cmd, _actor())
    return pb.RecordSubstitutionResponse(substitution=substitution_to_pb(view))


async def cancel(h: JournalHandlers, request: pb.CancelSubstitutionRequest) -> pb.CancelSubstitutionResponse:
    """CancelSubstitution: validate, cancel, map."""
    cmd = CancelSubstitution(substitution_id=_id(request.substitution_id, "substitution_id"))
    view = await h.substitutions.cancel(cmd, _actor())
    return pb.CancelSubstitutionResponse(substitution=substitution_to_pb(view))


async def listed(h: JournalHandlers, request: pb.ListSubstitutionsRequest) -> pb.ListSubstitutionsResponse:
    """ListSubstitutions: validate, read, map."""
    query = ListSubstitutions(
        span=year.DateSpan(
            mappers.date_from_pb(request.from_date, "from_date"),
            mappers.date_from_pb(request.to_date, "to_date"),
        ),
        group_id=optional_id(request.group_id, "group_id"),
        include_cancelled=request.include_cancelled,
    )
    found = await h.substitutions.listed(query, _actor())
    return pb.ListSubstitutionsResponse(substitutions=[substitution_to_pb(v) for v in found])


async def execution(
    h: JournalHandlers, request: pb.GetCurriculumExecutionRequest
) -> pb.GetCurriculumExecutionResponse:
    """GetCurriculumExecution: validate, compute, map."""
    query = GetCurriculumExecution(
        group_id=_id(request.group_id, "group_id"),
        year_id=_id(request.year_id, "year_id"),
        semester=request.semester,
        as_of=mappers.date_from_pb(request.as_of, "as_of") if request.HasField("as_of") else None,
    )
    found = await h.curriculum_execution.of_group(query, _actor())
    return pb.GetCurriculumExecutionResponse(
        group_id=str(found.group_id),
        year_id=str(found.year_id),
        semester=found.semester,
        as_of=local_date(found.as_of),
        rows=[execution_row_to_pb(row) for row in found.rows],
    )


async def lag(h: JournalHandlers, request: pb.ListCurriculumLagRequest) -> pb.ListCurriculumLagResponse:
    """ListCurriculumLag: validate, compute, map."""
    query = ListCurriculumLag(
        year_id=_id(request.year_id, "year_id"),
        as_of=mappers.date_from_pb(request.as_of, "as_of") if request.HasField("as_of") else None,
    )
    as_of, rows = await h.curriculum_execution.lag(query, _actor())
    return pb.ListCurriculumLagResponse(
        as_of=local_date(as_of),
        rows=[
            pb.CurriculumLagRow(group_id=str(r.group_id), execution=execution_row_to_pb(r.row)) for r in rows
        ],
    )


def day_pair_fields(sub: substitutions.Substitution | None, teacher_id: uuid.UUID) -> dict[str, str]:
    """Return the TeacherDayPair's substitution fields for the teacher whose day it is."""
    if sub is None:
        return {}
    if sub.substitute_id == teacher_id:
        return {"substitution_id": str(sub.id), "replaced_teacher_id": str(sub.teacher_id)}
    return {"substitution_id": str(sub.id), "substitute_teacher_id": str(sub.substitute_id)}
