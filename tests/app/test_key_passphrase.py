"""The key passphrase: proven before a key is written, checked at start, keys re-wrapped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr, ValidationError
from sqlalchemy import select

from app import keyring as keyring_module
from app.cli import main
from app.issuers.models import IssuerKey
from app.main import create_app
from app.serving import StartupError, check_startup
from app.settings import Settings
from keys import WRAPPED_KEY_FORMAT, KeyWrapper, export_plaintext_private_key
from tests.app.test_credentials import issue, make_achievement
from tests.keys.support import legacy_pem

WRONG = "a wrong passphrase, long enough"
ENV = ("SHOMEI_DATABASE_URL", "SHOMEI_KEY_PASSPHRASE", "SHOMEI_DEVELOPMENT", "SHOMEI_BASE_URL")


def _stored(app: FastAPI) -> list[IssuerKey]:
    with app.state.resources.sessions() as session:
        return list(session.scalars(select(IssuerKey).order_by(IssuerKey.created_at)))


@pytest.fixture
def wrong_app(settings: Settings) -> Iterator[TestClient]:
    wrong = settings.model_copy(update={"key_passphrase": SecretStr(WRONG)})
    with TestClient(create_app(wrong)) as client:
        yield client


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, settings: Settings, tmp_path: Path) -> None:
    """The CLI reads its settings from the environment, as an operator's shell gives them."""
    monkeypatch.chdir(tmp_path)
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SHOMEI_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SHOMEI_KEY_PASSPHRASE", settings.key_passphrase.get_secret_value())


def test_new_keys_are_wrapped_in_the_current_envelope(
    client: TestClient, app: FastAPI, make_issuer: Any
) -> None:
    make_issuer("ai-exam")
    for row in _stored(app):
        envelope = json.loads(row.encrypted_private_key)
        assert envelope["format"] == WRAPPED_KEY_FORMAT
        assert envelope["kdf"] == "scrypt" and envelope["cipher"] == "A256GCM"
    assert keyring_module.WRAP_COST.ln == 10  # the tests' quick factor; production's is 17


def test_no_key_is_written_under_a_passphrase_that_does_not_open_the_stored_ones(
    client: TestClient, app: FastAPI, make_issuer: Any, wrong_app: TestClient
) -> None:
    _, staff = make_issuer("ai-exam")
    before = {row.id for row in _stored(app)}
    admin = {"Authorization": staff["Authorization"]}
    # The issuer's own key may rotate, and an administrator may create an issuer: neither
    # may store a key the right passphrase would not open after a restart.
    rotated = wrong_app.post(
        "/api/v1/issuers/ai-exam/keys/rotate", json={"algorithm": "EdDSA"}, headers=admin
    )
    assert rotated.status_code == 503
    assert rotated.headers["content-type"] == "application/problem+json"
    assert "passphrase" in rotated.json()["detail"]
    assert {row.id for row in _stored(app)} == before
    assert all(row.retired_at is None for row in _stored(app))


def test_issuing_with_the_right_passphrase_still_works_after_a_refused_write(
    client: TestClient, app: FastAPI, make_issuer: Any, wrong_app: TestClient
) -> None:
    issuer, staff = make_issuer("ai-exam")
    achievement = make_achievement(app, issuer["id"])
    body = {
        "achievement_id": achievement,
        "recipient": {"email": "taro@example.jp"},
        "format": "ob2",  # needs an RSA key, made on first use
    }
    refused = wrong_app.post("/api/v1/credentials", json=body, headers=staff)
    assert refused.status_code == 503
    assert issue(client, staff, achievement, format="ob2")["format"] == "ob2"


def test_start_is_refused_when_the_passphrase_opens_no_stored_key(
    client: TestClient, make_issuer: Any, settings: Settings
) -> None:
    make_issuer("ai-exam")
    check_startup(settings)
    with pytest.raises(StartupError, match=r"does not open the 2 stored issuer keys"):
        check_startup(settings.model_copy(update={"key_passphrase": SecretStr(WRONG)}))


def test_start_is_refused_when_some_keys_were_written_under_another_passphrase(
    client: TestClient, app: FastAPI, make_issuer: Any, settings: Settings
) -> None:
    make_issuer("ai-exam")
    with app.state.resources.sessions() as session:
        row = session.scalars(select(IssuerKey)).first()
        assert row is not None
        other = KeyWrapper(WRONG, cost=keyring_module.WRAP_COST)
        private = app.state.resources.keyring.signer(row.issuer, row)._key
        row.encrypted_private_key = other.wrap(private)
        session.commit()
    with pytest.raises(StartupError, match=r"opens 1 of 2 stored issuer keys but not issuer"):
        check_startup(settings)


def test_serve_refuses_a_wrong_passphrase_in_one_line(
    client: TestClient,
    make_issuer: Any,
    environment: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_issuer("ai-exam")
    monkeypatch.setenv("SHOMEI_KEY_PASSPHRASE", WRONG)
    monkeypatch.setattr("app.serving.run", _must_not_run)
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "does not open the 2 stored issuer keys" in err


def _must_not_run(**_: Any) -> None:
    raise AssertionError("the server must not start")


def test_the_development_passphrase_is_refused_outside_development(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "dev-passphrase").write_text("generated-development-passphrase\n")
    production = settings.model_copy(
        update={"key_passphrase": SecretStr("generated-development-passphrase")}
    )
    with pytest.raises(StartupError, match="development passphrase"):
        check_startup(production)
    check_startup(production.model_copy(update={"development": True}))


@pytest.mark.parametrize(
    "passphrase",
    [" changeme ", "CHANGE_ME", "Change-Me-Now", "your passphrase here", "x" * 30, "short"],
)
def test_placeholders_and_short_passphrases_are_refused(passphrase: str) -> None:
    with pytest.raises(ValidationError, match="SHOMEI_KEY_PASSPHRASE"):
        Settings(_env_file=None, key_passphrase=SecretStr(passphrase))


def test_a_development_run_refuses_a_short_passphrase_too() -> None:
    with pytest.raises(ValidationError, match="at least 12 characters"):
        Settings(_env_file=None, development=True, key_passphrase=SecretStr("changeme"))
    assert Settings(_env_file=None, development=True).development  # the demo makes one


def test_serve_demo_keeps_an_explicit_development_false(
    environment: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SHOMEI_KEY_PASSPHRASE")
    monkeypatch.setenv("SHOMEI_DEVELOPMENT", "false")
    monkeypatch.setattr("app.serving.run", _must_not_run)
    assert main(["serve", "--demo"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "SHOMEI_KEY_PASSPHRASE must be set" in err


def test_rewrap_moves_old_keys_to_the_current_envelope_and_they_still_sign(
    client: TestClient,
    app: FastAPI,
    make_issuer: Any,
    environment: None,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    issuer, staff = make_issuer("ai-exam")
    passphrase = settings.key_passphrase.get_secret_value()
    with app.state.resources.sessions() as session:
        for row in session.scalars(select(IssuerKey)):
            private = app.state.resources.keyring.signer(row.issuer, row)._key
            row.encrypted_private_key = legacy_pem(private, passphrase).decode()
        session.commit()
    check_startup(settings)  # the old format still opens
    assert main(["keys", "rewrap"]) == 0
    assert "re-wrapped 2 issuer keys; 0 were already current" in capsys.readouterr().err
    assert all(r.encrypted_private_key.startswith("{") for r in _stored(app))
    assert main(["keys", "rewrap"]) == 0
    assert "re-wrapped 0 issuer keys; 2 were already current" in capsys.readouterr().err
    with TestClient(create_app(settings)) as fresh:  # a restart: nothing cached
        achievement = make_achievement(app, issuer["id"])
        assert issue(fresh, staff, achievement)["format"] == "ob3"


def test_rewrap_changes_the_passphrase(
    client: TestClient,
    app: FastAPI,
    make_issuer: Any,
    environment: None,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_issuer("ai-exam")
    previous = tmp_path / "previous"
    previous.write_text(settings.key_passphrase.get_secret_value() + "\n")
    monkeypatch.setenv("SHOMEI_KEY_PASSPHRASE", WRONG)
    assert main(["keys", "rewrap", "--previous-passphrase-file", str(previous)]) == 0
    with pytest.raises(StartupError):
        check_startup(settings)
    check_startup(settings.model_copy(update={"key_passphrase": SecretStr(WRONG)}))
    # A key that opens with neither passphrase stops the run before anything is written.
    previous.write_text("neither of the two passphrases\n")
    monkeypatch.setenv("SHOMEI_KEY_PASSPHRASE", "yet another passphrase here")
    assert main(["keys", "rewrap", "--previous-passphrase-file", str(previous)]) == 2
    assert "opens with neither passphrase" in capsys.readouterr().err


def test_plaintext_keys_in_the_database_are_refused(
    client: TestClient, app: FastAPI, make_issuer: Any, settings: Settings
) -> None:
    make_issuer("ai-exam")
    with app.state.resources.sessions() as session:
        row = session.scalars(select(IssuerKey)).first()
        assert row is not None
        private = app.state.resources.keyring.signer(row.issuer, row)._key
        plain = export_plaintext_private_key(private, allow_plaintext=True)
        row.encrypted_private_key = plain.decode()
        session.commit()
    with pytest.raises(StartupError, match="opens 1 of 2"):
        check_startup(settings)


def test_serve_without_a_passphrase_in_development_says_so_in_one_line(
    environment: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SHOMEI_KEY_PASSPHRASE")
    monkeypatch.setenv("SHOMEI_DEVELOPMENT", "true")
    monkeypatch.setattr("app.serving.run", _must_not_run)
    assert main(["serve"]) == 2
    assert main(["keys", "rewrap"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "Traceback" not in err
    assert "SHOMEI_KEY_PASSPHRASE is not set" in err
    assert "at least 12 characters" in err
