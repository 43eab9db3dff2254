"""1EdTech's Open Badges 2.0 validator judges what ``badges.ob2.issuing`` publishes.

Every document is built by our issuing module and served over real HTTP from a loopback
server on 127.0.0.1; the validator (``openbadges`` 1.1.2, in its own virtualenv, see
validator.py) fetches them from there and nowhere else. Each input is also verified by our
``verify_ob2`` on the same documents, fetched from the same server.

The last part pins, case by case, where the validator and our verifier disagree and why
(each side's verdict and message). If either side changes, the table needs a new look.

Setting up the validator (the ``validator`` fixture in conftest.py) needs a package index
the first time, about 25 s; then the virtualenv is reused. Without one these tests skip,
unless ``CI`` is set: then they fail.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from badges import baking
from badges.errors import FetchError
from badges.identity import Recipient
from badges.ob2 import issuing
from badges.ob2.verification import verify_ob2
from badges.ports import JSONObject
from badges.report import VerificationReport
from badges.verification import verify
from keys import KeySigner, PrivateKey, generate_key
from tests.interop_ob2.validator import (
    LoopbackServer,
    Resource,
    ValidatorResult,
    ValidatorSetup,
    run_validator,
)
from tests.support import VECTORS

LEARNER = "learner@example.org"
TO_LEARNER = Recipient("email", LEARNER)
TO_NOBODY = Recipient("email", "nobody@example.org")  # the 1EdTech vectors' recipient
BADGE_PNG = (VECTORS / "ob2" / "1edtech-validator" / "assets" / "robotics-badge.png").read_bytes()
# The validator judges issuedOn and expires against its own clock, so ours uses the same.
NOW = datetime.now(UTC).replace(microsecond=0)
SIGNED_ID = "urn:uuid:7f2b0c1e-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
REVOKED_ID = "urn:uuid:2c2b6a8e-4b8e-4c55-9f0e-2d3d1b1b0c01"
OTHER_REVOKED_ID = "urn:uuid:3d3c7b9f-5c9f-4d66-8a1f-3e4e2c2c1d12"


# --- the loopback world: our issuer's documents over HTTP on 127.0.0.1 -----------------


class LoopbackFetcher:
    """Fetches JSON from the loopback server only, over HTTP, for our verifier.

    ``aliases`` maps web URLs to their copies on the server, as for the validator.
    """

    def __init__(self, server: LoopbackServer, aliases: Mapping[str, str] | None = None) -> None:
        self._netloc = server.netloc
        self._aliases = dict(aliases or {})
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def get_json(self, url: str) -> JSONObject:
        url = self._aliases.get(url, url)
        parts = urlsplit(url)
        if parts.scheme != "http" or parts.netloc != self._netloc:
            raise FetchError(f"{url} is not on the loopback server")
        try:
            with self._opener.open(url, timeout=10) as response:
                document = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise FetchError(f"{url} answered {exc.code}", status=exc.code) from None
        except (urllib.error.URLError, ValueError) as exc:
            raise FetchError(f"{url} could not be read: {exc}") from None
        if not isinstance(document, dict):
            raise FetchError(f"{url} is not a JSON object")
        return document


@dataclass(frozen=True)
class Site:
    """One issuer's documents on the loopback server, under its own path prefix."""

    server: LoopbackServer
    prefix: str
    signer: KeySigner

    def url(self, path: str) -> str:
        return self.server.url(f"{self.prefix}{path}")

    @property
    def issuer(self) -> str:
        return self.url("/issuer")

    @property
    def key(self) -> str:
        return self.url("/keys/1")

    @property
    def badge(self) -> str:
        return self.url("/badges/robotics")

    @property
    def revocations(self) -> str:
        return self.url("/revocations")

    def assertion(self, assertion_id: str, **overrides: Any) -> JSONObject:
        arguments: dict[str, Any] = {
            "assertion_id": assertion_id,
            "badge_id": self.badge,
            "recipient_email": LEARNER,
            "issued_on": NOW - timedelta(days=1),
            "expires": NOW + timedelta(days=365),
        }
        arguments.update(overrides)
        return issuing.hosted_assertion(**arguments)

    def host(self, name: str, document: JSONObject | None = None, status: int = 200) -> str:
        """Serve a hosted assertion (ours unless ``document`` is given) at its URL."""
        url = self.url(f"/assertions/{name}")
        path = f"{self.prefix}/assertions/{name}"
        self.server.put_json(path, document or self.assertion(url), status)
        return url

    def sign(self, assertion_id: str = SIGNED_ID, **overrides: Any) -> str:
        return issuing.signed_assertion(
            self.assertion(assertion_id, **overrides), self.signer, creator=self.key
        )

    def publish(self, path: str, document: JSONObject) -> None:
        self.server.put_json(f"{self.prefix}{path}", document)


def publish_site(
    server: LoopbackServer,
    prefix: str,
    key: PrivateKey,
    *,
    revoked: tuple[tuple[str, str | None], ...] | None = (),
    **profile: Any,
) -> Site:
    """Publish an issuer Profile, its key, a BadgeClass and a RevocationList under prefix."""
    site = Site(server, prefix, KeySigner(key, server.url(f"{prefix}/keys/1")))
    arguments: dict[str, Any] = {
        "issuer_id": site.issuer,
        "name": "Example Institute",
        "url": server.url(f"{prefix}/"),
        "email": "badges@example.org",
        "public_keys": [site.key],
        "revocation_list": site.revocations if revoked is not None else None,
    }
    arguments.update(profile)
    site.publish("/issuer", issuing.issuer_profile(**arguments))
    site.publish(
        "/keys/1", issuing.cryptographic_key(site.key, site.issuer, key.public_key().pem())
    )
    server.put(f"{prefix}/badges/robotics.png", Resource(BADGE_PNG, "image/png"))
    badge = issuing.badge_class(
        badge_id=site.badge,
        issuer_id=site.issuer,
        name="Robotics",
        description="Built a robot that moves.",
        image=site.url("/badges/robotics.png"),
        criteria_narrative="Build a robot that moves across the room.",
    )
    site.publish("/badges/robotics", badge)
    if revoked is not None:
        site.publish(
            "/revocations", issuing.revocation_list(site.revocations, site.issuer, revoked)
        )
    return site


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as running:
        yield running


@pytest.fixture(scope="module")
def rsa_key() -> PrivateKey:
    return generate_key("RSA-3072")


@pytest.fixture(scope="module")
def site(server: LoopbackServer, rsa_key: PrivateKey) -> Site:
    # Two entries: the validator misses a revocation in a one-entry list (see below).
    revoked = ((REVOKED_ID, "Awarded in error."), (OTHER_REVOKED_ID, None))
    return publish_site(server, "/main", rsa_key, revoked=revoked)


def _ours(
    data: str | bytes,
    server: LoopbackServer,
    aliases: Mapping[str, str] | None = None,
    recipient: Recipient = TO_LEARNER,
) -> VerificationReport:
    fetcher = LoopbackFetcher(server, aliases)
    if isinstance(data, bytes):
        return verify(data, fetcher=fetcher, now=NOW, recipient=recipient)
    return verify_ob2(data, fetcher=fetcher, now=NOW, recipient=recipient)


def _not_ok(report: VerificationReport) -> dict[str, str]:
    return {c.id: c.message for c in report.checks if c.status in ("failed", "indeterminate")}


def _assert_valid(result: ValidatorResult) -> None:
    assert result.valid, result.summary()
    assert result.error_count == 0, result.summary()
    assert result.messages("ERROR") == []
    assert result.blocked == [], result.summary()


# --- (a)-(d): the validator accepts what we issue, and sees what we revoke ----------------


def test_validator_accepts_our_hosted_assertion_url(
    validator: ValidatorSetup, server: LoopbackServer, site: Site
) -> None:
    url = site.host("hosted-1")
    result = run_validator(validator.python, server, data=url)
    _assert_valid(result)
    assert result.report["validationSubject"] == url
    assert result.report["openBadgesVersion"] == "2.0"
    # It really fetched our documents over HTTP from the loopback server.
    fetched = {r["url"] for r in result.requests}
    assert {url, site.badge, site.issuer} <= fetched
    ours = _ours(url, server)
    assert ours.ok, _not_ok(ours)


def test_validator_accepts_our_signed_assertion_jws(
    validator: ValidatorSetup, server: LoopbackServer, site: Site
) -> None:
    token = site.sign()
    result = run_validator(validator.python, server, data=token)
    _assert_valid(result)
    assert result.output["input"]["input_type"] == "jws"
    assert result.report["validationSubject"] == SIGNED_ID
    assert {site.key, site.revocations} <= {r["url"] for r in result.requests}
    ours = _ours(token, server)
    assert ours.ok, _not_ok(ours)


def test_validator_accepts_our_baked_png_carrying_the_jws(
    validator: ValidatorSetup, server: LoopbackServer, site: Site
) -> None:
    token = site.sign()
    image = baking.bake(BADGE_PNG, token, version="2.0")
    result = run_validator(validator.python, server, image=image)
    _assert_valid(result)
    # The validator's bakery found our iTXt chunk and read the JWS out of it.
    assert result.output["input"]["input_type"] == "jws"
    assert result.output["input"]["value"] == token
    ours = _ours(image, server)
    assert ours.ok, _not_ok(ours)
    assert ours.format == "ob2-signed"


def test_validator_reports_our_revoked_signed_assertion_as_revoked(
    validator: ValidatorSetup, server: LoopbackServer, site: Site
) -> None:
    token = site.sign(REVOKED_ID)
    result = run_validator(validator.python, server, data=token)
    assert not result.valid, result.summary()
    errors = result.messages("ERROR")
    assert [m["name"] for m in errors] == ["VERIFY_SIGNED_ASSERTION_NOT_REVOKED"], result.summary()
    assert "has been revoked" in errors[0]["result"]
    assert "Awarded in error." in errors[0]["result"]
    ours = _ours(token, server)
    assert _not_ok(ours) == {"status.revocation": "revoked: Awarded in error."}


def test_validator_rejects_a_tampered_jws_as_we_do(
    validator: ValidatorSetup, server: LoopbackServer, site: Site
) -> None:
    header, payload, signature = site.sign().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["issuedOn"] = "2020-01-01T00:00:00Z"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    token = f"{header}.{forged}.{signature}"
    result = run_validator(validator.python, server, data=token)
    assert not result.valid
    assert [m["name"] for m in result.messages("ERROR")] == ["VERIFY_JWS"]
    assert "proof.signature" in _not_ok(_ours(token, server))


def test_validator_like_us_verifies_the_hosted_copy_over_a_differing_json(
    validator: ValidatorSetup, server: LoopbackServer, site: Site
) -> None:
    url = site.url("/assertions/amended")
    amended = site.assertion(url, salt="5a1t", evidence=["https://example.org/robot-video"])
    site.host("amended", amended)
    given = json.dumps(site.assertion(url, salt="5a1t"))
    result = run_validator(validator.python, server, data=given)
    _assert_valid(result)
    assert result.output["input"]["input_type"] == "url"
    [node] = [n for n in result.output["graph"] if n.get("id") == url]
    assert node["evidence"] == "https://example.org/robot-video"  # the issuer's copy
    ours = _ours(given, server)
    assert ours.ok, _not_ok(ours)
    assert ours.credential is not None
    assert ours.credential["evidence"] == ["https://example.org/robot-video"]
    check = ours.check("hosted.copy")
    assert check is not None
    assert check.status == "warning"
    assert check.message == (
        "the badge you were given differs from the issuer's current copy in: evidence; "
        "showing the issuer's copy"
    )


# --- 1EdTech's own OB 2.0 vectors: the validator and we agree -----------------------------

VALIDATOR_VECTORS = VECTORS / "ob2" / "1edtech-validator"


@pytest.fixture(scope="module")
def vector_aliases(server: LoopbackServer) -> dict[str, str]:
    """Serve the vectors' documents on the loopback server; map each id to its copy."""
    aliases: dict[str, str] = {}
    documents = sorted((VALIDATOR_VECTORS / "assets").glob("*.json"))
    documents.append(VALIDATOR_VECTORS / "basic-assertion.json")
    for path in documents:
        document = json.loads(path.read_text(encoding="utf-8"))
        if "id" in document:
            aliases[document["id"]] = server.put_json(f"/vectors/{path.name}", document)
    png = Resource((VALIDATOR_VECTORS / "assets" / "robotics-badge.png").read_bytes(), "image/png")
    for image in ("robotics-badge.png", "beths-robot-badge.png"):
        aliases[f"https://example.org/{image}"] = server.put(f"/vectors/{image}", png)
    return aliases


VECTOR_CASES: dict[str, tuple[Callable[[], str | bytes], bool]] = {
    # name: (input, valid?)
    "simple.jwt": (lambda: (VALIDATOR_VECTORS / "simple.jwt").read_text().strip(), True),
    "simple-not-revoked.jwt": (
        lambda: (VALIDATOR_VECTORS / "simple-not-revoked.jwt").read_text().strip(),
        True,
    ),
    "basic-assertion.json-url": (lambda: "https://example.org/beths-robotics-badge.json", True),
    # Baked without the evidence the hosted copy has: both verify the hosted copy.
    "simple-badge.png": (lambda: (VALIDATOR_VECTORS / "simple-badge.png").read_bytes(), True),
}


@pytest.mark.parametrize("case", sorted(VECTOR_CASES))
def test_validator_and_we_agree_on_the_1edtech_vectors(
    case: str, validator: ValidatorSetup, server: LoopbackServer, vector_aliases: dict[str, str]
) -> None:
    make, valid = VECTOR_CASES[case]
    data = make()
    if isinstance(data, bytes):
        result = run_validator(validator.python, server, image=data, aliases=vector_aliases)
    else:
        result = run_validator(validator.python, server, data=data, aliases=vector_aliases)
    assert result.blocked == [], result.summary()
    assert result.valid is valid, result.summary()
    ours = _ours(data, server, vector_aliases, recipient=TO_NOBODY)
    assert ours.ok is valid, _not_ok(ours)


def test_the_baked_vector_carries_a_stale_copy_both_replace(
    validator: ValidatorSetup, server: LoopbackServer, vector_aliases: dict[str, str]
) -> None:
    image = (VALIDATOR_VECTORS / "simple-badge.png").read_bytes()
    result = run_validator(validator.python, server, image=image, aliases=vector_aliases)
    hosted_id = "https://example.org/beths-robotics-badge.json"
    [node] = [n for n in result.output["graph"] if n.get("id") == hosted_id]
    assert node["evidence"] == "https://example.org/beths-robot-work.html"
    ours = _ours(image, server, vector_aliases, recipient=TO_NOBODY)
    assert ours.ok, _not_ok(ours)
    check = ours.check("hosted.copy")
    assert check is not None
    assert (check.status, check.message) == (
        "warning",
        "the badge you were given differs from the issuer's current copy in: evidence; "
        "showing the issuer's copy",
    )


# --- where the validator and we disagree --------------------------------------------------


@dataclass(frozen=True)
class Disagreement:
    """One input both judge differently: the validator's verdict and ours, with messages."""

    build: Callable[[LoopbackServer, PrivateKey], str]
    validator_valid: bool
    validator_errors: tuple[str, ...]  # "TASK_NAME: fragment of its message"
    ours_not_ok: dict[str, str]  # check id -> fragment of its message
    validator_warnings: tuple[str, ...] = ()


def _single_entry_revocation_list(server: LoopbackServer, key: PrivateKey) -> str:
    # JSON-LD compaction turns a one-element revokedAssertions array into the bare entry;
    # the validator's revocation task then iterates over the entry's keys (or, for a
    # string entry, its characters), so the assertion never matches: OB 2.0 says revoked.
    site = publish_site(server, "/one-entry", key, revoked=((REVOKED_ID, "Awarded in error."),))
    return site.sign(REVOKED_ID)


def _entry_marked_not_revoked(server: LoopbackServer, key: PrivateKey) -> str:
    # OB 2.0 RevocationList entries carry `revoked` (default true); false means the entry
    # does not revoke. The validator matches on id alone.
    site = publish_site(server, "/not-revoked", key)
    site.publish(
        "/revocations",
        {
            **issuing.revocation_list(site.revocations, site.issuer, [(OTHER_REVOKED_ID, None)]),
            "revokedAssertions": [{"id": SIGNED_ID, "revoked": False}, {"id": OTHER_REVOKED_ID}],
        },
    )
    return site.sign(SIGNED_ID)


def _legacy_uid_entry(server: LoopbackServer, key: PrivateKey) -> str:
    # Entries may name a legacy (OB 1.x) `uid`; the validator checks `id` only.
    site = publish_site(server, "/uid", key)
    site.publish(
        "/revocations",
        {
            **issuing.revocation_list(site.revocations, site.issuer, [(OTHER_REVOKED_ID, None)]),
            "revokedAssertions": [{"uid": "abc-123"}, {"id": OTHER_REVOKED_ID}],
        },
    )
    assertion = {**site.assertion(SIGNED_ID), "uid": "abc-123"}
    return issuing.signed_assertion(assertion, site.signer, creator=site.key)


def _hosted_listed_in_revocation_list(server: LoopbackServer, key: PrivateKey) -> str:
    # The validator consults the issuer's RevocationList for signed assertions only.
    site = publish_site(server, "/hosted-listed", key)
    url = site.url("/assertions/listed")
    site.publish(
        "/revocations",
        issuing.revocation_list(
            site.revocations, site.issuer, [(url, "Listed."), (OTHER_REVOKED_ID, None)]
        ),
    )
    return site.host("listed")


def _hosted_gone_410(server: LoopbackServer, key: PrivateKey) -> str:
    # OB 2.0 "Hosted Badges": 410 Gone means revoked. The validator ignores the status
    # code and verifies whatever JSON body comes with it.
    site = publish_site(server, "/gone", key)
    return site.host("gone", status=410)


def _hosted_copy_marked_revoked(server: LoopbackServer, key: PrivateKey) -> str:
    # The hosted assertion itself says revoked: true; the validator does not look.
    site = publish_site(server, "/self-revoked", key)
    url = site.url("/assertions/withdrawn")
    document = {**site.assertion(url), "revoked": True, "revocationReason": "Withdrawn."}
    return site.host("withdrawn", document)


def _key_owned_by_another(server: LoopbackServer, key: PrivateKey) -> str:
    # The validator checks that the issuer lists the key, not that the key names the
    # issuer as its owner (CryptographicKey.owner).
    site = publish_site(server, "/owner", key)
    site.publish(
        "/keys/1",
        issuing.cryptographic_key(site.key, site.url("/someone-else"), key.public_key().pem()),
    )
    return site.sign()


def _issuer_with_two_keys(server: LoopbackServer, key: PrivateKey) -> str:
    # After a key rotation the issuer lists both keys. The validator allows only one
    # publicKey value (a list of two is "more than the single allowed value").
    site = publish_site(server, "/two-keys", key)
    spare = site.url("/keys/2")
    site.publish(
        "/issuer",
        issuing.issuer_profile(
            issuer_id=site.issuer,
            name="Example Institute",
            url=site.url("/"),
            email="badges@example.org",
            public_keys=[site.key, spare],
            revocation_list=site.revocations,
        ),
    )
    site.publish("/keys/2", issuing.cryptographic_key(spare, site.issuer, key.public_key().pem()))
    return site.sign()


def _es256(server: LoopbackServer, key: PrivateKey) -> str:
    # OB 2.0 recommends RS256; the validator imports every publicKeyPem as RSA.
    ec_key = generate_key("P-256")
    site = publish_site(server, "/es256", ec_key)
    return site.sign()


def _no_creator(server: LoopbackServer, key: PrivateKey) -> str:
    # OB 2.0 lets verification.creator be omitted (try the issuer's keys); the validator
    # cannot find a key without it.
    site = publish_site(server, "/no-creator", key)
    header, payload, _ = site.sign().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    del claims["verification"]["creator"]
    body = json.dumps(claims, separators=(",", ":")).encode()
    payload = base64.urlsafe_b64encode(body).rstrip(b"=").decode()
    signature = site.signer.sign(f"{header}.{payload}".encode())
    return f"{header}.{payload}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def _issuer_without_email(server: LoopbackServer, key: PrivateKey) -> str:
    # OB 2.0 requires email on an Issuer Profile; the validator does not.
    site = publish_site(server, "/no-email", key)
    profile = issuing.issuer_profile(
        issuer_id=site.issuer,
        name="Example Institute",
        url=site.url("/"),
        email="badges@example.org",
        public_keys=[site.key],
        revocation_list=site.revocations,
    )
    del profile["email"]
    site.publish("/issuer", profile)
    return site.sign()


def _badge_served_under_another_id(server: LoopbackServer, key: PrivateKey) -> str:
    # The BadgeClass fetched from one URL names another id. The validator warns and
    # refetches from the declared id; we refuse the document.
    site = publish_site(server, "/moved", key)
    badge = json.loads(server.resources["/moved/badges/robotics"].body)
    site.publish("/badges/old-address", badge)
    assertion = {**site.assertion(SIGNED_ID), "badge": site.url("/badges/old-address")}
    return issuing.signed_assertion(assertion, site.signer, creator=site.key)


DISAGREEMENTS: dict[str, Disagreement] = {
    "single-entry-revocation-list": Disagreement(
        _single_entry_revocation_list,
        validator_valid=True,
        validator_errors=(),
        ours_not_ok={"status.revocation": "revoked: Awarded in error."},
    ),
    "revocation-entry-marked-not-revoked": Disagreement(
        _entry_marked_not_revoked,
        validator_valid=False,
        validator_errors=("VERIFY_SIGNED_ASSERTION_NOT_REVOKED: has been revoked",),
        ours_not_ok={},
    ),
    "revocation-entry-by-legacy-uid": Disagreement(
        _legacy_uid_entry,
        validator_valid=True,
        validator_errors=(),
        ours_not_ok={"status.revocation": "revoked: no reason given"},
    ),
    "hosted-assertion-in-revocation-list": Disagreement(
        _hosted_listed_in_revocation_list,
        validator_valid=True,
        validator_errors=(),
        ours_not_ok={"status.revocation": "revoked: Listed."},
    ),
    "hosted-assertion-410-gone": Disagreement(
        _hosted_gone_410,
        validator_valid=True,
        validator_errors=(),
        ours_not_ok={"status.revocation": "answers 410 Gone"},
    ),
    "hosted-assertion-marked-revoked": Disagreement(
        _hosted_copy_marked_revoked,
        validator_valid=True,
        validator_errors=(),
        ours_not_ok={"status.revocation": "revoked: Withdrawn."},
    ),
    "key-owned-by-another-profile": Disagreement(
        _key_owned_by_another,
        validator_valid=True,
        validator_errors=(),
        ours_not_ok={"issuer.key_ownership": "/someone-else, not issuer"},
    ),
    "issuer-lists-two-public-keys": Disagreement(
        _issuer_with_two_keys,
        validator_valid=False,
        validator_errors=("VALIDATE_PROPERTY: has more than the single allowed value",),
        ours_not_ok={},
    ),
    "es256-signature": Disagreement(
        _es256,
        validator_valid=False,
        validator_errors=("VERIFY_JWS: RSA key format is not supported",),
        ours_not_ok={},
    ),
    "signed-without-creator": Disagreement(
        _no_creator,
        validator_valid=False,
        validator_errors=("VERIFY_JWS: Task could not run due to unmet prerequisites",),
        ours_not_ok={},
    ),
    "issuer-without-email": Disagreement(
        _issuer_without_email,
        validator_valid=True,
        validator_errors=(),
        ours_not_ok={"issuer.fetch": "lacks required email"},
    ),
    "badge-served-under-another-id": Disagreement(
        _badge_served_under_another_id,
        validator_valid=True,
        validator_errors=(),
        validator_warnings=("REPORT_MESSAGE: declared its id as",),
        ours_not_ok={"badge.fetch": "names a different id"},
    ),
}


def _matches(messages: list[dict[str, Any]], expected: tuple[str, ...]) -> bool:
    seen = [f"{m.get('name')}: {m.get('result')}" for m in messages]
    if len(seen) != len(expected):
        return False
    return all(
        s.startswith(e.split(": ", 1)[0] + ":") and e.split(": ", 1)[1] in s
        for s, e in zip(seen, expected, strict=True)
    )


@pytest.mark.parametrize("case", sorted(DISAGREEMENTS))
def test_known_disagreement(
    case: str, validator: ValidatorSetup, server: LoopbackServer, rsa_key: PrivateKey
) -> None:
    expected = DISAGREEMENTS[case]
    data = expected.build(server, rsa_key)
    result = run_validator(validator.python, server, data=data)
    assert result.blocked == [], result.summary()
    assert result.valid is expected.validator_valid, result.summary()
    assert _matches(result.messages("ERROR"), expected.validator_errors), result.summary()
    assert _matches(result.messages("WARNING"), expected.validator_warnings), result.summary()
    report = _ours(data, server)
    ours = _not_ok(report)
    assert ours.keys() == expected.ours_not_ok.keys(), ours
    for check_id, fragment in expected.ours_not_ok.items():
        assert fragment in ours[check_id], ours
    # A disagreement indeed: exactly one side accepts the badge.
    assert result.valid is not report.ok


def test_validator_reaches_nothing_beyond_the_loopback_server(
    validator: ValidatorSetup, server: LoopbackServer
) -> None:
    outside = "http://192.0.2.10/assertions/1.json"  # TEST-NET-1: never routed
    result = run_validator(validator.python, server, data=outside)
    assert not result.valid
    assert result.blocked == [outside]
    [error] = result.messages("ERROR")
    assert "is not on the loopback server" in error["result"]
