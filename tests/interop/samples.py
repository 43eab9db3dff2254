"""Credentials our library issues, for the oracles to judge: Japanese text, did:key, did:web.

The did:web issuer ``did:web:badges.example.jp:issuers:exam`` publishes one Ed25519 key
(``#key-1``) and a revocation list with index ``REVOKED_INDEX`` set; ``web_world`` is the
URL -> document map a verifier needs for it.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from badges import JSONObject, data_integrity, status_list
from badges.ob3.builder import build_credential
from badges.ob3.models import Achievement, Evidence, Profile, Result
from keys import (
    KeySigner,
    PrivateKey,
    PublishedKey,
    did_document,
    did_key,
    did_web,
    did_web_url,
    generate_key,
)
from tests.support import FIXED_NOW

HOST = "badges.example.jp"
WEB_DID = did_web(HOST, None, ["issuers", "exam"])
LIST_URL = f"https://{HOST}/status/exam/revocation"
LIVE_INDEX, REVOKED_INDEX = 41, 42
ED_KEY = generate_key("Ed25519")
WEB_KEY = generate_key("Ed25519")
WEB_SIGNER = KeySigner(WEB_KEY, f"{WEB_DID}#key-1")
RESULT_ID = "urn:uuid:9e0f4b6a-2d1c-4e8b-a7f5-3c6d8e1b2a90"


def achievement(**extra: Any) -> Achievement:
    """The achievement, with extra wire-format properties (``creditsAvailable=2.5``)."""
    return Achievement.from_wire(
        {
            "id": f"https://{HOST}/achievements/genai-engineer",
            "type": ["Achievement"],
            "name": "生成AI活用検定 エンジニア",
            "description": "生成AIを業務で安全に活用できることを証明します。",
            "criteria": {"narrative": "筆記試験と実技試験の両方に合格すること。"},
            "image": {"id": f"https://{HOST}/images/genai.png", "type": "Image"},
            **extra,
        }
    )


def issuer(did: str) -> Profile:
    return Profile.from_wire(
        {"id": did, "type": ["Profile"], "name": "日本資格試験センター", "url": f"https://{HOST}/"}
    )


def status_entry(index: int, list_url: str = LIST_URL) -> JSONObject:
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def did_key_signer(key: PrivateKey) -> KeySigner:
    did = did_key(key.public_key())
    return KeySigner(key, f"{did}#{did.removeprefix('did:key:')}")


def signed(signer: KeySigner, **overrides: Any) -> JSONObject:
    """An OpenBadgeCredential from the signer's DID, built and signed by our library."""
    options: dict[str, Any] = {
        "credential_id": "urn:uuid:3c1d5e2a-7f4b-4a9c-8e6d-0b2f1a4c9d37",
        "issuer": issuer(signer.key_id.partition("#")[0]),
        "achievement": achievement(),
        "recipient_email": "合格者.山田@example.jp",
        "valid_from": FIXED_NOW - timedelta(days=1),
        **overrides,
    }
    return data_integrity.sign(build_credential(**options), signer, created=FIXED_NOW)


def rich(signer: KeySigner = WEB_SIGNER) -> JSONObject:
    """A credential using much of the data model: results, evidence, alignment, lists."""
    return signed(
        signer,
        achievement=achievement(
            creditsAvailable=2.5,
            tag=["生成AI", "セキュリティ"],
            alignment=[
                {
                    "type": ["Alignment"],
                    "targetName": "ITスキル標準 レベル3",
                    "targetUrl": "https://www.ipa.go.jp/jinzai/itss/",
                }
            ],
            resultDescription=[
                {
                    "id": RESULT_ID,
                    "type": ["ResultDescription"],
                    "name": "評価",
                    "resultType": "LetterGrade",
                    "allowedValue": ["C", "B", "A", "S"],  # a @list: order is signed
                }
            ],
        ),
        recipient_id="did:example:learner:7f3a",
        valid_until=FIXED_NOW + timedelta(days=3 * 365),
        awarded_date=FIXED_NOW - timedelta(days=2),
        results=[
            Result.from_wire({"type": ["Result"], "resultDescription": RESULT_ID, "value": "A"})
        ],
        evidence=[
            Evidence.from_wire(
                {
                    "type": ["Evidence"],
                    "id": f"https://{HOST}/evidence/7f3a",
                    "narrative": '実技課題: "安全なプロンプト設計" \\ 改行\nあり\tタブ',
                }
            )
        ],
        credential_status=status_entry(LIVE_INDEX),
    )


def status_list_credential(
    signer: KeySigner, list_url: str = LIST_URL, set_bits: tuple[int, ...] = (REVOKED_INDEX,)
) -> JSONObject:
    bits = status_list.new_bitstring()
    for index in set_bits:
        status_list.set_bit(bits, index, 1)
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": signer.key_id.partition("#")[0],
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": status_list.status_list_credential_subject(
            subject_id=f"{list_url}#list", purpose="revocation", bits=bits
        ),
    }
    return data_integrity.sign(unsigned, signer, created=FIXED_NOW)


def web_world() -> dict[str, JSONObject]:
    """What a verifier fetches for the did:web issuer: its DID document and its status list."""
    document = did_document(WEB_DID, [PublishedKey(WEB_KEY.public_key(), "key-1")])
    return {did_web_url(WEB_DID): document, LIST_URL: status_list_credential(WEB_SIGNER)}


def tampered(credential: JSONObject) -> JSONObject:
    """A copy with the achievement renamed, proof kept."""
    changed: JSONObject = json.loads(json.dumps(credential))
    changed["credentialSubject"]["achievement"]["name"] = "生成AI活用検定 エキスパート"
    return changed


def jwt_credential(**overrides: Any) -> JSONObject:
    """An unsigned credential from an https issuer, for VC-JWT."""
    options: dict[str, Any] = {
        "credential_id": "urn:uuid:58a2e7c4-1b9d-4f36-8c0e-7d4a2b9f1e63",
        "issuer": issuer(f"https://{HOST}/issuers/exam"),
        "achievement": achievement(),
        "recipient_id": "did:example:learner:7f3a",
        "valid_from": FIXED_NOW - timedelta(days=1),
        "valid_until": FIXED_NOW + timedelta(days=365),
        **overrides,
    }
    return build_credential(**options)
