"""The REST API under /api/v1: JSON in, JSON out, a bearer token on every route."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.api import audit, journal, me, people, reports
from gateway.api.deps import ERROR_RESPONSES


def api_router() -> APIRouter:
    """Return the /api/v1 router with every resource."""
    router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
    for module in (people, journal, me, reports, audit):
        router.include_router(module.router)
    return router
