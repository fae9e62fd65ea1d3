"""The 152-ФЗ subject export: everything the platform holds about a person, as one JSON file.

`GET /api/v1/me/export` and `GET /api/v1/people/{person_id}/export` answer a document composed from
what the services already give that caller (format: gateway/README.md, «Выгрузка моих данных»):
the person themself, or a parent for a child identity links them to (CheckGuardianship decides —
from the child's 18th birthday only with the child's consent); anyone else 404 `person_not_found`.
Each section names its source service and is that service's answer in the protobuf JSON mapping
(proto field names). A section a service cannot give (down, deadline) fails the whole export
(503 `export_incomplete` or the service's own refusal) — never a partial file presented as complete.
The archive is asked last: its answer is also the audit of the download (`subject_export.downloaded`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar
from uuid import UUID

import grpc
from chassis.errors import NotFound, ServiceUnavailable
from chassis.grpc_errors import http_status_for
from ejournal.archive.v1 import archive_pb2
from ejournal.archive.v1 import archive_service_pb2 as archive_pb
from ejournal.identity.v1 import identity_pb2
from ejournal.identity.v1 import identity_service_pb2 as identity_pb
from ejournal.journal.v1 import journal_service_pb2 as journal_pb
from ejournal.messaging.v1 import messaging_service_pb2 as messaging_pb
from fastapi import APIRouter, Request, Response
from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, to_local_date
from gateway.runtime import get_runtime

FORMAT = "ejournal.subject_export.v1"
# The diary is read over the last year (the journal reads at most 366 days at once).
DIARY_DAYS = 365
AUDIT_PAGE = 500
# A service refusing a section it should give is as much a failure as one that is down.
SECTION_FAILURE = (
    "Выгрузка не сформирована: сервис «{service}» не ответил. Попробуйте позже — неполный файл не выдаётся."
)

JsonObject = dict[str, object]
M = TypeVar("M", bound=Message)


def _json(message: Message) -> JsonObject:
    return MessageToDict(message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True)


async def _section(service: str, answer: Awaitable[M]) -> M:
    """Await one service's answer; a failure of any kind but the caller's own refusal is a 503."""
    try:
        return await answer
    except grpc.aio.AioRpcError as exc:
        if http_status_for(exc.code()) in {403, 404}:
            raise  # the service's own refusal, passed on as it said it
        raise ServiceUnavailable(SECTION_FAILURE.format(service=service), code="export_incomplete") from exc


async def _is_own_child(clients: Clients, caller: Caller, person_id: str) -> bool:
    if "parent" not in caller.roles:
        return False
    request = identity_pb.CheckGuardianshipRequest(parent_id=caller.subject, student_id=person_id)
    reply = await _section("identity", call(clients.identity.CheckGuardianship, request, caller.token))
    return reply.linked


async def _person(clients: Clients, caller: Caller, person_id: str, relation: str) -> tuple[JsonObject, bool]:
    """Return the person as identity shows them to the caller, and whether they are a student."""
    if relation == "self":
        request = identity_pb.GetPersonRequest(person_id=person_id)
        person = (await _section("identity", call(clients.identity.GetPerson, request, caller.token))).person
        return _json(person), person.role == identity_pb2.ROLE_STUDENT
    names = identity_pb.GetPeopleRequest(person_ids=[person_id])
    found = (await _section("identity", call(clients.identity.GetPeople, names, caller.token))).people
    if not found:
        raise ServiceUnavailable(SECTION_FAILURE.format(service="identity"), code="export_incomplete")
    return _json(found[0]), found[0].role == identity_pb2.ROLE_STUDENT


async def _links(
    clients: Clients, caller: Caller, person_id: str, relation: str, is_student: bool
) -> JsonObject:
    """The person's guardian links as identity shows them to the caller."""
    token = caller.token
    if relation == "parent":
        return {"guardians": [{"parent_id": caller.subject}]}
    if is_student:
        # The student's own linked parents, with their consent and whether each parent reads their data.
        access = identity_pb.ListParentAccessRequest()
        parents = await _section("identity", call(clients.identity.ListParentAccess, access, token))
        return {"parent_access": _json(parents)}
    if "parent" in caller.roles:
        children = identity_pb.ListChildrenRequest(parent_id=person_id)
        reply = await _section("identity", call(clients.identity.ListChildren, children, token))
        return {"children": [_json(c) for c in reply.children]}
    return {}


async def _journal(clients: Clients, token: str, person_id: str, today: date) -> JsonObject:
    """The student's diary of the last year (marks, attendance, homework), debts, movements and the
    finals of every year."""
    date_from = today - timedelta(days=DIARY_DAYS)
    diary_request = journal_pb.GetStudentDiaryRequest(
        student_id=person_id, date_from=to_local_date(date_from), date_to=to_local_date(today)
    )
    diary, debts, movements, finals = await asyncio.gather(
        _section("journal", call(clients.journal.GetStudentDiary, diary_request, token)),
        _section(
            "journal",
            call(
                clients.journal.ListStudentDebts,
                journal_pb.ListStudentDebtsRequest(student_id=person_id),
                token,
            ),
        ),
        _section(
            "journal",
            call(
                clients.journal.GetStudentMovements,
                journal_pb.GetStudentMovementsRequest(student_id=person_id),
                token,
            ),
        ),
        _section(
            "journal",
            call(
                clients.journal.GetStudentFinals,
                journal_pb.GetStudentFinalsRequest(student_id=person_id),  # every year
                token,
            ),
        ),
    )
    return {
        "diary": {"date_from": date_from.isoformat(), "date_to": today.isoformat(), **_json(diary)},
        "debts": [_json(d) for d in debts.debts],
        "movements": [_json(m) for m in movements.movements],
        "finals": [_json(f) for f in finals.finals],
    }


async def _audit(clients: Clients, token: str, person_id: str) -> list[JsonObject]:
    """Every record about the person, newest first, with the actors' names the caller may see."""
    records: list[archive_pb2.AuditRecord] = []
    before = 0
    while True:
        request = archive_pb.ListAuditRecordsAboutMeRequest(
            subject_person_id=person_id, page_size=AUDIT_PAGE, before_sequence=before, export=True
        )
        page = (
            await _section("archive", call(clients.archive.ListAuditRecordsAboutMe, request, token))
        ).records
        records.extend(page)
        if len(page) < AUDIT_PAGE:
            break
        before = page[-1].sequence
    names: dict[str, str] = {}
    # Only people are named: a service's or the console's actor (`service:journal`) is no person id,
    # and identity refuses the whole batch for one malformed id.
    actor_ids = sorted({r.actor_id for r in records if _is_person_id(r.actor_id)})
    for start in range(0, len(actor_ids), 500):
        # identity answers only the people the caller may see; the others stay ids.
        request_names = identity_pb.GetPeopleRequest(person_ids=actor_ids[start : start + 500])
        seen = await _section("identity", call(clients.identity.GetPeople, request_names, token))
        for p in seen.people:
            names[p.person_id] = " ".join(x for x in (p.last_name, p.first_name, p.middle_name) if x)
    return [{**_json(r), "actor_name": names.get(r.actor_id)} for r in records]


def _is_person_id(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True


async def compose_export(clients: Clients, caller: Caller, person_id: str, today: date) -> JsonObject:
    """Return the export document of `person_id` for the caller, or raise NotFound/ServiceUnavailable."""
    relation = "self" if person_id == caller.subject else None
    if relation is None and await _is_own_child(clients, caller, person_id):
        relation = "parent"
    if relation is None:
        raise NotFound("Человек не найден или его данные вам недоступны", code="person_not_found")
    token = caller.token
    person, is_student = await _person(clients, caller, person_id, relation)
    links = await _links(clients, caller, person_id, relation, is_student)
    journal = await _journal(clients, token, person_id, today) if is_student else {}
    # The notifications addressed to the caller (for a parent: those about this child).
    listed = messaging_pb.ListNotificationsRequest(page_size=200)
    notes = (
        await _section("messaging", call(clients.messaging.ListNotifications, listed, token))
    ).notifications
    notifications = [_json(n) for n in notes if relation == "self" or n.student_id == person_id]
    # The archive last: its answer is also the audit of this download (subject_export.downloaded).
    records = await _audit(clients, token, person_id)
    return {
        "format": FORMAT,
        "generated_at": datetime.now(UTC).isoformat(),
        "subject_person_id": person_id,
        "requested_by": caller.subject,
        "relation": relation,
        "complete": True,
        "sections": {
            "person": {"source": "identity", "person": person, **links},
            "journal": {"source": "journal", "applicable": is_student, **journal},
            "notifications": {
                "source": "messaging",
                "addressed_to": caller.subject,
                "notifications": notifications,
            },
            "audit": {"source": "archive", "records": records},
        },
    }


def export_response(document: JsonObject, today: date) -> Response:
    """Return the document as a file to download."""
    filename = f"ejournal-export-{document['subject_person_id']}-{today.isoformat()}.json"
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def college_today(request: Request) -> date:
    """Return today in the college's time zone."""
    return datetime.now(get_runtime(request).settings.college_zone).date()


router = APIRouter(tags=["Я"])


@router.get("/me/export", summary="Выгрузка моих данных (152-ФЗ)")
async def my_export(request: Request, caller: Caller, clients: Clients) -> Response:
    """Всё, что платформа хранит о вызывающем, включая кто читал его данные, — файлом JSON."""
    today = college_today(request)
    return export_response(await compose_export(clients, caller, caller.subject, today), today)


@router.get("/people/{person_id}/export", summary="Выгрузка данных человека (152-ФЗ)")
async def person_export(person_id: UUID, request: Request, caller: Caller, clients: Clients) -> Response:
    """Сам человек или родитель несовершеннолетнего (решает сервис учётных записей); остальным 404."""
    today = college_today(request)
    return export_response(await compose_export(clients, caller, str(person_id), today), today)
