"""What the application needs from the outside world (fakes in unit tests)."""

from __future__ import annotations

from collections.abc import Callable

from archive_service.adapters.uow import ArchiveUnitOfWork

UnitOfWorkFactory = Callable[[], ArchiveUnitOfWork]
