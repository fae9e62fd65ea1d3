"""The identity unit of work: the chassis transaction plus the identity repositories."""

from __future__ import annotations

from chassis.uow import UnitOfWork

from identity_service.adapters.group_list_import import GroupListImportRepository
from identity_service.adapters.group_scope import CredentialIssueRepository, GroupScopeRepository
from identity_service.adapters.life_cycle import AccountStateRepository
from identity_service.adapters.parent_access import ParentAccessRepository
from identity_service.adapters.repositories import GuardianshipRepository, PersonRepository
from identity_service.adapters.role_assignments import RoleAssignmentRepository


class IdentityUnitOfWork(UnitOfWork):
    """One transaction over the identity database."""

    people: PersonRepository
    guardianships: GuardianshipRepository
    account_states: AccountStateRepository
    parent_access: ParentAccessRepository
    group_list_imports: GroupListImportRepository
    role_assignments: RoleAssignmentRepository
    group_scopes: GroupScopeRepository
    credential_issues: CredentialIssueRepository

    def _open(self) -> None:
        self.people = PersonRepository(self.session)
        self.guardianships = GuardianshipRepository(self.session)
        self.account_states = AccountStateRepository(self.session)
        self.parent_access = ParentAccessRepository(self.session)
        self.group_list_imports = GroupListImportRepository(self.session)
        self.role_assignments = RoleAssignmentRepository(self.session)
        self.group_scopes = GroupScopeRepository(self.session)
        self.credential_issues = CredentialIssueRepository(self.session)
