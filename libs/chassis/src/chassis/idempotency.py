"""Idempotency keys on writes: a write repeated with the same key is done once and answered alike.

A client sends the metadata `idempotency-key` with a write RPC (the gateway forwards the REST header
`Idempotency-Key`). When the service turned the mechanism on (`ServiceKit.idempotent_writes()`), the
gRPC interceptor opens a `KeyScope` for the call, and every unit of work opened in it first takes a
transaction-level advisory lock on (caller, key) and looks the key up:

- stored for the same RPC and the same request → its stored response is answered (`Replay`) and the
  handler goes no further: nothing is written twice;
- stored for another RPC or another request → `IdempotencyKeyReused`;
- not stored → the handler goes on. Its commit is deferred: the unit of work keeps its transaction
  (and the lock) open until the servicer has the answer; then the key, the request's fingerprint and
  the serialized response are inserted into that same transaction, and it commits. The write and its
  key are one transaction: a process killed at any point leaves both or neither.

Two identical requests at once: the second waits on the lock in its first unit of work until the
first commits, then finds the key and answers the first's response. A refusal (any error) stores
nothing, so a retry runs again. A handler that commits in several units of work has the earlier ones
committed when the next one opens (as without a key); the key goes with its last one.

Keys are kept at least `KEEP` (24 h); `purge` deletes older ones. The mechanism knows no service's
model: it sees a request's bytes, a method name and the response's bytes.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from google.protobuf import descriptor_pool
from google.protobuf.descriptor_pb2 import MethodOptions
from sqlalchemy import (
    Column,
    DateTime,
    Index,
    LargeBinary,
    MetaData,
    String,
    Table,
    bindparam,
    delete,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from chassis.errors import FailedPrecondition
from chassis.idempotency_keys import KEY_METADATA, require_key

__all__ = [
    "IDEMPOTENCY_KEYS",
    "KEEP",
    "KEY_METADATA",
    "IdempotencyKeyReused",
    "IdempotentWrites",
    "KeyScope",
    "Replay",
    "create_idempotency_table",
    "current_scope",
    "drop_idempotency_table",
    "fingerprint",
]

if TYPE_CHECKING:
    from chassis.uow import UnitOfWork

log = logging.getLogger(__name__)

KEEP = timedelta(hours=24)
PURGE_EVERY_SECONDS = 3600.0

_metadata = MetaData()

IDEMPOTENCY_KEYS = Table(
    "idempotency_keys",
    _metadata,
    # The caller's subject: one client's key never answers another's request.
    Column("caller", String(200), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("rpc", String(200), nullable=False),
    # SHA-256 of the method and the request's deterministic bytes.
    Column("fingerprint", String(64), nullable=False),
    Column("response", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_idempotency_keys_created_at", "created_at"),
)


def create_idempotency_table(bind: Connection) -> None:
    """Create the table of idempotency keys (a service's migration)."""
    _metadata.create_all(bind, tables=[IDEMPOTENCY_KEYS])


def drop_idempotency_table(bind: Connection) -> None:
    """Drop the table of idempotency keys (the migration's downgrade)."""
    _metadata.drop_all(bind, tables=[IDEMPOTENCY_KEYS])


class IdempotencyKeyReused(FailedPrecondition):
    """The key already answered another request of this caller."""

    def __init__(self) -> None:
        super().__init__(
            "Этот ключ идемпотентности уже использован для другого запроса; "
            "для нового запроса нужен новый ключ",
            code="idempotency_key_reused",
        )


class Replay(Exception):
    """The key is stored with this very request: answer its response, do nothing else."""

    def __init__(self, response: bytes) -> None:
        super().__init__("idempotent replay")
        self.response = response


_LOCK = text("SELECT pg_advisory_xact_lock(:lock_id)").bindparams(bindparam("lock_id"))
_FIND = select(IDEMPOTENCY_KEYS.c.rpc, IDEMPOTENCY_KEYS.c.fingerprint, IDEMPOTENCY_KEYS.c.response).where(
    IDEMPOTENCY_KEYS.c.caller == bindparam("caller"), IDEMPOTENCY_KEYS.c.key == bindparam("key")
)
_STORE = insert(IDEMPOTENCY_KEYS).on_conflict_do_nothing(index_elements=["caller", "key"])


def fingerprint(method: str, request: Any) -> str:
    """Return the SHA-256 of the method and the request's deterministic serialization."""
    digest = hashlib.sha256(method.encode())
    digest.update(b"\0")
    digest.update(request.SerializeToString(deterministic=True))
    return digest.hexdigest()


@dataclass
class KeyScope:
    """One keyed write call: what the units of work opened during it check and defer."""

    caller: str
    key: str
    rpc: str
    fingerprint: str
    deferred: UnitOfWork | None = field(default=None)
    # Units of work of this call open right now: one opened inside another neither waits for the
    # lock its outer one holds (a deadlock) nor looks the key up again.
    open_units: int = 0

    @property
    def lock_id(self) -> int:
        """The advisory lock of (caller, key): 64 bits of their hash."""
        digest = hashlib.sha256(f"{self.caller}\0{self.key}".encode()).digest()
        return int.from_bytes(digest[:8], "big", signed=True)

    async def enter(self, session: AsyncSession) -> None:
        """In a unit of work just opened: settle an earlier deferred commit, lock the key, look it up
        (not in one opened inside another of the call: that one holds the lock)."""
        self.open_units += 1
        if self.open_units > 1:
            return
        await self.settle()
        await session.execute(_LOCK, {"lock_id": self.lock_id})
        await self._check(session)

    def leave(self) -> None:
        """A unit of work of the call was left (or failed to open)."""
        self.open_units -= 1

    async def _check(self, session: AsyncSession) -> None:
        row = (await session.execute(_FIND, {"caller": self.caller, "key": self.key})).first()
        if row is None:
            return
        if (row.rpc, row.fingerprint) != (self.rpc, self.fingerprint):
            raise IdempotencyKeyReused()
        raise Replay(row.response)

    async def defer(self, uow: UnitOfWork) -> None:
        """Keep `uow`'s transaction open: it commits with the key once the call has its answer (another
        unit of work's deferred commit, from one open around it, is made now)."""
        if self.deferred is not None and self.deferred is not uow:
            await self.settle()
        self.deferred = uow

    async def settle(self) -> None:
        """Commit a deferred unit of work now, without the key (another one opens after it, or the
        call failed: its commits stand as they would without a key)."""
        uow, self.deferred = self.deferred, None
        if uow is not None:
            await uow.release(commit=True)

    async def finish(self, response: bytes, sessions: async_sessionmaker[AsyncSession]) -> bytes:
        """Store the key with the response in the last write's transaction and commit it; return the
        response to answer (a concurrent twin's stored one when it got there first)."""
        uow, self.deferred = self.deferred, None
        if uow is not None:
            try:
                await uow.session.execute(_STORE.values(**self._row(response)))
            except BaseException:
                await uow.release(commit=False)
                raise
            await uow.release(commit=True)
            return response
        # Nothing was committed in the call (or its last commit was followed by a read): the key
        # stands alone, so a retry is answered alike.
        async with sessions() as session:
            await session.execute(_LOCK, {"lock_id": self.lock_id})
            try:
                await self._check(session)
            except Replay as replay:
                return replay.response
            await session.execute(_STORE.values(**self._row(response)))
            await session.commit()
        return response

    def _row(self, response: bytes) -> dict[str, object]:
        return {
            "caller": self.caller,
            "key": self.key,
            "rpc": self.rpc,
            "fingerprint": self.fingerprint,
            "response": response,
        }


_scope: ContextVar[KeyScope | None] = ContextVar("idempotency_scope", default=None)


def current_scope() -> KeyScope | None:
    """Return the keyed write call the current code runs in, if any."""
    return _scope.get()


class IdempotentWrites:
    """A service's idempotency keys: which RPCs take them, running one keyed call, purging old keys."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, keep: timedelta = KEEP) -> None:
        self._sessions = sessions
        self._keep = keep
        self._writes: dict[str, bool] = {}

    def takes_key(self, method: str) -> bool:
        """Tell whether an RPC (`/pkg.Service/Method`) is a write: not declared NO_SIDE_EFFECTS."""
        known = self._writes.get(method)
        if known is None:
            try:
                found = descriptor_pool.Default().FindMethodByName(method.strip("/").replace("/", "."))
            except KeyError:
                known = False
            else:
                known = found.GetOptions().idempotency_level != MethodOptions.NO_SIDE_EFFECTS
            self._writes[method] = known
        return known

    async def run(
        self,
        *,
        method: str,
        key: str,
        caller: str,
        request: Any,
        call: Callable[[], Awaitable[Any]],
        serialize: Callable[[Any], bytes],
    ) -> bytes:
        """Run one keyed write call; return the serialized response (stored or replayed)."""
        scope = KeyScope(caller, require_key(key), method, fingerprint(method, request))
        token = _scope.set(scope)
        try:
            try:
                response = await call()
            except Replay as replay:
                log.info("idempotent replay", extra={"method": method})
                return replay.response
            except BaseException:
                await scope.settle()
                raise
            return await scope.finish(serialize(response), self._sessions)
        finally:
            _scope.reset(token)

    async def purge(self) -> int:
        """Delete the keys older than the time they are kept; return how many."""
        async with self._sessions() as session:
            result = await session.execute(
                delete(IDEMPOTENCY_KEYS).where(IDEMPOTENCY_KEYS.c.created_at < func.now() - self._keep)
            )
            await session.commit()
        return int(getattr(result, "rowcount", 0) or 0)

    async def purge_forever(self, every_seconds: float = PURGE_EVERY_SECONDS) -> None:
        """Purge old keys now and then every `every_seconds` while the service runs."""
        while True:
            try:
                purged = await self.purge()
                if purged:
                    log.info("idempotency keys purged", extra={"count": purged})
            except Exception:
                log.exception("purging idempotency keys failed; retried later")
            await asyncio.sleep(every_seconds)
