"""Parents told of a changed or removed mark over real NATS JetStream and PostgreSQL: the two consumers
on a private stream store one notification per parent with its kind, once per event."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from typing import Any

import pytest
from chassis.events import subject_of
from chassis.timestamps import now_timestamp
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.journal.v1.events_pb2 import MarkChanged, MarkRemoved
from messaging_service.adapters import orm
from messaging_service.api.consumers import mark_change_notifications, mark_removal_notifications
from sqlalchemy import select

from .test_messaging_events import FATHER, MOTHER, STUDENT, Messaging, messaging

__all__ = ["messaging"]  # the fixture, shared with the recorded marks' tests

pytestmark = pytest.mark.integration


def facts() -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "occurred_at": now_timestamp(),
        "mark_id": str(uuid.uuid4()),
        "student_id": str(STUDENT),
        "group_id": str(uuid.uuid4()),
        "discipline_id": str(uuid.uuid4()),
        "teacher_id": str(uuid.uuid4()),
        "lesson_date": LocalDate(year=2026, month=10, day=14),
        "old_value": "4",
        "change_id": str(uuid.uuid4()),
    }


async def test_changed_and_removed_marks_notify_each_parent_once(messaging: Messaging) -> None:
    stream = messaging.stream
    runs = []
    for follow, event_type in (
        (mark_change_notifications, MarkChanged),
        (mark_removal_notifications, MarkRemoved),
    ):
        subscription = replace(
            follow(messaging.handlers),
            durable=stream.durable(follow(messaging.handlers).durable),
            subjects=(stream.subject(subject_of(event_type)),),
            stream_name=stream.name,
        )
        runs.append(asyncio.create_task(subscription.consumer(stream.js, service="messaging").run()))
    try:
        change = MarkChanged(value="5", **facts())
        removal = MarkRemoved(**facts())
        for event in (change, change, removal):  # the change published twice under two message ids
            await stream.js.publish(
                stream.subject(subject_of(type(event))),
                event.SerializeToString(),
                headers={"Nats-Msg-Id": str(uuid.uuid4())},
            )

        async def stored() -> list[tuple[Any, ...]]:
            n = orm.notifications.c
            async with messaging.sessions() as s:
                rows = (
                    await s.execute(select(n.recipient_id, n.kind, n.mark_value, n.source_event_id))
                ).all()
            return [tuple(r) for r in rows] if len(rows) >= 4 else []

        rows = await messaging.eventually(stored)
        await asyncio.sleep(0.2)  # a second copy of the change would land now
        assert sorted((await stored()), key=str) == sorted(
            [
                (parent, kind, value, event_id)
                for parent in (MOTHER, FATHER)
                for kind, value, event_id in (
                    ("mark_changed", "5", change.event_id),
                    ("mark_removed", "4", removal.event_id),
                )
            ],
            key=str,
        )
        assert len(rows) == 4
    finally:
        for run in runs:
            run.cancel()
        await asyncio.gather(*runs, return_exceptions=True)
