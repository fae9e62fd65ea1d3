"""Portal «Учётные записи» (issue 8 item 10; slice H1): the class teacher of a group (or the admin)
sees its students and their parents with each account's login and state, ticks people and gets their
new passwords as printable slips («Выдать пароли и распечатать»), resets one person's password
(«Сбросить пароль») and adds a parent to a student. Refusals of the form stand next to it."""

from __future__ import annotations

from uuid import UUID

import grpc
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from gateway.auth.portal import PortalSession
from gateway.auth.session import Session
from gateway.resources.accounts import (
    PDF_HEADERS,
    ParentIn,
    group_accounts,
    group_name,
    issue_credentials,
    issue_parent_account,
    slips_pdf,
)
from gateway.runtime import get_runtime
from gateway.web.csrf import CsrfSession, csrf_token
from gateway.web.year import FormProblem, service_problem

# Portal pages stay out of the OpenAPI description, as every page of web/__init__.py's router.
router = APIRouter(include_in_schema=False)
MAX_TICKED = 100


async def _page(
    request: Request,
    session: Session,
    group_id: UUID,
    *,
    problem: FormProblem | None = None,
    parent_form: dict[str, str] | None = None,
) -> Response:
    clients = get_runtime(request).clients
    name = await group_name(clients, session.access_token, group_id)
    students = await group_accounts(clients, session.access_token, group_id)
    response: Response = request.app.state.templates.TemplateResponse(
        request,
        "accounts.html",
        {
            "session": session,
            "csrf_token": csrf_token(request, session),
            "group_id": str(group_id),
            "group_name": name,
            "students": students,
            "problem": problem,
            "parent_form": parent_form or {},
        },
        status_code=problem.status if problem else 200,
    )
    return response


def _pdf(content: bytes) -> Response:
    return Response(content, media_type="application/pdf", headers=PDF_HEADERS)


@router.get("/groups/{group_id}/accounts")
async def accounts_page(request: Request, group_id: UUID, session: PortalSession) -> Response:
    """Учётные записи группы (классный руководитель группы или администратор)."""
    return await _page(request, session, group_id)


@router.post("/groups/{group_id}/accounts/credentials")
async def issue_from_page(request: Request, group_id: UUID, session: CsrfSession) -> Response:
    """Выдать отмеченным (или одному — «Сбросить пароль») новые пароли; ответ — PDF с листками."""
    data = await request.form()
    ticked = list(dict.fromkeys(str(v) for v in data.getlist("person_ids") if str(v)))
    if not ticked:
        problem = FormProblem("Отметьте хотя бы одного обучающегося или родителя")
        return await _page(request, session, group_id, problem=problem)
    if len(ticked) > MAX_TICKED:
        problem = FormProblem(f"За один раз можно выдать не больше {MAX_TICKED} паролей")
        return await _page(request, session, group_id, problem=problem)
    try:
        credentials, name = await issue_credentials(request, session.access_token, group_id, ticked)
    except grpc.aio.AioRpcError as exc:
        return await _page(request, session, group_id, problem=service_problem(exc))
    return _pdf(slips_pdf(request, credentials, name))


@router.post("/groups/{group_id}/accounts/parents")
async def add_parent_from_page(request: Request, group_id: UUID, session: CsrfSession) -> Response:
    """Добавить родителя обучающемуся группы и выдать ему пароль; ответ — PDF с листком."""
    data = await request.form()
    form = {
        k: str(data.get(k, "")).strip()
        for k in ("student_id", "last_name", "first_name", "middle_name", "email")
    }
    if not form["student_id"]:
        problem = FormProblem("Выберите обучающегося", {"student_id"})
        return await _page(request, session, group_id, problem=problem, parent_form=form)
    try:
        parent = ParentIn(
            last_name=form["last_name"],
            first_name=form["first_name"],
            middle_name=form["middle_name"],
            email=form["email"],
        )
    except ValidationError:
        problem = FormProblem("Проверьте ФИО и адрес почты родителя")
        return await _page(request, session, group_id, problem=problem, parent_form=form)
    clients = get_runtime(request).clients
    try:
        credential = await issue_parent_account(clients, session.access_token, form["student_id"], parent)
    except grpc.aio.AioRpcError as exc:
        return await _page(request, session, group_id, problem=service_problem(exc), parent_form=form)
    return _pdf(slips_pdf(request, [credential], ""))
