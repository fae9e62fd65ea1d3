"""The substitution projection and its report against in-memory fakes (slice L, issue 7 item 7)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from chassis.consumer import PoisonMessage
from chassis.errors import InvalidArgument, PermissionDenied
from chassis.events import Delivery
from chassis.testing import LocalIssuer
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.journal.v1 import events_pb2 as journal_events
from reports_service.api.consumers import substitution_command
from reports_service.application.handlers import ReportsHandlers
from reports_service.application.substitutions import GetSubstitutionReport, ProjectSubstitution
from reports_service.domain.substitutions import SubstitutionFact

issuer = LocalIssuer()
IVANOVA, PETROV, SIDOROV = (uuid.UUID(int=n) for n in (1, 2, 3))
ADMIN = issuer.principal(roles=("deputy",))


def fact(teacher: uuid.UUID, substitute: uuid.UUID, day: int, pair: int = 1) -> SubstitutionFact:
    return SubstitutionFact(
        uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), date(2026, 11, day), pair, teacher, substitute
    )


def delivery() -> Delivery:
    return Delivery(str(uuid.uuid4()), "reports-substitutions", "journal.substitution.recorded.v1")


async def project(handlers: ReportsHandlers, *facts: SubstitutionFact) -> int:
    return await handlers.substitutions.project([(ProjectSubstitution(f), delivery()) for f in facts])


def november(handlers: ReportsHandlers, actor: Any = ADMIN) -> Any:
    return handlers.substitutions.report(GetSubstitutionReport(date(2026, 11, 1), date(2026, 11, 30)), actor)


async def test_the_report_counts_pairs_per_teacher_within_the_period(fake_handlers: ReportsHandlers) -> None:
    a, b, c = fact(IVANOVA, PETROV, 10, 2), fact(IVANOVA, PETROV, 10, 1), fact(PETROV, SIDOROV, 11)
    outside = fact(IVANOVA, SIDOROV, 1)
    await project(fake_handlers, a, b, c, replace(outside, lesson_date=date(2026, 12, 1)))

    report = await november(fake_handlers)

    lines = [(t.teacher_id, t.pairs_substituted, t.pairs_replaced) for t in report.teachers]
    assert lines == [(IVANOVA, 0, 2), (PETROV, 2, 1), (SIDOROV, 1, 0)]
    assert [s.substitution_id for s in report.substitutions] == [
        b.substitution_id,
        a.substitution_id,
        c.substitution_id,
    ]


async def test_a_cancelled_substitution_leaves_the_report_in_either_order(
    fake_handlers: ReportsHandlers, store: Any
) -> None:
    kept, cancelled, cancelled_first = (
        fact(IVANOVA, PETROV, 10),
        fact(IVANOVA, PETROV, 11),
        fact(IVANOVA, PETROV, 12),
    )
    await project(fake_handlers, kept, cancelled)
    await project(fake_handlers, replace(cancelled, cancelled=True))
    # The cancellation met before the record (another durable, another pace): the record does not revive it.
    await project(fake_handlers, replace(cancelled_first, cancelled=True))
    await project(fake_handlers, cancelled_first)

    report = await november(fake_handlers)

    assert [s.substitution_id for s in report.substitutions] == [kept.substitution_id]
    assert [(t.pairs_substituted, t.pairs_replaced) for t in report.teachers] == [(0, 1), (1, 0)]
    assert store.substitutions[cancelled_first.substitution_id].cancelled


async def test_a_repeated_event_is_applied_once(fake_handlers: ReportsHandlers) -> None:
    item = (ProjectSubstitution(fact(IVANOVA, PETROV, 10)), delivery())
    assert await fake_handlers.substitutions.project([item]) == 1
    assert await fake_handlers.substitutions.project([item, item]) == 0


@pytest.mark.parametrize("role", ["teacher", "curator", "class_teacher", "student", "parent"])
async def test_only_the_administration_reads_the_report(fake_handlers: ReportsHandlers, role: str) -> None:
    with pytest.raises(PermissionDenied) as refused:
        await november(fake_handlers, issuer.principal(roles=(role,)))
    assert refused.value.code == "role_required"


@pytest.mark.parametrize(
    ("start", "end"), [(date(2026, 11, 2), date(2026, 11, 1)), (date(2025, 1, 1), date(2026, 1, 2))]
)
async def test_a_reversed_or_too_long_period_is_refused(
    fake_handlers: ReportsHandlers, start: date, end: date
) -> None:
    with pytest.raises(InvalidArgument) as refused:
        await fake_handlers.substitutions.report(GetSubstitutionReport(start, end), ADMIN)
    assert refused.value.code == "invalid_period"


def recorded(**overrides: Any) -> journal_events.SubstitutionRecorded:
    fields: dict[str, Any] = {
        "event_id": str(uuid.uuid4()),
        "substitution_id": str(uuid.uuid4()),
        "group_id": str(uuid.uuid4()),
        "discipline_id": str(uuid.uuid4()),
        "lesson_date": LocalDate(year=2026, month=11, day=10),
        "pair_number": 3,
        "teacher_id": str(IVANOVA),
        "substitute_teacher_id": str(PETROV),
        "recorded_by": str(SIDOROV),
    }
    return journal_events.SubstitutionRecorded(**{**fields, **overrides})


def test_events_become_commands_and_a_cancellation_is_flagged() -> None:
    event = recorded()
    cmd = substitution_command(event)
    assert (cmd.fact.pair_number, cmd.fact.teacher_id, cmd.fact.cancelled) == (3, IVANOVA, False)
    cancelled = journal_events.SubstitutionCancelled(
        substitution_id=event.substitution_id,
        group_id=event.group_id,
        discipline_id=event.discipline_id,
        lesson_date=event.lesson_date,
        pair_number=3,
        teacher_id=event.teacher_id,
        substitute_teacher_id=event.substitute_teacher_id,
    )
    assert substitution_command(cancelled).fact == replace(cmd.fact, cancelled=True)


@pytest.mark.parametrize(
    "bad",
    [
        {"substitution_id": "x"},
        {"substitute_teacher_id": ""},
        {"lesson_date": LocalDate(year=2026, month=2, day=30)},
        {"pair_number": 0},
    ],
)
def test_a_malformed_event_is_poison(bad: dict[str, Any]) -> None:
    with pytest.raises(PoisonMessage):
        substitution_command(recorded(**bad))
