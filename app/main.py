"""The web service: ``create_app(settings)`` builds it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from starlette.types import Scope

from app import pages, problems
from app.access import AccessMiddleware
from app.achievements.router import public as achievements_public
from app.achievements.router import router as achievements_router
from app.apikeys.router import router as apikeys_router
from app.audit.router import router as audit_router
from app.batches.router import router as batches_router
from app.batches.router import templates as batch_templates
from app.batches.run_router import router as batch_runs_router
from app.checkpoints import WalCheckpoints
from app.claims.router import router as claims_router
from app.console.batches import router as console_batches
from app.console.router import router as console_router
from app.contract import install_contract
from app.credentials.public import public as credentials_public
from app.credentials.router import router as credentials_router
from app.db import make_engine, make_sessionmaker
from app.deps import Resources
from app.docs import install_docs
from app.errors import install_error_handlers
from app.fetching import SafeFetcher, fetch_config
from app.issuers.router import public as issuers_public
from app.issuers.router import router as issuers_router
from app.jobs.backends import open_jobs
from app.keyring import Keyring
from app.methods import install_method_not_allowed
from app.middleware import install_middleware
from app.ob2.router import public as ob2_public
from app.obapi.errors import error_page as protocol_error_page
from app.obapi.router import api_router as ob_api_router
from app.obapi.router import oauth as oauth_router
from app.oid4vci.router import router as oid4vci_router
from app.passers.router import router as passers_router
from app.published import configure_published_cache
from app.schemas import Health
from app.settings import Settings, get_settings
from app.sharing import Generations, SharedInvalidation
from app.statistics.router import router as statistics_router
from app.status.router import public as status_public
from app.urls import Urls
from app.verification.fairness import FairSlots
from app.verification.guards import error_page as verify_error_page
from app.verification.local import LocalDocuments
from app.verification.router import page as verification_page
from app.verification.router import router as verification_router
from app.wallets.router import router as wallets_router
from app.webhooks.router import router as watches_router

ROUTERS = (
    # Routes are matched in order: first the ones called many times a second (verifying,
    # issuing, an HR system paging through a passer's credentials).
    verification_router,
    credentials_router,
    ob_api_router,
    issuers_router,
    achievements_router,
    batches_router,
    batch_templates,
    issuers_public,
    achievements_public,
    credentials_public,
    claims_router,
    oid4vci_router,
    wallets_router,
    status_public,
    ob2_public,
    verification_page,
    apikeys_router,
    audit_router,
    statistics_router,
    console_router,
    console_batches,
    batch_runs_router,
    passers_router,
    oauth_router,
    watches_router,
    problems.router,
)


def _error_page(scope: Scope, status: int, detail: str) -> Response | None:
    """A refusal before routing: the Open Badges API's formats on its paths, the verify
    page's own page on it, else (``None``) a problem document."""
    return protocol_error_page(scope, status, detail) or verify_error_page(scope, status, detail)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the Shomei application for ``settings`` (the environment's by default)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(
            settings.database_url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            pool_timeout=settings.db_pool_timeout_s,
            background_checkpoints=True,
        )
        # SQLite: the write-ahead log is copied back by a thread, not by a request's commit.
        checkpoints = WalCheckpoints.start_for(engine)
        urls = Urls(settings.base_url)
        sessions = make_sessionmaker(engine)
        generations = Generations(settings.redis_url)
        configure_published_cache(
            sessions,
            ttl=settings.published_cache_ttl,
            invalidation=SharedInvalidation(generations) if generations.shared else None,
        )
        keyring = Keyring(settings.key_passphrase.get_secret_value(), urls)
        config = fetch_config(settings)
        # The service answers its own URLs (DID documents, keys, status lists) from the
        # database, without a network round trip.
        local = LocalDocuments(sessions, keyring, urls)
        jobs = open_jobs(settings, sessions, keyring, urls)
        with SafeFetcher.create(config, local=local) as fetcher:
            app.state.resources = Resources(
                settings=settings,
                sessions=sessions,
                keyring=keyring,
                urls=urls,
                fetcher=fetcher,
                jobs=jobs,
                generations=generations,
            )
            app.state.verify_slots = FairSlots(
                settings.verify_slots,
                per_client=settings.verify_slots_per_client,
                fetch_seconds_per_minute=settings.verify_fetch_seconds_per_minute,
            )
            yield
        jobs.close()
        generations.close()
        if checkpoints is not None:
            checkpoints.close()
        engine.dispose()

    app = FastAPI(
        title="Shomei",
        version="0.1.0",
        description=(
            "Open Badges 2.0 and 3.0 issuance and verification. Every response carries an "
            "`X-Request-ID` header (the caller's, when it sends a plain one of up to 128 "
            "characters); errors are RFC 9457 problem documents whose `type` is "
            "`{base URL}/problems/{code}`."
        ),
        lifespan=lifespan,
        docs_url=None,  # served offline by app.docs
        redoc_url=None,
    )
    install_error_handlers(app)
    install_docs(app)
    install_middleware(app, settings, error_page=_error_page)
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
    # Added last, so outermost of the app's middleware (Starlette wraps in reverse order):
    # every line logged and every problem document of a request names its request id.
    app.add_middleware(AccessMiddleware, base_url=settings.base_url)
    return app
