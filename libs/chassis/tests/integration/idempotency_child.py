"""A child process serving `EffectServicer` with idempotency keys, for the SIGKILL test.

Run as `python idempotency_child.py <database_url> <folder> <subject> <hang|serve>`. It serves gRPC on
a free port and writes `<folder>/ready` as `<port> <token>` (a token of `<subject>` from its own
issuer). With `hang`, CreateGroup stops after its unit of work committed — the commit deferred to go
with the key — writes `<folder>/reached` and waits to be killed.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from chassis.db import make_engine, make_session_factory
from chassis.grpc_server import GrpcServer
from chassis.idempotency import IdempotentWrites
from chassis.testing import LocalIssuer
from ejournal.journal.v1 import journal_service_pb2_grpc as pb_grpc

sys.path.insert(0, str(Path(__file__).parent))
from idempotency_service import EffectServicer


async def write(path: Path, note: str) -> None:
    partial = path.with_suffix(".partial")
    await asyncio.to_thread(partial.write_text, note)
    await asyncio.to_thread(partial.replace, path)  # atomic: the parent never reads half a note


async def main(database_url: str, folder: Path, subject: str, mode: str) -> None:
    sessions = make_session_factory(make_engine(database_url, pool_size=2))
    issuer = LocalIssuer()

    async def hang() -> None:
        await write(folder / "reached", "after the handler's commit")
        await asyncio.Event().wait()

    server = GrpcServer(
        host="127.0.0.1",
        port=0,
        verifier=issuer.verifier(),
        service_names=[],
        health_checks=[],
        idempotency=IdempotentWrites(sessions),
    )
    servicer = EffectServicer(sessions, after_commit=hang if mode == "hang" else None)
    pb_grpc.add_JournalServiceServicer_to_server(servicer, server.server)
    await server.start()
    await write(folder / "ready", f"{server.port} {issuer.token(subject)}")
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4]))
