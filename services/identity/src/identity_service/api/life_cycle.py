"""The account life cycle on the wire: account states to protobuf, and the journal's movement events
(journal.student.moved.v1) turned into commands — the durable consumer `identity-account-life-cycle`."""

from __future__ import annotations

import logging

from chassis.consumer import Subscription, local_date_or_poison, uuid_or_poison
from chassis.events import Delivery
from ejournal.identity.v1 import identity_service_pb2 as spb
from ejournal.journal.v1 import events_pb2 as journal_events
from ejournal.journal.v1 import journal_pb2 as jpb

from identity_service.application.life_cycle import ApplyMovement, LifeCycleHandlers
from identity_service.domain import life_cycle

log = logging.getLogger(__name__)
ACCOUNT_LIFE_CYCLE = "identity-account-life-cycle"
# Keycloak down must not lose a movement: retry with a doubling delay (capped at a minute by the
# chassis) for about a day before the event is dead-lettered.
MAX_DELIVER = 1440
NAK_DELAY_SECONDS = 2.0

_KINDS = {
    jpb.MOVEMENT_KIND_EXPULSION: life_cycle.MovementKind.EXPULSION,
    jpb.MOVEMENT_KIND_GRADUATION: life_cycle.MovementKind.GRADUATION,
    jpb.MOVEMENT_KIND_RETURN: life_cycle.MovementKind.RETURN,
}
_REASON_TO_PB = {
    reason: spb.AccountDisabledReason.Value(f"ACCOUNT_DISABLED_REASON_{reason.name}")
    for reason in life_cycle.DisabledReason
}


def account_state_to_pb(state: life_cycle.AccountState) -> spb.AccountState:
    """Map an account's state."""
    return spb.AccountState(
        person_id=str(state.person_id),
        enabled=state.enabled,
        disabled_reason=_REASON_TO_PB[state.reason]
        if state.reason
        else spb.ACCOUNT_DISABLED_REASON_UNSPECIFIED,
        changed_at=state.changed_at.isoformat() if state.changed_at else "",
    )


def movement_command(event: journal_events.StudentMoved) -> ApplyMovement | None:
    """Turn a movement into the command for the student's account; None for the kinds that keep it
    as it is (enrolment, transfer, academic leave)."""
    kind = _KINDS.get(event.kind)
    if kind is None:
        return None
    return ApplyMovement(
        student_id=uuid_or_poison(event.student_id, "student_id"),
        kind=kind,
        on_date=local_date_or_poison(event.on_date, "on_date"),
    )


def account_life_cycle(handlers: LifeCycleHandlers) -> Subscription[journal_events.StudentMoved]:
    """Disable a student's account on expulsion or graduation, enable it on return: each event once."""

    async def handle(event: journal_events.StudentMoved, delivery: Delivery) -> None:
        cmd = movement_command(event)
        if cmd is None:
            return
        changed = await handlers.apply_movement(cmd, delivery)
        log.info(
            "movement applied to the account",
            extra={"event_id": delivery.event_id, "person_id": str(cmd.student_id), "changed": changed},
        )

    # One event at a time: a return must not overtake the expulsion it follows.
    return Subscription(
        journal_events.StudentMoved,
        ACCOUNT_LIFE_CYCLE,
        handle,
        max_deliver=MAX_DELIVER,
        nak_delay_seconds=NAK_DELAY_SECONDS,
        concurrency=1,
    )
