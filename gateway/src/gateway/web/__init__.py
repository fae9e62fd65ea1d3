"""The web portal: server-rendered Russian pages over the same service clients as the API."""

from __future__ import annotations

import functools
from datetime import tzinfo
from pathlib import Path

from fastapi import APIRouter
from fastapi.templating import Jinja2Templates

from gateway.routing import flat_router
from gateway.web import absences, diary_week, group, group_plan, journal, login, pages, today, year
from gateway.web.debts import router as debts_router
from gateway.web.demo_exam import router as demo_exam_router
from gateway.web.finals import router as finals_router
from gateway.web.format import (
    NOTIFICATION_LABELS,
    ROLE_LABELS,
    discipline_label,
    full_name,
    ru_date,
    ru_datetime,
)
from gateway.web.history import router as history_router
from gateway.web.ktp import router as ktp_router
from gateway.web.mark_changes import router as mark_changes_router
from gateway.web.movement import router as movement_router
from gateway.web.parent_access import router as parent_access_router
from gateway.web.period_locks import router as period_locks_router
from gateway.web.staff import router as staff_router
from gateway.web.subject_export import router as subject_export_router
from gateway.web.substitution_report import router as substitution_report_router
from gateway.web.substitutions import router as substitutions_router
from gateway.web.year_import import router as year_import_router

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


def make_templates(zone: tzinfo) -> Jinja2Templates:
    """Return the portal's Jinja environment (autoescaped) with the Russian labels; times shown in `zone`."""
    templates = Jinja2Templates(directory=TEMPLATES_DIR)
    templates.env.globals["role_labels"] = ROLE_LABELS
    templates.env.globals["notification_labels"] = NOTIFICATION_LABELS
    templates.env.filters["ru_date"] = ru_date
    templates.env.filters["ru_datetime"] = lambda value: ru_datetime(value, zone)
    templates.env.filters["full_name"] = full_name
    templates.env.filters["discipline_label"] = discipline_label
    # The logout form in base.html carries the session's logout token (logout is a POST with a token).
    templates.env.globals["logout_token_of"] = login.logout_token
    return templates


@functools.cache
def portal_router() -> APIRouter:
    """Return the router of the portal's pages and its login round trip, built once per process (as
    `gateway.resources.api_routers`), flat as it is."""
    return flat_router(
        [
            login.router,
            pages.router,
            # «Мои данные (152-ФЗ)»: the subject export's download, linked from the home page.
            subject_export_router,
            # «Доступ родителей» (issue 8 item 5), linked from the home page.
            parent_access_router,
            year.router,
            group.router,
            group_plan.router,
            # Slice B: the reopen form of a closed period and «Заявки на открытие» (before the journal's
            # own routes, as they were when the journal's router included them).
            period_locks_router,
            journal.router,
            year_import_router,
            staff_router,
            today.router,
            diary_week.router,
            absences.router,
            ktp_router,
            finals_router,
            mark_changes_router,
            substitutions_router,
            substitution_report_router,  # «Отчёт о заменах» (slice L)
            history_router,
            debts_router,
            demo_exam_router,
            movement_router,
        ],
        include_in_schema=False,
    )
