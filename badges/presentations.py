"""DID Authentication: check a holder's signed presentation, with no I/O.

A wallet proves control of a DID by signing a ``VerifiablePresentation`` whose ``holder`` is
that DID, with a proof of purpose ``authentication`` over the verifier's ``challenge`` and
``domain`` (VC-API exchanges, https://w3c-ccg.github.io/vc-api/#exchanges, "DID
Authentication"; VC Data Integrity §2.1 and §4.2,
https://www.w3.org/TR/vc-data-integrity/#proofs). Accepted proofs: ``DataIntegrityProof``
with ``eddsa-rdfc-2022`` (https://www.w3.org/TR/vc-di-eddsa/#eddsa-rdfc-2022) and the
``Ed25519Signature2020`` suite the Learner Credential Wallet signs with
(https://w3c-ccg.github.io/di-eddsa-2020/), which differs from it only in names.

Only ``did:key`` holders are resolved (locally, https://w3c-ccg.github.io/did-key-spec/): a
holder whose DID document would have to be fetched is refused as ``unresolvable``, which
keeps this check free of network I/O and of documents an attacker could serve.
"""

from __future__ import annotations

from typing import Any, Final

from badges import _jsonld, data_integrity
from badges.errors import DocumentError, PresentationError
from badges.ports import JSONObject
from badges.resolution import did_key_document, strip_fragment

__all__ = ["authenticate"]

PURPOSE: Final = "authentication"
_RESOLVABLE: Final = "did:key:"


def authenticate(
    presentation: Any,
    *,
    challenge: str,
    domain: str | None,
    budget: _jsonld.WorkBudget = _jsonld.DEFAULT_BUDGET,
) -> str:
    """The holder DID that ``presentation`` authenticates, for ``challenge`` and ``domain``.

    ``domain`` ``None``: the presentation may carry none (the legacy one-POST request, whose
    challenge in the URL is then the only binding).

    Raises:
        PresentationError: why the presentation does not authenticate its holder.
    """
    if not isinstance(presentation, dict):
        raise PresentationError("the presentation is not a JSON object", reason="malformed")
    types = presentation.get("type")
    types = types if isinstance(types, list) else [types]
    if "VerifiablePresentation" not in types:
        raise PresentationError(
            "the presentation's type is not VerifiablePresentation", reason="malformed"
        )
    holder = presentation.get("holder")
    if isinstance(holder, dict):
        holder = holder.get("id")
    if not isinstance(holder, str) or not holder.startswith("did:"):
        raise PresentationError("the presentation names no holder DID", reason="malformed")
    proofs = [p for p in data_integrity.proofs_of(presentation) if isinstance(p, dict)]
    if not proofs:
        raise PresentationError("the presentation has no proof", reason="proof")
    # The first proof by the holder for this exchange decides; others are ignored.
    problem = PresentationError(
        "no proof of an accepted type (eddsa-rdfc-2022, Ed25519Signature2020)", reason="proof"
    )
    for proof in proofs:
        if not _accepted(proof):
            continue
        _check_options(proof, challenge, domain)
        method_id = proof.get("verificationMethod")
        if not isinstance(method_id, str) or strip_fragment(method_id) != holder:
            problem = PresentationError(
                "the proof is not made by the holder's key", reason="holder"
            )
            continue
        if not holder.startswith(_RESOLVABLE):
            raise PresentationError(
                f"the holder {holder[:80]} cannot be resolved here: only did:key is accepted",
                reason="unresolvable",
            )
        try:
            method = did_key_document(holder).find(method_id)
            valid = PURPOSE in method.relationships and data_integrity.verify_signature(
                presentation, proof, method.key, budget=budget
            )
        except DocumentError as error:
            raise PresentationError(
                f"the proof cannot be checked: {error}", reason="proof"
            ) from None
        if not valid:
            raise PresentationError("the proof's signature does not verify", reason="proof")
        return holder
    raise problem


def _accepted(proof: JSONObject) -> bool:
    if proof.get("type") == data_integrity.LEGACY_PROOF_TYPE:
        return True
    return (
        proof.get("type") == data_integrity.PROOF_TYPE
        and proof.get("cryptosuite") == data_integrity.CRYPTOSUITE
    )


def _check_options(proof: JSONObject, challenge: str, domain: str | None) -> None:
    if proof.get("proofPurpose") != PURPOSE:
        raise PresentationError("the proof's purpose is not authentication", reason="proof")
    if proof.get("challenge") != challenge:
        raise PresentationError(
            "the proof is not made for this exchange's challenge", reason="challenge"
        )
    given = proof.get("domain")
    if domain is None:
        return
    # VC Data Integrity §2.1: domain is a string or an array of strings.
    domains = given if isinstance(given, list) else [given]
    if domain not in domains:
        raise PresentationError("the proof is not made for this service's domain", reason="domain")
