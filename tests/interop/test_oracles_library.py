"""What our library signs, independent implementations verify, and they agree on what fails.

Data Integrity credentials go to Digital Bazaar's ``vc`` stack (verify-di.mjs), VC-JWTs to
``jose`` (verify-jwt.mjs). Each case names the verdict that both the oracle and our own
verifier must reach, so a change on either side fails a test. The cases of a kind go to one
Node.js process.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from badges import DictFetcher, JSONObject, vc_jwt, verify
from keys import KeySigner, generate_key, jwk, jwks
from tests.interop import harness, samples
from tests.interop.samples import HOST, LIVE_INDEX, REVOKED_INDEX, WEB_DID, WEB_SIGNER
from tests.support import FIXED_NOW


@dataclass(frozen=True)
class Case:
    """A credential, what a verifier may load, and the verdict both verifiers must reach."""

    credential: JSONObject
    world: dict[str, JSONObject]
    verified: bool


def _di_cases() -> dict[str, Case]:
    by_key = samples.did_key_signer(samples.ED_KEY)
    world = samples.web_world()
    stranger = KeySigner(generate_key("Ed25519"), f"{WEB_DID}#key-2")
    rich = samples.rich()
    with_status = samples.signed(WEB_SIGNER, credential_status=samples.status_entry(LIVE_INDEX))
    revoked = samples.signed(WEB_SIGNER, credential_status=samples.status_entry(REVOKED_INDEX))
    early = samples.signed(by_key, valid_from=FIXED_NOW + timedelta(days=1))
    return {
        "did_key_japanese": Case(samples.signed(by_key), {}, True),
        "did_web_japanese_with_status": Case(with_status, world, True),
        "did_web_rich_content": Case(rich, world, True),
        "did_web_revoked": Case(revoked, world, False),
        "did_key_tampered": Case(samples.tampered(samples.signed(by_key)), {}, False),
        "did_web_tampered": Case(samples.tampered(rich), world, False),
        "did_web_key_not_in_did_document": Case(samples.signed(stranger), world, False),
        "did_web_without_its_did_document": Case(samples.signed(WEB_SIGNER), {}, False),
        "not_yet_valid": Case(early, {}, False),
    }


DI_CASES = _di_cases()


@pytest.fixture(scope="module")
def di_verdicts(oracle: None) -> dict[str, JSONObject]:
    requests = [harness.di_request(c.credential, c.world, now=FIXED_NOW) for c in DI_CASES.values()]
    return dict(zip(DI_CASES, harness.verify_di_many(requests), strict=True))


@pytest.mark.parametrize("name", list(DI_CASES))
def test_data_integrity_oracle_reaches_the_expected_verdict(
    name: str, di_verdicts: dict[str, JSONObject]
) -> None:
    verdict = di_verdicts[name]
    assert verdict["verified"] is DI_CASES[name].verified, verdict["errors"]


@pytest.mark.parametrize("name", list(DI_CASES))
def test_our_verifier_reaches_the_same_verdict(name: str) -> None:
    case = DI_CASES[name]
    report = verify(case.credential, fetcher=DictFetcher(case.world), now=FIXED_NOW)
    assert report.ok is case.verified, report.checks


def test_oracle_failures_name_the_reason(di_verdicts: dict[str, JSONObject]) -> None:
    def errors(name: str) -> str:
        return " | ".join(di_verdicts[name]["errors"])

    assert "Invalid signature." in errors("did_key_tampered")
    assert "Invalid signature." in errors("did_web_tampered")
    assert f"{WEB_DID}#key-2" in errors("did_web_key_not_in_did_document")
    assert "not among the given documents" in errors("did_web_without_its_did_document")
    assert "is before" in errors("not_yet_valid")


def test_oracle_reads_our_status_list(di_verdicts: dict[str, JSONObject]) -> None:
    def bits(name: str) -> list[tuple[str, bool]]:
        return [(s["statusListIndex"], s["set"]) for s in di_verdicts[name]["status"]]

    assert bits("did_web_japanese_with_status") == [(str(LIVE_INDEX), False)]
    assert bits("did_web_rich_content") == [(str(LIVE_INDEX), False)]
    assert bits("did_web_revoked") == [(str(REVOKED_INDEX), True)]
    assert di_verdicts["did_web_revoked"]["proofs"][0]["verified"] is True


# --- VC-JWT ------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _with_payload(token: str, change: Callable[[JSONObject], None]) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    change(claims)
    return f"{header}.{_b64(json.dumps(claims, ensure_ascii=False).encode())}.{signature}"


def _rename(claims: JSONObject) -> None:
    claims["credentialSubject"]["achievement"]["name"] = "改ざん"


@dataclass(frozen=True)
class JwtCase:
    token: str
    key_set: dict[str, Any]
    verified: bool


def _jwt_cases() -> dict[str, JwtCase]:
    cases: dict[str, JwtCase] = {}
    for key_type in ("P-256", "RSA-3072", "Ed25519"):
        key = generate_key(key_type)
        alg = key.algorithm
        kid = f"https://{HOST}/.well-known/jwks.json#{alg.lower()}-1"
        key_set = jwks([jwk(key.public_key(), kid=kid)])
        token = vc_jwt.sign(samples.jwt_credential(), KeySigner(key, kid))
        other = jwks([jwk(generate_key(key_type).public_key(), kid=kid)])
        cases[f"{alg}_japanese"] = JwtCase(token, key_set, True)
        cases[f"{alg}_changed_payload"] = JwtCase(_with_payload(token, _rename), key_set, False)
        cases[f"{alg}_other_key"] = JwtCase(token, other, False)
    expired = samples.jwt_credential(
        valid_from=FIXED_NOW - timedelta(days=30), valid_until=FIXED_NOW - timedelta(days=1)
    )
    key = generate_key("P-256")
    kid = f"https://{HOST}/.well-known/jwks.json#expired"
    cases["ES256_expired"] = JwtCase(
        vc_jwt.sign(expired, KeySigner(key, kid)), jwks([jwk(key.public_key(), kid=kid)]), False
    )
    return cases


JWT_CASES = _jwt_cases()


@pytest.fixture(scope="module")
def jwt_verdicts(oracle: None) -> dict[str, JSONObject]:
    requests = [
        harness.jwt_request(c.token, jwks=c.key_set, now=FIXED_NOW) for c in JWT_CASES.values()
    ]
    return dict(zip(JWT_CASES, harness.verify_jwt_many(requests), strict=True))


@pytest.mark.parametrize("name", list(JWT_CASES))
def test_jose_reaches_the_expected_verdict(name: str, jwt_verdicts: dict[str, JSONObject]) -> None:
    verdict = jwt_verdicts[name]
    assert verdict["verified"] is JWT_CASES[name].verified, verdict["error"]


@pytest.mark.parametrize("name", list(JWT_CASES))
def test_our_jwt_verifier_reaches_the_same_verdict(name: str) -> None:
    case = JWT_CASES[name]
    kid = vc_jwt.decode(case.token).header["kid"]
    world = {kid.partition("#")[0]: case.key_set}  # the issuer host's JWK Set
    report = verify(case.token, fetcher=DictFetcher(world), now=FIXED_NOW)
    assert report.ok is case.verified, report.checks


def test_jose_sees_the_claims_ob3_requires(jwt_verdicts: dict[str, JSONObject]) -> None:
    for alg in ("ES256", "RS256", "EdDSA"):
        verdict = jwt_verdicts[f"{alg}_japanese"]
        assert verdict["header"] == {"alg": alg, "kid": verdict["header"]["kid"], "typ": "JWT"}
        payload = verdict["payload"]
        assert payload["iss"] == payload["issuer"]["id"]
        assert payload["jti"] == payload["id"]
        assert payload["sub"] == payload["credentialSubject"]["id"]
        assert payload["nbf"] == int((FIXED_NOW - timedelta(days=1)).timestamp())
        assert payload["credentialSubject"]["achievement"]["name"] == "生成AI活用検定 エンジニア"
    assert '"exp" claim' in jwt_verdicts["ES256_expired"]["error"]
