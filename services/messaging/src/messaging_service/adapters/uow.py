"""Messaging's unit of work: the chassis transaction plus the messaging repositories."""

from __future__ import annotations

from types import TracebackType

from chassis.uow import UnitOfWork

from messaging_service.adapters.repositories import NotificationRepository


class MessagingUnitOfWork(UnitOfWork):
    """One transaction over the messaging database."""

    notifications: NotificationRepository

    def _open(self) -> None:
        self.notifications = NotificationRepository(self.session)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # The base rolls back on exit, which would expire what a read loaded; detach it first so the
        # handler can return it (the same intent as the session factory's expire_on_commit=False).
        self.session.expunge_all()
        await super().__aexit__(exc_type, exc, tb)
