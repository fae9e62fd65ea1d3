"""Admin CLI: bootstrap the first admin and seed demo accounts through the same use cases as the API.

The first admin cannot be created over an API that needs an admin, so this runs the application
handlers directly, as the system (actor "" with the admin role in the audit trail). It reads the
same IDENTITY_* settings as the service and prints one JSON line per call.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from chassis.auth import Principal
from chassis.context import principal_var
from chassis.db import make_engine, make_session_factory
from chassis.errors import DomainError
from chassis.logging import configure_logging
from chassis.outbox import OutboxRelay
from chassis.streams import connect_nats, ensure_streams
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from identity_service.adapters.keycloak import (
    KeycloakAccountDirectory,
    close_keycloak_admin,
    make_keycloak_admin,
)
from identity_service.adapters.orm import start_mappers
from identity_service.adapters.uow import IdentityUnitOfWork
from identity_service.application import commands
from identity_service.application.handlers import IdentityHandlers
from identity_service.config import IdentitySettings
from identity_service.domain import errors
from identity_service.domain.model import Person, Role
from identity_service.main import SERVICE, STREAMS

log = logging.getLogger(__name__)
SYSTEM = Principal(subject="", roles=frozenset({Role.ADMIN.value}))
NATS_CONNECT_SECONDS = 5.0

Action = Callable[[IdentityHandlers, argparse.Namespace], Awaitable[dict[str, Any]]]


def _person_json(person: Person, *, created: bool) -> dict[str, Any]:
    return {
        "person_id": str(person.id),
        "username": person.username,
        "role": person.role.value,
        "created": created,
    }


async def create_person(handlers: IdentityHandlers, args: argparse.Namespace) -> dict[str, Any]:
    """Create a person, or print the existing one when the given login is taken by a person."""
    cmd = commands.CreatePerson(
        role=Role(args.role),
        last_name=args.last_name,
        first_name=args.first_name,
        middle_name=args.middle_name or "",
        email=args.email or "",
        username=args.username,
        password=args.password,
    )
    try:
        created = await handlers.create_person(cmd, SYSTEM)
    except errors.UsernameTaken as taken:
        if args.username is None:
            raise
        try:
            person = await handlers.find_person_by_username(
                commands.FindPersonByUsername(args.username), SYSTEM
            )
        except errors.PersonNotFound:
            # The login exists in Keycloak only: not ours to adopt silently.
            raise taken from None
        return _person_json(person, created=False)
    result = _person_json(created.person, created=True)
    if created.temporary_password:
        result["temporary_password"] = created.temporary_password
    return result


async def link_guardian(handlers: IdentityHandlers, args: argparse.Namespace) -> dict[str, Any]:
    """Link a parent to a student; repeating it is harmless."""
    cmd = commands.LinkGuardian(parent_id=args.parent_id, student_id=args.student_id)
    created = await handlers.link_guardian(cmd, SYSTEM)
    return {"parent_id": str(cmd.parent_id), "student_id": str(cmd.student_id), "created": created}


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of `ejournal-identity-admin`."""
    parser = argparse.ArgumentParser(
        prog="ejournal-identity-admin",
        description="Bootstrap and seed people of the ejournal identity service (reads IDENTITY_* env).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    person = sub.add_parser("create-person", help="create a person with a Keycloak account")
    person.add_argument("--role", required=True, choices=[r.value for r in Role])
    person.add_argument("--last-name", required=True)
    person.add_argument("--first-name", required=True)
    person.add_argument("--middle-name")
    person.add_argument("--email")
    person.add_argument("--username", help="login to use instead of the generated one")
    person.add_argument(
        "--password", help="permanent password (demo accounts); without it a temporary one is generated"
    )
    person.set_defaults(action=create_person)
    link = sub.add_parser("link-guardian", help="link a parent to a student")
    link.add_argument("--parent-id", required=True, type=uuid.UUID)
    link.add_argument("--student-id", required=True, type=uuid.UUID)
    link.set_defaults(action=link_guardian)
    return parser


async def publish_outbox(settings: IdentitySettings, sessions: async_sessionmaker[AsyncSession]) -> int:
    """Run one relay sweep so the events leave now; without NATS the service's relay sends them later."""
    try:
        nc, js = await asyncio.wait_for(connect_nats(settings.nats_url, name=SERVICE), NATS_CONNECT_SECONDS)
    except Exception:
        log.warning("NATS unavailable: events stay in the outbox until the service publishes them")
        return 0
    try:
        await ensure_streams(js, STREAMS)
        return await OutboxRelay(sessions, js).publish_pending()
    except Exception:
        log.warning("publishing the outbox failed: the service's relay will publish it", exc_info=True)
        return 0
    finally:
        await nc.close()


async def run_action(action: Action, args: argparse.Namespace, settings: IdentitySettings) -> dict[str, Any]:
    """Wire the handlers like the service does, run one action as the system, then sweep the outbox."""
    start_mappers()
    engine = make_engine(settings.database_url, pool_size=2)
    sessions = make_session_factory(engine)
    keycloak = make_keycloak_admin(
        server_url=settings.keycloak_url,
        realm=settings.keycloak_realm,
        client_id=settings.service_client_id,
        client_secret=settings.service_client_secret,
        timeout=settings.keycloak_timeout_seconds,
    )
    handlers = IdentityHandlers(
        uow=lambda: IdentityUnitOfWork(sessions, service=SERVICE),
        accounts=KeycloakAccountDirectory(keycloak),
    )
    # The audit record of the unit of work names the principal of the context: here, the system.
    token = principal_var.set(SYSTEM)
    try:
        result = await action(handlers, args)
        await publish_outbox(settings, sessions)
        return result
    finally:
        principal_var.reset(token)
        await close_keycloak_admin(keycloak)
        await engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `ejournal-identity-admin`; exit 0 with a JSON line, 1 with a JSON error on stderr."""
    args = build_parser().parse_args(argv)
    settings = IdentitySettings()  # type: ignore[call-arg]
    configure_logging(f"{SERVICE}-admin", "WARNING")
    try:
        result = asyncio.run(run_action(args.action, args, settings))
    except DomainError as exc:
        print(json.dumps({"error": exc.code, "message": exc.message}, ensure_ascii=False), file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False))
    return 0
