"""Browser tests: the real service under uvicorn on loopback, driven by headless Chromium.

The browser is Debian's Chromium (``/usr/bin/chromium``); nothing is downloaded. Without it
the tests skip on a developer machine, and fail when ``CI`` is set, so CI cannot pass them
silently. The server gets a fresh SQLite database, and a fetcher that serves the tests'
documents and otherwise refuses everything without asking DNS: no test reaches the network.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from app.fetching import FetchConfig, FetchedDocument, SafeFetcher
from app.main import create_app
from app.migrate import upgrade
from app.settings import Settings
from tests.browser.support import LiveServer, serve

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives a real browser against a live server")


def _no_dns(host: str) -> list[str]:
    raise socket.gaierror(socket.EAI_NONAME, f"the browser tests resolve no names ({host})")


class WorldFetcher:
    """Documents the tests publish (``documents``), else a SafeFetcher that fetches nothing."""

    def __init__(self, fallback: SafeFetcher) -> None:
        self.documents: dict[str, dict[str, Any]] = {}
        self._fallback = fallback

    def get_json(self, url: str) -> dict[str, Any]:
        if url in self.documents:
            return self.documents[url]
        return self._fallback.get_json(url)

    def get(self, url: str, *, accept: str) -> FetchedDocument:
        return self._fallback.get(url, accept=accept)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'shomei.db'}"
    upgrade(database_url)

    def make_app(base_url: str) -> FastAPI:
        settings = Settings(
            _env_file=None,
            database_url=database_url,
            base_url=base_url,
            key_passphrase=SecretStr("browser tests, not a secret"),
            fetch_allow="",
            verify_rate_per_minute=10_000,
        )
        return create_app(settings)

    with serve(make_app) as server, SafeFetcher.create(FetchConfig(), resolver=_no_dns) as safe:
        server.app.state.resources.fetcher = WorldFetcher(safe)
        yield server


@pytest.fixture
def world(live_server: LiveServer) -> Iterator[WorldFetcher]:
    """The live server's fetcher; documents a test publishes are removed after it."""
    fetcher: WorldFetcher = live_server.app.state.resources.fetcher
    yield fetcher
    fetcher.documents.clear()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
