"""Composition root of identity: what is particular to it; the chassis kit does the rest."""

from __future__ import annotations

from chassis.service import ServiceKit, run_service
from ejournal.identity.v1 import identity_service_pb2, identity_service_pb2_grpc

from identity_service.adapters.keycloak import (
    KeycloakAccountDirectory,
    close_keycloak_admin,
    make_keycloak_admin,
)
from identity_service.adapters.orm import start_mappers
from identity_service.adapters.uow import IdentityUnitOfWork
from identity_service.api.group_scope import group_scope_subscriptions
from identity_service.api.grpc import IdentityServicer
from identity_service.api.life_cycle import account_life_cycle
from identity_service.application.group_scope import GroupScopeProjection
from identity_service.application.handlers import IdentityHandlers
from identity_service.application.parent_access import college_clock
from identity_service.config import IdentitySettings

SERVICE = "identity"


def build(kit: ServiceKit[IdentitySettings]) -> None:
    """Wire identity's Keycloak account directory, handlers and servicer onto the kit."""
    start_mappers()
    settings = kit.settings
    # The kit calls build inside the running loop: the admin's async HTTP client binds to that loop.
    keycloak = make_keycloak_admin(
        server_url=settings.keycloak_url,
        realm=settings.keycloak_realm,
        client_id=settings.service_client_id,
        client_secret=settings.service_client_secret,
        timeout=settings.keycloak_timeout_seconds,
    )

    async def close_keycloak() -> None:
        await close_keycloak_admin(keycloak)

    kit.on_stop(close_keycloak)
    handlers = IdentityHandlers(
        uow=kit.unit_of_work(IdentityUnitOfWork),
        accounts=KeycloakAccountDirectory(keycloak),
        today=college_clock(settings.college_timezone),
    )
    kit.subscribe(account_life_cycle(handlers.life_cycle))
    # Slice H2: the Keycloak users of a group-list import cut off midway are deleted (on start, every 5 min).
    kit.background(handlers.group_list_import.sweep_forever())
    # Slice H1: identity's projection of the journal's groups and memberships (group_scope).
    for subscription in group_scope_subscriptions(GroupScopeProjection(kit.unit_of_work(IdentityUnitOfWork))):
        kit.subscribe(subscription)
    # The only RPCs other services call with their own accounts (docs/decisions/0009-*.md): the
    # journal learns people's roles, messaging a student's parents. Any other service account
    # (the archive's, the reports') is refused before identity's own rules are asked.
    kit.allow_service_callers(
        {
            "ListPersonRoles": {"ejournal-journal"},
            "ListGuardians": {"ejournal-messaging"},
            # ADR 0013: messaging's projection of parents' access catches up from it.
            "ListParentAccessFacts": {"ejournal-messaging"},
        }
    )
    kit.serve(
        identity_service_pb2_grpc.add_IdentityServiceServicer_to_server,
        IdentityServicer(handlers),
        identity_service_pb2.DESCRIPTOR.services_by_name["IdentityService"],
    )


def run() -> None:
    """Entry point of `ejournal-identity`."""
    run_service(SERVICE, IdentitySettings, build)
