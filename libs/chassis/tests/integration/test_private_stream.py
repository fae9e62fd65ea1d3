"""The private stream services' tests run their consumers on, against real JetStream."""

from __future__ import annotations

import pytest
from chassis.streams import connect_nats, dlq_subject
from chassis.testing import private_stream
from nats.js.errors import NotFoundError

pytestmark = pytest.mark.integration


async def test_private_stream_lives_for_the_block_and_sees_dead_letters(stack_infra) -> None:  # type: ignore[no-untyped-def]
    async with private_stream(stack_infra.nats_url, name="chassis-tests") as stream:
        assert stream.name.startswith("TEST_") and stream.durable("d") == f"d-{stream.prefix}"
        ack = await stream.js.publish(stream.subject("svc.thing.happened.v1"), b"x")
        assert ack.stream == stream.name
        before = await stream.dlq_last_seq()
        await stream.js.publish(dlq_subject("other"), b"not mine")
        await stream.js.publish(dlq_subject("svc"), b"mine", headers={"Ejournal-Consumer": "d"})
        [letter] = await stream.dead_letters("svc", before)
        assert (letter["data"], letter["headers"]["Ejournal-Consumer"]) == (b"mine", "d")
        name = stream.name
    assert stream.nc.is_closed
    nc, js = await connect_nats(stack_infra.nats_url, name="chassis-tests")
    try:
        with pytest.raises(NotFoundError):
            await js.stream_info(name)
    finally:
        await nc.close()
