"""The five services' typed async stubs, and `call`, the one way the gateway calls an RPC.

Each stub is the generated one (`JournalServiceStub(channel)` on an aio channel is typed
`JournalServiceAsyncStub`), so a new RPC needs no code here: a resource calls
`await call(clients.journal.RecordMark, journal_service_pb2.RecordMarkRequest(...), caller.token)`
and gets the typed response. Failures surface as `grpc.aio.AioRpcError` (see `gateway.errors`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import grpc
from chassis.grpc_client import DEFAULT_TIMEOUT, call_metadata, make_channel
from chassis.idempotency_keys import KEY_METADATA, idempotency_key_var
from ejournal.archive.v1.archive_service_pb2_grpc import ArchiveServiceStub
from ejournal.identity.v1.identity_service_pb2_grpc import IdentityServiceStub
from ejournal.journal.v1.journal_service_pb2_grpc import JournalServiceStub
from ejournal.messaging.v1.messaging_service_pb2_grpc import MessagingServiceStub
from ejournal.reports.v1.reports_service_pb2_grpc import ReportsServiceStub
from google.protobuf.message import Message

if TYPE_CHECKING:  # the async stub classes exist in the generated .pyi only
    from ejournal.archive.v1.archive_service_pb2_grpc import ArchiveServiceAsyncStub
    from ejournal.identity.v1.identity_service_pb2_grpc import IdentityServiceAsyncStub
    from ejournal.journal.v1.journal_service_pb2_grpc import JournalServiceAsyncStub
    from ejournal.messaging.v1.messaging_service_pb2_grpc import MessagingServiceAsyncStub
    from ejournal.reports.v1.reports_service_pb2_grpc import ReportsServiceAsyncStub

Req = TypeVar("Req", bound=Message)
Resp = TypeVar("Resp", bound=Message)


async def call(
    rpc: grpc.aio.UnaryUnaryMultiCallable[Req, Resp],
    request: Req,
    token: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - a gRPC deadline, sent to the service
) -> Resp:
    """Call one RPC as the bearer of `token`: the token and request ids in the metadata, a deadline;
    the REST request's `Idempotency-Key` too, when it has one (the service decides whether it applies)."""
    metadata = call_metadata(token)
    key = idempotency_key_var.get()
    if key is not None:
        metadata = (*metadata, (KEY_METADATA, key))
    return await rpc(request, metadata=metadata, timeout=timeout)


@dataclass(frozen=True)
class ServiceClients:
    """The stubs of the five services and the channels under them."""

    channels: dict[str, grpc.aio.Channel]
    identity: IdentityServiceAsyncStub
    journal: JournalServiceAsyncStub
    messaging: MessagingServiceAsyncStub
    reports: ReportsServiceAsyncStub
    archive: ArchiveServiceAsyncStub

    async def close(self) -> None:
        """Close every channel."""
        for channel in self.channels.values():
            await channel.close()


def open_clients(addresses: dict[str, str]) -> ServiceClients:
    """Open one channel per service (service name → host:port) and a stub on each."""
    channels = {name: make_channel(address) for name, address in addresses.items()}
    return ServiceClients(
        channels=channels,
        identity=IdentityServiceStub(channels["identity"]),
        journal=JournalServiceStub(channels["journal"]),
        messaging=MessagingServiceStub(channels["messaging"]),
        reports=ReportsServiceStub(channels["reports"]),
        archive=ArchiveServiceStub(channels["archive"]),
    )
