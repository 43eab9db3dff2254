"""Proof checks shared by credentials and status list credentials.

Two questions, two checks: ``proof.signature`` (does a supported proof verify with its key?)
and ``issuer.key_ownership`` (does the issuer's own document list that key for
``assertionMethod``?). A key that could not be looked up makes a check indeterminate, never
passed.
"""

from __future__ import annotations

from dataclasses import dataclass

from badges import data_integrity, resolution
from badges._crypto import PublicKeyInfo
from badges._jsonld import Analysis, WorkSpentError
from badges.errors import DocumentError, FetchError
from badges.ports import JSONObject
from badges.report import Check, CheckId
from badges.verification.session import Session

SIGNATURE: CheckId = "proof.signature"
OWNERSHIP: CheckId = "issuer.key_ownership"


def issuer_id(document: JSONObject) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def issuer_name(document: JSONObject) -> str | None:
    issuer = document.get("issuer")
    name = issuer.get("name") if isinstance(issuer, dict) else None
    if isinstance(name, dict):  # a language map
        name = next((v for v in name.values() if isinstance(v, str)), None)
    return name if isinstance(name, str) and name.strip() else None


@dataclass(frozen=True)
class KeyLookup:
    """A method's key and what its controller's document says about it."""

    key: PublicKeyInfo | None
    ownership: Check


def owned(issuer: str, message: str, name: str | None) -> Check:
    """A passed ownership check, or a warning when the issuer is a did:key.

    Any key is "listed" by its own did:key document, so for a did:key issuer this check shows
    only that the credential was signed by that key: nothing ties the key to the organisation
    the credential names (OB 3.0 implementation guide, "Key provenance").
    """
    if issuer.startswith("did:key:"):
        named = f"the organisation named {name!r}" if name else "any organisation"
        return Check(
            id=OWNERSHIP,
            status="warning",
            message=f"{message} But the issuer is a did:key, which any key holder can make: "
            f"nothing ties it to {named}.",
            spec="OB 3.0 impl guide, Key provenance",
        )
    return Check(id=OWNERSHIP, status="passed", message=message)


def _ownership(method: resolution.ResolvedMethod, document: JSONObject, session: Session) -> Check:
    """Whether ``method`` is the issuer's: controlled by it and listed for assertionMethod."""
    issuer = issuer_id(document)
    if issuer is None:
        return Check(id=OWNERSHIP, status="failed", message="The credential names no issuer id.")
    if method.controller != issuer:
        return Check(
            id=OWNERSHIP,
            status="failed",
            message=f"The signing key {method.id} is controlled by {method.controller}, "
            f"not by the issuer {issuer}.",
            spec="OB 3.0 impl guide, Key provenance",
        )
    relationships = method.relationships
    if not relationships:
        # The method came from a document that is not its controller's (or was the method
        # itself): the controller's own document must list it, with the same key.
        try:
            controller_document = resolution.load_controller_document(
                method.controller, session, session.config.resolver
            )
            listed = controller_document.find(method.id)
            if listed.key.thumbprint != method.key.thumbprint:
                raise DocumentError(f"the issuer's document lists {method.id} with another key")
            relationships = listed.relationships
        except FetchError as error:
            return Check(
                id=OWNERSHIP,
                status="indeterminate",
                message=f"Could not fetch the issuer's document to confirm the key: {error}",
            )
        except DocumentError as error:
            return Check(id=OWNERSHIP, status="failed", message=f"{error}.")
    if "assertionMethod" not in relationships:
        return Check(
            id=OWNERSHIP,
            status="failed",
            message=f"The issuer's document does not list {method.id} for assertionMethod.",
        )
    return owned(
        issuer,
        f"The issuer {issuer} lists the signing key for assertionMethod.",
        issuer_name(document),
    )


def look_up_key(method_id: str, document: JSONObject, session: Session) -> KeyLookup:
    """Resolve ``method_id`` and judge its ownership, falling back to a fragment Multikey."""
    method_id = resolution.normalise_method_id(method_id)
    try:
        # The session is a fetcher that fetches each document once per verification.
        method = resolution.resolve(method_id, session, session.config.resolver)
    except FetchError as error:
        return KeyLookup(
            resolution.key_from_fragment(method_id),
            Check(
                id=OWNERSHIP,
                status="indeterminate",
                message=f"Could not fetch the document that would confirm the key: {error}",
            ),
        )
    except DocumentError as error:
        return KeyLookup(
            resolution.key_from_fragment(method_id),
            Check(id=OWNERSHIP, status="failed", message=f"{error}."),
        )
    return KeyLookup(method.key, _ownership(method, document, session))


@dataclass(frozen=True)
class _Outcome:
    signature: Check
    ownership: Check

    @property
    def rank(self) -> int:
        order = {"passed": 0, "warning": 0, "indeterminate": 1, "failed": 2, "skipped": 3}
        return order[self.signature.status] * 4 + order[self.ownership.status]


def _check_one(
    document: JSONObject, proof: JSONObject, session: Session, analysis: Analysis | None
) -> _Outcome:
    skipped = Check(id=OWNERSHIP, status="skipped", message=f"needs {SIGNATURE}")
    if proof.get("proofPurpose") != "assertionMethod":
        return _Outcome(
            Check(
                id=SIGNATURE,
                status="failed",
                message=f"The proof's purpose is {proof.get('proofPurpose')!r}, "
                "not 'assertionMethod'.",
            ),
            skipped,
        )
    method_id = proof.get("verificationMethod")
    if isinstance(method_id, dict):
        method_id = method_id.get("id")
    if not isinstance(method_id, str):
        return _Outcome(
            Check(id=SIGNATURE, status="failed", message="The proof names no verificationMethod."),
            skipped,
        )
    lookup = look_up_key(method_id, document, session)
    if lookup.key is None:
        status = "indeterminate" if lookup.ownership.status == "indeterminate" else "failed"
        return _Outcome(
            Check(
                id=SIGNATURE,
                status=status,
                message=f"The key {method_id} could not be found: {lookup.ownership.message}",
            ),
            lookup.ownership,
        )
    try:
        valid = data_integrity.verify_signature(
            document, proof, lookup.key, analysis=analysis, budget=session.config.jsonld_budget
        )
    except WorkSpentError as error:  # not checked, so never failed
        return _Outcome(Check(id=SIGNATURE, status="indeterminate", message=f"{error}."), skipped)
    except DocumentError as error:
        return _Outcome(Check(id=SIGNATURE, status="failed", message=f"{error}."), skipped)
    if not valid:
        return _Outcome(
            Check(
                id=SIGNATURE,
                status="failed",
                message="The signature does not match the credential: it was changed after "
                "signing, or signed with another key.",
                spec="vc-di-eddsa §3.3.2",
            ),
            skipped,
        )
    suite = proof.get("cryptosuite") or proof.get("type")
    return _Outcome(
        Check(
            id=SIGNATURE,
            status="passed",
            message=f"The {suite} signature by {method_id} is valid.",
        ),
        lookup.ownership,
    )


def check_embedded_proofs(
    document: JSONObject, session: Session, *, analysis: Analysis | None = None
) -> tuple[Check, Check]:
    """Verify the document's Data Integrity proofs; one acceptable proof suffices.

    ``analysis`` is the unsecured document's expansion, if the caller has it.
    """
    proofs = data_integrity.proofs_of(document)
    skipped = Check(id=OWNERSHIP, status="skipped", message=f"needs {SIGNATURE}")
    if not proofs:
        return (
            Check(
                id=SIGNATURE,
                status="failed",
                message="The credential has no proof: it is not a verifiable credential.",
            ),
            skipped,
        )
    supported = [p for p in proofs if data_integrity.is_supported(p)]
    unknown = sorted(
        {str(p.get("cryptosuite") or p.get("type")) for p in proofs if isinstance(p, dict)}
        - {str(p.get("cryptosuite") or p.get("type")) for p in supported}
    )
    if not supported:
        return (
            Check(
                id=SIGNATURE,
                status="failed",
                message="No proof of a supported type (eddsa-rdfc-2022, Ed25519Signature2020): "
                f"found {', '.join(unknown) or 'malformed proofs'}.",
            ),
            skipped,
        )
    outcomes = sorted(
        (_check_one(document, p, session, analysis) for p in supported),
        key=lambda o: o.rank,
    )
    best = outcomes[0]
    if unknown:
        note = f" Proofs of unsupported types were not checked: {', '.join(unknown)}."
        best = _Outcome(
            best.signature.model_copy(update={"message": best.signature.message + note}),
            best.ownership,
        )
    return best.signature, best.ownership
