"""The keyboard grid's changes of a mark already in a cell: a value typed over it (ChangeMark) and
Delete/Backspace after a confirm (RemoveMark). JSON for static/journal.js, refusals with the journal's
Russian reason and code, like the grid's RecordMark."""

from __future__ import annotations

from uuid import UUID

import grpc
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from gateway.clients import call
from gateway.runtime import get_runtime
from gateway.web.csrf import CsrfSession
from gateway.web.journal import mark_of, refusal, refused, staff_only

router = APIRouter()


@router.post("/journal/{group_id}/{discipline_id}/marks/{mark_id}")
async def change_mark(
    request: Request, group_id: UUID, discipline_id: UUID, mark_id: UUID, session: CsrfSession
) -> Response:
    """Исправить оценку в клетке: новое значение из словаря колледжа (вид работы и вес прежние)."""
    staff_only(session)
    form = await request.form()
    value = str(form.get("value") or "").strip()
    if not value or len(value) > 16:
        return refused("Введите отметку, например 5", "invalid_mark_value")
    try:
        reply = await call(
            get_runtime(request).clients.journal.ChangeMark,
            pb.ChangeMarkRequest(mark_id=str(mark_id), value=value, reason="Исправлено в журнале"),
            session.access_token,
        )
    except grpc.aio.AioRpcError as exc:
        return refusal(exc)
    shown = mark_of(
        pb.CellMark(
            mark_id=reply.mark.mark_id,
            value=reply.mark.value,
            kind_of_work=reply.mark.kind_of_work,
            weight=reply.mark.weight,
        )
    )
    return JSONResponse({"ok": True, "value": shown.value, "hint": shown.hint, "weight": shown.weight})


@router.post("/journal/{group_id}/{discipline_id}/marks/{mark_id}/remove")
async def remove_mark(
    request: Request, group_id: UUID, discipline_id: UUID, mark_id: UUID, session: CsrfSession
) -> Response:
    """Удалить оценку из клетки (после подтверждения): она остаётся в истории оценки."""
    staff_only(session)
    try:
        await call(
            get_runtime(request).clients.journal.RemoveMark,
            pb.RemoveMarkRequest(mark_id=str(mark_id), reason="Удалено в журнале"),
            session.access_token,
        )
    except grpc.aio.AioRpcError as exc:
        return refusal(exc)
    return JSONResponse({"ok": True})
