"""SigningTemplate: quads of credentials of one shape without expanding each, same signatures."""

from __future__ import annotations

import copy
import secrets
import uuid
from datetime import timedelta
from typing import Any

import pytest

from badges import _jsonld, _rdfc
from badges import data_integrity as di
from badges.data_integrity import SigningTemplate
from badges.identity import hash_identity, new_salt
from keys import KeySigner, generate_key
from tests.support import FIXED_NOW

SIGNER = KeySigner(generate_key("Ed25519"), "did:web:badges.example.jp#key-1")
LISTS = "https://badges.example.jp/status/ai/revocation"
PATHS = (
    ("id",),
    ("validFrom",),
    ("credentialSubject", "identifier", 0, "identityHash"),
    ("credentialSubject", "identifier", 0, "salt"),
    ("credentialStatus", "id"),
    ("credentialStatus", "statusListIndex"),
    ("credentialStatus", "statusListCredential"),
)


def _credential(index: int | None = None, number: int = 1, days: int = 0) -> dict[str, Any]:
    """An OpenBadgeCredential of one achievement for a fresh recipient and position."""
    salt = new_salt()
    position = secrets.randbelow(131072) if index is None else index
    valid_from = (FIXED_NOW + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": f"https://badges.example.jp/credentials/{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "生成AI活用検定 ジェネラリスト",
        "issuer": {"id": "did:web:badges.example.jp", "type": ["Profile"], "name": "協会"},
        "validFrom": valid_from,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": hash_identity(f"{uuid.uuid4().hex}@example.com", salt),
                    "salt": salt,
                    "hashed": True,
                    "identityType": "emailAddress",
                }
            ],
            "achievement": {
                "id": "https://badges.example.jp/achievements/1",
                "type": ["Achievement"],
                "name": "生成AI活用検定 ジェネラリスト",
                "description": "Generative AI, used safely.",
                "criteria": {"narrative": "Pass the examination."},
                "image": {"id": "https://badges.example.jp/a.png", "type": "Image"},
            },
        },
        "credentialStatus": {
            "id": f"{LISTS}/{number}#{position}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(position),
            "statusListCredential": f"{LISTS}/{number}",
        },
    }


@pytest.fixture(scope="module")
def template() -> SigningTemplate:
    made = SigningTemplate.prepare(_credential(), _credential(number=2, days=1), PATHS)
    assert made is not None
    return made


@pytest.mark.parametrize("index", [0, 7, 65536, 131071])
def test_template_quads_canonicalize_as_the_full_expansion(
    template: SigningTemplate, index: int
) -> None:
    document = _credential(index=index, number=3, days=2)
    quads = template.quads(document)
    assert quads is not None
    assert _rdfc.canonicalize(quads) == _jsonld.canonize(document)


def test_a_template_signature_is_the_full_computations_signature(
    template: SigningTemplate,
) -> None:
    document = _credential(number=4, days=3)
    # Ed25519 signatures are deterministic: the same hashData gives the same proofValue.
    assert di.sign(document, SIGNER, created=FIXED_NOW, template=template) == di.sign(
        document, SIGNER, created=FIXED_NOW
    )


def test_a_document_differing_elsewhere_is_expanded_in_full(template: SigningTemplate) -> None:
    document = _credential()
    document["credentialSubject"]["achievement"]["name"] = "別の実績"
    assert template.quads(document) is None
    signed = di.sign(document, SIGNER, created=FIXED_NOW, template=template)
    assert signed == di.sign(document, SIGNER, created=FIXED_NOW)
    assert "別の実績" in str(signed)


def test_a_document_with_another_shape_is_expanded_in_full(template: SigningTemplate) -> None:
    document = _credential()
    document["validUntil"] = "2030-01-01T00:00:00Z"
    assert template.quads(document) is None
    missing = _credential()
    del missing["credentialStatus"]["statusListIndex"]
    assert template.quads(missing) is None


def test_a_value_of_another_type_is_expanded_in_full(template: SigningTemplate) -> None:
    document = _credential()
    document["validFrom"] = 20261130
    assert template.quads(document) is None


def test_no_template_when_the_probe_repeats_a_value() -> None:
    sample = _credential()
    probe = copy.deepcopy(sample)
    assert SigningTemplate.prepare(sample, probe, PATHS) is None


def test_no_template_when_a_varying_value_also_stands_where_nothing_varies() -> None:
    sample, probe = _credential(), _credential(number=2, days=1)
    # The sample's salt also appears in the achievement's description, which never varies:
    # a template would put every document's salt there, which the probe shows is wrong.
    salt = sample["credentialSubject"]["identifier"][0]["salt"]
    for document in (sample, probe):
        document["credentialSubject"]["achievement"]["description"] = f"code {salt}"
    assert SigningTemplate.prepare(sample, probe, PATHS) is None


def test_no_template_for_a_document_with_undefined_terms() -> None:
    sample, probe = _credential(), _credential(number=2, days=1)
    for document in (sample, probe):
        document["unknownTerm"] = "dropped by expansion"
    assert SigningTemplate.prepare(sample, probe, PATHS) is None
