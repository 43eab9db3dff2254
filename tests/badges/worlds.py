"""Small worlds of documents a verifier fetches: an OB 3.0 issuer on did:web and an OB 2.0 issuer.

Each builder returns the badge and a :class:`DictFetcher` serving everything it names, so a test
can change one fetched document and see what the verifier makes of it.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from badges import DictFetcher, data_integrity, status_list, vc_jwt
from badges.ob2.issuing import (
    badge_class,
    cryptographic_key,
    hosted_assertion,
    issuer_profile,
    revocation_list,
    signed_assertion,
)
from keys import KeySigner, PublishedKey, did_document, generate_key
from tests.support import FIXED_NOW

DID = "did:web:badges.example.jp:issuers:exam"
DID_URL = "https://badges.example.jp/issuers/exam/did.json"
LIST_URL = "https://badges.example.jp/status/exam/revocation/1"
INDEX = 94567
ED_KEY = generate_key("Ed25519")
EC_KEY = generate_key("P-256")
RSA_KEY = generate_key("RSA-2048")
ED_SIGNER = KeySigner(ED_KEY, f"{DID}#key-1")
EC_SIGNER = KeySigner(EC_KEY, f"{DID}#key-2")
CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
ISSUER_NAME = "試験センター"


def did_doc() -> dict[str, Any]:
    return did_document(
        DID,
        [PublishedKey(ED_KEY.public_key(), "key-1"), PublishedKey(EC_KEY.public_key(), "key-2")],
    )


def unsigned_list(
    set_bits: tuple[int, ...] = (), *, url: str = LIST_URL, issuer: str = DID
) -> dict[str, Any]:
    bits = status_list.new_bitstring()
    for index in set_bits:
        status_list.set_bit(bits, index, 1)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": status_list.status_list_credential_subject(
            subject_id=f"{url}#list", purpose="revocation", bits=bits
        ),
    }


def signed_list(set_bits: tuple[int, ...] = (), **kwargs: Any) -> dict[str, Any]:
    return data_integrity.sign(unsigned_list(set_bits, **kwargs), ED_SIGNER, created=FIXED_NOW)


def unsigned_credential(**overrides: Any) -> dict[str, Any]:
    credential: dict[str, Any] = {
        "@context": CONTEXT,
        "id": "urn:uuid:6a4f8a0c-2f63-4a43-8d0e-51a2b2bfb9a1",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": DID, "type": ["Profile"], "name": ISSUER_NAME},
        "validFrom": "2026-06-01T00:00:00Z",
        "name": "生成AI活用検定",
        "credentialSubject": {
            "id": "did:example:passer",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://badges.example.jp/achievements/1",
                "type": ["Achievement"],
                "name": "生成AI活用検定",
                "description": "Generative AI literacy",
                "criteria": {"narrative": "合格"},
            },
        },
        "credentialStatus": {
            "id": f"{LIST_URL}#{INDEX}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(INDEX),
            "statusListCredential": LIST_URL,
        },
    }
    credential.update(overrides)
    return credential


def ob3_world(
    *, jwt: bool = False, listing: dict[str, Any] | str | None = None
) -> tuple[dict[str, Any] | str, DictFetcher]:
    """A credential of the did:web issuer (Data Integrity, or ES256 VC-JWT) and its documents."""
    if jwt:
        badge: dict[str, Any] | str = vc_jwt.sign(unsigned_credential(), EC_SIGNER)
    else:
        badge = data_integrity.sign(unsigned_credential(), ED_SIGNER, created=FIXED_NOW)
    fetcher = DictFetcher({DID_URL: did_doc(), LIST_URL: listing or signed_list()})
    return badge, fetcher


OB2_ISSUER = "https://issuer.example/profile"
OB2_KEY = "https://issuer.example/keys/1"
OB2_BADGE = "https://issuer.example/badges/robotics"
OB2_LIST = "https://issuer.example/revocations"
OB2_HOSTED = "https://issuer.example/assertions/1"
LEARNER = "learner@example.org"


def ob2_documents() -> dict[str, Any]:
    return {
        OB2_ISSUER: issuer_profile(
            issuer_id=OB2_ISSUER,
            name="Example Institute",
            url="https://issuer.example",
            email="badges@issuer.example",
            public_keys=[OB2_KEY],
            revocation_list=OB2_LIST,
        ),
        OB2_KEY: cryptographic_key(OB2_KEY, OB2_ISSUER, RSA_KEY.public_key().pem()),
        OB2_BADGE: badge_class(
            badge_id=OB2_BADGE,
            issuer_id=OB2_ISSUER,
            name="Robotics",
            description="Built a robot.",
            image="https://issuer.example/badges/robotics.png",
            criteria_narrative="Build a robot that moves.",
        ),
        OB2_LIST: revocation_list(OB2_LIST, OB2_ISSUER, ()),
    }


def ob2_hosted(**overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "assertion_id": OB2_HOSTED,
        "badge_id": OB2_BADGE,
        "recipient_email": LEARNER,
        "issued_on": datetime(2026, 6, 1, 9, 0, tzinfo=UTC),
        "expires": None,
    }
    arguments.update(overrides)
    return hosted_assertion(**arguments)


def ob2_world(*, signed: bool = False) -> tuple[dict[str, Any] | str, DictFetcher]:
    """An OB 2.0 hosted assertion (given as its URL) or a signed one, and its documents."""
    documents = ob2_documents()
    if signed:
        unsigned = ob2_hosted(assertion_id="urn:uuid:0f1e6c52-8f8d-4a4e-9b55-3a0d3b2f6e11")
        token = signed_assertion(unsigned, KeySigner(RSA_KEY, OB2_KEY), creator=OB2_KEY)
        return token, DictFetcher(documents)
    documents[OB2_HOSTED] = ob2_hosted()
    return OB2_HOSTED, DictFetcher(documents)


def copy_of(document: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(document)
