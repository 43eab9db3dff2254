"""Data Integrity proofs: ``eddsa-rdfc-2022`` (and, for verification, its legacy forms).

Create and verify follow W3C vc-di-eddsa §3.3 exactly:

1. the proof configuration is the proof without ``proofValue``, with the document's
   ``@context`` copied in;
2. both it and the unsecured document are canonicalized with RDFC-1.0;
3. ``hashData`` = SHA-256(canonical proof configuration) || SHA-256(canonical document);
4. the 64 bytes are signed with Ed25519; ``proofValue`` = ``z`` + base58btc(signature).

``Ed25519Signature2020`` and the pre-standard cryptosuite name ``eddsa-2022`` differ only in
names; they are verified, never issued.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from badges import _jsonld, _rdfc
from badges._crypto import PublicKeyInfo, decode_multibase_base58, encode_multibase_base58
from badges._lru import LRUCache
from badges._templates import SigningTemplate as SigningTemplate
from badges.errors import DocumentError, SigningError
from badges.ports import JSONObject, Signer

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
LEGACY_CRYPTOSUITES = frozenset({"eddsa-2022"})
LEGACY_PROOF_TYPE = "Ed25519Signature2020"
# How safe-mode errors name the two documents a proof covers.
CREDENTIAL = "the credential"
PROOF_OPTIONS = "the proof options"

# A batch signs thousands of credentials with one key in the same second: their proof
# configurations are identical, so their canonical hash is computed once.
_proof_hashes: LRUCache[str, bytes] = LRUCache(256)


def format_datetime(moment: datetime) -> str:
    """XSD dateTimeStamp in UTC, seconds precision: ``2026-11-30T01:02:03Z``."""
    if moment.tzinfo is None:
        raise DocumentError("a date-time must carry a time zone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_supported(proof: Any) -> bool:
    """Whether ``proof`` is of a type this module verifies."""
    if not isinstance(proof, dict):
        return False
    if proof.get("type") == LEGACY_PROOF_TYPE:
        return True
    suite = proof.get("cryptosuite")
    return (
        proof.get("type") == PROOF_TYPE
        and isinstance(suite, str)
        and (suite == CRYPTOSUITE or suite in LEGACY_CRYPTOSUITES)
    )


def proofs_of(document: JSONObject) -> list[Any]:
    """The document's proofs as a list (``proof`` may be one object or an array)."""
    proof = document.get("proof")
    if proof is None:
        return []
    return list(proof) if isinstance(proof, list) else [proof]


def unsecured(document: JSONObject) -> JSONObject:
    """The document without its ``proof`` (all proofs of a set are removed)."""
    return {key: value for key, value in document.items() if key != "proof"}


def proof_configuration(document: JSONObject, proof: JSONObject) -> JSONObject:
    """The proof without ``proofValue``, with the document's ``@context`` (vc-di-eddsa §3.3.5)."""
    config = {key: value for key, value in proof.items() if key != "proofValue"}
    config["@context"] = document.get("@context")
    return config


@dataclass(frozen=True)
class CanonicalForms:
    """The intermediate values of a proof, as published in the test vectors."""

    proof_canonical: str
    document_canonical: str
    proof_hash: bytes
    document_hash: bytes

    @property
    def hash_data(self) -> bytes:
        return self.proof_hash + self.document_hash


def canonical_forms(document: JSONObject, proof: JSONObject, *, strict: bool) -> CanonicalForms:
    """Canonicalize and hash the proof configuration and the unsecured document.

    Raises:
        DocumentError: JSON-LD processing failed (or, with ``strict``, undefined terms).
    """
    document = unsecured(document)
    config = proof_configuration(document, proof)
    proof_canonical = _jsonld.canonize(config, strict=strict, what=PROOF_OPTIONS)
    document_canonical = _jsonld.canonize(document, strict=strict, what=CREDENTIAL)
    return CanonicalForms(
        proof_canonical,
        document_canonical,
        hashlib.sha256(proof_canonical.encode("utf-8")).digest(),
        hashlib.sha256(document_canonical.encode("utf-8")).digest(),
    )


def _hash_data(
    document: JSONObject, config: JSONObject, *, strict: bool, document_hash: bytes | None = None
) -> bytes:
    """hashData, the proof configuration's hash memoised (the fast ``canonical_forms``)."""
    key = json.dumps(config, sort_keys=True, ensure_ascii=False) + ("!" if strict else "")
    proof_hash = _proof_hashes.get(key)
    if proof_hash is None:
        canonical = _jsonld.canonize(config, strict=strict, what=PROOF_OPTIONS)
        proof_hash = hashlib.sha256(canonical.encode("utf-8")).digest()
        _proof_hashes.put(key, proof_hash)
    if document_hash is None:
        document_hash = hash_canonical(_jsonld.canonize(document, strict=strict, what=CREDENTIAL))
    return proof_hash + document_hash


def hash_canonical(canonical: str) -> bytes:
    """SHA-256 of canonical N-Quads (their UTF-8 bytes)."""
    return hashlib.sha256(canonical.encode("utf-8")).digest()


def add_proof(
    document: JSONObject,
    options: JSONObject,
    signer: Signer,
    *,
    strict: bool = True,
    template: SigningTemplate | None = None,
) -> JSONObject:
    """Return a copy of ``document`` with a proof made from ``options`` appended.

    Args:
        document: the document; existing proofs are kept (a proof set).
        options: the proof without ``proofValue`` (type, cryptosuite, created, …).
        signer: an Ed25519 signer.
        strict: refuse undefined terms, which would go unsigned.
        template: gives the document's quads without expanding it, if the document fits
            (:class:`SigningTemplate`); the signature is the same either way.

    Raises:
        DocumentError: the document is not signable (unknown context, undefined terms).
        SigningError: unsupported proof options, or the signer is not Ed25519 or failed.
    """
    if not is_supported(options):
        raise SigningError("proofs are DataIntegrityProof with the eddsa-rdfc-2022 cryptosuite")
    if signer.algorithm != "EdDSA":
        raise SigningError(f"eddsa-rdfc-2022 needs an Ed25519 key, not {signer.algorithm}")
    existing = proofs_of(document)
    base = unsecured(document)
    quads = template.quads(base) if template is not None else None
    document_hash = None if quads is None else hash_canonical(_rdfc.canonicalize(quads))
    config = proof_configuration(base, options)
    hash_data = _hash_data(base, config, strict=strict, document_hash=document_hash)
    try:
        signature = signer.sign(hash_data)
    except Exception as error:  # a signer is the caller's code: report, don't leak details
        raise SigningError(f"the signer failed: {type(error).__name__}") from error
    if len(signature) != 64:
        raise SigningError("an Ed25519 signature has 64 bytes")
    proof = {**options, "proofValue": encode_multibase_base58(signature)}
    proof.pop("@context", None)  # the embedded proof takes its terms from the document
    signed = copy.copy(base)
    signed["proof"] = [*existing, proof]
    return signed


def sign(
    document: JSONObject,
    signer: Signer,
    *,
    created: datetime,
    proof_purpose: str = "assertionMethod",
    template: SigningTemplate | None = None,
) -> JSONObject:
    """Return a copy of ``document`` with an ``eddsa-rdfc-2022`` proof appended.

    Args:
        document: the credential; existing proofs are kept (a proof set).
        signer: an Ed25519 signer; its ``key_id`` becomes the ``verificationMethod``.
        created: the proof's creation time (time zone required).
        proof_purpose: ``assertionMethod`` for credentials.
        template: for many documents of one shape (:class:`SigningTemplate`): the quads of
            a document that fits are made from it, without JSON-LD expansion.

    Raises:
        DocumentError: the document is not signable (unknown context, undefined terms).
        SigningError: the signer is not an Ed25519 signer, or failed.
    """
    options: JSONObject = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": format_datetime(created),
        "verificationMethod": signer.key_id,
        "proofPurpose": proof_purpose,
    }
    return add_proof(document, options, signer, template=template)


def signature_of(proof: JSONObject) -> bytes:
    """Decode ``proofValue`` into a 64-byte signature.

    Raises:
        DocumentError: missing, not base58btc multibase, or not 64 bytes.
    """
    value = proof.get("proofValue")
    if not isinstance(value, str):
        raise DocumentError("the proof has no proofValue")
    signature = decode_multibase_base58(value, "proofValue")
    if len(signature) != 64:
        raise DocumentError(f"proofValue decodes to {len(signature)} bytes, not 64")
    return signature


def verify_signature(
    document: JSONObject,
    proof: JSONObject,
    key: PublicKeyInfo,
    *,
    analysis: _jsonld.Analysis | None = None,
    budget: _jsonld.WorkBudget = _jsonld.DEFAULT_BUDGET,
) -> bool:
    """Check one proof of ``document`` against ``key``, in JSON-LD safe mode.

    A term that the credential's or the proof options' ``@context`` does not define is dropped
    by expansion, so no signature covers it: that is an error, never a valid signature
    (https://www.w3.org/TR/vc-data-integrity/#securing-data-losslessly), the same rule
    :func:`add_proof` applies when signing.

    ``analysis`` is the unsecured document's expansion, when the caller has it already
    (verification expands the document once for every check); otherwise the document is
    expanded within ``budget``.

    Raises:
        DataLossError: the credential or the proof options have undefined terms.
        DocumentError: the proof or the document cannot be processed.
    """
    if key.kind != "Ed25519":
        raise DocumentError("eddsa-rdfc-2022 proofs are made with Ed25519 keys")
    signature = signature_of(proof)
    base = unsecured(document)
    if analysis is None:
        analysis = _jsonld.analyse(base, budget=budget)
    _jsonld.require_lossless(analysis.undefined, what=CREDENTIAL)
    config = proof_configuration(base, proof)
    document_hash = hash_canonical(analysis.canonical())
    hash_data = _hash_data(base, config, strict=True, document_hash=document_hash)
    return key.verify(signature, hash_data)
