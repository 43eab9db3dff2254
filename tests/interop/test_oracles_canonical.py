"""Canonical N-Quads, contexts, and the places where jsonld.js and we disagree.

Our RDFC-1.0 output must be byte-identical to jsonld.js + rdf-canonize (canonize.mjs, with the
options @digitalbazaar/data-integrity uses), and our JSON-LD contexts must equal the ones the
npm context packages ship. The known disagreements are pinned in ``test_known_disagreement_*``:
each says who is right, and fails when either side changes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import badges
from badges import DictFetcher, DocumentError, JSONObject, data_integrity, verify
from tests.interop import harness, samples
from tests.support import FIXED_NOW

CONTEXTS = Path(badges.__file__).resolve().parent / "contexts"
BY_KEY = samples.did_key_signer(samples.ED_KEY)


def _canonical_inputs() -> dict[str, tuple[JSONObject, JSONObject]]:
    """(unsecured document, proof configuration) pairs whose canonical forms must agree."""
    credentials = {
        "did_key_japanese": samples.signed(BY_KEY),
        "did_web_rich_content": samples.rich(),
        "status_list": samples.status_list_credential(samples.WEB_SIGNER),
    }
    pairs = {}
    for name, credential in credentials.items():
        proof = data_integrity.proofs_of(credential)[0]
        document = data_integrity.unsecured(credential)
        pairs[name] = (document, data_integrity.proof_configuration(document, proof))
    # Strings the builder refuses to issue, but which a verifier meets in foreign credentials:
    # RDFC-1.0 escapes these control characters, older URDNA2015 serialisers did not.
    base, proof = pairs["did_key_japanese"]
    for label, text in {
        "control_characters": "\b \f \x1f \x7f \x00 \x0b",
        "escapes_and_astral": '" \\ \n \r \t 🎓 \U0001d518 e\u0301 \u2028 \ufeff',
    }.items():
        document = json.loads(json.dumps(base))
        document["credentialSubject"]["achievement"]["description"] = text
        pairs[label] = (document, proof)
    for value in (2.5, 0.1, 1e-6, 1.5e-7, 1e21, 42.0):
        document = json.loads(json.dumps(base))
        document["credentialSubject"]["achievement"]["creditsAvailable"] = value
        pairs[f"number_{value!r}"] = (document, proof)
    return pairs


CANONICAL_INPUTS = _canonical_inputs()


@pytest.fixture(scope="module")
def js_canonical(oracle: None) -> dict[str, tuple[JSONObject, JSONObject]]:
    requests = [{"document": d} for pair in CANONICAL_INPUTS.values() for d in pair]
    results = iter(harness.run_script("canonize.mjs", requests))
    return {name: (next(results), next(results)) for name in CANONICAL_INPUTS}


@pytest.mark.parametrize("name", list(CANONICAL_INPUTS))
def test_canonical_n_quads_are_byte_identical(
    name: str, js_canonical: dict[str, tuple[JSONObject, JSONObject]]
) -> None:
    document, config = CANONICAL_INPUTS[name]
    proof = {k: v for k, v in config.items() if k != "@context"}
    ours = data_integrity.canonical_forms(document, proof, strict=False)
    theirs_document, theirs_config = js_canonical[name]
    assert theirs_document.get("nquads") == ours.document_canonical, theirs_document
    assert theirs_config.get("nquads") == ours.proof_canonical, theirs_config


def test_our_contexts_are_the_ones_the_javascript_packages_ship(oracle: None) -> None:
    """The same URL must mean the same document, or every canonical form differs."""
    index = json.loads((CONTEXTS / "index.json").read_text(encoding="utf-8"))
    ours = {entry["url"]: CONTEXTS / entry["file"] for entry in index}
    theirs = harness.run_script("contexts.mjs", {})["contexts"]
    shared = sorted(set(theirs) & set(ours))
    assert len(shared) >= 8, shared
    for url in shared:
        assert json.loads(ours[url].read_text(encoding="utf-8")) == theirs[url]["document"], url


# --- Known disagreements -----------------------------------------------------------------------


def _with_credits(value: float) -> JSONObject:
    document: JSONObject = json.loads(json.dumps(CANONICAL_INPUTS["did_key_japanese"][0]))
    document["credentialSubject"]["achievement"]["creditsAvailable"] = value
    return document


def _credits_lines(document: JSONObject) -> tuple[str, str]:
    """The creditsAvailable quad as we write it and as jsonld.js writes it."""
    ours = data_integrity.canonical_forms(document, {}, strict=False).document_canonical
    theirs = harness.run_script("canonize.mjs", {"document": document})
    assert "nquads" in theirs, theirs

    def line(nquads: str) -> str:
        return next(q for q in nquads.splitlines() if "#creditsAvailable>" in q)

    return line(ours), line(theirs["nquads"])


def test_known_disagreement_jsonld_js_writes_tiny_doubles_as_integers(oracle: None) -> None:
    """jsonld.js 9.0.0 canonicalizes 1e-7 as "0"; PyLD, and the JSON-LD spec, say "1.0E-7".

    JSON-LD 1.1 API, "Object to RDF Conversion": a number with a non-zero fractional part is
    written as an xsd:double in canonical form. jsonld.js (lib/types.js ``isDouble``) decides
    "double" by looking for a "." in ``String(value)``, and ``String(1e-7)`` is ``"1e-7"``, so
    it writes ``value.toFixed(0)``. Every non-integral number below 1e-6 whose shortest form
    has one significant digit (1e-7, 5e-10, ...) is hit: a credential carrying one, signed by
    either side, fails on the other, and a jsonld.js signature does not protect such a value
    (1e-7 and 0 sign alike).
    """
    ours, theirs = _credits_lines(_with_credits(1e-7))
    assert '"1.0E-7"^^<https://www.w3.org/2001/XMLSchema#float>' in ours
    assert '"0"^^<https://www.w3.org/2001/XMLSchema#float>' in theirs

    # Our builder refuses such a value, so we never issue one ...
    with pytest.raises(DocumentError, match="too small"):
        samples.signed(BY_KEY, achievement=samples.achievement(creditsAvailable=1e-7))
    # ... and one signed without the builder shows why: we verify it, they do not.
    credential = data_integrity.unsecured(samples.signed(BY_KEY))
    credential["credentialSubject"]["achievement"]["creditsAvailable"] = 1e-7
    signed = data_integrity.sign(credential, BY_KEY, created=FIXED_NOW)
    assert verify(signed, fetcher=DictFetcher(), now=FIXED_NOW).ok is True
    verdict = harness.verify_di(signed, now=FIXED_NOW)
    assert verdict["verified"] is False
    assert "Invalid signature." in verdict["errors"]


def test_known_disagreement_integers_beyond_double_precision(oracle: None) -> None:
    """2**53 + 1 becomes 2**53 in JavaScript, where every JSON number is an IEEE double.

    Neither side breaks a rule: RFC 8259 §6 warns that such integers are not interoperable,
    and I-JSON (RFC 7493) forbids them. But a signature over one does not verify across the two.
    """
    ours, theirs = _credits_lines(_with_credits(2**53 + 1))
    assert '"9007199254740993"^^' in ours
    assert '"9007199254740992"^^' in theirs


def test_known_disagreement_undefined_terms_fail_the_oracle_but_only_warn_here(
    oracle: None,
) -> None:
    """A signed property no context defines: we pass with a warning, jsonld-signatures fails.

    Our verifier follows Data Integrity's warning that only what expands is signed
    (https://www.w3.org/TR/vc-data-integrity/#securing-data-losslessly): the signature covers
    only what expands, so an undefined term is reported as unsigned (``document.jsonld``
    warning) and is not shown as verified. jsonld-signatures canonicalizes in JSON-LD "safe
    mode", where a term that would be dropped is an error, so the whole credential fails. Our
    issuer cannot produce such a credential (``data_integrity.sign`` is strict); this one is
    signed non-strictly to stand for a foreign issuer whose tooling let the term through.
    """
    unsigned = data_integrity.unsecured(samples.signed(BY_KEY))
    unsigned["credentialSubject"]["grade"] = "A+"
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2026-11-30T12:00:00Z",
        "verificationMethod": BY_KEY.key_id,
        "proofPurpose": "assertionMethod",
    }
    signed = data_integrity.add_proof(unsigned, options, BY_KEY, strict=False)

    report = verify(signed, fetcher=DictFetcher(), now=FIXED_NOW)
    assert report.ok is True
    statuses = {c.id: c.status for c in report.checks}
    assert statuses["document.jsonld"] == "warning"
    assert statuses["proof.signature"] == "passed"

    verdict = harness.verify_di(signed, now=FIXED_NOW)
    assert verdict["verified"] is False
    assert 'invalid property: "grade"' in verdict["errors"]
