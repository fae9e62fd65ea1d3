"""ImportGroupList over real gRPC, PostgreSQL and Keycloak: all accounts or none, even when Keycloak is
cut off in the middle of a batch (a real TCP fault: the connections to Keycloak go through a proxy
that is shut down — every connection aborted, the port closed — after the third user was created)."""

from __future__ import annotations

import asyncio
import random
import uuid
from urllib.parse import urlsplit

import grpc
import pytest
from chassis.grpc_client import error_code_of
from ejournal.identity.v1 import events_pb2
from ejournal.identity.v1 import group_list_import_pb2 as gl
from ejournal.identity.v1 import identity_pb2 as ipb
from identity_service.adapters.keycloak import (
    KeycloakAccountDirectory,
    close_keycloak_admin,
    make_keycloak_admin,
)
from identity_service.adapters.uow import IdentityUnitOfWork
from identity_service.application.group_list_import import GroupListImportHandlers
from identity_service.application.parent_access import college_clock
from identity_service.domain.passwords import temporary_password
from sqlalchemy import text

from .support import IDENTITY_CLIENT, REALM, Identity, ServerFactory, new_subject

pytestmark = pytest.mark.integration
_LETTERS = "бвгджзклмнпрстфхцчшщ"


def surname() -> str:
    """A surname no earlier run has used, so logins are predictable (`<surname>.a`)."""
    return "Тест" + "".join(random.choice(_LETTERS) for _ in range(8)) + "ов"


def rows(count: int, *, parent_of_all: bool = False) -> list[gl.GroupListRow]:
    mother = gl.GroupListParent(last_name=surname(), first_name="Ольга", email="")
    return [
        gl.GroupListRow(
            row=n + 2,
            last_name=surname(),
            first_name="Анна",
            birth_date="05.03.2008",
            parents=[mother] if parent_of_all else [],
        )
        for n in range(count)
    ]


async def lead_group(identity: Identity) -> tuple[str, str]:
    """Return a group identity knows (as the journal's events tell it) and its class teacher."""
    group_id, teacher = str(uuid.uuid4()), new_subject()
    async with IdentityUnitOfWork(identity.sessions, service="identity") as uow:
        await uow.group_scopes.record_group(uuid.UUID(group_id), uuid.UUID(teacher), overwrite=True)
        await uow.commit()
    return group_id, teacher


async def users_named(identity: Identity, names: list[str]) -> list[str]:
    """Return the ids of the Keycloak users with these logins."""
    found = [await identity.keycloak.a_get_user_id(name) for name in names]
    return [f for f in found if f]


async def test_a_class_teacher_imports_students_and_a_shared_parent(identity: Identity) -> None:
    group_id, teacher = await lead_group(identity)
    request = gl.ImportGroupListRequest(group_id=group_id, rows=rows(3, parent_of_all=True))
    reply = await identity.stub.ImportGroupList(request, metadata=identity.md(teacher, "class_teacher"))
    identity.created_accounts.extend(a.person_id for a in reply.accounts)
    assert reply.imported and not reply.errors
    assert [a.role for a in reply.accounts] == [ipb.ROLE_STUDENT] * 3 + [ipb.ROLE_PARENT]
    parent = reply.accounts[3]
    assert list(parent.rows) == [2, 3, 4] and list(parent.student_ids) == [
        a.person_id for a in reply.accounts[:3]
    ]
    for account in reply.accounts:
        user = await identity.keycloak.a_get_user(account.person_id)
        assert user["username"] == account.username
        roles = {r["name"] for r in await identity.keycloak.a_get_realm_roles_of_user(account.person_id)}
        assert ("student" if account.role == ipb.ROLE_STUDENT else "parent") in roles
        # R1.3: the student keeps the slip's password; the parent sets their own at first login.
        assert user["requiredActions"] == ([] if account.role == ipb.ROLE_STUDENT else ["UPDATE_PASSWORD"])
    outbox = await identity.outbox()
    [imported] = [p for s, p in outbox if s == "identity.group_list.imported.v1"]
    event = events_pb2.GroupListImported.FromString(imported)
    assert event.group_id == group_id and list(event.student_ids) == [a.person_id for a in reply.accounts[:3]]
    assert event.import_id == reply.import_id
    # The same list again creates nothing.
    with pytest.raises(grpc.aio.AioRpcError) as again:
        await identity.stub.ImportGroupList(request, metadata=identity.md(teacher, "class_teacher"))
    assert (again.value.code(), error_code_of(again.value)) == (
        grpc.StatusCode.ALREADY_EXISTS,
        "group_list_already_imported",
    )


async def test_a_refused_row_creates_nothing_anywhere(identity: Identity) -> None:
    group_id, teacher = await lead_group(identity)
    listed = rows(3)
    listed.append(
        gl.GroupListRow(row=5, last_name=listed[0].last_name, first_name="Анна", birth_date="05.03.2008")
    )
    reply = await identity.stub.ImportGroupList(
        gl.ImportGroupListRequest(group_id=group_id, rows=listed),
        metadata=identity.md(teacher, "class_teacher"),
    )
    assert not reply.imported and not reply.accounts
    assert [(e.row, e.column, e.code) for e in reply.errors] == [
        (5, "Фамилия студента", "student_listed_twice")
    ]
    logins = [f"{transliterated(r.last_name)}.a" for r in listed[:3]]
    assert await users_named(identity, logins) == []
    async with identity.sessions() as s:
        assert (await s.execute(text("SELECT count(*) FROM group_list_imports"))).scalar_one() == 0


def transliterated(name: str) -> str:
    from identity_service.domain.usernames import transliterate

    return transliterate(name)


class CutOffProxy:
    """A TCP proxy to Keycloak that, once Keycloak has answered «201 Created» n times (n users made),
    aborts every connection and closes its port: from then on Keycloak is unreachable, as when it is
    killed, with users made whose passwords and roles were never set."""

    CREATED = b"HTTP/1.1 201"

    def __init__(self, host: str, port: int, allowed_creations: int) -> None:
        self._target = (host, port)
        self._allowed = allowed_creations
        self._seen = 0
        self._writers: list[asyncio.StreamWriter] = []
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def cut(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in self._writers:
            writer.transport.abort()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self._target)
        self._writers += [writer, up_writer]

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter, count: bool) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
                    if count:
                        self._seen += data.count(self.CREATED)
                        if self._seen >= self._allowed:
                            self.cut()
                            return
            except (ConnectionError, OSError):
                pass
            finally:
                dst.transport.abort()

        await asyncio.gather(pump(reader, up_writer, False), pump(up_reader, writer, True))


async def test_keycloak_cut_off_midway_leaves_no_account_behind(
    identity_factory: ServerFactory, stack_keycloak: object
) -> None:
    direct = await identity_factory()
    url = urlsplit(direct.keycloak_url)
    proxy = CutOffProxy(url.hostname or "127.0.0.1", url.port or 80, allowed_creations=3)
    await proxy.start()
    through_proxy = make_keycloak_admin(
        server_url=f"http://127.0.0.1:{proxy.port}",
        realm=REALM,
        client_id=IDENTITY_CLIENT,
        client_secret=stack_keycloak.client_secret(IDENTITY_CLIENT),  # type: ignore[attr-defined]
    )
    try:
        identity = await identity_factory(accounts=KeycloakAccountDirectory(through_proxy))
        group_id, teacher = await lead_group(identity)
        listed = rows(8)
        logins = [f"{transliterated(r.last_name)}.a" for r in listed]
        with pytest.raises(grpc.aio.AioRpcError) as cut:
            await identity.stub.ImportGroupList(
                gl.ImportGroupListRequest(group_id=group_id, rows=listed),
                metadata=identity.md(teacher, "class_teacher"),
            )
        assert (cut.value.code(), error_code_of(cut.value)) == (
            grpc.StatusCode.UNAVAILABLE,
            "accounts_unavailable",
        )
    finally:
        proxy.cut()
        await close_keycloak_admin(through_proxy)
    # Keycloak could not be told to delete what it had created: those users are still there, but no
    # person, no link, no event — and the pending notes name them.
    left = await users_named(direct, logins)
    direct.created_accounts.extend(left)
    assert len(left) >= 3
    async with direct.sessions() as s:
        assert (await s.execute(text("SELECT count(*) FROM people"))).scalar_one() == 0
        assert (await s.execute(text("SELECT count(*) FROM outbox"))).scalar_one() == 0
        pending = (await s.execute(text("SELECT username FROM pending_account_creations"))).scalars().all()
        status = (await s.execute(text("SELECT status FROM group_list_imports"))).scalar_one()
    assert sorted(pending) == sorted(logins) and status == "failed"
    # Keycloak is reachable again: the sweeper (on start and every few minutes) deletes them.
    sweeper = GroupListImportHandlers(
        uow=lambda: IdentityUnitOfWork(direct.sessions, service="identity"),
        accounts=KeycloakAccountDirectory(direct.keycloak),
        passwords=temporary_password,
        today=college_clock(),
    )
    assert await sweeper.sweep_abandoned_accounts() == len(left)
    assert await users_named(direct, logins) == []
    async with direct.sessions() as s:
        assert (await s.execute(text("SELECT count(*) FROM pending_account_creations"))).scalar_one() == 0
    # And the same list goes in whole once Keycloak is back.
    reply = await direct.stub.ImportGroupList(
        gl.ImportGroupListRequest(group_id=group_id, rows=listed),
        metadata=direct.md(teacher, "class_teacher"),
    )
    direct.created_accounts.extend(a.person_id for a in reply.accounts)
    assert reply.imported and [a.username for a in reply.accounts] == logins
