"""Access rules of identity (R1.4): who reads people and who asks about parent↔student links."""

from __future__ import annotations

import uuid

import pytest
from chassis.principal import Principal
from identity_service.domain import access, errors


def principal(*roles: str, subject: str | None = None) -> Principal:
    return Principal(subject=subject or str(uuid.uuid4()), roles=frozenset(roles))


@pytest.mark.parametrize(
    "role", ["admin", "director", "deputy", "curator", "class_teacher", "teacher", "service"]
)
def test_staff_and_services_read_any_person(role: str) -> None:
    assert access.reads_any_person(principal(role))


@pytest.mark.parametrize("role", ["student", "parent"])
def test_students_and_parents_do_not_read_others(role: str) -> None:
    assert not access.reads_any_person(principal(role))


def test_only_admin_passes_require_admin() -> None:
    access.require_admin(principal("admin"), "x")
    for role in ("director", "teacher", "service"):
        with pytest.raises(errors.RoleRequired):
            access.require_admin(principal(role), "x")


def test_guardian_list_is_for_admin_and_services() -> None:
    access.require_guardian_lister(principal("admin"))
    access.require_guardian_lister(principal("service"))
    for role in ("parent", "teacher", "director"):
        with pytest.raises(errors.RoleRequired):
            access.require_guardian_lister(principal(role))


def test_guardianship_check_is_for_that_parent_admin_or_service() -> None:
    parent_id = uuid.uuid4()
    access.require_guardianship_checker(principal("parent", subject=str(parent_id)), parent_id)
    access.require_guardianship_checker(principal("admin"), parent_id)
    access.require_guardianship_checker(principal("service", subject="service-account-x"), parent_id)
    for other in (principal("parent"), principal("teacher"), principal("student")):
        with pytest.raises(errors.GuardianshipNotVisible):
            access.require_guardianship_checker(other, parent_id)


def test_a_non_uuid_subject_is_nobody() -> None:
    assert access.subject_id(principal(subject="service-account-ejournal-journal")) is None
    assert not access.is_self(principal(subject="not-a-uuid"), uuid.uuid4())


def test_children_list_is_for_that_parent_admin_or_service() -> None:
    parent_id = uuid.uuid4()
    access.require_children_lister(principal("parent", subject=str(parent_id)), parent_id)
    access.require_children_lister(principal("admin"), parent_id)
    access.require_children_lister(principal("service", subject="service-account-x"), parent_id)
    for other in (principal("parent"), principal("teacher"), principal("director"), principal("student")):
        with pytest.raises(errors.ChildrenNotVisible):
            access.require_children_lister(other, parent_id)
