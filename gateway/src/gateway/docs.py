"""`/api/docs`: Swagger UI served by the gateway itself, no CDN and no inline script.

The Swagger UI files are vendored in `web/static/docs/` (see the README there); the page loads them
and `docs-init.js` from this origin only, under a Content-Security-Policy that allows nothing else.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

DOCS_PATH = "/api/docs"
OPENAPI_PATH = "/api/openapi.json"
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)

router = APIRouter(include_in_schema=False)


@router.get(DOCS_PATH)
async def api_docs(request: Request) -> HTMLResponse:
    """Return the Swagger UI page of the REST API."""
    title = escape(str(request.app.title))
    page = f"""<!doctype html>
<html lang="ru">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} — REST API</title>
  <link rel="stylesheet" href="/static/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui" data-openapi-url="{OPENAPI_PATH}"></div>
  <script src="/static/docs/swagger-ui-bundle.js"></script>
  <script src="/static/docs/docs-init.js"></script>
</body>
</html>
"""
    return HTMLResponse(page, headers={"Content-Security-Policy": DOCS_CSP})
