"""Portal pages: home, a student's diary, the caller's notifications."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import TypeVar
from uuid import UUID

import grpc
from chassis.errors import InvalidArgument, NotFound
from ejournal.identity.v1 import identity_pb2, identity_service_pb2
from ejournal.journal.v1 import journal_service_pb2
from ejournal.messaging.v1 import messaging_service_pb2
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from gateway.auth.portal import MaybeSession, PortalSession
from gateway.auth.session import Session
from gateway.clients import ServiceClients, call
from gateway.resources.disciplines import DisciplineOut, discipline_out
from gateway.resources.marks import mark_out
from gateway.resources.notifications import NotificationOut, notification_out
from gateway.resources.people import ROLES, PersonOut, person_out
from gateway.runtime import get_runtime
from gateway.web import parent_access, today, year
from gateway.web.format import full_name

log = logging.getLogger(__name__)
router = APIRouter()
T = TypeVar("T")

# A page still shows its own content when the service that only puts names on it does not answer.
NAMES_OPTIONAL = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})
# A student the caller may not see is, like the journal says, a student who is not there.
NOT_VISIBLE = frozenset({grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.NOT_FOUND})

STUDENT = ROLES.name_of(identity_pb2.ROLE_STUDENT)
PARENT = ROLES.name_of(identity_pb2.ROLE_PARENT)
MANAGERS = frozenset(ROLES.name_of(r) for r in (identity_pb2.ROLE_ADMIN, identity_pb2.ROLE_DIRECTOR))
STAFF_ROLES = MANAGERS | frozenset(
    ROLES.name_of(r)
    for r in (
        identity_pb2.ROLE_DEPUTY,
        identity_pb2.ROLE_CURATOR,
        identity_pb2.ROLE_CLASS_TEACHER,
        identity_pb2.ROLE_TEACHER,
    )
)


class StudentNotFound(NotFound):
    """The diary's student is unknown to identity or hidden from the caller (the journal's 404)."""

    def __init__(self) -> None:
        super().__init__("Обучающийся не найден", code="student_not_found")


def render(request: Request, template: str, session: Session | None, **context: object) -> Response:
    """Render a portal page with the session (for the header) in its context."""
    templates = request.app.state.templates
    response: Response = templates.TemplateResponse(request, template, {"session": session, **context})
    return response


@router.get("/")
async def home(request: Request, session: MaybeSession) -> Response:
    """Who you are and where you can go: a parent's children, a student's diary; a login for visitors."""
    roles = set(session.roles) if session else set()
    is_parent = PARENT in roles
    children: list[PersonOut] | None = []
    access_ended = 0
    if session is not None and is_parent:
        # Adult children without consent are left out and counted (issue 8 item 5, web/parent_access.py).
        found = await names_if_available(
            parent_access.children_and_ended(get_runtime(request).clients, session)
        )
        children = None if found is None else [person_out(p) for p in found[0]]
        access_ended = 0 if found is None else found[1]
    navigation = await today.home_navigation(request, session) if session and roles & STAFF_ROLES else {}
    return render(
        request,
        "home.html",
        session,
        is_student=STUDENT in roles,
        is_parent=is_parent,
        children=children,
        access_ended=access_ended,
        is_admin=bool(roles & MANAGERS),
        is_administration=bool(roles & year.READERS),
        **navigation,
    )


@router.get("/diary")
async def diary_lookup(session: PortalSession, student_id: str | None = None) -> RedirectResponse:
    """Open a diary from the home page form; a student without an id gets their own."""
    if not student_id and STUDENT in session.roles:
        return RedirectResponse(f"/diary/{session.subject}", status_code=303)
    try:
        target = UUID((student_id or "").strip())
    except ValueError:
        raise InvalidArgument(
            "Укажите идентификатор обучающегося (UUID), например из карточки студента",
            code="invalid_student_id",
        ) from None
    return RedirectResponse(f"/diary/{target}", status_code=303)


@router.get("/diary/{student_id}")
async def diary(request: Request, student_id: UUID, session: PortalSession) -> Response:
    """Дневник: the marks of one student, newest lesson first, under the student's name."""
    clients = get_runtime(request).clients
    student = str(student_id)
    # The journal decides who may read a diary; identity only names the student afterwards.
    reply = await call(
        clients.journal.ListStudentMarks,
        journal_service_pb2.ListStudentMarksRequest(student_id=student),
        session.access_token,
    )
    # The name only (GetPeople), not the profile: a substitute or a teacher whose load identity has not
    # heard of yet reads the diary the journal allowed, named as the journal's lists name students.
    names = identity_service_pb2.GetPeopleRequest(person_ids=[student])
    named = await names_if_available(call(clients.identity.GetPeople, names, session.access_token))
    person = named.people[0] if named is not None and named.people else None
    return render(
        request,
        "diary.html",
        session,
        student_id=student,
        student_name="" if person is None else full_name(person),
        own=student == session.subject,
        marks=[mark_out(m) for m in reply.marks],
        disciplines={d.discipline_id: discipline_out(d) for d in reply.disciplines},
    )


@router.get("/notifications")
async def notifications(request: Request, session: PortalSession) -> Response:
    """Уведомления of the logged-in person, newest first, with names of students and disciplines."""
    clients = get_runtime(request).clients
    reply = await call(
        clients.messaging.ListNotifications,
        messaging_service_pb2.ListNotificationsRequest(),
        session.access_token,
    )
    items = [notification_out(n) for n in reply.notifications]
    disciplines, students = await asyncio.gather(
        discipline_names(clients, session, items), student_names(clients, session, items)
    )
    return render(
        request,
        "notifications.html",
        session,
        notifications=items,
        disciplines=disciplines,
        students=students,
    )


async def children_of(clients: ServiceClients, session: Session) -> list[identity_pb2.Person]:
    """Return the Persons of the logged-in parent's children, by last and first name."""
    request = identity_service_pb2.ListChildrenRequest(parent_id=session.subject)
    return list((await call(clients.identity.ListChildren, request, session.access_token)).children)


async def person_named(clients: ServiceClients, session: Session, person_id: str) -> identity_pb2.Person:
    """Return the Person with this id, as the logged-in person may see it."""
    request = identity_service_pb2.GetPersonRequest(person_id=person_id)
    return (await call(clients.identity.GetPerson, request, session.access_token)).person


async def names_if_available(pending: Awaitable[T]) -> T | None:
    """Return the call's answer, or None when its service is down or slow (the page goes on without it)."""
    try:
        return await pending
    except grpc.aio.AioRpcError as exc:
        if exc.code() not in NAMES_OPTIONAL:
            raise
        log.warning("page shown without names", extra={"grpc_status": exc.code().name})
        return None


async def discipline_names(
    clients: ServiceClients, session: Session, items: list[NotificationOut]
) -> dict[str, DisciplineOut]:
    """Return the disciplines the notifications mention, by id, in one journal call."""
    ids = list(dict.fromkeys(n.discipline_id for n in items if n.discipline_id))
    if not ids:
        return {}
    request = journal_service_pb2.ListDisciplinesRequest(discipline_ids=ids)
    found = await names_if_available(call(clients.journal.ListDisciplines, request, session.access_token))
    return {d.discipline_id: discipline_out(d) for d in (found.disciplines if found else [])}


async def student_names(
    clients: ServiceClients, session: Session, items: list[NotificationOut]
) -> dict[str, PersonOut]:
    """Return the students the notifications name, by id: a parent's children at once, others one by one."""
    ids = list(dict.fromkeys(n.student_id for n in items if n.student_id))
    names: dict[str, PersonOut] = {}
    if ids and PARENT in session.roles:
        children = await names_if_available(children_of(clients, session))
        names.update((p.person_id, person_out(p)) for p in children or [])
    others = [i for i in ids if i not in names]
    found = await asyncio.gather(*(_person_if_visible(clients, session, i) for i in others))
    names.update((p.person_id, p) for p in found if p is not None)
    return names


async def _person_if_visible(clients: ServiceClients, session: Session, person_id: str) -> PersonOut | None:
    try:
        person = await names_if_available(person_named(clients, session, person_id))
    except grpc.aio.AioRpcError as exc:
        if exc.code() not in NOT_VISIBLE:
            raise
        return None  # e.g. a child no longer linked to this parent: the notification stays, unnamed
    return None if person is None else person_out(person)
