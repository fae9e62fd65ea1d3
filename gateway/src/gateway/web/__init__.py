"""The web portal: server-rendered Russian pages over the same service clients as the API."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.templating import Jinja2Templates

from gateway.mapping import NOTIFICATION_LABELS, ROLE_LABELS
from gateway.web import login, pages

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


def make_templates() -> Jinja2Templates:
    """Return the portal's Jinja environment (autoescaped) with the Russian labels."""
    templates = Jinja2Templates(directory=TEMPLATES_DIR)
    templates.env.globals["role_labels"] = ROLE_LABELS
    templates.env.globals["notification_labels"] = NOTIFICATION_LABELS
    templates.env.filters["ru_date"] = _ru_date
    templates.env.filters["ru_datetime"] = _ru_datetime
    return templates


def _ru_date(value: object) -> str:
    return value.strftime("%d.%m.%Y") if hasattr(value, "strftime") else "—"


def _ru_datetime(value: object) -> str:
    return value.strftime("%d.%m.%Y %H:%M UTC") if hasattr(value, "strftime") else "—"


def portal_router() -> APIRouter:
    """Return the router of the portal's pages and its login round trip."""
    router = APIRouter(include_in_schema=False)
    router.include_router(login.router)
    router.include_router(pages.router)
    return router
