"""Portal: period locks and reopen requests (slice B; issue 7 item 5, R1.5).

- On the journal page (`page_locks`, shown by templates/period_locks_block.html): each closed period
  overlapping the page's dates — «Период закрыт» with the teacher's form «Подать заявку на открытие»
  (a reason), or «Заявка подана…» while it waits; once approved, «Открыт до …». A closed period makes
  the grid read-only.
- «Заявки на открытие» (/reopen-requests): a deputy's pending requests with the group, discipline,
  period, teacher and reason, each approved for a duration or rejected with a reason (the refusal next to
  that request, what was typed kept); a teacher's own requests with their decisions.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import grpc
from chassis.errors import PermissionDenied
from ejournal.journal.v1 import journal_service_pb2 as jpb
from ejournal.journal.v1 import period_locks_pb2 as pb
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from gateway.auth.portal import PortalSession
from gateway.auth.session import Session
from gateway.clients import ServiceClients, call
from gateway.resources.common import date_of
from gateway.runtime import get_runtime
from gateway.web.csrf import CsrfSession
from gateway.web.group_plan import discipline_labels
from gateway.web.people import names_of
from gateway.web.year import FormProblem, render, service_problem

router = APIRouter()

DEPUTY, TEACHER = "deputy", "teacher"
MAX_REASON = 1000
# The durations a deputy picks from (hours → label); 48 h is the default.
DURATIONS = {24: "24 часа", 48: "48 часов", 72: "3 суток", 168: "7 суток"}
DEFAULT_HOURS = 48
STATUS_LABELS = {
    pb.REOPEN_REQUEST_STATUS_PENDING: "ждёт решения",
    pb.REOPEN_REQUEST_STATUS_APPROVED: "одобрена",
    pb.REOPEN_REQUEST_STATUS_REJECTED: "отклонена",
}


class ReopenPageForbidden(PermissionDenied):
    """The page is the deputies' and the teachers'."""

    def __init__(self) -> None:
        super().__init__(
            "Заявки на открытие периодов видят заместитель директора и преподаватели",
            code="reopen_requests_forbidden",
        )


def period_label(semester: int) -> str:
    """Return «1 семестр», «2 семестр» or «учебный год»."""
    return f"{semester} семестр" if semester in {1, 2} else "учебный год"


def instant(value: Any, present: bool) -> datetime | None:
    """Return a Timestamp as an aware UTC instant, or None."""
    return value.ToDatetime(tzinfo=UTC) if present else None


@dataclass
class LockShown:
    """A lock as the journal page shows it."""

    lock_id: str
    year_id: str
    semester: int
    label: str
    starts_on: date | None
    ends_on: date | None
    closed: bool
    reopened_until: datetime | None
    pending_since: datetime | None = None


async def page_locks(
    clients: ServiceClients,
    session: Session,
    *,
    group_id: str,
    discipline_id: str,
    first: date,
    last: date,
) -> list[LockShown]:
    """Return the group × discipline's locks overlapping the page's dates; for a teacher, with their
    pending request if any. Raises what the journal raises (the page handles the journal being down)."""
    token = session.access_token
    reply = await call(
        clients.journal.ListPeriodLocks,
        pb.ListPeriodLocksRequest(group_id=group_id, discipline_id=discipline_id),
        token,
    )
    shown = [
        LockShown(
            lock_id=lock.lock_id,
            year_id=lock.year_id,
            semester=lock.semester,
            label=period_label(lock.semester),
            starts_on=date_of(lock.span.starts_on),
            ends_on=date_of(lock.span.ends_on),
            closed=lock.closed,
            reopened_until=instant(lock.reopened_until, lock.HasField("reopened_until")),
        )
        for lock in reply.locks
        if (date_of(lock.span.starts_on) or date.max) <= last
        and (date_of(lock.span.ends_on) or date.min) >= first
    ]
    if TEACHER in session.roles and any(lock.closed for lock in shown):
        mine = await call(
            clients.journal.ListReopenRequests,
            pb.ListReopenRequestsRequest(status=pb.REOPEN_REQUEST_STATUS_PENDING),
            token,
        )
        pending = {r.lock_id: instant(r.requested_at, r.HasField("requested_at")) for r in mine.requests}
        for lock in shown:
            lock.pending_since = pending.get(lock.lock_id)
    return shown


# -- the teacher's request --------------------------------------------------------------------------


@router.post("/reopen-requests/new")
async def request_reopen(request: Request, session: CsrfSession) -> Response:
    """Подать заявку на открытие закрытого периода; при отказе — форма с причиной и сообщением."""
    if TEACHER not in session.roles:
        raise ReopenPageForbidden()
    form = await request.form()
    typed = {
        name: str(form.get(name) or "").strip()
        for name in ("group_id", "discipline_id", "year_id", "semester", "reason")
    }
    try:
        group_id, discipline_id, year_id = (
            str(UUID(typed["group_id"])),
            str(UUID(typed["discipline_id"])),
            str(UUID(typed["year_id"])),
        )
        semester = int(typed["semester"])
    except ValueError:
        return RedirectResponse("/reopen-requests", status_code=303)
    back = f"/journal/{group_id}/{discipline_id}"
    problem: FormProblem | None = None
    if not typed["reason"]:
        problem = FormProblem("Укажите причину, по которой нужно открыть период", {"reason"})
    elif len(typed["reason"]) > MAX_REASON:
        problem = FormProblem(f"Причина — не длиннее {MAX_REASON} символов", {"reason"})
    else:
        try:
            await call(
                get_runtime(request).clients.journal.RequestReopen,
                pb.RequestReopenRequest(
                    group_id=group_id,
                    discipline_id=discipline_id,
                    year_id=year_id,
                    semester=semester,
                    reason=typed["reason"],
                ),
                session.access_token,
            )
        except grpc.aio.AioRpcError as exc:
            problem = service_problem(exc)
        else:
            return RedirectResponse(f"{back}?reopen=requested", status_code=303)
    return render(
        request,
        "reopen_request.html",
        session,
        status=problem.status,
        typed=typed,
        period=period_label(semester),
        back=back,
        problem=problem,
        max_reason=MAX_REASON,
    )


# -- «Заявки на открытие» ----------------------------------------------------------------------------


@dataclass
class RequestShown:
    """A request as the page lists it, with names."""

    request: pb.ReopenRequest
    group: str
    discipline: str
    teacher: str
    period: str
    status: str
    requested_at: datetime | None
    reopened_until: datetime | None


async def _group_names(request: Request, session: Session, ids: list[str]) -> dict[str, str]:
    clients = get_runtime(request).clients

    async def name(group_id: str) -> tuple[str, str]:
        try:
            reply = await call(
                clients.journal.GetGroup, jpb.GetGroupRequest(group_id=group_id), session.access_token
            )
        except grpc.aio.AioRpcError:
            return group_id, "группа"
        return group_id, reply.group.name

    return dict(await asyncio.gather(*(name(g) for g in dict.fromkeys(ids))))


async def requests_page(
    request: Request,
    session: Session,
    *,
    refusal: tuple[str, FormProblem] | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    """Render «Заявки на открытие» (a refusal shown next to its request, with what was typed)."""
    roles = set(session.roles)
    deputy = DEPUTY in roles
    if not deputy and TEACHER not in roles:
        raise ReopenPageForbidden()
    reply = await call(
        get_runtime(request).clients.journal.ListReopenRequests,
        pb.ListReopenRequestsRequest(),
        session.access_token,
    )
    found = list(reply.requests)
    groups, disciplines, teachers = await asyncio.gather(
        _group_names(request, session, [r.group_id for r in found]),
        discipline_labels(request, session, [r.discipline_id for r in found]),
        names_of(request, session, [r.requested_by for r in found]),
    )
    shown = [
        RequestShown(
            request=r,
            group=groups.get(r.group_id, ""),
            discipline=disciplines.get(r.discipline_id, "дисциплина"),
            teacher=teachers.get(r.requested_by, "преподаватель"),
            period=period_label(r.semester),
            status=STATUS_LABELS.get(r.status, ""),
            requested_at=instant(r.requested_at, r.HasField("requested_at")),
            reopened_until=instant(r.reopened_until, r.HasField("reopened_until")),
        )
        for r in found
    ]
    query = request.query_params
    return render(
        request,
        "reopen_requests.html",
        session,
        status=refusal[1].status if refusal else 200,
        deputy=deputy,
        requests=shown,
        durations=DURATIONS,
        default_hours=DEFAULT_HOURS,
        refusal=refusal,
        typed=typed or {},
        approved=query.get("approved") == "1",
        rejected=query.get("rejected") == "1",
    )


@router.get("/reopen-requests")
async def reopen_requests(request: Request, session: PortalSession) -> Response:
    """Заявки на открытие: заместителю директора — ждущие решения, преподавателю — свои."""
    return await requests_page(request, session)


@router.post("/reopen-requests/{request_id}/approve")
async def approve_reopen(request: Request, request_id: UUID, session: CsrfSession) -> Response:
    """Одобрить заявку: период открыт на выбранный срок, потом закроется сам."""
    form = await request.form()
    hours_text = str(form.get("hours") or "")
    hours = int(hours_text) if hours_text.isdigit() else 0
    if hours not in DURATIONS:
        problem = FormProblem("Выберите срок из списка", {"hours"})
        return await requests_page(request, session, refusal=(str(request_id), problem))
    try:
        await call(
            get_runtime(request).clients.journal.ApproveReopen,
            pb.ApproveReopenRequest(request_id=str(request_id), hours=hours),
            session.access_token,
        )
    except grpc.aio.AioRpcError as exc:
        return await requests_page(request, session, refusal=(str(request_id), service_problem(exc)))
    return RedirectResponse("/reopen-requests?approved=1", status_code=303)


@router.post("/reopen-requests/{request_id}/reject")
async def reject_reopen(request: Request, request_id: UUID, session: CsrfSession) -> Response:
    """Отклонить заявку с причиной; при отказе — сообщение у заявки, причина на месте."""
    form = await request.form()
    reason = str(form.get("reason") or "").strip()
    typed = {"request_id": str(request_id), "reason": reason}
    if not reason or len(reason) > MAX_REASON:
        problem = FormProblem(f"Укажите причину отказа: от 1 до {MAX_REASON} символов", {"reason"})
        return await requests_page(request, session, refusal=(str(request_id), problem), typed=typed)
    try:
        await call(
            get_runtime(request).clients.journal.RejectReopen,
            pb.RejectReopenRequest(request_id=str(request_id), reason=reason),
            session.access_token,
        )
    except grpc.aio.AioRpcError as exc:
        return await requests_page(
            request, session, refusal=(str(request_id), service_problem(exc)), typed=typed
        )
    return RedirectResponse("/reopen-requests?rejected=1", status_code=303)
