"""The history of a final (issue 7 item 6, slice K) over real gRPC and PostgreSQL: a final set and then
changed reads back with both entries — who, when, old → new (the first setting's old value empty), why,
the proposed value and the rule version — though the final itself names only its last setter; a parent
of the student reads it (audited, ids only); another student is told it does not exist. Who else may
call it: test_access_matrix.py."""

from __future__ import annotations

import grpc
import pytest
from ejournal.journal.v1 import journal_service_pb2 as pb

from .test_finals_grpc import marks, plan, set_final
from .test_history_grpc import refused
from .test_lessons_grpc import college
from .test_read_models_grpc import Reads, journal

__all__ = ["journal"]  # the fixture (with guardians), shared with the read models' tests

pytestmark = pytest.mark.integration


async def test_a_finals_history_keeps_its_first_setting_and_its_change(journal: Reads) -> None:
    c = await college(journal)
    year_id = await plan(journal, c)
    stub, student = journal.stub, c.students[0]
    await marks(journal, c, student, "5", "4", "4", "3", "5")  # 4.20 → proposed 4
    first = await stub.SetFinal(
        set_final(c, student, year_id, "5", reason="Отличный ответ на экзамене"),
        metadata=journal.md(c.teacher, "teacher"),
    )
    await stub.SetFinal(set_final(c, student, year_id, "4", reason="Апелляция"), metadata=journal.admin)
    final_id = first.final.final_id

    own = await stub.GetFinalHistory(
        pb.GetFinalHistoryRequest(final_id=final_id), metadata=journal.md(student, "student")
    )
    assert (own.final.final_id, own.final.value, own.final.set_by) == (final_id, "4", journal.admin_id)
    assert [
        (e.old_value, e.new_value, e.changed_by, e.reason, e.proposed_value, e.rule_version)
        for e in own.entries
    ] == [
        ("", "5", c.teacher, "Отличный ответ на экзамене", "4", 1),
        ("5", "4", journal.admin_id, "Апелляция", "4", 1),
    ]
    set_at, changed_at = (e.changed_at.ToDatetime() for e in own.entries)
    assert set_at <= changed_at
    assert set_at.year == changed_at.year == own.final.set_at.ToDatetime().year

    parent = journal.people.new("parent")
    journal.guardians.pairs.add((parent, student))
    before = len(await journal.outbox())
    by_parent = await stub.GetFinalHistory(
        pb.GetFinalHistoryRequest(final_id=final_id), metadata=journal.md(parent, "parent")
    )
    assert [e.new_value for e in by_parent.entries] == ["5", "4"]
    [audit] = await journal.audits(before)
    assert (audit.action, audit.actor_id, audit.resource_id, audit.subject_person_id) == (
        "final_history.read",
        parent,
        final_id,
        student,
    )

    for final in (final_id, "00000000-0000-4000-8000-000000000000"):
        await refused(
            stub.GetFinalHistory(
                pb.GetFinalHistoryRequest(final_id=final), metadata=journal.md(c.students[1], "student")
            ),
            grpc.StatusCode.NOT_FOUND,
            "final_not_found",
        )
    await refused(
        stub.GetFinalHistory(pb.GetFinalHistoryRequest(final_id="не id"), metadata=journal.admin),
        grpc.StatusCode.INVALID_ARGUMENT,
        "invalid_final_id",
    )
