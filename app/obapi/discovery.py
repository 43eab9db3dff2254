"""The Service Description Document (https://www.imsglobal.org/spec/ob/v3p0/#getservicedescription):
the spec's own OpenAPI file (https://purl.imsglobal.org/spec/ob/v3p0/schema/openapi/ob_v3p0_oas.json,
shipped beside this module), profiled with this service's name, URLs and OAuth endpoints."""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources as package_files
from typing import Any

from app.obapi import scopes


@cache
def _official() -> dict[str, Any]:
    text = package_files.files("app.obapi").joinpath("schemas", "openapi.json").read_text()
    document: dict[str, Any] = json.loads(text)
    return document


@cache
def document(base_url: str, terms_url: str, privacy_url: str) -> bytes:
    """The document served at ``/ims/ob/v3p0/discovery`` for a service at ``base_url``."""
    sdd = copy.deepcopy(_official())
    sdd["info"].update(
        {
            "title": "Shomei",
            "description": "Open Badges 3.0 API of Shomei: a passer's badges, with their consent.",
            "termsOfService": terms_url,
            "x-imssf-privacyPolicyUrl": privacy_url,
        }
    )
    sdd["servers"] = [{"url": f"{base_url}/ims/ob/v3p0", "description": "Shomei"}]
    sdd["components"]["securitySchemes"] = {
        "OAuth2ACG": {
            "type": "oauth2",
            "description": "OAuth 2.0 Authorization Code Grant authorization, with PKCE (S256)",
            "x-imssf-name": "Shomei",
            "x-imssf-registrationUrl": f"{base_url}/oauth/register",
            "x-imssf-privacyPolicyUrl": privacy_url,
            "x-imssf-termsOfServiceUrl": terms_url,
            "flows": {
                "authorizationCode": {
                    "authorizationUrl": f"{base_url}/oauth/authorize",
                    "tokenUrl": f"{base_url}/oauth/token",
                    "refreshUrl": f"{base_url}/oauth/token",
                    "scopes": dict(scopes.DESCRIPTIONS),
                }
            },
        }
    }
    return json.dumps(sdd, ensure_ascii=False).encode()
