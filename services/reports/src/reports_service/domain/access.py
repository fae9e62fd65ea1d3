"""Who may see which report (R1.4, R5.2). Coarse roles come from the token."""

from __future__ import annotations

from chassis.principal import Principal

from reports_service.domain import errors

# Staff who read group results (§4.2.1, §4.5.1, §4.6.1); students and parents see their own diary instead.
GROUP_SUMMARY_ROLES = ("admin", "director", "deputy", "curator", "class_teacher", "teacher")


def require_group_summary_reader(principal: Principal) -> None:
    """Raise RoleRequired unless the principal is staff who may read group summaries."""
    if not principal.has_any(*GROUP_SUMMARY_ROLES):
        raise errors.RoleRequired("сводку по группе видят сотрудники колледжа")


# The administration reads who substituted whom (issue 7 item 7): the college's staffing, not a teacher's.
SUBSTITUTION_REPORT_ROLES = ("admin", "director", "deputy")


def require_substitution_report_reader(principal: Principal) -> None:
    """Raise RoleRequired unless the principal is the administration."""
    if not principal.has_any(*SUBSTITUTION_REPORT_ROLES):
        raise errors.RoleRequired("отчёт о заменах видит администрация колледжа")
