"""Routers as FastAPI matches them fastest: flat lists of routes, not routers included in routers.

FastAPI 0.163 keeps an included router as a wrapper and walks the wrappers one by one on every
request, recounting every router's routes as it goes: with the API's ~40 resource routers that took
~40 % of the gateway's CPU for `GET /api/v1/me`. `flat_router` registers each route of the given
routers on one router, with what including them would have given it (the prefix, the shared error
responses, hidden from the schema); the OpenAPI document is the same (tested).

A flat router still tries its routes one by one, twice per request (FastAPI matches to choose the
router, then again to choose the route): the journal page, 49th of the API's 112 routes, spent ~0.2 ms
of the gateway's 1.7 ms of CPU there, and every portal page tried all 112 first. `prefixed_routers`
splits the routes by their first segment after the prefix (`/api/v1/groups`, `/api/v1/marks`…) into
`PrefixRouter`s, which answer «no match» at once for a path outside their segment. Two routes of
different literal first segments never match the same path, so the answer for every request is the
one the single list gave (tested route by route).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.routing import Match
from starlette.types import Scope


def flat_router(
    routers: Iterable[APIRouter],
    *,
    prefix: str = "",
    responses: dict[int | str, dict[str, Any]] | None = None,
    include_in_schema: bool = True,
) -> APIRouter:
    """Return one router with every route of `routers`, in order, each as if they had been included
    with `prefix`, `responses` (a route's own win) and `include_in_schema`."""
    flat = APIRouter()
    for router in routers:
        for route in router.routes:
            _add(flat, route, prefix=prefix, responses=responses, include_in_schema=include_in_schema)
    return flat


class PrefixRouter(APIRouter):
    """A router whose every route's path starts with `path_prefix`: a request for a path that does not
    is «no match» at once, without trying the routes."""

    def __init__(self, path_prefix: str) -> None:
        super().__init__()
        self.path_prefix = path_prefix

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """No match outside the prefix; else FastAPI's own matching of this router's routes."""
        path: str = scope["path"]
        root: str = scope.get("root_path", "")
        if root and path.startswith(root):  # the route path, as Starlette's routes match it
            path = path[len(root) :]
        if not path.startswith(self.path_prefix):
            return Match.NONE, {}
        return super().matches(scope)


def prefixed_routers(
    routers: Iterable[APIRouter],
    *,
    prefix: str,
    responses: dict[int | str, dict[str, Any]] | None = None,
) -> list[PrefixRouter]:
    """Return the routes of `routers`, as `flat_router` would register them, split by the first segment
    of their path after `prefix`: one `PrefixRouter` per segment, in order of first appearance, each
    with its routes in their order. A first segment that is a parameter would match any path, so it is
    refused (ValueError)."""
    by_segment: dict[str, PrefixRouter] = {}
    for router in routers:
        for route in router.routes:
            first = route.path.split("/")[1] if isinstance(route, APIRoute) else ""
            if "{" in first or not first:
                raise ValueError(f"a route must start with a literal segment: {route!r}")
            key = f"{prefix}/{first}"
            part = by_segment.get(key)
            if part is None:
                part = by_segment[key] = PrefixRouter(key)
            _add(part, route, prefix=prefix, responses=responses, include_in_schema=True)
    return list(by_segment.values())


def _add(
    target: APIRouter,
    route: object,
    *,
    prefix: str,
    responses: dict[int | str, dict[str, Any]] | None,
    include_in_schema: bool,
) -> None:
    """Register `route` on `target` as including its router with these arguments would."""
    if not isinstance(route, APIRoute):
        raise TypeError(f"only path operations can be flattened, not {route!r}")
    target.add_api_route(
        prefix + route.path,
        route.endpoint,
        response_model=route.response_model,
        status_code=route.status_code,
        tags=list(route.tags),
        dependencies=list(route.dependencies),
        summary=route.summary,
        description=route.description,
        response_description=route.response_description,
        responses={**(responses or {}), **route.responses},
        deprecated=route.deprecated,
        methods=route.methods,
        operation_id=route.operation_id,
        response_model_include=route.response_model_include,
        response_model_exclude=route.response_model_exclude,
        response_model_by_alias=route.response_model_by_alias,
        response_model_exclude_unset=route.response_model_exclude_unset,
        response_model_exclude_defaults=route.response_model_exclude_defaults,
        response_model_exclude_none=route.response_model_exclude_none,
        include_in_schema=route.include_in_schema and include_in_schema,
        response_class=route.response_class,
        name=route.name,
        callbacks=route.callbacks,
        openapi_extra=route.openapi_extra,
        generate_unique_id_function=route.generate_unique_id_function,
    )
