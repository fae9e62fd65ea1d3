"""Portal pages: home, a student's diary, the caller's notifications."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from chassis.errors import InvalidArgument
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from gateway.auth.portal import MaybeSession, PortalSession
from gateway.auth.session import Session
from gateway.mapping import mark_out, notification_out
from gateway.models import RoleName
from gateway.runtime import get_runtime

router = APIRouter()

STAFF_ROLES = frozenset(
    {
        RoleName.ADMIN,
        RoleName.DIRECTOR,
        RoleName.DEPUTY,
        RoleName.CURATOR,
        RoleName.CLASS_TEACHER,
        RoleName.TEACHER,
    }
)


def render(request: Request, template: str, session: Session | None, **context: Any) -> Response:
    """Render a portal page with the session (for the header) in its context."""
    templates = request.app.state.templates
    response: Response = templates.TemplateResponse(request, template, {"session": session, **context})
    return response


@router.get("/")
async def home(request: Request, session: MaybeSession) -> Response:
    """Who you are and where you can go; a login button for visitors."""
    roles = set(session.roles) if session else set()
    return render(
        request,
        "home.html",
        session,
        is_student=RoleName.STUDENT in roles,
        can_open_diary=bool(roles & (STAFF_ROLES | {RoleName.PARENT})),
        is_admin=bool(roles & {RoleName.ADMIN, RoleName.DIRECTOR}),
    )


@router.get("/diary")
async def diary_lookup(session: PortalSession, student_id: str | None = None) -> RedirectResponse:
    """Open a diary from the home page form; a student without an id gets their own."""
    if not student_id and RoleName.STUDENT in session.roles:
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
    """Дневник: the marks of one student, newest lesson first."""
    marks = await get_runtime(request).clients.journal.list_student_marks(
        session.access_token, str(student_id)
    )
    return render(
        request,
        "diary.html",
        session,
        student_id=str(student_id),
        own=str(student_id) == session.subject,
        marks=[mark_out(m) for m in marks],
    )


@router.get("/notifications")
async def notifications(request: Request, session: PortalSession) -> Response:
    """Уведомления of the logged-in person, newest first."""
    items = await get_runtime(request).clients.messaging.list_notifications(session.access_token)
    return render(request, "notifications.html", session, notifications=[notification_out(n) for n in items])
