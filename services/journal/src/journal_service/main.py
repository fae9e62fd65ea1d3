"""Composition root of the journal: what is particular to it; the chassis kit does the rest."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from chassis.auth import ServiceTokenProvider
from chassis.periodic import run_every
from chassis.service import ServiceKit, run_service
from ejournal.journal.v1 import journal_service_pb2, journal_service_pb2_grpc

from journal_service.adapters.identity_client import IdentityGuardianDirectory, IdentityPersonDirectory
from journal_service.adapters.orm import start_mappers
from journal_service.adapters.uow import JournalUnitOfWork
from journal_service.api.consumers import subscriptions
from journal_service.api.grpc import JournalServicer
from journal_service.application.handlers import JournalHandlers
from journal_service.config import JournalSettings

SERVICE = "journal"


def build(kit: ServiceKit[JournalSettings]) -> None:
    """Wire the journal's handlers and servicer onto the kit."""
    start_mappers()
    zone = ZoneInfo(kit.settings.college_timezone)

    def today() -> date:
        return datetime.now(zone).date()

    settings = kit.settings
    identity = kit.channel(settings.identity_addr)
    tokens = ServiceTokenProvider(
        settings.oidc_issuer, settings.service_client_id, settings.service_client_secret
    )
    handlers = JournalHandlers(
        uow=kit.unit_of_work(JournalUnitOfWork),
        guardians=IdentityGuardianDirectory(identity),
        today=today,
        people=IdentityPersonDirectory(identity, tokens),
    )
    # Every write RPC sent with an idempotency key is done once (table: migration 0009).
    kit.idempotent_writes()
    kit.serve(
        journal_service_pb2_grpc.add_JournalServiceServicer_to_server,
        JournalServicer(handlers),
        journal_service_pb2.DESCRIPTOR.services_by_name["JournalService"],
    )
    for subscription in subscriptions(handlers):
        kit.subscribe(subscription)
    # The people created before this journal first ran (or while it was down) reach it this way.
    kit.background(handlers.people.catch_up_until_done())
    # A reopened period closes again by itself at its window's end; this puts it on record.
    kit.background(
        run_every(
            settings.reopen_sweep_seconds, handlers.period_locks.close_ended_reopens, task="reopen sweep"
        )
    )


def run() -> None:
    """Entry point of `ejournal-journal`."""
    run_service(SERVICE, JournalSettings, build)
