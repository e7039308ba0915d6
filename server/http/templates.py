"""Template listing and previews (public: templates are not board content)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.domain.errors import ErrorCode, ProtocolError


async def list_templates(request: Request) -> Response:
    locale = request.query_params.get("locale", "nb")
    return JSONResponse({"templates": request.app.state.templates.listing(locale)})


async def preview(request: Request) -> Response:
    catalog = request.app.state.templates
    locale = request.query_params.get("locale", "nb")
    template_id = request.path_params["template"]
    if template_id not in catalog.templates:
        raise ProtocolError(ErrorCode.NOT_FOUND, "no such template")
    png = await asyncio.to_thread(catalog.preview, template_id, locale)
    return Response(png, media_type="image/png", headers={"cache-control": "public, max-age=3600"})


routes = [
    Route("/api/templates", list_templates),
    Route("/api/templates/{template}/preview.png", preview),
]
