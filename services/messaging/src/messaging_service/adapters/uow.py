"""Messaging's unit of work: the chassis transaction plus the messaging repositories."""

from __future__ import annotations

from chassis.uow import UnitOfWork

from messaging_service.adapters.repositories import GuardianshipRepository, NotificationRepository


class MessagingUnitOfWork(UnitOfWork):
    """One transaction over the messaging database."""

    notifications: NotificationRepository
    guardianships: GuardianshipRepository

    def _open(self) -> None:
        self.notifications = NotificationRepository(self.session)
        self.guardianships = GuardianshipRepository(self.session)
