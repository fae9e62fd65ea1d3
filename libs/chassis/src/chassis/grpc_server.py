"""gRPC server bootstrap: interceptors, standard health, reflection, graceful stop."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1.health import aio as health_aio
from grpc_reflection.v1alpha import reflection

from chassis.auth import JwtVerifier, ServiceCallers, VerifiedTokens, require_allowed_service_caller
from chassis.context import correlation_id_var, new_id, principal_var, request_id_var
from chassis.errors import UNAVAILABLE_MESSAGE, DomainError, Unauthenticated
from chassis.grpc_errors import ERROR_CODE_KEY, grpc_status_of, is_outage
from chassis.idempotency import KEY_METADATA, IdempotentWrites
from chassis.validation import refuse_control_characters

log = logging.getLogger(__name__)

HealthCheck = Callable[[], Awaitable[bool]]

_UNAUTHENTICATED_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")


def _metadata(context: grpc.aio.ServicerContext[Any, Any]) -> dict[str, str]:
    return {k: v for k, v in (context.invocation_metadata() or ()) if isinstance(v, str)}


class ContextInterceptor(grpc.aio.ServerInterceptor):
    """Set request ids, authenticate the bearer token and map errors, for every unary RPC."""

    def __init__(
        self,
        verifier: JwtVerifier,
        idempotency: IdempotentWrites | None = None,
        service_callers: ServiceCallers | None = None,
    ) -> None:
        self._verifier = verifier
        # Which service accounts may call which RPC (none unless the service declared them).
        self._service_callers: ServiceCallers = service_callers or {}
        # When the service keeps idempotency keys, a write with `idempotency-key` is done once.
        self._idempotency = idempotency
        # The gateway forwards the caller's token with every call: remember what was verified.
        self._tokens = VerifiedTokens()

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler[Any, Any] | None]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[Any, Any] | None:
        handler = await continuation(handler_call_details)
        method: str = handler_call_details.method
        if handler is None or method.startswith(_UNAUTHENTICATED_PREFIXES) or handler.unary_unary is None:
            return handler
        inner = handler.unary_unary
        verifier = self._verifier
        verified = self._tokens
        keys = self._idempotency if self._idempotency and self._idempotency.takes_key(method) else None
        serializer = handler.response_serializer
        rpc = method.rsplit("/", 1)[-1]
        service_callers = self._service_callers

        async def wrapped(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            md = _metadata(context)
            request_id = md.get("x-request-id") or new_id()
            tokens = (
                request_id_var.set(request_id),
                correlation_id_var.set(md.get("x-correlation-id") or request_id),
            )
            started = time.perf_counter()
            outcome = "OK"
            try:
                auth = md.get("authorization", "")
                if not auth.lower().startswith("bearer "):
                    raise Unauthenticated("Требуется вход в систему", code="unauthenticated")
                principal = await verified.verify(verifier, auth[7:].strip())
                require_allowed_service_caller(principal, rpc, service_callers)
                refuse_control_characters(request)
                principal_token = principal_var.set(principal)
                try:
                    key = md.get(KEY_METADATA) if keys is not None else None
                    if keys is not None and key is not None and serializer is not None:
                        # The answer is the stored (or first) response's bytes, passed through as is.
                        return await keys.run(
                            method=method,
                            key=key,
                            caller=principal.subject,
                            request=request,
                            call=lambda: inner(request, context),  # type: ignore[arg-type]
                            serialize=serializer,
                        )
                    # The aio server hands its own context to aio handlers; the stub types the sync one.
                    return await inner(request, context)  # type: ignore[arg-type]
                finally:
                    principal_var.reset(principal_token)
            except DomainError as exc:
                status = grpc_status_of(exc)
                outcome = status.name
                context.set_trailing_metadata(((ERROR_CODE_KEY, exc.code),))
                await context.abort(status, exc.message)
            except asyncio.CancelledError:
                outcome = "CANCELLED"
                raise
            except Exception as exc:
                if isinstance(exc, grpc.aio.AbortError):
                    raise
                if is_outage(exc):
                    # The database or the broker is away: the caller may retry, nothing was half-done
                    # (the unit of work rolled back), so say so instead of "internal".
                    outcome = "UNAVAILABLE"
                    log.warning("dependency unavailable", extra={"method": method, "error": repr(exc)})
                    context.set_trailing_metadata(((ERROR_CODE_KEY, "unavailable"),))
                    await context.abort(grpc.StatusCode.UNAVAILABLE, UNAVAILABLE_MESSAGE)
                outcome = "INTERNAL"
                log.exception("unhandled error", extra={"method": method})
                context.set_trailing_metadata(((ERROR_CODE_KEY, "internal"),))
                await context.abort(grpc.StatusCode.INTERNAL, "Внутренняя ошибка сервиса")
            finally:
                log.info(
                    "rpc",
                    extra={
                        "method": method,
                        "outcome": outcome,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                    },
                )
                for var, token in zip((request_id_var, correlation_id_var), tokens, strict=True):
                    var.reset(token)

        return grpc.unary_unary_rpc_method_handler(
            wrapped,
            request_deserializer=handler.request_deserializer,
            response_serializer=_bytes_or(serializer) if keys is not None else serializer,
        )


def _bytes_or(serializer: Callable[[Any], bytes] | None) -> Callable[[Any], bytes] | None:
    """Return a serializer that passes bytes (a stored response) through and serializes the rest."""
    if serializer is None:
        return None
    serialize = serializer

    def passing_bytes(response: Any) -> bytes:
        return response if isinstance(response, bytes) else serialize(response)

    return passing_bytes


class GrpcServer:
    """An aio gRPC server with health (SERVING only while every check passes) and reflection."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        verifier: JwtVerifier,
        service_names: Sequence[str],
        health_checks: Sequence[HealthCheck],
        health_interval: float = 2.0,
        idempotency: IdempotentWrites | None = None,
        service_callers: ServiceCallers | None = None,
    ) -> None:
        self.server = grpc.aio.server(
            interceptors=[ContextInterceptor(verifier, idempotency, service_callers)]
        )
        self._address = f"{host}:{port}"
        self._service_names = list(service_names)
        self._checks = list(health_checks)
        self._interval = health_interval
        self._health = health_aio.HealthServicer()
        self._health_task: asyncio.Task[None] | None = None
        health_pb2_grpc.add_HealthServicer_to_server(self._health, self.server)
        reflection.enable_server_reflection(
            [
                *self._service_names,
                health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
                reflection.SERVICE_NAME,
            ],
            self.server,
        )
        self.port = self.server.add_insecure_port(self._address)

    async def _set_all(self, status: health_pb2.HealthCheckResponse.ServingStatus.ValueType) -> None:
        for name in ["", *self._service_names]:
            await self._health.set(name, status)

    async def check_health(self) -> bool:
        """Run every check once and publish the result to the health service."""
        results = await asyncio.gather(*(check() for check in self._checks), return_exceptions=True)
        healthy = all(r is True for r in results)
        await self._set_all(
            health_pb2.HealthCheckResponse.SERVING if healthy else health_pb2.HealthCheckResponse.NOT_SERVING
        )
        return healthy

    async def _health_loop(self) -> None:
        was: bool | None = None
        while True:
            healthy = await self.check_health()
            if healthy != was:
                log.info("health changed", extra={"serving": healthy})
                was = healthy
            await asyncio.sleep(self._interval)

    async def start(self) -> None:
        """Start serving; health starts NOT_SERVING until the first checks pass."""
        await self._set_all(health_pb2.HealthCheckResponse.NOT_SERVING)
        await self.server.start()
        self._health_task = asyncio.create_task(self._health_loop())
        log.info("grpc server started", extra={"address": self._address})

    async def stop(self, grace: float = 10.0) -> None:
        """Stop accepting calls, say NOT_SERVING, and let calls in flight finish within the grace."""
        if self._health_task is not None:
            self._health_task.cancel()
        await self._health.enter_graceful_shutdown()
        await self.server.stop(grace)
