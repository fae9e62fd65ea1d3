"""Composition root of messaging: what is particular to it; the chassis kit does the rest."""

from __future__ import annotations

from chassis.auth import ServiceTokenProvider
from chassis.service import ServiceKit, run_service
from ejournal.messaging.v1 import messaging_service_pb2, messaging_service_pb2_grpc

from messaging_service.adapters.identity_client import IdentityGuardianDirectory
from messaging_service.adapters.orm import start_mappers
from messaging_service.adapters.parent_access import IdentityParentAccess
from messaging_service.adapters.uow import MessagingUnitOfWork
from messaging_service.api.consumers import subscriptions
from messaging_service.api.grpc import MessagingServicer
from messaging_service.application.handlers import MessagingHandlers
from messaging_service.application.parent_access import college_today
from messaging_service.config import MessagingSettings

SERVICE = "messaging"


def build(kit: ServiceKit[MessagingSettings]) -> None:
    """Wire messaging's handlers, servicer, consumer and identity client onto the kit."""
    start_mappers()
    settings = kit.settings
    tokens = ServiceTokenProvider(
        settings.oidc_issuer, settings.service_client_id, settings.service_client_secret
    )
    identity = kit.channel(settings.identity_addr)
    handlers = MessagingHandlers(
        uow=kit.unit_of_work(MessagingUnitOfWork),
        guardians=IdentityGuardianDirectory(identity, tokens),
        # ADR 0013: the parents told come from messaging's projection of identity's facts; identity
        # is asked only to catch up (the first start, a link whose fact is missing).
        parent_access=IdentityParentAccess(identity, tokens),
        today=college_today(settings.college_timezone),
    )
    kit.background(handlers.parent_access.catch_up_until_done())
    kit.serve(
        messaging_service_pb2_grpc.add_MessagingServiceServicer_to_server,
        MessagingServicer(handlers),
        messaging_service_pb2.DESCRIPTOR.services_by_name["MessagingService"],
    )
    for subscription in subscriptions(handlers):
        kit.subscribe(subscription)


def run() -> None:
    """Entry point of `ejournal-messaging`."""
    run_service(SERVICE, MessagingSettings, build)
