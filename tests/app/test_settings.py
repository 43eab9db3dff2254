"""Settings: typed fields, the README table, one-line failures, and `shomei verify` using them."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from app.cli import main
from app.main import create_app
from app.migrate import upgrade
from app.settings import Settings, SettingsError, load_settings
from badges import resolution
from tests.app.test_credentials import make_achievement
from tests.browser.support import LiveServer, admin_headers, serve

README = Path(__file__).resolve().parents[2] / "README.md"


def test_comma_lists_from_the_environment_become_typed_fields(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SHOMEI_FETCH_ALLOW", "10.0.0.0/8, intranet.example:8443")
    monkeypatch.setenv("SHOMEI_DID_WEB_HTTP_HOSTS", "LocalHost, testserver:8000")
    settings = Settings(_env_file=None, development=True)
    assert settings.fetch_allow == ("10.0.0.0/8", "intranet.example:8443")
    assert settings.did_web_http_hosts == ("localhost", "testserver:8000")
    monkeypatch.setenv("SHOMEI_FETCH_ALLOW", "not a host!")
    with pytest.raises(SettingsError, match="SHOMEI_FETCH_ALLOW"):
        load_settings(_env_file=None, development=True)


def test_every_setting_has_a_line_in_the_readme_table() -> None:
    table = set(re.findall(r"^\| `(SHOMEI_[A-Z0-9_]+)` \|", README.read_text(), re.MULTILINE))
    fields = {f"SHOMEI_{name.upper()}" for name in Settings.model_fields}
    assert sorted(fields - table) == []
    assert sorted(table - fields) == []


def test_limits_are_settings_the_service_uses(settings: Settings) -> None:
    tuned = settings.model_copy(
        update={"verify_slots": 3, "document_cache_entries": 7, "fetch_timeout_s": 1.5}
    )
    app = create_app(tuned)
    with TestClient(app):
        resources = app.state.resources
        assert app.state.verify_slots.slots == 3
        assert resources.issued_documents.maxsize == 7
        assert resources.fetcher._config.timeout == 1.5


def test_a_missing_passphrase_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHOMEI_KEY_PASSPHRASE", raising=False)
    monkeypatch.delenv("SHOMEI_DEVELOPMENT", raising=False)
    with pytest.raises(SettingsError) as raised:
        load_settings(_env_file=None)
    assert "\n" not in str(raised.value)
    assert str(raised.value).startswith("SHOMEI_KEY_PASSPHRASE must be set")
    monkeypatch.setenv("SHOMEI_BASE_URL", "ftp://nope")
    assert main(["migrate"]) == 2
    error = capsys.readouterr().err
    assert error == "shomei: SHOMEI_BASE_URL must be an http(s) URL\n"


def test_a_bare_host_covers_every_port_of_it() -> None:
    config = resolution.ResolverConfig(did_web_http_hosts=frozenset({"localhost"}))
    url = resolution.did_web_url("did:web:localhost%3A8443:issuers:a", config)
    assert url == "http://localhost:8443/issuers/a/did.json"
    pinned = resolution.ResolverConfig(did_web_http_hosts=frozenset({"localhost:9000"}))
    other_port = resolution.did_web_url("did:web:localhost%3A8443", pinned)
    assert other_port.startswith("https://")
    assert resolution.did_web_url("did:web:localhost%3A9000", pinned).startswith("http://")


@pytest.fixture
def live_service(tmp_path: Path) -> Iterator[LiveServer]:
    database_url = f"sqlite:///{tmp_path / 'cli.db'}"  # its own, whatever the suite runs on
    upgrade(database_url)

    def make_app(base_url: str) -> FastAPI:
        return create_app(
            Settings(
                _env_file=None,
                database_url=database_url,
                base_url=base_url,
                key_passphrase=SecretStr("cli tests, not a secret"),
                fetch_allow="127.0.0.1",
                did_web_http_hosts="127.0.0.1",
            )
        )

    with serve(make_app) as server:
        yield server


def test_shomei_verify_reads_the_settings_and_verifies_a_jwt_url(
    live_service: LiveServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import httpx

    base = live_service.url
    headers = admin_headers(live_service.app)
    with httpx.Client(base_url=base, headers=headers) as api:
        issuer = api.post(
            "/api/v1/issuers",
            json={"slug": "cli", "name": "CLI", "url": "https://x.example/", "email": "a@x.jp"},
        ).json()
        achievement_id = make_achievement(live_service.app, issuer["id"])
        issued = api.post(
            "/api/v1/credentials",
            json={
                "achievement_id": achievement_id,
                "recipient": {"email": "hanako@example.jp"},
                "format": "ob3-jwt",
            },
        )
        assert issued.status_code == 201, issued.text
    jwt_url = issued.json()["jwt_url"]
    assert jwt_url == f"{base}/credentials/{uuid.UUID(issued.json()['id'])}.jwt"
    monkeypatch.delenv("SHOMEI_KEY_PASSPHRASE", raising=False)
    # What the API is told, the command line reads: the loopback address may be fetched,
    # and the issuer's did:web on 127.0.0.1 (any port) is read over plain HTTP.
    monkeypatch.setenv("SHOMEI_FETCH_ALLOW", "127.0.0.1")
    monkeypatch.setenv("SHOMEI_DID_WEB_HTTP_HOSTS", "127.0.0.1")
    code = main(["verify", jwt_url, "--email", "hanako@example.jp"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report
    assert report["format"] == "ob3-jwt"
    monkeypatch.delenv("SHOMEI_FETCH_ALLOW")
    assert main(["verify", jwt_url]) == 1  # a loopback address is refused by default
