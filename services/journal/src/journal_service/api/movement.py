"""Student movement between protobuf and the domain: the kind by name, a movement, optional ids."""

from __future__ import annotations

import uuid

from chassis.errors import InvalidArgument
from chassis.validation import parse_uuid
from ejournal.journal.v1 import journal_pb2 as pb

from journal_service.application.marks import local_date
from journal_service.domain import movement

_KIND_FROM_PB = {
    number: movement.MovementKind[name.removeprefix("MOVEMENT_KIND_")]
    for name, number in pb.MovementKind.items()
    if number != pb.MOVEMENT_KIND_UNSPECIFIED
}
_KIND_TO_PB = {kind: number for number, kind in _KIND_FROM_PB.items()}


def kind_from_pb(value: pb.MovementKind.ValueType) -> movement.MovementKind:
    """Return the movement kind or raise InvalidArgument for unspecified/unknown values."""
    kind = _KIND_FROM_PB.get(value)
    if kind is None:
        raise InvalidArgument(
            "Укажите вид движения: зачисление, перевод, академический отпуск, восстановление, "
            "отчисление или выпуск",
            code="missing_kind",
        )
    return kind


def optional_id(value: str, field: str) -> uuid.UUID | None:
    """Return the UUID, None for an empty field, or raise InvalidArgument naming the field."""
    return parse_uuid(value, field) if value.strip() else None


def movement_to_pb(moved: movement.Movement) -> pb.StudentMovement:
    """Map a movement."""
    return pb.StudentMovement(
        movement_id=str(moved.id),
        student_id=str(moved.student_id),
        kind=_KIND_TO_PB[moved.kind],
        from_group_id=str(moved.from_group_id or ""),
        to_group_id=str(moved.to_group_id or ""),
        on_date=local_date(moved.on_date),
        order_number=moved.order_number,
    )
