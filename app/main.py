"""The web service: ``create_app(settings)`` builds it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from app import pages
from app.achievements.router import public as achievements_public
from app.achievements.router import router as achievements_router
from app.contract import install_contract
from app.credentials.public import public as credentials_public
from app.credentials.router import router as credentials_router
from app.db import make_engine, make_sessionmaker
from app.deps import Resources
from app.errors import install_error_handlers
from app.fetching import FetchConfig, SafeFetcher, parse_allow_list
from app.issuers.router import public as issuers_public
from app.issuers.router import router as issuers_router
from app.keyring import Keyring
from app.methods import install_method_not_allowed
from app.ob2.router import public as ob2_public
from app.published import configure_published_cache
from app.schemas import Health
from app.settings import Settings, get_settings
from app.status.router import public as status_public
from app.urls import Urls
from app.verification.local import LocalDocuments
from app.verification.router import page as verification_page
from app.verification.router import router as verification_router

ROUTERS = (
    issuers_router,
    achievements_router,
    credentials_router,
    verification_router,
    issuers_public,
    achievements_public,
    credentials_public,
    status_public,
    ob2_public,
    verification_page,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the Shomei application for ``settings`` (the environment's by default)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        urls = Urls(settings.base_url)
        sessions = make_sessionmaker(engine)
        configure_published_cache(sessions, ttl=settings.published_cache_ttl)
        keyring = Keyring(settings.key_passphrase.get_secret_value(), urls)
        config = FetchConfig(allow=parse_allow_list(settings.fetch_allow))
        # The service answers its own URLs (DID documents, keys, status lists) from the
        # database, without a network round trip.
        local = LocalDocuments(sessions, keyring, urls)
        with SafeFetcher.create(config, local=local) as fetcher:
            app.state.resources = Resources(
                settings=settings, sessions=sessions, keyring=keyring, urls=urls, fetcher=fetcher
            )
            yield
        engine.dispose()

    app = FastAPI(
        title="Shomei",
        version="0.1.0",
        description="Open Badges 2.0 and 3.0 issuance and verification.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    install_method_not_allowed(app)
    install_contract(app)

    @app.get("/healthz", summary="Health check", tags=["service"])
    def healthz() -> Health:
        """Answer when the service is ready."""
        return Health(status="ok")

    @app.get("/", summary="Home page", response_class=HTMLResponse, tags=["pages"])
    def home() -> HTMLResponse:
        """Say what Shomei serves."""
        return HTMLResponse(pages.home(settings.base_url))

    for router in ROUTERS:
        app.include_router(router)
    return app
