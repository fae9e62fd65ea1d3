"""A write refused for want of the load is kept in the audit log (issue 6, bad input).

The refusal is audited in a transaction of its own (the write's rolled back), then raised as before.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from chassis.errors import PermissionDenied
from chassis.principal import Principal

from journal_service.application.ports import UnitOfWorkFactory
from journal_service.domain.period_locks import PeriodClosed


@asynccontextmanager
async def refusal_audited(
    uow: UnitOfWorkFactory,
    actor: Principal,
    *,
    action: str,
    resource_type: str,
    resource_id: str,
) -> AsyncIterator[None]:
    """Audit `<action>.refused:<code>` with the actor and the resource when the block is refused access.

    Wrap the whole write (its unit of work inside): a PermissionDenied leaving it (the teacher writes
    into a load that is not theirs) or a PeriodClosed (a write on a day of a closed period, R1.5) is
    recorded in its own transaction and raised unchanged."""
    try:
        yield
    except (PermissionDenied, PeriodClosed) as refused:
        async with uow() as audit:
            await audit.audit(
                f"{action}.refused:{refused.code}",
                actor=actor,
                resource_type=resource_type,
                resource_id=resource_id,
            )
            await audit.commit()
        raise
