"""GET /healthz: 200 when every component answers, 503 naming those that do not."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from gateway.models import HealthOut
from gateway.runtime import get_runtime

log = logging.getLogger(__name__)

router = APIRouter(tags=["Служебное"])


@router.get(
    "/healthz",
    summary="Состояние шлюза и его зависимостей",
    response_model=HealthOut,
    responses={503: {"model": HealthOut, "description": "Что-то недоступно"}},
)
async def healthz(request: Request) -> JSONResponse:
    """Проверяет пять сервисов (gRPC health), NATS, Keycloak и PostgreSQL; без входа."""
    results = await get_runtime(request).health.check()
    down = sorted(name for name, up in results.items() if not up)
    body = HealthOut(
        status="down" if down else "ok",
        components={name: "up" if up else "down" for name, up in results.items()},
        down=down,
    )
    if down:
        log.warning("unhealthy", extra={"down": down})
    return JSONResponse(body.model_dump(), status_code=503 if down else 200)
