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
