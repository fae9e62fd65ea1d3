"""Dependencies shared by the API routers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from gateway.clients import ServiceClients
from gateway.models import ErrorOut
from gateway.runtime import get_runtime


def get_clients(request: Request) -> ServiceClients:
    """Return the service clients of the running app."""
    return get_runtime(request).clients


Clients = Annotated[ServiceClients, Depends(get_clients)]

# Documented on every authenticated route; the body is always {"error": {"code", "message"}}.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Неверный запрос (invalid_request, invalid_argument)"},
    401: {"model": ErrorOut, "description": "Нет токена, он просрочен или недействителен"},
    403: {"model": ErrorOut, "description": "Недостаточно прав"},
    404: {"model": ErrorOut, "description": "Не найдено"},
    409: {"model": ErrorOut, "description": "Состояние не позволяет действие или объект уже есть"},
    503: {"model": ErrorOut, "description": "Сервис временно недоступен"},
}
