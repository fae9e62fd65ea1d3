"""Thin gRPC servicer: proto → command → handler → proto. No SQL, no rules."""

from __future__ import annotations

from typing import Any

from chassis.principal import require_principal as _actor
from chassis.validation import page_size
from chassis.validation import parse_uuid as _id
from ejournal.identity.v1 import group_list_import_pb2 as gl_pb
from ejournal.identity.v1 import identity_service_pb2 as pb
from ejournal.identity.v1 import identity_service_pb2_grpc as pb_grpc
from ejournal.identity.v1 import parent_access_facts_pb2 as facts_pb

from identity_service.api import mappers
from identity_service.api.credentials import issued_credential_to_pb, student_accounts_to_pb
from identity_service.api.group_list_import import command_from_pb, outcome_to_pb
from identity_service.api.life_cycle import account_state_to_pb
from identity_service.api.parent_access import parent_access_to_pb
from identity_service.api.role_assignments import assignment_to_pb, scope_from_pb, staff_member_to_pb
from identity_service.application import commands
from identity_service.application.credentials import (
    IssueCredentials,
    IssueParentAccount,
    ListGroupAccounts,
)
from identity_service.application.handlers import IdentityHandlers, role_to_pb
from identity_service.application.life_cycle import DisableAccount, EnableAccount, GetAccountState
from identity_service.application.parent_access import SetBirthDate
from identity_service.application.parent_access_facts import ListParentAccessFacts, fact_to_pb
from identity_service.application.role_assignments import AssignRole, role_pb, scope_to_pb
from identity_service.domain.errors import TooManyPersonIds
from identity_service.domain.parent_access_facts import (
    DEFAULT_FACTS_PAGE,
    MAX_FACTS_PAGE,
    page_token,
    parse_page_token,
)
from identity_service.domain.search import search_words

Context = Any
# ListPersonRoles: how many ids one call may name, and the page sizes.
MAX_PERSON_IDS = 1000
DEFAULT_ROLES_PAGE = 500
# SearchPeople's page sizes; GetPeople's ids per call (a journal page of a group needs ~30).
DEFAULT_SEARCH_PAGE = 20
MAX_SEARCH_PAGE = 50
MAX_NAMED_PEOPLE = 500


class IdentityServicer(pb_grpc.IdentityServiceServicer):
    """gRPC face of the identity use cases."""

    def __init__(self, handlers: IdentityHandlers) -> None:
        self._h = handlers

    async def CreatePerson(
        self, request: pb.CreatePersonRequest, context: Context
    ) -> pb.CreatePersonResponse:
        cmd = commands.CreatePerson(
            role=mappers.role_from_pb(request.role),
            last_name=request.last_name,
            first_name=request.first_name,
            middle_name=request.middle_name,
            email=request.email,
        )
        created = await self._h.create_person(cmd, _actor())
        return pb.CreatePersonResponse(
            person=mappers.person_to_pb(created.person), temporary_password=created.temporary_password
        )

    async def GetPerson(self, request: pb.GetPersonRequest, context: Context) -> pb.GetPersonResponse:
        query = commands.GetPerson(person_id=_id(request.person_id, "person_id"))
        person = await self._h.get_person(query, _actor())
        return pb.GetPersonResponse(person=mappers.person_to_pb(person))

    async def LinkGuardian(
        self, request: pb.LinkGuardianRequest, context: Context
    ) -> pb.LinkGuardianResponse:
        cmd = commands.LinkGuardian(
            parent_id=_id(request.parent_id, "parent_id"), student_id=_id(request.student_id, "student_id")
        )
        return pb.LinkGuardianResponse(created=await self._h.link_guardian(cmd, _actor()))

    async def ListGuardians(
        self, request: pb.ListGuardiansRequest, context: Context
    ) -> pb.ListGuardiansResponse:
        query = commands.ListGuardians(
            student_id=_id(request.student_id, "student_id"), readable_only=request.readable_only
        )
        parent_ids = await self._h.list_guardians(query, _actor())
        return pb.ListGuardiansResponse(parent_ids=[str(p) for p in parent_ids])

    async def CheckGuardianship(
        self, request: pb.CheckGuardianshipRequest, context: Context
    ) -> pb.CheckGuardianshipResponse:
        query = commands.CheckGuardianship(
            parent_id=_id(request.parent_id, "parent_id"), student_id=_id(request.student_id, "student_id")
        )
        return pb.CheckGuardianshipResponse(linked=await self._h.check_guardianship(query, _actor()))

    async def ListChildren(
        self, request: pb.ListChildrenRequest, context: Context
    ) -> pb.ListChildrenResponse:
        query = commands.ListChildren(parent_id=_id(request.parent_id, "parent_id"))
        children, ended = await self._h.children_with_access(query, _actor())
        return pb.ListChildrenResponse(
            children=[mappers.person_to_pb(p) for p in children],
            access_ended_student_ids=[str(s) for s in ended],
        )

    async def ListPersonRoles(
        self, request: pb.ListPersonRolesRequest, context: Context
    ) -> pb.ListPersonRolesResponse:
        if len(request.person_ids) > MAX_PERSON_IDS:
            raise TooManyPersonIds(MAX_PERSON_IDS)
        size = page_size(request.page_size, default=DEFAULT_ROLES_PAGE, maximum=MAX_PERSON_IDS)
        query = commands.ListPersonRoles(
            person_ids=tuple(_id(p, "person_ids") for p in request.person_ids),
            after_person_id=_id(request.after_person_id, "after_person_id")
            if request.after_person_id
            else None,
            page_size=size,
        )
        people = await self._h.list_person_roles(query, _actor())
        return pb.ListPersonRolesResponse(
            people=[pb.PersonRole(person_id=str(p), role=role_to_pb(r)) for p, r in people],
            next_after_person_id=str(people[-1][0]) if len(people) == size else "",
        )

    async def SearchPeople(
        self, request: pb.SearchPeopleRequest, context: Context
    ) -> pb.SearchPeopleResponse:
        query = commands.SearchPeople(
            words=search_words(request.query),
            role=mappers.role_from_pb(request.role) if request.role else None,
            page_size=page_size(request.page_size, default=DEFAULT_SEARCH_PAGE, maximum=MAX_SEARCH_PAGE),
        )
        people = await self._h.search_people(query, _actor())
        return pb.SearchPeopleResponse(people=[mappers.person_name_to_pb(p) for p in people])

    async def GetPeople(self, request: pb.GetPeopleRequest, context: Context) -> pb.GetPeopleResponse:
        if len(request.person_ids) > MAX_NAMED_PEOPLE:
            raise TooManyPersonIds(MAX_NAMED_PEOPLE)
        query = commands.GetPeople(person_ids=tuple(_id(p, "person_ids") for p in request.person_ids))
        people = await self._h.get_people(query, _actor())
        return pb.GetPeopleResponse(people=[mappers.person_name_to_pb(p) for p in people])

    async def DisableAccount(
        self, request: pb.DisableAccountRequest, context: Context
    ) -> pb.DisableAccountResponse:
        cmd = DisableAccount(person_id=_id(request.person_id, "person_id"))
        done = await self._h.life_cycle.disable(cmd, _actor())
        return pb.DisableAccountResponse(account=account_state_to_pb(done.state), changed=done.changed)

    async def EnableAccount(
        self, request: pb.EnableAccountRequest, context: Context
    ) -> pb.EnableAccountResponse:
        cmd = EnableAccount(person_id=_id(request.person_id, "person_id"))
        done = await self._h.life_cycle.enable(cmd, _actor())
        return pb.EnableAccountResponse(account=account_state_to_pb(done.state), changed=done.changed)

    async def GetAccountState(
        self, request: pb.GetAccountStateRequest, context: Context
    ) -> pb.GetAccountStateResponse:
        query = GetAccountState(person_id=_id(request.person_id, "person_id"))
        state = await self._h.life_cycle.state(query, _actor())
        return pb.GetAccountStateResponse(account=account_state_to_pb(state))

    # Adult students and their parents' access (issue 8 item 5, 152-ФЗ).
    async def SetBirthDate(
        self, request: pb.SetBirthDateRequest, context: Context
    ) -> pb.SetBirthDateResponse:
        cmd = SetBirthDate(person_id=_id(request.person_id, "person_id"), birth_date=request.birth_date)
        born, changed = await self._h.parent_access.set_birth_date(cmd, _actor())
        return pb.SetBirthDateResponse(
            person_id=str(cmd.person_id), birth_date=born.isoformat() if born else "", changed=changed
        )

    async def ListParentAccessFacts(
        self, request: facts_pb.ListParentAccessFactsRequest, context: Context
    ) -> facts_pb.ListParentAccessFactsResponse:
        size = page_size(request.page_size, default=DEFAULT_FACTS_PAGE, maximum=MAX_FACTS_PAGE)
        query = ListParentAccessFacts(
            student_id=_id(request.student_id, "student_id") if request.student_id else None,
            after=parse_page_token(request.page_token),
            page_size=size,
        )
        links = await self._h.parent_access_facts.list_facts(query, _actor())
        return facts_pb.ListParentAccessFactsResponse(
            facts=[fact_to_pb(link) for link in links],
            next_page_token=page_token(links[-1]) if len(links) == size else "",
        )

    async def GrantParentAccess(
        self, request: pb.GrantParentAccessRequest, context: Context
    ) -> pb.GrantParentAccessResponse:
        done = await self._h.parent_access.grant(_id(request.parent_id, "parent_id"), _actor())
        return pb.GrantParentAccessResponse(
            parent=parent_access_to_pb(done.parent, done.access), changed=done.changed
        )

    async def WithdrawParentAccess(
        self, request: pb.WithdrawParentAccessRequest, context: Context
    ) -> pb.WithdrawParentAccessResponse:
        done = await self._h.parent_access.withdraw(_id(request.parent_id, "parent_id"), _actor())
        return pb.WithdrawParentAccessResponse(
            parent=parent_access_to_pb(done.parent, done.access), changed=done.changed
        )

    async def ImportGroupList(
        self, request: gl_pb.ImportGroupListRequest, context: Context
    ) -> gl_pb.ImportGroupListResponse:
        outcome = await self._h.group_list_import.import_group_list(command_from_pb(request), _actor())
        return outcome_to_pb(outcome)

    async def ListParentAccess(
        self, request: pb.ListParentAccessRequest, context: Context
    ) -> pb.ListParentAccessResponse:
        found = await self._h.parent_access.list(_actor())
        return pb.ListParentAccessResponse(
            parents=[parent_access_to_pb(p, may, found.names.get(p.parent_id)) for p, may in found.parents],
            adult=found.adult,
        )

    # Scoped role assignments (slice H4, issue 8 item 1, ADR 0012).
    async def AssignRole(self, request: pb.AssignRoleRequest, context: Context) -> pb.AssignRoleResponse:
        cmd = AssignRole(
            person_id=_id(request.person_id, "person_id"),
            role=mappers.role_from_pb(request.role),
            scope=scope_from_pb(request.scope),
        )
        assignment = await self._h.role_assignments.assign(cmd, _actor())
        return pb.AssignRoleResponse(assignment=assignment_to_pb(assignment))

    async def RevokeRole(self, request: pb.RevokeRoleRequest, context: Context) -> pb.RevokeRoleResponse:
        revoked = await self._h.role_assignments.revoke(_id(request.assignment_id, "assignment_id"), _actor())
        return pb.RevokeRoleResponse(assignment=assignment_to_pb(revoked))

    async def ListRoleAssignments(
        self, request: pb.ListRoleAssignmentsRequest, context: Context
    ) -> pb.ListRoleAssignmentsResponse:
        found = await self._h.role_assignments.of_person(_id(request.person_id, "person_id"), _actor())
        return pb.ListRoleAssignmentsResponse(assignments=[assignment_to_pb(a) for a in found])

    async def ListPersonScopes(
        self, request: pb.ListPersonScopesRequest, context: Context
    ) -> pb.ListPersonScopesResponse:
        found = await self._h.role_assignments.scopes(_id(request.person_id, "person_id"), _actor())
        return pb.ListPersonScopesResponse(
            scopes=[pb.PersonScope(role=role_pb(a.role), scope=scope_to_pb(a.scope)) for a in found]
        )

    async def ListStaff(self, request: pb.ListStaffRequest, context: Context) -> pb.ListStaffResponse:
        staff = await self._h.role_assignments.staff(_actor())
        return pb.ListStaffResponse(staff=[staff_member_to_pb(m) for m in staff])

    # Credential issue and reset, the group's accounts (slice H1, issue 8 items 2, 3, 10).
    async def IssueCredentials(
        self, request: pb.IssueCredentialsRequest, context: Context
    ) -> pb.IssueCredentialsResponse:
        cmd = IssueCredentials(person_ids=tuple(_id(p, "person_ids") for p in request.person_ids))
        issued = await self._h.credentials.issue(cmd, _actor())
        return pb.IssueCredentialsResponse(credentials=[issued_credential_to_pb(i) for i in issued])

    async def ListGroupAccounts(
        self, request: pb.ListGroupAccountsRequest, context: Context
    ) -> pb.ListGroupAccountsResponse:
        query = ListGroupAccounts(group_id=_id(request.group_id, "group_id"))
        students = await self._h.credentials.group_accounts(query, _actor())
        return pb.ListGroupAccountsResponse(students=[student_accounts_to_pb(s) for s in students])

    async def IssueParentAccount(
        self, request: pb.IssueParentAccountRequest, context: Context
    ) -> pb.IssueParentAccountResponse:
        cmd = IssueParentAccount(
            student_id=_id(request.student_id, "student_id"),
            last_name=request.last_name,
            first_name=request.first_name,
            middle_name=request.middle_name,
            email=request.email,
        )
        issued = await self._h.credentials.issue_parent_account(cmd, _actor())
        return pb.IssueParentAccountResponse(credential=issued_credential_to_pb(issued))
