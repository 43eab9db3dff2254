"""Helpers of the Open Badges API tests: an OAuth 2.0 client's side of the flow, and the
spec's published JSON schemas (https://www.imsglobal.org/spec/ob/v3p0/#json-schema)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from pydantic import SecretStr

from app.settings import Settings
from tests.app.conftest import TEST_PASSPHRASE

SCHEMAS = Path(__file__).parent / "schemas" / "ob_v3p0"
READ = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly"
UPSERT = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert"
PROFILE_READ = "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.readonly"
PROFILE_UPDATE = "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.update"
ALL = f"{READ} {UPSERT} {PROFILE_READ} {PROFILE_UPDATE} offline_access"


def ob_api_settings(database_url: str, **overrides: Any) -> Settings:
    """Settings of an app for the OAuth 2.0 flow: HTTPS, or HTTP on a loopback host, as
    here (RFC 8252 §7.3, https://www.rfc-editor.org/rfc/rfc8252#section-7.3)."""
    return Settings(
        _env_file=None,
        database_url=database_url,
        base_url="http://localhost",
        key_passphrase=SecretStr(TEST_PASSPHRASE),
        did_web_http_hosts="localhost",
        mail_paused=True,
        **overrides,
    )


@cache
def validator(name: str) -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMAS / f"{name}.json").read_text())
    return jsonschema.Draft201909Validator(schema)


def assert_valid(name: str, document: Any) -> None:
    """``document`` validates against the spec's schema ``name``."""
    errors = [e.message for e in validator(name).iter_errors(document)]
    assert errors == [], errors[:3]


def registration(host: str = "127.0.0.1", port: int = 9, **overrides: Any) -> dict[str, Any]:
    """A registration request with every field the spec requires."""
    site = f"http://{host}:{port}"
    return {
        "client_name": "人事システム HR Suite",
        "client_uri": f"{site}/",
        "logo_uri": f"{site}/logo.png",
        "tos_uri": f"{site}/terms",
        "policy_uri": f"{site}/privacy",
        "software_id": "c88b6ed8-269e-448e-99be-7e2ff47167d1",
        "software_version": "v4.0.30319",
        "redirect_uris": [f"{site}/callback"],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": ALL,
    } | overrides


def pkce() -> tuple[str, str]:
    """A code verifier and its S256 challenge (RFC 7636 §4.2)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
