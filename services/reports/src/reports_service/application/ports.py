"""What the application needs from the outside world (fakes in unit tests)."""

from __future__ import annotations

from collections.abc import Callable

from reports_service.adapters.uow import ReportsUnitOfWork

UnitOfWorkFactory = Callable[[], ReportsUnitOfWork]
