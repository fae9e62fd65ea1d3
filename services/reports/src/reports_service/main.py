"""Composition root of reports: what is particular to it; the chassis kit does the rest."""

from __future__ import annotations

from chassis.service import ServiceKit, run_service
from ejournal.reports.v1 import reports_service_pb2, reports_service_pb2_grpc

from reports_service.adapters.orm import start_mappers
from reports_service.adapters.uow import ReportsUnitOfWork
from reports_service.api.consumers import subscriptions
from reports_service.api.grpc import ReportsServicer
from reports_service.application.handlers import ReportsHandlers
from reports_service.config import ReportsSettings

SERVICE = "reports"


def build(kit: ServiceKit[ReportsSettings]) -> None:
    """Wire reports' handlers, servicer and consumers onto the kit."""
    start_mappers()
    handlers = ReportsHandlers(uow=kit.unit_of_work(ReportsUnitOfWork))
    kit.serve(
        reports_service_pb2_grpc.add_ReportsServiceServicer_to_server,
        ReportsServicer(handlers),
        reports_service_pb2.DESCRIPTOR.services_by_name["ReportsService"],
    )
    for subscription in subscriptions(handlers):
        kit.subscribe(subscription)


def run() -> None:
    """Entry point of `ejournal-reports`."""
    run_service(SERVICE, ReportsSettings, build)
