"""Admin CLI: bootstrap the first admin and seed demo accounts through the same use cases as the API.

The first admin cannot be created over an API that needs an admin, so this runs the application
handlers directly, as the system (actor "" with the admin role in the audit trail). It reads the
same IDENTITY_* settings as the service and prints one JSON line per call.

`batch` runs many of these commands in one process (one start-up, one connection pool, one outbox
sweep): it reads a JSON plan on stdin, a list of steps such as
`{"id": "mum", "argv": ["create-person", "--role", "parent", ...]}`, where an argument
`${<id>.<field>}` stands for that field of an earlier step's result, and prints the JSON list of the
results in step order. The whole plan is checked before the first step runs; the batch stops at the
first refused step (exit 1; the steps before it stand, and each command is safe to run again).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import re
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from chassis.db import make_engine, make_session_factory
from chassis.errors import DomainError
from chassis.logging import configure_logging
from chassis.outbox import OutboxRelay
from chassis.principal import Principal
from chassis.streams import connect_nats, ensure_streams, producer_streams
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
from identity_service.main import SERVICE

log = logging.getLogger(__name__)
# The operator at the console acts as the administrator; audit records name this actor.
SYSTEM = Principal(subject="system:identity-admin-cli", roles=frozenset({Role.ADMIN.value}))
# The streams the running service ensures at start (the chassis kit's list for identity).
STREAMS = producer_streams(SERVICE)
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
    sub.add_parser(
        "batch",
        help="run a JSON plan of the commands above, read from stdin, in one process",
        description=(
            'stdin: [{"id": "mum", "argv": ["create-person", "--role", "parent", ...]}, '
            '{"argv": ["link-guardian", "--parent-id", "${mum.person_id}", ...]}]; '
            "stdout: one JSON line, the list of the results in step order"
        ),
    )
    return parser


REFERENCE = re.compile(r"^\$\{([A-Za-z0-9_.-]+)\.([A-Za-z0-9_]+)\}$")
"""An argument `${<step id>.<field>}`: that field of an earlier step's result."""
# Stands in for a reference while the plan is checked (it also parses as a UUID).
_PLACEHOLDER = str(uuid.UUID(int=0))


class PlanError(ValueError):
    """The batch plan is malformed."""


@dataclass(frozen=True, slots=True)
class Step:
    """One command of a batch plan."""

    argv: tuple[str, ...]
    id: str | None = None


def _parse_step(argv: Sequence[str], index: int) -> argparse.Namespace:
    try:
        args = build_parser().parse_args(argv)  # argparse prints its own usage error
    except SystemExit:
        raise PlanError(f"step {index}: invalid arguments {list(argv)}") from None
    if args.command == "batch":
        raise PlanError(f"step {index}: a batch cannot contain a batch")
    return args


def parse_plan(text: str) -> list[Step]:
    """Check a whole batch plan (JSON shape, each step's arguments, references) before anything runs."""
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise PlanError(f"the plan is not JSON: {exc}") from None
    if not isinstance(raw, list):
        raise PlanError("the plan must be a JSON list of steps")
    steps: list[Step] = []
    ids: set[str] = set()
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or "argv" not in item or set(item) - {"id", "argv"}:
            raise PlanError(f"step {index}: expected an object with 'argv' and an optional 'id'")
        argv, step_id = item["argv"], item.get("id")
        if not isinstance(argv, list) or not argv or not all(isinstance(a, str) for a in argv):
            raise PlanError(f"step {index}: 'argv' must be a non-empty list of strings")
        if step_id is not None and (not isinstance(step_id, str) or step_id in ids):
            raise PlanError(f"step {index}: 'id' must be a string that no earlier step uses")
        for arg in argv:
            match = REFERENCE.match(arg)
            if match and match.group(1) not in ids:
                raise PlanError(f"step {index}: {arg} refers to no earlier step")
        _parse_step([_PLACEHOLDER if REFERENCE.match(a) else a for a in argv], index)
        steps.append(Step(argv=tuple(argv), id=step_id))
        if step_id is not None:
            ids.add(step_id)
    return steps


class StepRefused(Exception):
    """A step of a batch was refused; the steps before it stand."""

    def __init__(self, index: int, error: DomainError) -> None:
        super().__init__(f"step {index}: {error.message}")
        self.index = index
        self.error = error


def _resolve(argv: Sequence[str], results: dict[str, dict[str, Any]], index: int) -> list[str]:
    resolved = []
    for arg in argv:
        match = REFERENCE.match(arg)
        if match is None:
            resolved.append(arg)
            continue
        step_id, field = match.groups()
        if field not in results[step_id]:
            raise PlanError(f"step {index}: the result of step {step_id!r} has no {field!r}")
        resolved.append(str(results[step_id][field]))
    return resolved


async def run_steps(handlers: IdentityHandlers, steps: Sequence[Step], done: list[dict[str, Any]]) -> None:
    """Run checked steps in order, appending each result to `done`; raise StepRefused at the first refusal."""
    by_id: dict[str, dict[str, Any]] = {}
    for index, step in enumerate(steps):
        args = _parse_step(_resolve(step.argv, by_id, index), index)
        try:
            result = await args.action(handlers, args)
        except DomainError as exc:
            raise StepRefused(index, exc) from exc
        done.append(result)
        if step.id is not None:
            by_id[step.id] = result


async def publish_outbox(settings: IdentitySettings, sessions: async_sessionmaker[AsyncSession]) -> int:
    """Run one relay sweep so the events leave now; without NATS the service's relay sends them later."""
    try:
        connecting = connect_nats(
            settings.nats_url, name=SERVICE, user=settings.nats_user, password=settings.nats_password
        )
        nc, js = await asyncio.wait_for(connecting, NATS_CONNECT_SECONDS)
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


@contextlib.asynccontextmanager
async def wired(settings: IdentitySettings) -> AsyncIterator[IdentityHandlers]:
    """Wire the handlers like the service does and act as the system; sweep the outbox at the end."""
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
    try:
        yield handlers
    finally:
        try:
            # Also after a refusal: whatever committed before it should reach its consumers now.
            await publish_outbox(settings, sessions)
        finally:
            await close_keycloak_admin(keycloak)
            await engine.dispose()


async def run_action(action: Action, args: argparse.Namespace, settings: IdentitySettings) -> dict[str, Any]:
    """Run one action as the system, then sweep the outbox."""
    async with wired(settings) as handlers:
        return await action(handlers, args)


async def run_batch(steps: Sequence[Step], settings: IdentitySettings, done: list[dict[str, Any]]) -> None:
    """Run a checked plan as the system in one wiring, then sweep the outbox once."""
    async with wired(settings) as handlers:
        await run_steps(handlers, steps, done)


def _error(payload: dict[str, Any]) -> None:
    print(json.dumps(payload, ensure_ascii=False), file=sys.stderr)


def _main_batch(settings: IdentitySettings) -> int:
    # The plan is read before anything connects: a caller may start the CLI early (its imports take
    # seconds) and write the plan once Keycloak and the database are ready.
    try:
        steps = parse_plan(sys.stdin.read())
    except PlanError as exc:
        _error({"error": "invalid_plan", "message": str(exc)})
        return 2
    done: list[dict[str, Any]] = []
    try:
        asyncio.run(run_batch(steps, settings, done))
    except StepRefused as exc:
        print(json.dumps(done, ensure_ascii=False))
        _error({"error": exc.error.code, "message": exc.error.message, "step": exc.index})
        return 1
    except PlanError as exc:  # a reference to a field the earlier result does not have
        print(json.dumps(done, ensure_ascii=False))
        _error({"error": "invalid_plan", "message": str(exc)})
        return 2
    print(json.dumps(done, ensure_ascii=False))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `ejournal-identity-admin`; exit 0 with a JSON line, 1 with a JSON error on stderr."""
    args = build_parser().parse_args(argv)
    settings = IdentitySettings()
    configure_logging(f"{SERVICE}-admin", "WARNING")
    if args.command == "batch":
        return _main_batch(settings)
    try:
        result = asyncio.run(run_action(args.action, args, settings))
    except DomainError as exc:
        _error({"error": exc.code, "message": exc.message})
        return 1
    print(json.dumps(result, ensure_ascii=False))
    return 0
