"""The caller: who they are and their notifications."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from gateway.api.deps import Clients
from gateway.auth.bearer import Caller
from gateway.mapping import notification_out, person_out
from gateway.models import ChildrenList, MeOut, NotificationList

router = APIRouter(tags=["Я"])


@router.get("/me", summary="Кто я")
async def me(caller: Caller) -> MeOut:
    """Субъект и роли из проверенного токена, без обращения к сервисам."""
    return MeOut(subject=caller.subject, roles=sorted(caller.roles), client_id=caller.client_id)


@router.get("/me/notifications", summary="Мои уведомления")
async def my_notifications(
    caller: Caller,
    clients: Clients,
    page_size: Annotated[int | None, Query(ge=1, le=200, description="Сколько вернуть, 1..200")] = None,
) -> NotificationList:
    """Уведомления вызывающего, новые первыми."""
    notifications = await clients.messaging.list_notifications(caller.token, page_size=page_size or 0)
    return NotificationList(notifications=[notification_out(n) for n in notifications])


@router.get("/me/children", summary="Мои дети (для родителя)")
async def my_children(caller: Caller, clients: Clients) -> ChildrenList:
    """Обучающиеся, связанные с вызывающим родителем, по фамилии и имени; у остальных список пуст."""
    children = await clients.identity.list_children(caller.token, caller.subject)
    return ChildrenList(children=[person_out(p) for p in children])
