"""Composition root of the archive: what is particular to it; the chassis kit does the rest.

The kit ensures the archive's own stream `ARCHIVE` (for the seal events of semester archives to
come) with `AUDIT` and `DLQ`.
"""

from __future__ import annotations

from chassis.service import ServiceKit, run_service
from ejournal.archive.v1 import archive_service_pb2, archive_service_pb2_grpc

from archive_service.adapters.identity_client import IdentityGuardianDirectory
from archive_service.adapters.uow import ArchiveUnitOfWork
from archive_service.api.consumers import subscriptions
from archive_service.api.grpc import ArchiveServicer
from archive_service.application.handlers import ArchiveHandlers
from archive_service.config import ArchiveSettings

SERVICE = "archive"


def build(kit: ServiceKit[ArchiveSettings]) -> None:
    """Wire the archive's handlers, servicer and consumer onto the kit."""
    handlers = ArchiveHandlers(
        uow=kit.unit_of_work(ArchiveUnitOfWork),
        guardians=IdentityGuardianDirectory(kit.channel(kit.settings.identity_addr)),
    )
    kit.serve(
        archive_service_pb2_grpc.add_ArchiveServiceServicer_to_server,
        ArchiveServicer(handlers),
        archive_service_pb2.DESCRIPTOR.services_by_name["ArchiveService"],
    )
    for subscription in subscriptions(handlers):
        kit.subscribe(subscription)


def run() -> None:
    """Entry point of `ejournal-archive`."""
    run_service(SERVICE, ArchiveSettings, build)
