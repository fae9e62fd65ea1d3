"""The REST API under /api/v1, one module per resource: its routes, bodies and mapping together.

Every module of this package that defines `router` (an APIRouter) is mounted under /api/v1, so a new
endpoint touches only its resource's module, and a new resource is one new module. `common` holds what
they share (error envelope, request base, dates, page sizes, protobuf enums as strings).
"""

from __future__ import annotations

import functools
import importlib
import pkgutil

from fastapi import APIRouter

from gateway.resources.common import ERROR_RESPONSES
from gateway.routing import PrefixRouter, prefixed_routers


def resource_routers() -> list[APIRouter]:
    """Return the router of every resource module, by module name."""
    routers: list[APIRouter] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda module: module.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            routers.append(router)
    return routers


@functools.cache
def api_routers() -> tuple[PrefixRouter, ...]:
    """Return the /api/v1 routers with every resource, built once per process: including a router
    makes FastAPI build a pydantic TypeAdapter for each of its ~1,200 route fields (0.24 s), and a
    second app of the process (the tests make one per test) reuses them. Nothing app-specific is in
    them: the app's state is reached through the request. Flat and split by first segment
    (`gateway.routing.prefixed_routers`): a request tries only the routes of its own segment, without
    walking ~40 included routers."""
    return tuple(prefixed_routers(resource_routers(), prefix="/api/v1", responses=ERROR_RESPONSES))
