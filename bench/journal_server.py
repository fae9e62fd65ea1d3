"""A journal gRPC server for the page benchmarks: the real servicer, handlers and unit of work on the
database of JOURNAL_DATABASE_URL, at JOURNAL_GRPC_PORT, verifying the realm's tokens — without the
outbox relay, the consumers and the people catch-up (it must not take the dev journal's durable
consumers' events); its heap settled as the service's own. Started and stopped by bench/journal_page.py."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from zoneinfo import ZoneInfo

import grpc
from chassis.auth import JwtVerifier, ServiceTokenProvider
from chassis.db import make_engine, make_session_factory
from chassis.grpc_server import GrpcServer
from chassis.runtime import settle_heap
from ejournal.journal.v1 import journal_service_pb2_grpc
from journal_service.adapters.identity_client import IdentityGuardianDirectory, IdentityPersonDirectory
from journal_service.adapters.orm import start_mappers
from journal_service.adapters.uow import JournalUnitOfWork
from journal_service.api.grpc import JournalServicer
from journal_service.application.handlers import JournalHandlers
from journal_service.config import JournalSettings


async def main() -> None:
    settings = JournalSettings()
    start_mappers()
    zone = ZoneInfo(settings.college_timezone)

    def today() -> date:
        return datetime.now(zone).date()

    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    sessions = make_session_factory(engine)
    identity = grpc.aio.insecure_channel(settings.identity_addr)
    tokens = ServiceTokenProvider(
        settings.oidc_issuer, settings.service_client_id, settings.service_client_secret
    )
    handlers = JournalHandlers(
        uow=lambda: JournalUnitOfWork(sessions, service="journal"),
        guardians=IdentityGuardianDirectory(identity),
        today=today,
        people=IdentityPersonDirectory(identity, tokens),
    )
    server = GrpcServer(
        host=settings.grpc_host,
        port=settings.grpc_port,
        verifier=JwtVerifier(settings.oidc_issuer, settings.oidc_audience),
        service_names=[],
        health_checks=[],
    )
    journal_service_pb2_grpc.add_JournalServiceServicer_to_server(JournalServicer(handlers), server.server)
    settle_heap()  # as the service's entry point does once built
    await server.start()
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop(0)
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
