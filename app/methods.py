"""405 Method Not Allowed names every method the path does allow.

RFC 9110 requires it: "The origin server MUST generate an Allow header field in a 405
response containing a list of the target resource's currently supported methods"
(https://www.rfc-editor.org/rfc/rfc9110#section-15.5.6). The router lists only the methods
of the first route whose path matched (``GET /x`` and ``POST /x`` are two routes), and the
problem handler drops the header; this handler, registered for status 405 (which Starlette
consults before the handler for every HTTP exception), lists the methods of every route.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.routing import Match

from app.errors import problem


def install_method_not_allowed(app: FastAPI) -> None:
    """Answer 405 as a problem document that carries ``Allow``."""
    app.add_exception_handler(405, _method_not_allowed)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """The methods some route of the application answers in full on the request's path."""
    routes = request.app.router.routes
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    ]


def _method_not_allowed(request: Request, exc: Exception) -> Response:
    from app.obapi.errors import for_path

    # The Open Badges API's paths answer in their protocol's format, 405 included.
    response = for_path(request, 405, "Method Not Allowed") or problem(
        405, "http_error", "Method Not Allowed"
    )
    response.headers["Allow"] = ", ".join(allowed_methods(request))
    return response
