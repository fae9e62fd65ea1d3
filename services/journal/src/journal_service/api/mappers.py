"""Conversions between protobuf messages and the journal's domain objects."""

from __future__ import annotations

from datetime import date

from chassis.errors import InvalidArgument
from ejournal.common.v1 import common_pb2
from ejournal.journal.v1 import journal_pb2 as pb

from journal_service.application.marks import local_date
from journal_service.domain import model

_KIND_PREFIX = "DISCIPLINE_KIND_"
# The proto is the source of the kinds; the domain's enum mirrors it by name because the database
# holds them as an enum type that only a migration can extend (a test keeps the two identical).
_KIND_FROM_PB: dict[pb.DisciplineKind.ValueType, model.DisciplineKind] = {
    number: model.DisciplineKind[name.removeprefix(_KIND_PREFIX)]
    for name, number in pb.DisciplineKind.items()
    if number != pb.DISCIPLINE_KIND_UNSPECIFIED
}
_KIND_TO_PB = {kind: number for number, kind in _KIND_FROM_PB.items()}


def kind_from_pb(value: pb.DisciplineKind.ValueType) -> model.DisciplineKind:
    """Return the domain kind or raise InvalidArgument for unspecified/unknown values."""
    kind = _KIND_FROM_PB.get(value)
    if kind is None:
        raise InvalidArgument("Укажите вид дисциплины", code="invalid_kind")
    return kind


def date_from_pb(value: common_pb2.LocalDate, field: str) -> date:
    """Return a date or raise InvalidArgument naming the field."""
    try:
        return date(value.year, value.month, value.day)
    except ValueError:
        raise InvalidArgument(f"Поле «{field}» должно быть датой", code=f"invalid_{field}") from None


def group_to_pb(group: model.Group) -> pb.Group:
    """Map a group."""
    return pb.Group(group_id=str(group.id), name=group.name)


def discipline_to_pb(discipline: model.Discipline | model.DisciplineView) -> pb.Discipline:
    """Map a discipline."""
    return pb.Discipline(
        discipline_id=str(discipline.id),
        code=discipline.code,
        name=discipline.name,
        kind=_KIND_TO_PB[discipline.kind],
    )


def load_to_pb(load: model.TeachingLoad) -> pb.TeachingLoad:
    """Map a teaching load."""
    return pb.TeachingLoad(
        load_id=str(load.id),
        teacher_id=str(load.teacher_id),
        group_id=str(load.group_id),
        discipline_id=str(load.discipline_id),
    )


def mark_to_pb(mark: model.Mark | model.MarkView) -> pb.Mark:
    """Map a mark."""
    message = pb.Mark(
        mark_id=str(mark.id),
        student_id=str(mark.student_id),
        group_id=str(mark.group_id),
        discipline_id=str(mark.discipline_id),
        teacher_id=str(mark.teacher_id),
        lesson_date=local_date(mark.lesson_date),
        value=mark.value,
    )
    if mark.recorded_at is not None:
        message.recorded_at.FromDatetime(mark.recorded_at)
    return message
