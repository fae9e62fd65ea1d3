"""Messaging's unit of work: the chassis transaction plus the messaging repositories."""

from __future__ import annotations

from chassis.uow import UnitOfWork

from messaging_service.adapters.repositories import (
    GuardianshipRepository,
    NotificationRepository,
    ParentAccessRepository,
)


class MessagingUnitOfWork(UnitOfWork):
    """One transaction over the messaging database."""

    notifications: NotificationRepository
    guardianships: GuardianshipRepository
    parent_access: ParentAccessRepository

    def _open(self) -> None:
        self.notifications = NotificationRepository(self.session)
        self.guardianships = GuardianshipRepository(self.session)
        self.parent_access = ParentAccessRepository(self.session)
