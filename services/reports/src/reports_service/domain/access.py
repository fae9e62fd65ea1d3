"""Who may see which report (R1.4, R5.2). Coarse roles come from the token."""

from __future__ import annotations

from chassis.principal import Principal

from reports_service.domain import errors

# Who reads any group's results (R1.4, §4.6.1, §4.7.2): the administration, every journal read-only.
# Teachers and class teachers read only their own groups (R1.4), which reports cannot tell (it keeps
# no teaching loads or class-teacher assignments): they read their groups' results in the journal,
# which checks the scope, and not here (issue 8: any teacher read any group's summary).
GROUP_SUMMARY_ROLES = ("admin", "director", "deputy", "curator")


def require_group_summary_reader(principal: Principal) -> None:
    """Raise RoleRequired unless the principal reads every group (the administration)."""
    if not principal.has_any(*GROUP_SUMMARY_ROLES):
        raise errors.RoleRequired("сводку по группе видит администрация колледжа")


# The administration reads who substituted whom (issue 7 item 7): the college's staffing, not a teacher's.
SUBSTITUTION_REPORT_ROLES = ("admin", "director", "deputy")


def require_substitution_report_reader(principal: Principal) -> None:
    """Raise RoleRequired unless the principal is the administration."""
    if not principal.has_any(*SUBSTITUTION_REPORT_ROLES):
        raise errors.RoleRequired("отчёт о заменах видит администрация колледжа")
