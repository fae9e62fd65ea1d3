"""One small client per service, over channels opened once in the composition root."""

from __future__ import annotations

from dataclasses import dataclass

import grpc
from chassis.grpc_client import make_channel

from gateway.clients.archive import ArchiveClient
from gateway.clients.identity import IdentityClient
from gateway.clients.journal import JournalClient
from gateway.clients.messaging import MessagingClient
from gateway.clients.reports import ReportsClient


@dataclass(frozen=True)
class ServiceClients:
    """The clients of the five services and the channels under them."""

    channels: dict[str, grpc.aio.Channel]
    identity: IdentityClient
    journal: JournalClient
    messaging: MessagingClient
    reports: ReportsClient
    archive: ArchiveClient

    async def close(self) -> None:
        """Close every channel."""
        for channel in self.channels.values():
            await channel.close()


def open_clients(addresses: dict[str, str]) -> ServiceClients:
    """Open one channel per service (service name → host:port) and wrap each in its client."""
    channels = {name: make_channel(address) for name, address in addresses.items()}
    return ServiceClients(
        channels=channels,
        identity=IdentityClient(channels["identity"]),
        journal=JournalClient(channels["journal"]),
        messaging=MessagingClient(channels["messaging"]),
        reports=ReportsClient(channels["reports"]),
        archive=ArchiveClient(channels["archive"]),
    )


__all__ = [
    "ArchiveClient",
    "IdentityClient",
    "JournalClient",
    "MessagingClient",
    "ReportsClient",
    "ServiceClients",
    "open_clients",
]
