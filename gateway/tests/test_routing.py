"""The flat routers (gateway.routing): the same API, matched without walking included routers."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from gateway.resources import api_router, resource_routers
from gateway.resources.common import ERROR_RESPONSES
from gateway.web import portal_router


def test_the_flat_api_is_the_api_the_included_routers_made() -> None:
    nested = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
    for resource in resource_routers():
        nested.include_router(resource)
    included, flat = FastAPI(), FastAPI()
    included.include_router(nested)
    flat.include_router(api_router())
    assert flat.openapi() == included.openapi()
    assert len(flat.openapi()["paths"]) > 50


def test_the_api_and_the_portal_are_each_one_list_of_routes() -> None:
    for router in (api_router(), portal_router()):
        assert router.routes and all(isinstance(route, APIRoute) for route in router.routes)
    # The portal's pages stay out of the API's schema, as when its router was included hidden.
    app = FastAPI()
    app.include_router(portal_router())
    assert app.openapi()["paths"] == {}
    assert {route.path for route in portal_router().routes} >= {"/", "/journal"}
