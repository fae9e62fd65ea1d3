"""The flat routers (gateway.routing): the same API, matched without walking included routers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from gateway.resources import api_routers, resource_routers
from gateway.resources.common import ERROR_RESPONSES
from gateway.routing import PrefixRouter, prefixed_routers
from gateway.web import portal_router
from starlette.routing import Match

SAMPLE_ID = "00000000-0000-4000-8000-000000000001"


def _nested_app() -> FastAPI:
    """The API as including the resource routers made it, and the portal after it."""
    nested = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
    for resource in resource_routers():
        nested.include_router(resource)
    app = FastAPI()
    app.include_router(nested)
    app.include_router(portal_router())
    return app


def _prefixed_app() -> FastAPI:
    """The API as the gateway includes it (gateway.main), and the portal after it."""
    app = FastAPI()
    for router in api_routers():
        app.include_router(router)
    app.include_router(portal_router())
    return app


def _selected(app: FastAPI, method: str, path: str) -> str:
    """Return which route the app's router chooses for a request (its endpoint), else 405 or 404,
    as Starlette's router decides: the first full match, else a path matched for another method."""
    scope: dict[str, Any] = {"type": "http", "method": method, "path": path, "root_path": "", "headers": []}
    partial = False
    for candidate in app.router.routes:
        match, _ = candidate.matches(scope)
        if match is Match.FULL:
            route = candidate
            while not isinstance(route, APIRoute):  # down the included routers to the route
                _, _, route, _ = route._match(scope)  # type: ignore[attr-defined]
            return f"{route.endpoint.__module__}.{route.endpoint.__qualname__}"
        partial = partial or match is Match.PARTIAL
    return "405" if partial else "404"


def test_the_prefixed_api_is_the_api_the_included_routers_made() -> None:
    assert _prefixed_app().openapi() == _nested_app().openapi()
    assert len(_prefixed_app().openapi()["paths"]) > 50


def test_every_request_reaches_the_route_the_nested_routers_chose() -> None:
    nested, prefixed = _nested_app(), _prefixed_app()
    routes = [route for router in api_routers() for route in router.routes] + portal_router().routes
    paths = {re.sub(r"\{[^}]+\}", SAMPLE_ID, route.path) for route in routes if isinstance(route, APIRoute)}
    paths |= {"/", "/journal", "/api/v1", "/api/v1/", "/api/v1/nope", "/api/v1/groups-x", "/api/v1/me/x"}
    assert len(paths) > 100
    chosen = 0
    for path in sorted(paths):
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            answer = _selected(prefixed, method, path)
            assert answer == _selected(nested, method, path), (method, path)
            chosen += answer not in ("404", "405")
    assert chosen > 150


def test_a_prefix_router_answers_no_match_outside_its_segment_at_once() -> None:
    (groups,) = [r for r in api_routers() if r.path_prefix == "/api/v1/groups"]
    scope: dict[str, Any] = {"type": "http", "method": "GET", "path": "/api/v1/marks", "root_path": ""}
    assert groups.matches(scope) == (Match.NONE, {})
    # Behind a proxy's root path, the route path is what counts, as for Starlette's routes.
    assert isinstance(groups, PrefixRouter)
    app = FastAPI()
    app.include_router(groups)
    path = f"/api/v1/groups/{SAMPLE_ID}/disciplines/{SAMPLE_ID}/journal"
    assert _selected(app, "GET", path) == "gateway.resources.journal_page.journal_page"
    rooted = {"type": "http", "method": "GET", "path": "/ej" + path, "root_path": "/ej", "headers": []}
    assert any(route.matches(rooted)[0] is Match.FULL for route in app.router.routes)


def test_a_route_must_start_with_a_literal_segment() -> None:
    loose = APIRouter()

    @loose.get("/{anything}")
    def anything() -> None: ...

    with pytest.raises(ValueError, match="literal segment"):
        prefixed_routers([loose], prefix="/api/v1")


def test_the_api_and_the_portal_are_each_lists_of_routes() -> None:
    for router in (*api_routers(), portal_router()):
        assert router.routes and all(isinstance(route, APIRoute) for route in router.routes)
    # The portal's pages stay out of the API's schema, as when its router was included hidden.
    app = FastAPI()
    app.include_router(portal_router())
    assert app.openapi()["paths"] == {}
    assert {route.path for route in portal_router().routes} >= {"/", "/journal"}
