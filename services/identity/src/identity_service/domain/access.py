"""Who may do what with people and links (R1.2–R1.4). Coarse roles come from the token."""

from __future__ import annotations

import uuid

from chassis.principal import Principal

from identity_service.domain import errors
from identity_service.domain.model import Role

# Staff read profiles of the people they teach and manage; students and parents read only their own.
STAFF_ROLES = (
    Role.ADMIN,
    Role.DIRECTOR,
    Role.DEPUTY,
    Role.CURATOR,
    Role.CLASS_TEACHER,
    Role.TEACHER,
    Role.HEAD_OF_COMMISSION,
    Role.MASTER,
)


# Who reads any person's profile (login, e-mail): the administration (§4.6.1, §4.7.2). The other staff
# read their colleagues and, among students and parents, only those of the groups they teach or lead
# (issue 8 item 11; application/group_scope.may_read_profile).
PROFILE_READ_ALL_ROLES = (Role.ADMIN, Role.DIRECTOR, Role.DEPUTY, Role.CURATOR)


def reads_every_profile(principal: Principal) -> bool:
    """Return True for the administration and other ejournal services."""
    return principal.is_service or principal.has_any(*PROFILE_READ_ALL_ROLES)


# Who may find people by name (R1.4, §4.1.2): the administration that manages accounts, groups and
# loads. Teachers and class teachers get names through the lists of their groups (GetPeople).
SEARCH_ROLES = (Role.ADMIN, Role.DIRECTOR, Role.DEPUTY, Role.CURATOR)


def require_people_searcher(principal: Principal) -> None:
    """Raise RoleRequired unless the principal is of the administration (admin, director, deputy, curator)."""
    if not principal.has_any(*SEARCH_ROLES):
        raise errors.RoleRequired("поиск людей по имени доступен администрации")


def require_admin(principal: Principal, what: str) -> None:
    """Raise RoleRequired unless the principal is the journal administrator."""
    if not principal.has_any(Role.ADMIN):
        raise errors.RoleRequired(what)


def is_self(principal: Principal, person_id: uuid.UUID) -> bool:
    """Return True when the principal is this person."""
    return subject_id(principal) == person_id


def reads_any_person(principal: Principal) -> bool:
    """Return True for staff and other ejournal services."""
    return principal.is_service or principal.has_any(*STAFF_ROLES)


def is_parent(principal: Principal) -> bool:
    """Return True when the principal holds the parent role."""
    return principal.has_any(Role.PARENT)


def require_guardian_lister(principal: Principal) -> None:
    """Raise RoleRequired unless the principal is the admin or a service."""
    if not (principal.is_service or principal.has_any(Role.ADMIN)):
        raise errors.RoleRequired("список родителей доступен администратору")


def require_service(principal: Principal, what: str) -> None:
    """Raise RoleRequired unless the principal is another ejournal service."""
    if not principal.is_service:
        raise errors.RoleRequired(what)


def require_guardianship_checker(principal: Principal, parent_id: uuid.UUID) -> None:
    """Raise GuardianshipNotVisible unless the principal is that parent, the admin or a service."""
    if principal.is_service or principal.has_any(Role.ADMIN) or is_self(principal, parent_id):
        return
    raise errors.GuardianshipNotVisible()


def require_children_lister(principal: Principal, parent_id: uuid.UUID) -> None:
    """Raise ChildrenNotVisible unless the principal is that parent, the admin or a service."""
    if principal.is_service or principal.has_any(Role.ADMIN) or is_self(principal, parent_id):
        return
    raise errors.ChildrenNotVisible()


def subject_id(principal: Principal) -> uuid.UUID | None:
    """Return the principal's person id, or None for a subject that is not a UUID."""
    try:
        return uuid.UUID(principal.subject)
    except ValueError:
        return None
