"""Portal «Доступ родителей» (issue 8 item 5, 152-ФЗ): a student sees their linked parents by name with
their consent and what it means today, and grants («Разрешить») or withdraws («Отозвать») it; the
explanation of the law in plain Russian. A parent's home page says when an adult child's data is no
longer shown (ListChildren's access_ended_student_ids) instead of listing the diary."""

from __future__ import annotations

import grpc
from ejournal.identity.v1 import identity_pb2
from ejournal.identity.v1 import identity_service_pb2 as pb
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from gateway.auth.portal import PortalSession
from gateway.auth.session import Session
from gateway.clients import ServiceClients, call
from gateway.resources.parent_access import parent_access_out
from gateway.runtime import get_runtime
from gateway.web.csrf import CsrfSession, csrf_token
from gateway.web.year import FormProblem, service_problem

router = APIRouter()
ACTIONS = {"grant": "GrantParentAccess", "withdraw": "WithdrawParentAccess"}
SAVED = {"grant": "Доступ разрешён.", "withdraw": "Доступ отозван."}


async def children_and_ended(
    clients: ServiceClients, session: Session
) -> tuple[list[identity_pb2.Person], int]:
    """Return the parent's children whose data they may read, and how many adult children's data
    they may no longer read (no consent), in one ListChildren."""
    request = pb.ListChildrenRequest(parent_id=session.subject)
    reply = await call(clients.identity.ListChildren, request, session.access_token)
    return list(reply.children), len(reply.access_ended_student_ids)


async def _page(
    request: Request, session: Session, *, saved: str = "", problem: FormProblem | None = None
) -> Response:
    clients = get_runtime(request).clients
    reply = await call(clients.identity.ListParentAccess, pb.ListParentAccessRequest(), session.access_token)
    response: Response = request.app.state.templates.TemplateResponse(
        request,
        "parent_access.html",
        {
            "session": session,
            "csrf_token": csrf_token(request, session),
            "adult": reply.adult,
            "parents": [parent_access_out(p) for p in reply.parents],
            "saved": SAVED.get(saved, ""),
            "problem": problem,
        },
        status_code=problem.status if problem else 200,
    )
    return response


@router.get("/parent-access")
async def parent_access(request: Request, session: PortalSession, saved: str = "") -> Response:
    """Доступ родителей к данным обучающегося (сам обучающийся)."""
    return await _page(request, session, saved=saved)


@router.post("/parent-access")
async def change_parent_access(request: Request, session: CsrfSession) -> Response:
    """Разрешить или отозвать доступ родителя; отказ — сообщением на той же странице."""
    data = await request.form()
    action, parent_id = str(data.get("action", "")), str(data.get("parent_id", ""))
    if action not in ACTIONS or not parent_id:
        problem = FormProblem("Выберите родителя и действие: «Разрешить» или «Отозвать»")
        return await _page(request, session, problem=problem)
    identity = get_runtime(request).clients.identity
    method = getattr(identity, ACTIONS[action])
    message = (
        pb.GrantParentAccessRequest(parent_id=parent_id)
        if action == "grant"
        else pb.WithdrawParentAccessRequest(parent_id=parent_id)
    )
    try:
        await call(method, message, session.access_token)
    except grpc.aio.AioRpcError as exc:
        return await _page(request, session, problem=service_problem(exc))
    return RedirectResponse(f"/parent-access?saved={action}", status_code=303)
