"""Portal «Мои данные (152-ФЗ)»: the subject export downloaded from the home page — a student's or a
parent's own, and a parent's for each child (resources/subject_export.py composes it; a refusal or a
service down is the portal's Russian error page, never a partial file)."""

from __future__ import annotations

from uuid import UUID

from chassis.principal import Principal
from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.auth.portal import PortalSession
from gateway.auth.session import Session
from gateway.resources.subject_export import college_today, compose_export, export_response
from gateway.runtime import get_runtime

router = APIRouter()


def _caller(session: Session) -> Principal:
    return Principal(subject=session.subject, roles=frozenset(session.roles), token=session.access_token)


@router.get("/my-data/{person_id}/export")
async def download_export(request: Request, person_id: UUID, session: PortalSession) -> Response:
    """Файл JSON со всеми данными человека: сам человек или родитель несовершеннолетнего."""
    today = college_today(request)
    document = await compose_export(get_runtime(request).clients, _caller(session), str(person_id), today)
    return export_response(document, today)
