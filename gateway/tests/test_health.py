"""/healthz probes every component concurrently; request ids are generated, echoed and forwarded."""

from __future__ import annotations

import re
import struct
import uuid

import pytest

ALL = ["archive", "identity", "journal", "keycloak", "messaging", "nats", "postgres", "reports"]


async def test_all_up_is_200(client, fakes, postgres) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert sorted(body["components"]) == ALL
    assert set(body["components"].values()) == {"up"}
    assert body["down"] == []
    assert postgres.requests == [struct.pack("!ii", 8, 80877103)]


async def test_a_service_not_serving_is_named(client, fakes) -> None:
    await fakes.reports.set_serving(False)
    response = await client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["down"] == ["reports"]
    assert body["components"]["reports"] == "down"
    assert body["components"]["journal"] == "up"


async def test_a_stopped_service_is_named(client, fakes) -> None:
    await fakes.archive.stop()
    response = await client.get("/healthz")
    assert (response.status_code, response.json()["down"]) == (503, ["archive"])


async def test_nats_down_is_degraded_not_down(client, idp) -> None:
    """Writes keep working without NATS (the outboxes hold the events): 200, status degraded."""
    idp.nats_status = 503
    response = await client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["down"] == ["nats"]
    assert body["components"]["nats"] == "down"
    assert body["components"]["postgres"] == "up"


async def test_nats_and_a_service_down_is_down(client, fakes, idp) -> None:
    idp.nats_status = 503
    await fakes.journal.set_serving(False)
    response = await client.get("/healthz")
    assert response.status_code == 503
    assert (response.json()["status"], response.json()["down"]) == ("down", ["journal", "nats"])


@pytest.mark.parametrize(
    ("breakage", "down"),
    [
        (lambda idp: setattr(idp, "keycloak_status", 503), ["keycloak"]),
        (lambda idp: setattr(idp, "keycloak_status", None), ["keycloak"]),
    ],
)
async def test_http_components_down_are_named(client, idp, breakage, down) -> None:
    breakage(idp)
    response = await client.get("/healthz")
    assert (response.status_code, response.json()["down"]) == (503, down)


async def test_postgres_not_listening_is_named(settings, issuer, idp) -> None:
    import asyncio

    import httpx
    from gateway.main import create_app

    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    app = create_app(
        settings.model_copy(update={"postgres_addr": f"127.0.0.1:{port}"}),
        verifier=issuer.verifier(),
        http_transport=httpx.MockTransport(idp.handle),
    )
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as http,
    ):
        response = await http.get("/healthz")
    assert (response.status_code, response.json()["down"]) == (503, ["postgres"])


async def test_hanging_components_are_cut_off_by_their_probe_timeouts_concurrently(
    settings, issuer, idp
) -> None:
    """Peers that accept and never answer are reported down by the probes' own timeouts, all at once.

    No hanging peer answers or hangs up before /healthz has answered, so the answer can only come
    from each probe giving up by itself. The Keycloak and PostgreSQL probes are seen waiting at the
    same moment, so they ran concurrently (one after the other, each would be cut off before the next
    began). Nothing is timed: the 60 s bounds below only keep a probe without a timeout from hanging
    the suite.
    """
    import asyncio

    import httpx
    from gateway.main import create_app

    release = asyncio.Event()
    waiting: set[str] = set()
    seen_together: list[frozenset[str]] = []
    postgres_hung_up = asyncio.Event()

    def enter(name: str) -> None:
        waiting.add(name)
        seen_together.append(frozenset(waiting))

    async def silent_postgres(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        enter("postgres")
        await reader.read()  # the SSLRequest arrives, is never answered; returns when the prober hangs up
        waiting.discard("postgres")
        postgres_hung_up.set()
        await release.wait()

    async def silent_grpc(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        enter("journal")
        await release.wait()

    async def http(request: httpx.Request) -> httpx.Response:
        if str(request.url) == settings.keycloak_health_url:
            enter("keycloak")
            try:
                await release.wait()
            finally:
                waiting.discard("keycloak")
        return idp.handle(request)

    servers = [
        await asyncio.start_server(silent_postgres, "127.0.0.1", 0),
        await asyncio.start_server(silent_grpc, "127.0.0.1", 0),
    ]
    postgres_addr, journal_addr = (f"127.0.0.1:{s.sockets[0].getsockname()[1]}" for s in servers)
    app = create_app(
        settings.model_copy(update={"postgres_addr": postgres_addr, "journal_addr": journal_addr}),
        verifier=issuer.verifier(),
        http_transport=httpx.MockTransport(http),
    )
    transport = httpx.ASGITransport(app=app)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://t") as client,
        ):
            response = await asyncio.wait_for(client.get("/healthz"), 60)
            assert not release.is_set() and "keycloak" not in waiting, "cancelled by its probe's timeout"
            await asyncio.wait_for(postgres_hung_up.wait(), 60)
    finally:
        release.set()
        for server in servers:
            server.close()
    assert (response.status_code, response.json()["down"]) == (503, ["journal", "keycloak", "postgres"])
    assert any({"keycloak", "postgres"} <= together for together in seen_together), seen_together


async def test_request_id_is_generated_when_absent(client) -> None:
    response = await client.get("/healthz")
    assert uuid.UUID(response.headers["x-request-id"])


async def test_request_id_is_echoed_and_forwarded(client, bearer, fakes) -> None:
    response = await client.get(
        f"/api/v1/students/{uuid.uuid4()}/marks",
        headers={**bearer(), "X-Request-Id": "abc-123", "X-Correlation-Id": "flow-9"},
    )
    assert response.headers["x-request-id"] == "abc-123"
    call = fakes.journal.last("ListStudentMarks")
    assert call.metadata["x-request-id"] == "abc-123"
    assert call.metadata["x-correlation-id"] == "flow-9"


async def test_unsafe_request_id_is_replaced(client, bearer, fakes) -> None:
    response = await client.get(
        f"/api/v1/students/{uuid.uuid4()}/marks", headers={**bearer(), "X-Request-Id": "bad id\twith spaces"}
    )
    rid = response.headers["x-request-id"]
    assert uuid.UUID(rid)
    assert fakes.journal.last("ListStudentMarks").metadata["x-request-id"] == rid


async def test_each_request_gets_its_own_id(client, bearer, fakes) -> None:
    ids = set()
    for _ in range(3):
        response = await client.get(f"/api/v1/students/{uuid.uuid4()}/marks", headers=bearer())
        ids.add(response.headers["x-request-id"])
    forwarded = {c.metadata["x-request-id"] for c in fakes.journal.calls}
    assert ids == forwarded
    assert len(ids) == 3


def test_split_host_port() -> None:
    from gateway.health import split_host_port

    assert split_host_port("127.0.0.1:5432") == ("127.0.0.1", 5432)
    assert split_host_port("[::1]:6543") == ("::1", 6543)
    assert split_host_port("db.internal:5432") == ("db.internal", 5432)
    assert re.match(r"^\d+$", str(split_host_port("h:1")[1]))
