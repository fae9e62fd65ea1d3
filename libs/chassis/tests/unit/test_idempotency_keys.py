"""Idempotency keys without a database: the key's shape, the request's fingerprint, which RPCs take a
key, and the kit turning it on for the gRPC server and the purge."""

from __future__ import annotations

from typing import Any, cast

import pytest
from chassis.config import ServiceSettings
from chassis.grpc_server import ContextInterceptor
from chassis.idempotency import IdempotentWrites, fingerprint
from chassis.idempotency_keys import IdempotencyKeyInvalid, require_key
from chassis.service import ServiceKit
from chassis.testing import LocalIssuer
from ejournal.journal.v1 import journal_service_pb2 as pb
from sqlalchemy.ext.asyncio import create_async_engine


@pytest.mark.parametrize("key", ["a", "7f1c2f8e-0a55-4a1e-9a6e-2d3c4b5a6978", "x" * 200, "k:1/2~!"])
def test_keys_of_printable_ascii_are_taken(key: str) -> None:
    assert require_key(key) == key


@pytest.mark.parametrize("key", ["", " ", "with space", "x" * 201, "ключ", "tab\there", "nul\x00"])
def test_other_keys_are_refused_with_a_code(key: str) -> None:
    with pytest.raises(IdempotencyKeyInvalid) as refused:
        require_key(key)
    assert refused.value.code == "invalid_idempotency_key"


def test_the_fingerprint_tells_requests_and_methods_apart_but_not_field_order() -> None:
    a = pb.CreateGroupRequest(name="ИС-21")
    assert fingerprint("/m/A", a) == fingerprint("/m/A", pb.CreateGroupRequest(name="ИС-21"))
    assert fingerprint("/m/A", a) != fingerprint("/m/A", pb.CreateGroupRequest(name="ИС-22"))
    assert fingerprint("/m/A", a) != fingerprint("/m/B", a)


def test_writes_take_a_key_and_reads_do_not() -> None:
    keys = IdempotentWrites(cast(Any, None))
    assert keys.takes_key("/ejournal.journal.v1.JournalService/RecordMark")
    assert keys.takes_key("/ejournal.journal.v1.JournalService/CreateGroup")
    assert not keys.takes_key("/ejournal.journal.v1.JournalService/ListGroups")  # NO_SIDE_EFFECTS
    assert not keys.takes_key("/no.such.Service/Method")


async def test_the_kit_wires_the_keys_into_the_grpc_server_once() -> None:
    settings = ServiceSettings(
        database_url="postgresql+asyncpg://u@127.0.0.1:1/x", oidc_issuer=LocalIssuer().issuer
    )
    engine = create_async_engine(settings.database_url)
    kit = ServiceKit("test", settings, engine=engine, nc=cast(Any, None), js=cast(Any, None))
    assert kit.grpc_server(LocalIssuer().verifier()).server is not None
    assert kit.idempotency is None

    keys = kit.idempotent_writes()

    assert kit.idempotent_writes() is keys
    assert len(kit._background) == 1  # the purge, once
    interceptor = ContextInterceptor(LocalIssuer().verifier(), kit.idempotency)
    assert interceptor._idempotency is keys
    kit._background[0].close()
    await engine.dispose()
