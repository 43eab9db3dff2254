"""Independent implementations accept what the running service issues (issue 4, section 6).

One live server (the real app under uvicorn on a loopback port, fresh SQLite) issues
everything here through ``POST /api/v1/credentials``; the oracles then fetch what they need
from it over HTTP, as a verifier elsewhere would:

1. OB 3.0 Data Integrity credentials: Digital Bazaar's ``vc`` with ``eddsa-rdfc-2022``
   (verify-di.mjs) resolves our ``did:web`` on loopback and checks the status list it
   fetches; after ``POST .../revoke`` it reports the revocation bit set.
2. OB 3.0 VC-JWTs (ES256, and RS256 on request): ``jose`` against ``/issuers/SLUG/jwks.json``.
3. OB 2.0 hosted and signed assertions: 1EdTech's OB 2.0 validator fetching our ``/ob2/...``
   documents. Where our output meets one of the validator's known limitations (see
   tests/interop_ob2/test_ob2_validator.py), a test pins the validator's verdict next to ours.
4. ``/credentials/ID.png``: our own ``badges.verify`` accepts it, and the credential inside
   verifies with the oracles too.

Oracle calls are batched (one Node.js process per batch; validator runs two at a time).
Without Node.js or the validator the oracle tests skip, and fail when ``CI`` is set.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

import badges
from badges import JSONObject, Recipient, status_list
from tests.browser.support import LiveServer
from tests.interop import harness
from tests.interop.conftest import oracle_unavailable
from tests.interop.service_support import (
    LiveFetcher,
    ShomeiAPI,
    requested_paths,
    run_validator_on_service,
    serve_shomei,
    unbaked_text,
)
from tests.interop_ob2.validator import (
    OracleUnavailableError,
    ValidatorResult,
    ValidatorSetup,
    ensure_validator,
)

pytestmark = pytest.mark.interop

REASON = "Awarded in error."
RECIPIENT = Recipient("email", "hanako@example.jp")
VALID_UNTIL = (datetime.now(UTC) + timedelta(days=365)).replace(microsecond=0)
EVIDENCE = [
    {
        "id": "https://ai-exam.example.jp/evidence/2026/4521",
        "name": "実技課題",
        "narrative": "生成AIで議事録を要約し、誤りを三つ指摘した。",
    }
]


@dataclass(frozen=True)
class Service:
    """The live server and a client of its API."""

    server: LiveServer
    api: ShomeiAPI

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def did_web_host(self) -> str:
        return self.url.removeprefix("http://")

    def did(self, slug: str) -> str:
        return f"did:web:{self.did_web_host.replace(':', '%3A')}:issuers:{slug}"

    def ours(self, data: str | bytes | JSONObject) -> badges.VerificationReport:
        """Our own verifier's verdict, fetching from the live server over HTTP."""
        config = badges.VerifierConfig(
            resolver=badges.ResolverConfig(did_web_http_hosts=frozenset({self.did_web_host}))
        )
        return badges.verify(
            data,
            fetcher=LiveFetcher(self.api.client, self.url),
            now=datetime.now(UTC),
            recipient=RECIPIENT,
            config=config,
        )


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    directory = tmp_path_factory.mktemp("interop-service")
    with serve_shomei(directory) as server, ShomeiAPI.connect(server) as api:
        yield Service(server, api)


def _not_ok(report: badges.VerificationReport) -> dict[str, str]:
    return {c.id: c.message for c in report.checks if c.status in ("failed", "indeterminate")}


# --- 1 and 4: Data Integrity credentials, Digital Bazaar's vc -------------------------------

DI_SLUG = "di-exam"


@pytest.fixture(scope="module")
def di_issued(service: Service) -> dict[str, JSONObject]:
    """OB 3.0 Data Integrity credentials of one issuer, by name; one EdDSA key rotation."""
    api = service.api
    api.create_issuer(DI_SLUG)
    achievement = api.create_achievement(DI_SLUG)
    issued = {
        "plain": api.issue(achievement, "ob3"),
        "rich": api.issue(
            achievement,
            "ob3",
            valid_until=VALID_UNTIL.isoformat(),
            evidence=EVIDENCE,
            result=[{"value": "87", "status": "Completed"}],
        ),
        "to-revoke": api.issue(achievement, "ob3"),
        "to-suspend": api.issue(achievement, "ob3"),
        "before-rotation": api.issue(achievement, "ob3"),
    }
    api.rotate_key(DI_SLUG, "EdDSA")
    issued["after-rotation"] = api.issue(achievement, "ob3")
    return issued


def _di_live(service: Service, credential: JSONObject) -> JSONObject:
    # No documents handed over: the DID document and status list must come from the server.
    return harness.di_request(credential, fetch=True, allow=[service.url])


@pytest.fixture(scope="module")
def di_before(
    oracle: None, service: Service, di_issued: dict[str, JSONObject]
) -> dict[str, JSONObject]:
    """The oracle's verdicts before any revocation, plus the credential baked into the PNG."""
    cases = {name: issued["document"] for name, issued in di_issued.items()}
    cases["png"] = json.loads(service.api.baked_text(di_issued["plain"]["id"]))
    requests = [_di_live(service, credential) for credential in cases.values()]
    return dict(zip(cases, harness.verify_di_many(requests), strict=True))


@dataclass(frozen=True)
class AfterChanges:
    verdicts: dict[str, JSONObject]
    suspension_list: JSONObject


@pytest.fixture(scope="module")
def di_after(
    service: Service, di_issued: dict[str, JSONObject], di_before: dict[str, JSONObject]
) -> AfterChanges:
    """Revoke one credential and suspend another through the API; ask the oracle again."""
    api = service.api
    assert api.revoke(di_issued["to-revoke"]["id"], REASON)["status"] == "revoked"
    assert api.suspend(di_issued["to-suspend"]["id"])["status"] == "suspended"
    names = ("to-revoke", "to-suspend", "plain")
    entry = di_issued["to-suspend"]["document"]["credentialStatus"]
    suspension_url = entry["statusListCredential"].replace("/revocation/", "/suspension/")
    suspension_list = api.public(suspension_url).json()
    requests = [_di_live(service, di_issued[name]["document"]) for name in names]
    requests.append(_di_live(service, suspension_list))
    verdicts = harness.verify_di_many(requests)
    return AfterChanges(
        dict(zip((*names, "suspension-list"), verdicts, strict=True)), suspension_list
    )


def _status_of(credential: JSONObject, *, is_set: bool) -> list[JSONObject]:
    entry = credential["credentialStatus"]
    return [
        {
            "id": entry["id"],
            "statusPurpose": "revocation",
            "statusListIndex": entry["statusListIndex"],
            "set": is_set,
        }
    ]


@pytest.mark.parametrize("name", ["plain", "rich", "to-revoke", "to-suspend"])
def test_digital_bazaar_verifies_our_credential_from_our_did_web_and_status_list(
    name: str, service: Service, di_issued: dict[str, JSONObject], di_before: dict[str, JSONObject]
) -> None:
    credential = di_issued[name]["document"]
    verdict = di_before[name]
    assert verdict["verified"] is True, verdict["errors"]
    [proof] = verdict["proofs"]
    assert (proof["type"], proof["cryptosuite"], proof["verified"]) == (
        "DataIntegrityProof",
        "eddsa-rdfc-2022",
        True,
    )
    assert proof["verificationMethod"].startswith(service.did(DI_SLUG) + "#")
    assert credential["credentialStatus"]["statusListCredential"].startswith(
        f"{service.url}/status/{DI_SLUG}/revocation/"
    )
    assert verdict["status"] == _status_of(credential, is_set=False)
    # What the oracle verified carries the recipient's name and the English edition.
    subject = credential["credentialSubject"]
    assert {"identityType": "name", "identityHash": "山田 花子"}.items() <= next(
        i for i in subject["identifier"] if i["identityType"] == "name"
    ).items()
    assert [r["inLanguage"] for r in subject["achievement"]["related"]] == ["en"]


def test_the_oracle_read_the_did_document_and_status_list_from_the_server(
    service: Service, di_issued: dict[str, JSONObject], di_before: dict[str, JSONObject]
) -> None:
    list_path = di_issued["plain"]["document"]["credentialStatus"]["statusListCredential"]
    asked = set(requested_paths(service.server))
    assert f"/issuers/{DI_SLUG}/did.json" in asked
    assert list_path.removeprefix(service.url) in asked


def test_a_credential_revoked_through_the_api_is_reported_revoked_by_the_oracle(
    di_issued: dict[str, JSONObject], di_before: dict[str, JSONObject], di_after: AfterChanges
) -> None:
    credential = di_issued["to-revoke"]["document"]
    assert di_before["to-revoke"]["verified"] is True, di_before["to-revoke"]["errors"]
    verdict = di_after.verdicts["to-revoke"]
    assert verdict["verified"] is False
    assert verdict["status"] == _status_of(credential, is_set=True)
    assert verdict["errors"] == ["status bit set: revocation"]
    # The signature is still good: the status list, not the proof, fails it.
    assert [p["verified"] for p in verdict["proofs"]] == [True]
    # The credential next to it on the same list is untouched.
    untouched = di_after.verdicts["plain"]
    assert untouched["verified"] is True, untouched["errors"]
    assert untouched["status"] == _status_of(di_issued["plain"]["document"], is_set=False)


def test_a_suspension_is_invisible_to_the_oracle_because_credentials_name_no_suspension_entry(
    di_issued: dict[str, JSONObject], di_after: AfterChanges
) -> None:
    # By design (app/status/service.py): the OB 3.0 schema allows one credentialStatus
    # object, so a credential names its revocation entry only, and its suspension bit sits
    # at the same index of /status/SLUG/suspension/N. A verifier that follows the credential
    # (as the Bitstring Status List spec says) never looks there.
    credential = di_issued["to-suspend"]["document"]
    verdict = di_after.verdicts["to-suspend"]
    assert verdict["verified"] is True, verdict["errors"]
    assert verdict["status"] == _status_of(credential, is_set=False)
    # Yet the suspension is published: a list the oracle verifies, with the bit set.
    listing = di_after.verdicts["suspension-list"]
    assert listing["verified"] is True, listing["errors"]
    subject = di_after.suspension_list["credentialSubject"]
    assert subject["statusPurpose"] == "suspension"
    bits = status_list.decode_bitstring(subject["encodedList"])
    assert status_list.get_bit(bits, int(credential["credentialStatus"]["statusListIndex"])) == 1


def test_credentials_signed_before_a_key_rotation_still_verify_with_the_oracle(
    di_issued: dict[str, JSONObject], di_before: dict[str, JSONObject]
) -> None:
    methods = {
        name: di_issued[name]["document"]["proof"][0]["verificationMethod"]
        for name in ("before-rotation", "after-rotation")
    }
    assert methods["before-rotation"] != methods["after-rotation"]
    for name in methods:
        verdict = di_before[name]
        assert verdict["verified"] is True, (name, verdict["errors"])
        assert [p["verificationMethod"] for p in verdict["proofs"]] == [methods[name]]


def test_our_verifier_accepts_the_baked_png_the_service_serves(
    service: Service, di_issued: dict[str, JSONObject]
) -> None:
    issued = di_issued["plain"]
    report = service.ours(service.api.baked_png(issued["id"]))
    assert report.ok, _not_ok(report)
    assert (report.format, report.version) == ("ob3-data-integrity", "3.0")
    passed = {c.id for c in report.checks if c.status == "passed"}
    assert {"proof.signature", "status.revocation"} <= passed
    # The image carries the credential byte for byte as issued and served.
    served = service.api.public(f"/credentials/{issued['id']}.json").text
    assert service.api.baked_text(issued["id"]) == served
    assert json.loads(served) == issued["document"]


def test_the_oracle_verifies_the_credential_baked_into_our_png(
    di_issued: dict[str, JSONObject], di_before: dict[str, JSONObject]
) -> None:
    verdict = di_before["png"]
    assert verdict["verified"] is True, verdict["errors"]
    assert [p["verified"] for p in verdict["proofs"]] == [True]
    assert verdict["status"] == _status_of(di_issued["plain"]["document"], is_set=False)


# --- 2: VC-JWTs, jose against our JWK Set --------------------------------------------------

JWT_SLUG = "jwt-exam"
OTHER_SLUG = "jwt-other"


@pytest.fixture(scope="module")
def jwt_issued(service: Service) -> dict[str, JSONObject]:
    """VC-JWTs of one issuer, by name; one ES256 key rotation."""
    api = service.api
    api.create_issuer(JWT_SLUG)
    api.create_issuer(OTHER_SLUG)
    achievement = api.create_achievement(JWT_SLUG)
    issued = {
        "es256": api.issue(achievement, "ob3-jwt"),
        "rs256": api.issue(achievement, "ob3-jwt", jwt_algorithm="RS256"),
        "es256-rich": api.issue(
            achievement, "ob3-jwt", valid_until=VALID_UNTIL.isoformat(), evidence=EVIDENCE
        ),
        "es256-before-rotation": api.issue(achievement, "ob3-jwt"),
    }
    api.rotate_key(JWT_SLUG, "ES256")
    issued["es256-after-rotation"] = api.issue(achievement, "ob3-jwt")
    return issued


JWT_ALGORITHMS = {
    "es256": "ES256",
    "rs256": "RS256",
    "es256-rich": "ES256",
    "es256-before-rotation": "ES256",
    "es256-after-rotation": "ES256",
}


@pytest.fixture(scope="module")
def jwt_verdicts(
    oracle: None, service: Service, jwt_issued: dict[str, JSONObject]
) -> dict[str, JSONObject]:
    jwks_url = f"{service.url}/issuers/{JWT_SLUG}/jwks.json"
    cases = {
        name: harness.jwt_request(i["document"], jwks_url=jwks_url)
        for name, i in jwt_issued.items()
    }
    baked = service.api.baked_text(jwt_issued["es256"]["id"])
    cases["png"] = harness.jwt_request(baked, jwks_url=jwks_url)
    other = f"{service.url}/issuers/{OTHER_SLUG}/jwks.json"
    cases["other-issuers-jwks"] = harness.jwt_request(
        jwt_issued["es256"]["document"], jwks_url=other
    )
    # The key as an OB 3.0 verifier finds it: the header's kid dereferenced in the issuer's
    # DID document, whose method carries the JWK; and the host's JWK Set.
    for name in ("es256", "rs256"):
        token = jwt_issued[name]["document"]
        method = _did_document_method(service, token)
        cases[f"did-document-{name}"] = harness.jwt_request(
            token, jwks={"keys": [method["publicKeyJwk"]]}
        )
        cases[f"host-jwks-{name}"] = harness.jwt_request(
            token, jwks_url=f"{service.url}/.well-known/jwks.json"
        )
    return dict(zip(cases, harness.verify_jwt_many(list(cases.values())), strict=True))


def _did_document_method(service: Service, token: str) -> JSONObject:
    """The verification method the JWT's kid names, from the issuer's served DID document."""
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    did, _, _ = header["kid"].partition("#")
    slug = did.rsplit(":", 1)[1]
    document = service.api.public(f"/issuers/{slug}/did.json").json()
    assert "https://w3id.org/security/jwk/v1" in document["@context"]
    method: JSONObject = next(m for m in document["verificationMethod"] if m["id"] == header["kid"])
    assert method["type"] == "JsonWebKey"
    assert header["kid"] in document["assertionMethod"]
    return method


@pytest.mark.parametrize("name", ["es256", "rs256"])
def test_jose_verifies_our_vc_jwt_with_the_key_its_kid_names_in_the_did_document(
    name: str, jwt_verdicts: dict[str, JSONObject]
) -> None:
    verdict = jwt_verdicts[f"did-document-{name}"]
    assert verdict["verified"] is True, verdict["error"]
    assert verdict["header"]["alg"] == JWT_ALGORITHMS[name]
    host = jwt_verdicts[f"host-jwks-{name}"]
    assert host["verified"] is True, host["error"]


@pytest.mark.parametrize("name", sorted(JWT_ALGORITHMS))
def test_jose_verifies_our_vc_jwt_against_our_jwks_url(
    name: str,
    service: Service,
    jwt_issued: dict[str, JSONObject],
    jwt_verdicts: dict[str, JSONObject],
) -> None:
    issued = jwt_issued[name]
    verdict = jwt_verdicts[name]
    assert verdict["verified"] is True, verdict["error"]
    assert verdict["header"]["alg"] == JWT_ALGORITHMS[name]
    assert verdict["header"]["kid"].startswith(service.did(JWT_SLUG) + "#")
    # The key jose picked is one the JWK Set publishes, for that algorithm.
    jwks = service.api.public(f"/issuers/{JWT_SLUG}/jwks.json").json()
    published = {key["kid"]: key["alg"] for key in jwks["keys"]}
    assert published[verdict["header"]["kid"]] == JWT_ALGORITHMS[name]
    # What jose verified is the credential the service serves as JSON.
    served = service.api.public(f"/credentials/{issued['id']}.json").json()
    assert verdict["payload"] == served
    assert verdict["payload"]["iss"] == service.did(JWT_SLUG)


def test_jose_accepts_our_vc_jwt_with_an_expiry_and_evidence(
    jwt_verdicts: dict[str, JSONObject],
) -> None:
    verdict = jwt_verdicts["es256-rich"]
    assert verdict["verified"] is True, verdict["error"]
    payload = verdict["payload"]
    # jose judged exp (and nbf) against its own clock.
    assert payload["exp"] == int(VALID_UNTIL.timestamp())
    assert payload["validUntil"] == VALID_UNTIL.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [e["id"] for e in payload["evidence"]] == [EVIDENCE[0]["id"]]


def test_a_vc_jwt_signed_before_a_key_rotation_still_verifies_with_jose(
    jwt_verdicts: dict[str, JSONObject],
) -> None:
    before = jwt_verdicts["es256-before-rotation"]
    after = jwt_verdicts["es256-after-rotation"]
    assert before["verified"] is True, before["error"]
    assert after["verified"] is True, after["error"]
    assert before["header"]["kid"] != after["header"]["kid"]


def test_jose_verifies_the_vc_jwt_baked_into_our_png(
    service: Service, jwt_issued: dict[str, JSONObject], jwt_verdicts: dict[str, JSONObject]
) -> None:
    verdict = jwt_verdicts["png"]
    assert verdict["verified"] is True, verdict["error"]
    assert verdict["payload"] == jwt_verdicts["es256"]["payload"]
    report = service.ours(service.api.baked_png(jwt_issued["es256"]["id"]))
    assert report.ok, _not_ok(report)
    assert report.format == "ob3-jwt"


def test_jose_fetched_the_jwk_sets_from_the_server(
    service: Service, jwt_verdicts: dict[str, JSONObject]
) -> None:
    asked = set(requested_paths(service.server))
    assert {f"/issuers/{JWT_SLUG}/jwks.json", f"/issuers/{OTHER_SLUG}/jwks.json"} <= asked


def test_jose_rejects_our_vc_jwt_against_another_issuers_jwks(
    jwt_verdicts: dict[str, JSONObject],
) -> None:
    verdict = jwt_verdicts["other-issuers-jwks"]
    assert verdict["verified"] is False
    assert "no applicable key found" in verdict["error"]


# --- 3: OB 2.0, 1EdTech's validator against our /ob2 documents -----------------------------

OB2_SLUG = "ob2-exam"
ONE_REVOKED_SLUG = "ob2-one-revoked"
ROTATED_SLUG = "ob2-rotated"


@pytest.fixture(scope="module")
def ob2_validator() -> ValidatorSetup:
    """1EdTech's OB 2.0 validator, its virtualenv built or reused (skip, or fail under CI)."""
    try:
        return ensure_validator()
    except OracleUnavailableError as exc:
        problem = f"1EdTech's OB 2.0 validator could not be set up: {exc}"
    oracle_unavailable(problem)


@dataclass(frozen=True)
class Ob2Assertion:
    """An OB 2.0 credential as published: its hosted URL, the signed JWS, the baked PNG."""

    issued: JSONObject
    png: bytes
    jws: str

    @property
    def url(self) -> str:
        url: str = self.issued["document"]["id"]
        return url


@pytest.fixture(scope="module")
def ob2_issued(service: Service) -> dict[str, Ob2Assertion]:
    """Three issuers' OB 2.0 assertions, revocations and an RS256 key rotation done."""
    api = service.api
    issued: dict[str, JSONObject] = {}
    # An issuer with two revoked assertions (its RevocationList has two entries).
    api.create_issuer(OB2_SLUG)
    achievement = api.create_achievement(OB2_SLUG)
    issued["rich"] = api.issue(
        achievement, "ob2", valid_until=VALID_UNTIL.isoformat(), evidence=EVIDENCE
    )
    issued["revoked"] = api.issue(achievement, "ob2")
    issued["revoked-too"] = api.issue(achievement, "ob2")
    api.revoke(issued["revoked"]["id"], REASON)
    api.revoke(issued["revoked-too"]["id"], "Exam retaken.")
    # An issuer with exactly one revoked assertion.
    api.create_issuer(ONE_REVOKED_SLUG)
    achievement = api.create_achievement(ONE_REVOKED_SLUG)
    issued["only-revoked"] = api.issue(achievement, "ob2")
    api.revoke(issued["only-revoked"]["id"], REASON)
    # An issuer that rotated its RS256 key between two assertions.
    api.create_issuer(ROTATED_SLUG)
    achievement = api.create_achievement(ROTATED_SLUG)
    issued["before-rotation"] = api.issue(achievement, "ob2")
    api.rotate_key(ROTATED_SLUG, "RS256")
    issued["after-rotation"] = api.issue(achievement, "ob2")
    assertions = {}
    for name, credential in issued.items():
        png = api.baked_png(credential["id"])
        assertions[name] = Ob2Assertion(credential, png, unbaked_text(png))
    return assertions


Input = Callable[[dict[str, Ob2Assertion]], str | bytes]
OB2_CASES: dict[str, Input] = {
    "hosted": lambda a: a["rich"].url,
    "signed": lambda a: a["rich"].jws,
    "baked-png": lambda a: a["rich"].png,
    "signed-revoked": lambda a: a["revoked"].jws,
    "hosted-revoked": lambda a: a["revoked"].url,
    "signed-revoked-alone-in-its-list": lambda a: a["only-revoked"].jws,
    "signed-before-rotation": lambda a: a["before-rotation"].jws,
    "signed-after-rotation": lambda a: a["after-rotation"].jws,
    "hosted-after-rotation": lambda a: a["after-rotation"].url,
}


@dataclass(frozen=True)
class Ob2Verdicts:
    validator: ValidatorResult
    ours: badges.VerificationReport


@pytest.fixture(scope="module")
def ob2_verdicts(
    ob2_validator: ValidatorSetup, service: Service, ob2_issued: dict[str, Ob2Assertion]
) -> dict[str, Ob2Verdicts]:
    """Each case judged by the validator (two runs at a time) and by our verifier."""
    inputs = {name: make(ob2_issued) for name, make in OB2_CASES.items()}

    def validate(data: str | bytes) -> ValidatorResult:
        if isinstance(data, bytes):
            return run_validator_on_service(ob2_validator.python, service.url, image=data)
        return run_validator_on_service(ob2_validator.python, service.url, data=data)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(inputs, pool.map(validate, inputs.values()), strict=True))
    return {name: Ob2Verdicts(results[name], service.ours(data)) for name, data in inputs.items()}


def _assert_valid(result: ValidatorResult) -> None:
    assert result.valid, result.summary()
    assert result.error_count == 0, result.summary()
    assert result.blocked == [], result.summary()


def _errors(result: ValidatorResult) -> list[tuple[str, str]]:
    return [(m["name"], m["result"]) for m in result.messages("ERROR")]


def _fetched(result: ValidatorResult) -> set[str]:
    return {r["sent"] for r in result.requests}


def test_the_validator_accepts_our_hosted_assertion_fetched_from_the_service(
    service: Service, ob2_issued: dict[str, Ob2Assertion], ob2_verdicts: dict[str, Ob2Verdicts]
) -> None:
    assertion = ob2_issued["rich"]
    verdicts = ob2_verdicts["hosted"]
    _assert_valid(verdicts.validator)
    assert verdicts.validator.report["validationSubject"] == assertion.url
    badge = assertion.issued["document"]["badge"]
    assert {assertion.url, badge, f"{service.url}/ob2/issuers/{OB2_SLUG}"} <= _fetched(
        verdicts.validator
    )
    [node] = [n for n in verdicts.validator.output["graph"] if n.get("id") == assertion.url]
    assert node["evidence"]["id"] == EVIDENCE[0]["id"]
    assert verdicts.ours.ok, _not_ok(verdicts.ours)
    assert verdicts.ours.format == "ob2-hosted"


def test_the_validator_accepts_our_signed_assertion_with_our_key_and_revocation_list(
    service: Service, ob2_issued: dict[str, Ob2Assertion], ob2_verdicts: dict[str, Ob2Verdicts]
) -> None:
    # OB 2.0 names RS256; the validator reads every publicKeyPem as an RSA key.
    header = ob2_issued["rich"].jws.split(".")[0]
    assert json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))) == {
        "alg": "RS256"
    }
    verdicts = ob2_verdicts["signed"]
    _assert_valid(verdicts.validator)
    assert verdicts.validator.output["input"]["input_type"] == "jws"
    fetched = _fetched(verdicts.validator)
    assert f"{service.url}/ob2/revocations/{OB2_SLUG}" in fetched
    assert any(url.startswith(f"{service.url}/ob2/keys/") for url in fetched)
    assert verdicts.ours.ok, _not_ok(verdicts.ours)
    assert verdicts.ours.format == "ob2-signed"


def test_the_validator_reads_the_signed_assertion_baked_into_our_png(
    ob2_issued: dict[str, Ob2Assertion], ob2_verdicts: dict[str, Ob2Verdicts]
) -> None:
    verdicts = ob2_verdicts["baked-png"]
    _assert_valid(verdicts.validator)
    # The validator's own bakery found the JWS we baked.
    assert verdicts.validator.output["input"] == {
        "value": ob2_issued["rich"].jws,
        "input_type": "jws",
    }
    assert verdicts.ours.ok, _not_ok(verdicts.ours)


def test_the_validator_reports_our_revoked_signed_assertion_revoked(
    service: Service, ob2_issued: dict[str, Ob2Assertion], ob2_verdicts: dict[str, Ob2Verdicts]
) -> None:
    verdicts = ob2_verdicts["signed-revoked"]
    assert not verdicts.validator.valid
    assert _errors(verdicts.validator) == [
        (
            "VERIFY_SIGNED_ASSERTION_NOT_REVOKED",
            f"Assertion {ob2_issued['revoked'].url} has been revoked in RevocationList "
            f"{service.url}/ob2/revocations/{OB2_SLUG} with reason: {REASON}",
        )
    ]
    assert _not_ok(verdicts.ours) == {"status.revocation": f"revoked: {REASON}"}


# Where our output meets the validator's known limitations: each test pins both verdicts.


def test_validator_limitation_a_revoked_hosted_assertion_passes(
    service: Service, ob2_issued: dict[str, Ob2Assertion], ob2_verdicts: dict[str, Ob2Verdicts]
) -> None:
    # We serve the hosted copy with revoked: true and a revocationReason, and list it in the
    # issuer's RevocationList. The validator checks neither for hosted assertions: its only
    # revocation task, VERIFY_SIGNED_ASSERTION_NOT_REVOKED, runs for signed ones.
    hosted = service.api.public(ob2_issued["revoked"].url).json()
    assert (hosted["revoked"], hosted["revocationReason"]) == (True, REASON)
    listed = service.api.public(f"/ob2/revocations/{OB2_SLUG}").json()["revokedAssertions"]
    assert {"id": ob2_issued["revoked"].url, "revocationReason": REASON} in listed
    verdicts = ob2_verdicts["hosted-revoked"]
    _assert_valid(verdicts.validator)
    assert _not_ok(verdicts.ours) == {"status.revocation": f"revoked: {REASON}"}


def test_the_only_revoked_assertion_of_an_issuer_is_reported_revoked_too(
    service: Service, ob2_issued: dict[str, Ob2Assertion], ob2_verdicts: dict[str, Ob2Verdicts]
) -> None:
    # The validator's JSON-LD compaction turns a one-entry revokedAssertions array into the
    # bare entry, and its revocation task then iterates over that object's keys and misses
    # it. We keep the array an array with an entry that names no assertion.
    listed = service.api.public(f"/ob2/revocations/{ONE_REVOKED_SLUG}").json()
    entries = listed["revokedAssertions"]
    assert entries[0] == {"id": ob2_issued["only-revoked"].url, "revocationReason": REASON}
    assert len(entries) == 2 and entries[1]["id"].startswith("urn:uuid:")
    verdicts = ob2_verdicts["signed-revoked-alone-in-its-list"]
    assert not verdicts.validator.valid
    assert [code for code, _ in _errors(verdicts.validator)] == [
        "VERIFY_SIGNED_ASSERTION_NOT_REVOKED"
    ]
    assert _not_ok(verdicts.ours) == {"status.revocation": f"revoked: {REASON}"}


@pytest.mark.parametrize(
    "case", ["signed-before-rotation", "signed-after-rotation", "hosted-after-rotation"]
)
def test_validator_limitation_an_issuer_with_a_rotated_rsa_key_fails_every_assertion(
    case: str, service: Service, ob2_verdicts: dict[str, Ob2Verdicts]
) -> None:
    # After an RS256 rotation the OB 2.0 Profile lists the retired key and the new one
    # (assertions signed by the retired key must keep verifying). The validator's Issuer
    # schema takes a single publicKey, so every assertion of the issuer fails, hosted ones
    # (which use no key at all) included. Our verifier accepts them all.
    profile = service.api.public(f"/ob2/issuers/{ROTATED_SLUG}").json()
    assert len(profile["publicKey"]) == 2
    verdicts = ob2_verdicts[case]
    assert not verdicts.validator.valid
    assert _errors(verdicts.validator) == [
        (
            "VALIDATE_PROPERTY",
            f"Property publicKey in unknown type node {service.url}/ob2/issuers/{ROTATED_SLUG} "
            "has more than the single allowed value.",
        )
    ]
    assert verdicts.ours.ok, _not_ok(verdicts.ours)


def test_the_validator_reached_nothing_but_the_service(
    service: Service, ob2_verdicts: dict[str, Ob2Verdicts]
) -> None:
    for name, verdicts in ob2_verdicts.items():
        assert verdicts.validator.blocked == [], name
        assert all(r["sent"].startswith(service.url + "/") for r in verdicts.validator.requests)
