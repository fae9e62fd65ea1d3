"""Messaging's domain rules: who is notified, and how many notifications a page holds."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from messaging_service.domain import errors, model

STUDENT, DISCIPLINE = uuid.uuid4(), uuid.uuid4()


def notify(guardians: list[uuid.UUID]) -> list[model.Notification]:
    return model.notifications_for_mark(
        guardians=guardians,
        source_event_id="e1",
        student_id=STUDENT,
        discipline_id=DISCIPLINE,
        mark_value="5",
        lesson_date=date(2026, 10, 14),
    )


def test_one_notification_per_guardian_about_the_mark() -> None:
    mother, father = uuid.uuid4(), uuid.uuid4()
    notes = notify([mother, father])
    assert [n.recipient_id for n in notes] == [mother, father]
    assert {(n.kind, n.student_id, n.discipline_id, n.mark_value, n.source_event_id) for n in notes} == {
        (model.NotificationKind.MARK_RECORDED, STUDENT, DISCIPLINE, "5", "e1")
    }
    assert len({n.id for n in notes}) == 2


def test_a_guardian_listed_twice_is_told_once_and_none_means_nothing() -> None:
    mother = uuid.uuid4()
    assert [n.recipient_id for n in notify([mother, mother])] == [mother]
    assert notify([]) == []


@pytest.mark.parametrize(("requested", "expected"), [(0, 50), (1, 1), (50, 50), (200, 200)])
def test_page_size_defaults_and_bounds(requested: int, expected: int) -> None:
    assert model.page_size(requested) == expected


@pytest.mark.parametrize("requested", [-1, 201, 10_000])
def test_page_size_out_of_range_is_invalid_argument(requested: int) -> None:
    with pytest.raises(errors.PageSizeOutOfRange) as caught:
        model.page_size(requested)
    assert caught.value.code == "invalid_page_size"
    assert "от 1 до 200" in caught.value.message
