"""The Credential Issuer metadata and the authorization server metadata.

One document serves 1.0 and draft-13 wallets: members one version does not define are ignored
by the other. The 1.0 places (``credential_metadata``, ``nonce_endpoint``) come with the
draft-13 ones (``display`` inside the configuration, ``token_endpoint`` for draft-11 readers).
The Credential Issuer Identifier is the service's base URL, without a path, so the 1.0 rule
(well-known inserted after the host, §12.2.2) and draft 13's (appended) name the same URL.
"""

from __future__ import annotations

from typing import Any, Final

from app.urls import Urls
from badges import ob3
from badges.key_proof import PROOF_ALGORITHMS

__all__ = [
    "CONFIGURATION_ID",
    "PRE_AUTHORIZED_GRANT",
    "authorization_server_metadata",
    "issuer_metadata",
]

CONFIGURATION_ID: Final = "OpenBadgeCredential_ldp_vc"
PRE_AUTHORIZED_GRANT: Final = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
_DISPLAY: Final = [
    {"name": "Open Badge (オープンバッジ)", "locale": "ja"},
    {"name": "Open Badge", "locale": "en"},
]


def endpoint(urls: Urls, name: str) -> str:
    return f"{urls.base}/oid4vci/{name}"


def issuer_metadata(urls: Urls) -> dict[str, Any]:
    """https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html#section-12.2.4"""
    configuration = {
        "format": "ldp_vc",
        "scope": CONFIGURATION_ID,
        "credential_definition": {
            "@context": list(ob3.CREDENTIAL_CONTEXT),
            "type": list(ob3.CREDENTIAL_TYPE),
        },
        # Appendix A.1.3.2: Linked Data suites by their registry names.
        "credential_signing_alg_values_supported": ["eddsa-rdfc-2022"],
        "cryptographic_binding_methods_supported": ["did:key", "did:jwk"],
        "proof_types_supported": {
            "jwt": {"proof_signing_alg_values_supported": list(PROOF_ALGORITHMS)}
        },
        "display": _DISPLAY,  # draft 13's place
        "credential_metadata": {"display": _DISPLAY},  # 1.0's place
    }
    return {
        "credential_issuer": urls.base,
        "credential_endpoint": endpoint(urls, "credential"),
        "nonce_endpoint": endpoint(urls, "nonce"),
        "token_endpoint": endpoint(urls, "token"),
        "display": [{"name": "Shomei 証明", "locale": "ja"}, {"name": "Shomei", "locale": "en"}],
        "credential_configurations_supported": {CONFIGURATION_ID: configuration},
    }


def authorization_server_metadata(urls: Urls) -> dict[str, Any]:
    """RFC 8414 §2, with OpenID4VCI 1.0 §12.3's pre-authorized anonymous access."""
    return {
        "issuer": urls.base,
        "token_endpoint": endpoint(urls, "token"),
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "token_endpoint_auth_methods_supported": ["none"],
        "pre-authorized_grant_anonymous_access_supported": True,
    }
