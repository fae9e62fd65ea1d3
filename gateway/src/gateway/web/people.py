"""Picking staff by name in the portal's forms: a search box whose matches become a select's options.

No UUID typing: the admin types the start of a surname, the page comes back with the matches as the
options of a select (server-rendered, no script), and the people already chosen are shown by name.
"""

from __future__ import annotations

from dataclasses import dataclass

import grpc
from chassis.grpc_client import error_code_of
from ejournal.identity.v1 import identity_pb2
from ejournal.identity.v1 import identity_service_pb2 as ipb
from fastapi import Request

from gateway.auth.session import Session
from gateway.clients import call
from gateway.runtime import get_runtime
from gateway.web.year import FormProblem, service_problem

# The journal accepts a teacher or a class teacher as a group's class teacher.
TEACHING_ROLES = frozenset({identity_pb2.ROLE_TEACHER, identity_pb2.ROLE_CLASS_TEACHER})
SEARCH_PAGE = 50
QUERY_CODES = frozenset({"missing_query", "too_long_query", "invalid_query"})


@dataclass(frozen=True)
class PersonChoice:
    """One option of a select: a person's id and «Фамилия Имя Отчество»."""

    person_id: str
    label: str


def full_name(person: ipb.PersonName) -> str:
    """Return «Фамилия Имя Отчество» (without the patronymic when there is none)."""
    return " ".join(part for part in (person.last_name, person.first_name, person.middle_name) if part)


async def names_of(request: Request, session: Session, person_ids: list[str]) -> dict[str, str]:
    """Return the names of the people the caller may see (identity leaves the others out); {} when
    identity does not answer, so the page still shows the ids."""
    wanted = [p for p in dict.fromkeys(person_ids) if p]
    if not wanted:
        return {}
    try:
        reply = await call(
            get_runtime(request).clients.identity.GetPeople,
            ipb.GetPeopleRequest(person_ids=wanted),
            session.access_token,
        )
    except grpc.aio.AioRpcError:
        return {}
    return {p.person_id: full_name(p) for p in reply.people}


async def teachers_named(
    request: Request, session: Session, query: str
) -> tuple[list[PersonChoice], FormProblem | None]:
    """Return the teachers and class teachers whose names start with the words of `query`, or the
    reason in Russian (a bad query, identity down)."""
    try:
        reply = await call(
            get_runtime(request).clients.identity.SearchPeople,
            ipb.SearchPeopleRequest(query=query, page_size=SEARCH_PAGE),
            session.access_token,
        )
    except grpc.aio.AioRpcError as exc:
        problem = service_problem(exc)
        if error_code_of(exc) in QUERY_CODES:
            problem.fields.add("teacher_query")
        return [], problem
    return [PersonChoice(p.person_id, full_name(p)) for p in reply.people if p.role in TEACHING_ROLES], None
