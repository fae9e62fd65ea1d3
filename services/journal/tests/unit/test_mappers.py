"""The proto is the source of the discipline kinds: the domain mirrors it exactly, both ways."""

from __future__ import annotations

import pytest
from chassis.errors import InvalidArgument
from ejournal.journal.v1 import journal_pb2 as pb
from journal_service.api import mappers
from journal_service.domain import model


def test_every_proto_kind_but_unspecified_is_a_domain_kind_and_back() -> None:
    names = {n.removeprefix("DISCIPLINE_KIND_") for n in pb.DisciplineKind.keys()}  # noqa: SIM118
    proto = names - {"UNSPECIFIED"}
    assert proto == {k.name for k in model.DisciplineKind}
    for kind in model.DisciplineKind:
        assert mappers.kind_from_pb(pb.DisciplineKind.Value(f"DISCIPLINE_KIND_{kind.name}")) is kind


@pytest.mark.parametrize("value", [pb.DISCIPLINE_KIND_UNSPECIFIED, 99])
def test_unspecified_or_unknown_kind_is_refused(value: int) -> None:
    with pytest.raises(InvalidArgument) as refused:
        mappers.kind_from_pb(value)
    assert refused.value.code == "invalid_kind"


def test_lessons_enums_mirror_the_proto_by_name() -> None:
    from journal_service.domain import lessons

    for enum_type, proto, prefix, skip in [
        (lessons.LessonKind, pb.LessonKind, "LESSON_KIND_", {"UNSPECIFIED"}),
        (lessons.AttendanceStatus, pb.AttendanceStatus, "ATTENDANCE_STATUS_", {"UNSPECIFIED"}),
        (lessons.AbsenceReason, pb.AbsenceReason, "ABSENCE_REASON_", set()),
    ]:
        names = {n.removeprefix(prefix) for n in proto.keys()} - skip  # noqa: SIM118
        assert names == {member.name for member in enum_type}
    for kind in lessons.LessonKind:
        assert mappers.lesson_kind_from_pb(pb.LessonKind.Value(f"LESSON_KIND_{kind.name}")) is kind
    with pytest.raises(InvalidArgument):
        mappers.lesson_kind_from_pb(pb.LESSON_KIND_UNSPECIFIED)
