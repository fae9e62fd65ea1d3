"""Scoped role assignments (issue 8 item 1, ADR 0012): which role a person holds where, and the rules.

A person holds a role in a scope: the whole college, a department («отделение»), a group, or a
discipline in a group. A class teacher's or teacher's reach over groups is the journal's fact
(the class teacher of a group, the teaching loads), so those roles are assigned for the college only;
the scoped kinds are for the roles whose area the journal does not model. The person's Keycloak realm
roles are the union of their assignments' roles and their primary role (`people.role`).
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime

from chassis.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound

from identity_service.domain.model import Person, Role


class ScopeKind(enum.StrEnum):
    """What an assignment reaches."""

    COLLEGE = "college"
    DEPARTMENT = "department"
    GROUP = "group"
    DISCIPLINE_IN_GROUP = "discipline_in_group"


ROLE_TITLES: dict[Role, str] = {
    Role.ADMIN: "администратор журнала",
    Role.DIRECTOR: "директор",
    Role.DEPUTY: "заместитель директора",
    Role.CURATOR: "куратор (заведующий отделением)",
    Role.HEAD_OF_COMMISSION: "председатель ПЦК",
    Role.CLASS_TEACHER: "классный руководитель",
    Role.TEACHER: "преподаватель",
    Role.MASTER: "мастер производственного обучения",
    Role.STUDENT: "обучающийся",
    Role.PARENT: "родитель (законный представитель)",
}

SCOPE_TITLES: dict[ScopeKind, str] = {
    ScopeKind.COLLEGE: "весь колледж",
    ScopeKind.DEPARTMENT: "отделение",
    ScopeKind.GROUP: "группа",
    ScopeKind.DISCIPLINE_IN_GROUP: "дисциплина в группе",
}

# The scope kinds each role may be given in. Class teachers and teachers reach groups through the
# journal's facts (ADR 0012): assigned for the college only, never a second record of the same fact.
SCOPES_OF_ROLE: dict[Role, frozenset[ScopeKind]] = {
    Role.ADMIN: frozenset({ScopeKind.COLLEGE}),
    Role.DIRECTOR: frozenset({ScopeKind.COLLEGE}),
    Role.DEPUTY: frozenset({ScopeKind.COLLEGE, ScopeKind.DEPARTMENT}),
    Role.CURATOR: frozenset({ScopeKind.COLLEGE, ScopeKind.DEPARTMENT}),
    Role.HEAD_OF_COMMISSION: frozenset(
        {ScopeKind.COLLEGE, ScopeKind.DEPARTMENT, ScopeKind.DISCIPLINE_IN_GROUP}
    ),
    Role.CLASS_TEACHER: frozenset({ScopeKind.COLLEGE}),
    Role.TEACHER: frozenset({ScopeKind.COLLEGE}),
    Role.MASTER: frozenset({ScopeKind.COLLEGE, ScopeKind.GROUP}),
    Role.STUDENT: frozenset({ScopeKind.COLLEGE}),
    Role.PARENT: frozenset({ScopeKind.COLLEGE}),
}

# Students and parents hold only the role they were created with; everyone else is staff.
NON_STAFF = frozenset({Role.STUDENT, Role.PARENT})


@dataclass(frozen=True)
class Scope:
    """Where an assignment applies; `scope_id` is the department or the group, `discipline_id` the
    discipline of a discipline-in-group scope."""

    kind: ScopeKind
    scope_id: uuid.UUID | None = None
    discipline_id: uuid.UUID | None = None

    @property
    def department_id(self) -> uuid.UUID | None:
        """The department of a department scope."""
        return self.scope_id if self.kind is ScopeKind.DEPARTMENT else None

    @property
    def group_id(self) -> uuid.UUID | None:
        """The group of a group or discipline-in-group scope."""
        return self.scope_id if self.kind in (ScopeKind.GROUP, ScopeKind.DISCIPLINE_IN_GROUP) else None


COLLEGE = Scope(ScopeKind.COLLEGE)


@dataclass(frozen=True)
class RoleAssignment:
    """A role a person holds in a scope; in force while `revoked_at` is None."""

    id: uuid.UUID
    person_id: uuid.UUID
    role: Role
    scope: Scope
    assigned_by: str
    assigned_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_by: str | None = None


def new_scope(
    kind: ScopeKind,
    *,
    department_id: uuid.UUID | None = None,
    group_id: uuid.UUID | None = None,
    discipline_id: uuid.UUID | None = None,
) -> Scope:
    """Return the scope of a kind with exactly the ids it needs, or raise ScopeInvalid."""
    given = {"department": department_id, "group": group_id, "discipline": discipline_id}
    needed = {
        ScopeKind.COLLEGE: (),
        ScopeKind.DEPARTMENT: ("department",),
        ScopeKind.GROUP: ("group",),
        ScopeKind.DISCIPLINE_IN_GROUP: ("group", "discipline"),
    }[kind]
    if any(given[name] is None for name in needed) or any(
        value is not None for name, value in given.items() if name not in needed
    ):
        raise ScopeInvalid(kind)
    if kind is ScopeKind.DEPARTMENT:
        return Scope(kind, department_id)
    return Scope(kind, group_id, discipline_id)


def check_assignment(person: Person, role: Role, scope: Scope, in_force: list[RoleAssignment]) -> None:
    """Raise the error of the first rule the new assignment breaks: staff roles only to staff
    (`role_not_for_person`), the scope fits the role (`scope_not_for_role`), not held already
    (`role_already_assigned`)."""
    if (role in NON_STAFF or person.role in NON_STAFF) and role is not person.role:
        raise RoleNotForPerson(role, person.role)
    if scope.kind not in SCOPES_OF_ROLE[role]:
        raise ScopeNotForRole(role, scope.kind)
    if any(a.role is role and a.scope == scope for a in in_force):
        raise RoleAlreadyAssigned(role)


def check_revoke(
    actor_id: uuid.UUID | None, assignment: RoleAssignment, in_force: list[RoleAssignment]
) -> None:
    """Raise OwnLastAdmin when an admin would revoke their own last admin assignment."""
    if (
        assignment.role is Role.ADMIN
        and assignment.person_id == actor_id
        and not any(a.role is Role.ADMIN and a.id != assignment.id for a in in_force)
    ):
        raise OwnLastAdmin()


def adds_realm_role(person: Person, role: Role, in_force: list[RoleAssignment]) -> bool:
    """Return True when the person's realm roles gain `role` with this assignment (the first of it)."""
    return role is not person.role and not any(a.role is role for a in in_force)


def removes_realm_role(person: Person, assignment: RoleAssignment, in_force: list[RoleAssignment]) -> bool:
    """Return True when the person's realm roles lose the role with this revoke (the last of it,
    and not their primary role)."""
    return assignment.role is not person.role and not any(
        a.role is assignment.role and a.id != assignment.id for a in in_force
    )


def scope_label(scope: Scope) -> str:
    """Return the Russian name of a scope's kind."""
    return SCOPE_TITLES[scope.kind]


class ScopeInvalid(InvalidArgument):
    """The scope lacks an id its kind needs or names one it does not take."""

    def __init__(self, kind: ScopeKind) -> None:
        needs = {
            ScopeKind.COLLEGE: "не указывайте ни отделения, ни группы, ни дисциплины",
            ScopeKind.DEPARTMENT: "укажите только отделение",
            ScopeKind.GROUP: "укажите только группу",
            ScopeKind.DISCIPLINE_IN_GROUP: "укажите группу и дисциплину",
        }[kind]
        super().__init__(f"Для области «{SCOPE_TITLES[kind]}» {needs}", code="invalid_scope")


class ScopeMissing(InvalidArgument):
    """The scope kind is unspecified or unknown."""

    def __init__(self) -> None:
        super().__init__(
            "Укажите область действия роли: весь колледж, отделение, группа или дисциплина в группе",
            code="missing_scope",
        )


class RoleNotForPerson(FailedPrecondition):
    """A staff role for a student or parent, or a student's or parent's role for someone else."""

    def __init__(self, role: Role, primary: Role) -> None:
        super().__init__(
            f"Роль «{ROLE_TITLES[role]}» нельзя назначить: человек записан как «{ROLE_TITLES[primary]}». "
            "Роли сотрудников назначаются только сотрудникам, "
            "а обучающийся и родитель имеют только свою роль",
            code="role_not_for_person",
        )


class ScopeNotForRole(FailedPrecondition):
    """The scope's kind does not fit the role."""

    def __init__(self, role: Role, kind: ScopeKind) -> None:
        allowed = ", ".join(f"«{SCOPE_TITLES[k]}»" for k in ScopeKind if k in SCOPES_OF_ROLE[role])
        super().__init__(
            f"Роль «{ROLE_TITLES[role]}» не назначается на область «{SCOPE_TITLES[kind]}»; "
            f"возможно: {allowed}",
            code="scope_not_for_role",
        )


class RoleAlreadyAssigned(AlreadyExists):
    """The person already holds this role in this scope."""

    def __init__(self, role: Role) -> None:
        super().__init__(
            f"Роль «{ROLE_TITLES[role]}» в этой области уже назначена этому человеку",
            code="role_already_assigned",
        )


class OwnLastAdmin(FailedPrecondition):
    """An admin revoking their own last admin assignment would lock the college out."""

    def __init__(self) -> None:
        super().__init__(
            "Нельзя отозвать у себя последнюю роль администратора: попросите другого администратора",
            code="own_last_admin",
        )


class AssignmentNotFound(NotFound):
    """No assignment in force with this id."""

    def __init__(self) -> None:
        super().__init__("Назначение роли не найдено или уже отозвано", code="assignment_not_found")
