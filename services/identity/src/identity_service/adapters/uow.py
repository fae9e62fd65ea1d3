"""The identity unit of work: the chassis transaction plus the identity repositories."""

from __future__ import annotations

from chassis.uow import UnitOfWork

from identity_service.adapters.life_cycle import AccountStateRepository
from identity_service.adapters.parent_access import ParentAccessRepository
from identity_service.adapters.repositories import GuardianshipRepository, PersonRepository


class IdentityUnitOfWork(UnitOfWork):
    """One transaction over the identity database."""

    people: PersonRepository
    guardianships: GuardianshipRepository
    account_states: AccountStateRepository
    parent_access: ParentAccessRepository

    def _open(self) -> None:
        self.people = PersonRepository(self.session)
        self.guardianships = GuardianshipRepository(self.session)
        self.account_states = AccountStateRepository(self.session)
        self.parent_access = ParentAccessRepository(self.session)
