"""The web service: ``create_app(settings)`` builds it."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from app import pages
from app.errors import install_error_handlers
from app.schemas import Health
from app.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the Shomei application for ``settings`` (the environment's by default)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Shomei",
        version="0.1.0",
        description="Open Badges 2.0 and 3.0 issuance and verification.",
    )
    app.state.settings = settings
    install_error_handlers(app)

    @app.get("/healthz", summary="Health check", tags=["service"])
    def healthz() -> Health:
        """Answer when the service is ready."""
        return Health(status="ok")

    @app.get("/", summary="Home page", response_class=HTMLResponse, tags=["pages"])
    def home() -> HTMLResponse:
        """Say what Shomei serves."""
        return HTMLResponse(pages.home(settings.base_url))

    return app
