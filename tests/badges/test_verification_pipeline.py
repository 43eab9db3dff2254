"""One verification pipeline: typed check ids, one runner, one config, documents parsed where
they are fetched, one key decoder, and the wrong verdicts it fixes (each test names its case)."""

from __future__ import annotations

import copy
import logging
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from badges import (
    CHECK_IDS,
    Check,
    DictFetcher,
    VerificationReport,
    VerifierConfig,
    data_integrity,
    vc_jwt,
    verify,
)
from badges.verification import ob3
from keys import KeyFormatError, PublicKey
from tests.badges import worlds
from tests.support import FIXED_NOW


def _statuses(report: VerificationReport) -> dict[str, str]:
    return {c.id: c.status for c in report.checks}


def _check(report: VerificationReport, check_id: Any) -> Check:
    check = report.check(check_id)
    assert check is not None, report.checks
    return check


# --- §3: check ids are a typed vocabulary -------------------------------------------------


def test_a_check_id_outside_the_vocabulary_is_refused() -> None:
    with pytest.raises(ValidationError):
        Check(id="proof.signatures", status="passed", message="typo")  # type: ignore[arg-type]
    assert {"proof.signature", "status.revocation", "endorsement"} <= CHECK_IDS


# --- §3: a malformed fetched document fails the check that needed it -----------------------


@pytest.mark.parametrize(
    "change",
    [
        {"assertionMethod": [7]},
        {"assertionMethod": 7},
        {"verificationMethod": ["not an object"]},
        {"id": 7},
    ],
)
def test_a_malformed_did_document_fails_a_check_not_the_badge(change: dict[str, Any]) -> None:
    token, fetcher = worlds.ob3_world(jwt=True)
    fetcher.add(worlds.DID_URL, {**worlds.did_doc(), **change})
    report = verify(token, fetcher=fetcher, now=FIXED_NOW)
    assert report.format == "ob3-jwt"
    assert _check(report, "document.parse").status == "passed"
    assert "verification.internal" not in _statuses(report)
    assert _statuses(report)["proof.signature"] in ("failed", "indeterminate")
    assert report.ok is False


def test_a_jwk_set_with_one_unreadable_member_still_serves_the_others() -> None:
    signer = worlds.KeySigner(worlds.EC_KEY, "https://issuer.example/jwks.json#k2")
    credential = worlds.unsigned_credential(
        issuer={"id": "https://issuer.example/", "type": ["Profile"], "name": "Example"}
    )
    del credential["credentialStatus"]
    token = vc_jwt.sign(credential, signer)
    member = {**worlds.EC_KEY.public_key().jwk(), "kid": "k2"}
    jwks = {"keys": [7, {"kty": "EC", "kid": "k1"}, member]}
    fetcher = DictFetcher(
        {
            "https://issuer.example/jwks.json": jwks,
            "https://issuer.example/.well-known/jwks.json": jwks,
        }
    )
    report = verify(token, fetcher=fetcher, now=FIXED_NOW)
    assert _statuses(report)["proof.signature"] == "passed"
    assert _statuses(report)["issuer.key_ownership"] == "passed"


# --- §3: an internal error is one indeterminate check, logged ------------------------------


def test_an_internal_error_keeps_the_checks_made_and_adds_one_indeterminate_check(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(document: Any, session: Any) -> Check:
        raise RuntimeError("a bug of ours")

    monkeypatch.setattr(ob3, "check_validity", broken)
    credential, fetcher = worlds.ob3_world()
    logger = logging.getLogger("tests.verifier")
    with caplog.at_level(logging.ERROR, logger="tests.verifier"):
        report = verify(
            credential, fetcher=fetcher, now=FIXED_NOW, config=VerifierConfig(logger=logger)
        )
    statuses = _statuses(report)
    assert report.format == "ob3-data-integrity"
    assert statuses["proof.signature"] == "passed"  # the checks made before it stand
    assert statuses["verification.internal"] == "indeterminate"
    assert list(statuses)[-1] == "verification.internal"
    assert report.ok is False
    assert any("validity.window" in r.getMessage() for r in caplog.records)


# --- §3: one key decoder; keys compared as keys ---------------------------------------------


def _jwk_variants() -> list[tuple[str, dict[str, Any]]]:
    jwk = worlds.ED_KEY.public_key().jwk()
    x = jwk["x"]
    stray = x[:-1] + {"A": "B", "Q": "R", "g": "h", "w": "x"}.get(x[-1], "B")
    return [
        ("padded", {**jwk, "x": x + "="}),
        ("stray bits", {**jwk, "x": stray}),
        ("use enc", {**jwk, "use": "enc"}),
        ("alg of another key", {**jwk, "alg": "ES256"}),
    ]


@pytest.mark.parametrize(("name", "jwk"), _jwk_variants(), ids=[n for n, _ in _jwk_variants()])
def test_the_verifier_refuses_a_jwk_the_issuer_refuses(name: str, jwk: dict[str, Any]) -> None:
    with pytest.raises(KeyFormatError):
        PublicKey.from_jwk(jwk)
    document = worlds.did_doc()
    document["verificationMethod"][0] = {
        "id": f"{worlds.DID}#key-1",
        "type": "JsonWebKey",
        "controller": worlds.DID,
        "publicKeyJwk": jwk,
    }
    credential, fetcher = worlds.ob3_world()
    fetcher.add(worlds.DID_URL, document)
    report = verify(credential, fetcher=fetcher, now=FIXED_NOW)
    assert _statuses(report)["proof.signature"] != "passed", name
    assert report.ok is False


def test_a_key_published_in_another_encoding_is_the_same_key() -> None:
    """The controller's document lists the key as a JWK; the method URL serves a Multikey."""
    method_id = "https://badges.example.jp/keys/1"
    public = worlds.ED_KEY.public_key()
    method = {
        "id": method_id,
        "type": "Multikey",
        "controller": worlds.DID,
        "publicKeyMultibase": public.multikey(),
    }
    listed = {
        "id": method_id,
        "type": "JsonWebKey",
        "controller": worlds.DID,
        "publicKeyJwk": {**public.jwk(), "kid": "key-1", "alg": "EdDSA"},
    }
    controller = {"id": worlds.DID, "verificationMethod": [listed], "assertionMethod": [method_id]}
    credential = data_integrity.sign(
        worlds.unsigned_credential(),
        worlds.KeySigner(worlds.ED_KEY, method_id),
        created=FIXED_NOW,
    )
    fetcher = DictFetcher(
        {method_id: method, worlds.DID_URL: controller, worlds.LIST_URL: worlds.signed_list()}
    )
    report = verify(credential, fetcher=fetcher, now=FIXED_NOW)
    assert _statuses(report)["issuer.key_ownership"] == "passed", report.checks


# --- §3: OB 2.0 honours VerifierConfig.clock_skew -------------------------------------------


def test_ob2_honours_the_configured_clock_skew() -> None:
    assertion = worlds.ob2_hosted(issued_on=FIXED_NOW + timedelta(minutes=4))
    fetcher = DictFetcher({**worlds.ob2_documents(), worlds.OB2_HOSTED: assertion})
    strict = VerifierConfig(clock_skew=timedelta(0))
    report = verify(worlds.OB2_HOSTED, fetcher=fetcher, now=FIXED_NOW, config=strict)
    assert _statuses(report)["validity.window"] == "failed"
    lenient = verify(worlds.OB2_HOSTED, fetcher=fetcher, now=FIXED_NOW)
    assert _statuses(lenient)["validity.window"] == "warning"


def test_ob2_shares_the_one_fetch_budget() -> None:
    token, fetcher = worlds.ob2_world(signed=True)
    report = verify(token, fetcher=fetcher, now=FIXED_NOW, config=VerifierConfig(max_fetches=1))
    assert report.format == "ob2-signed"
    assert _statuses(report)["issuer.fetch"] == "indeterminate"
    assert "more than 1 documents" in _check(report, "issuer.fetch").message


# --- §3: every fetched document, mutated: the report stays well formed ----------------------

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.text(max_size=12),
    st.sampled_from(["did:web:x", "https://x.example/", "#key-1", "z6Mk", "urn:uuid:1"]),
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


@st.composite
def _mutated(draw: st.DrawFn, document: Any) -> Any:
    if isinstance(document, str):  # a VC-JWT status list: replace it, or keep it
        return draw(st.one_of(st.just(document), st.text(max_size=40), _JSON))
    document = copy.deepcopy(document)
    path = draw(st.sampled_from(_paths(document)))
    if not path:
        return draw(st.dictionaries(st.text(max_size=8), _JSON, max_size=4))
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    if draw(st.booleans()) and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(_JSON)
    return document


_WORLDS = {
    "ob3-data-integrity": lambda: worlds.ob3_world(),
    "ob3-jwt": lambda: worlds.ob3_world(jwt=True),
    "ob3-jwt-status-list": lambda: worlds.ob3_world(
        jwt=True, listing=vc_jwt.sign(worlds.unsigned_list(), worlds.EC_SIGNER)
    ),
    "ob2-hosted": lambda: worlds.ob2_world(),
    "ob2-signed": lambda: worlds.ob2_world(signed=True),
}


@pytest.mark.parametrize("world", sorted(_WORLDS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_mutation_of_a_fetched_document_leaves_a_well_formed_report(
    world: str, data: st.DataObject
) -> None:
    badge, fetcher = _WORLDS[world]()
    documents: dict[str, Any] = dict(fetcher._documents)
    url = data.draw(st.sampled_from(sorted(documents)), label="url")
    documents[url] = data.draw(_mutated(documents[url]), label="document")
    report = verify(badge, fetcher=DictFetcher(documents), now=FIXED_NOW)
    if url == badge:  # the hosted assertion itself: whatever it now is, it is read as such
        assert report.format != "unknown"
    else:
        assert report.format == ("ob3-jwt" if world.startswith("ob3-jwt") else world)
    assert report.checks[0].id == "document.parse"
    assert report.checks[0].status == "passed"
    assert all(c.id in CHECK_IDS and c.message for c in report.checks)
    assert "verification.internal" not in _statuses(report), report.checks
    VerificationReport.model_validate_json(report.model_dump_json())
