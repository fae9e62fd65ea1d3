"""The people the journal refers to: who may be enrolled as a student, who may be given a teaching load.

The journal keeps only each person's id and role (a projection of identity's people); names stay in
identity. A role is the realm role's name: admin, director, deputy, curator, class_teacher, teacher,
head_of_commission, master, student, parent.
"""

from __future__ import annotations

from journal_service.domain import errors

STUDENT = "student"
# A class teacher is one of the college's teachers too, and so are the head of a subject commission
# (ПЦК) and the master of industrial training («преподаватель / мастер п/о», §4): each may be given a
# teaching load. (Their realm roles are composites of `teacher`, so their tokens carry it for writing.)
TEACHING_ROLES = ("teacher", "class_teacher", "head_of_commission", "master")
ROLES = (
    "admin",
    "director",
    "deputy",
    "curator",
    "class_teacher",
    "teacher",
    "head_of_commission",
    "master",
    "student",
    "parent",
)


def require_student(role: str | None) -> None:
    """Raise PersonNotFound for an unknown person (None), PersonNotStudent for another role."""
    if role is None:
        raise errors.PersonNotFound()
    if role != STUDENT:
        raise errors.PersonNotStudent()


def require_teacher(role: str | None) -> None:
    """Raise PersonNotFound for an unknown person (None), PersonNotTeacher unless they teach."""
    if role is None:
        raise errors.PersonNotFound()
    if role not in TEACHING_ROLES:
        raise errors.PersonNotTeacher()
