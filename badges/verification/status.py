"""Status checks: W3C Bitstring Status List entries and the 1EdTech Revocation List.

A set bit fails the check and says revoked or suspended. A list that cannot be fetched, or
whose own proof does not verify as its issuer's, leaves the check ``indeterminate``: "we could
not check" is never reported as "not revoked".

A status list credential is read where it is fetched (:class:`StatusList`): a JSON credential
with a Data Integrity proof, or a VC-JWT (``application/vc+jwt``, a compact JWS; Bitstring
Status List v1.0 §3.1, VC-JOSE-COSE §3.1.1), whose JWS is verified like a credential's. A list
served at another URL than its ``id`` is used when its proof verifies and its issuer is the
credential's (Bitstring Status List v1.0 does not require the two to match), with a warning.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import datetime

from badges import status_list, vc_jwt
from badges._lru import LRUCache
from badges.errors import DocumentError, FetchError
from badges.ports import JSONObject
from badges.report import Check, CheckId
from badges.verification.jwt_keys import look_up
from badges.verification.proofs import check_embedded_proofs, issuer_id
from badges.verification.session import Session

REVOCATION_LIST_TYPE = "1EdTechRevocationList"
# How long a status list whose proof and key were confirmed is trusted without checking again
# (its issuer could retire the key meanwhile; lists themselves say to re-fetch after a minute).
CONFIRMED_LIST_SECONDS = 60.0
_confirmed_lists: LRUCache[str, float] = LRUCache(1024)


def _entries(document: JSONObject) -> list[JSONObject]:
    value = document.get("credentialStatus")
    if value is None:
        return []
    return [e for e in (value if isinstance(value, list) else [value]) if isinstance(e, dict)]


def _entry_types(entry: JSONObject) -> set[str]:
    """An entry's types; JSON-LD allows one string or an array of them."""
    value = entry.get("type")
    values = value if isinstance(value, list) else [value]
    return {v for v in values if isinstance(v, str)}


def check_status(document: JSONObject, session: Session) -> list[Check]:
    """One check per status entry the verifier understands (unknown types are ignored)."""
    entries = _entries(document)
    checks = [
        _check_bitstring(document, entry, session)
        for entry in entries
        if _entry_types(entry) & status_list.BITSTRING_ENTRY_TYPES
    ]
    checks += [
        _check_revocation_list(document, entry, session)
        for entry in entries
        if REVOCATION_LIST_TYPE in _entry_types(entry)
    ]
    if not checks:
        return [
            Check(
                id="status.revocation",
                status="skipped",
                message="The credential names no status list, so its issuer cannot revoke it.",
            )
        ]
    return checks


_PURPOSES: dict[str, CheckId] = {
    "revocation": "status.revocation",
    "suspension": "status.suspension",
    "refresh": "status.refresh",
    "message": "status.message",
}
_TRUSTED = ("passed", "warning")


@dataclass(frozen=True)
class StatusList:
    """A fetched status list credential, as far as the status check reads it."""

    url: str  # where it was fetched
    credential: JSONObject  # the list credential (the JWT's, for a VC-JWT)
    token: vc_jwt.DecodedJWT | None = None

    @classmethod
    def parse(cls, fetched: JSONObject | str, *, url: str) -> StatusList:
        """Read what ``url`` served.

        Raises:
            DocumentError: neither a JSON object nor a compact JWS with a credential.
        """
        if isinstance(fetched, dict):
            return cls(url, fetched)
        if not vc_jwt.looks_like_jws(fetched):
            raise DocumentError(f"{url} serves neither a JSON object nor a VC-JWT")
        token = vc_jwt.decode(fetched)
        return cls(url, token.credential, token)

    @property
    def id(self) -> str | None:
        value = self.credential.get("id")
        return value if isinstance(value, str) else None


def _list_credential(
    url: str, document: JSONObject, session: Session
) -> tuple[JSONObject | None, str | None, str]:
    """Fetch a status list credential and confirm it is its issuer's.

    Returns the list credential (or ``None`` and why not) and a note for a list that is used
    although it names another id than the URL it came from.
    """
    try:
        listing = StatusList.parse(session.get_document(url), url=url)
    except FetchError as error:
        return None, f"the status list could not be fetched: {error}", ""
    except DocumentError as error:
        return None, f"the status list is unreadable: {error}", ""
    note = ""
    if listing.id != url:
        list_issuer, issuer = issuer_id(listing.credential), issuer_id(document)
        if list_issuer is None or list_issuer != issuer:
            return (
                None,
                f"the document at {url} is the status list {listing.id!r} of "
                f"{list_issuer or 'no named issuer'}, not of the credential's issuer",
                "",
            )
        note = f" The list came from {url} but names itself {listing.id!r}."
    # Every credential on a list points at the same list document: once its proof has been
    # checked, the same bytes need not be checked again for a while.
    signed = (
        listing.token.token if listing.token else json.dumps(listing.credential, sort_keys=True)
    )
    digest = hashlib.sha256(f"{url} {signed}".encode()).hexdigest()
    confirmed_until = _confirmed_lists.get(digest)
    if confirmed_until is not None and time.monotonic() < confirmed_until:
        return listing.credential, None, note
    expired = _outside_validity(listing.credential, session)
    if expired:
        return None, expired, ""
    problem = _list_proof_problem(listing, session)
    if problem is not None:
        return None, problem, ""
    _confirmed_lists.put(digest, time.monotonic() + CONFIRMED_LIST_SECONDS)
    return listing.credential, None, note


def _list_proof_problem(listing: StatusList, session: Session) -> str | None:
    """Why the list's proof (Data Integrity, or the VC-JWT's JWS) is not its issuer's, or None."""
    if listing.token is None:
        signature, ownership = check_embedded_proofs(listing.credential, session)
    else:
        try:
            vc_jwt.check_header(listing.token.header)
        except DocumentError as error:
            return f"the status list's JWT header is refused: {error}"
        key = look_up(listing.token.header, listing.credential, session)
        if key.key is None:
            return f"the status list's key could not be found: {key.problem}"
        try:
            valid = vc_jwt.verify_signature(listing.token, key.key.jwk())
        except DocumentError as error:
            return f"the status list's JWT could not be verified: {error}"
        if not valid:
            return "the status list's JWT signature does not match"
        claims = vc_jwt.check_claims(listing.token)
        if claims.errors:
            return f"the status list's JWT claims disagree with it: {'; '.join(claims.errors)}"
        ownership = key.ownership
        signature = Check(id="proof.signature", status="passed", message="")
    if signature.status != "passed":
        return f"the status list's proof did not verify: {signature.message}"
    if ownership.status not in _TRUSTED:
        return f"the status list's key is not confirmed: {ownership.message}"
    return None


def _outside_validity(listing: JSONObject, session: Session) -> str | None:
    """Why a status list is not to be used now (a stale list may be replayed), or None."""
    skew = session.config.clock_skew
    for name, too_early in (("validFrom", True), ("validUntil", False)):
        value = listing.get(name)
        if value is None:
            continue
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return f"the status list's {name} is not a date-time"
        if moment.tzinfo is None:
            return f"the status list's {name} has no time zone"
        if too_early and session.now + skew < moment:
            return f"the status list is valid only from {value}"
        if not too_early and session.now - skew > moment:
            return f"the status list expired on {value}"
    return None


def _check_bitstring(document: JSONObject, raw: JSONObject, session: Session) -> Check:
    try:
        entry = status_list.parse_status_entries(raw)[0]
    except DocumentError as error:
        return Check(id="status", status="failed", message=f"Malformed status entry: {error}.")
    check_id = _PURPOSES.get(entry.purpose, "status")
    listing, problem, note = _list_credential(entry.list_credential, document, session)
    if listing is None:
        return Check(id=check_id, status="indeterminate", message=f"Could not check: {problem}.")
    try:
        value = status_list.read_status(listing, entry)
    except DocumentError as error:
        return Check(id=check_id, status="indeterminate", message=f"Could not check: {error}.")
    issuer_note = note
    if issuer_id(listing) != issuer_id(document):
        issuer_note += f" The list is published by {issuer_id(listing)}, not the issuer."
    if value == 0:
        return Check(
            id=check_id,
            status="warning" if issuer_note else "passed",
            message=f"Not {_adjective(entry.purpose)}.{issuer_note}",
        )
    return Check(
        id=check_id,
        status="failed",
        message=f"The issuer has {_adjective(entry.purpose)} this credential.{issuer_note}",
        spec="Bitstring Status List v1.0 §3.2",
    )


def _adjective(purpose: str) -> str:
    return {"revocation": "revoked", "suspension": "suspended"}.get(purpose, f"set {purpose} on")


def _check_revocation_list(document: JSONObject, entry: JSONObject, session: Session) -> Check:
    url = entry.get("id")
    if not isinstance(url, str):
        return Check(
            id="status.revocation", status="failed", message="The revocation list has no URL."
        )
    try:
        listing = session.get_json(url)
    except FetchError as error:
        return Check(
            id="status.revocation",
            status="indeterminate",
            message=f"Could not fetch the revocation list: {error}",
        )
    revoked = listing.get("revokedCredential")
    if not isinstance(revoked, list):
        return Check(
            id="status.revocation",
            status="indeterminate",
            message="The revocation list has no revokedCredential array.",
        )
    for item in revoked:
        if isinstance(item, dict) and item.get("id") == document.get("id"):
            if item.get("revoked", True) is False:
                continue
            reason = item.get("revocationReason")
            return Check(
                id="status.revocation",
                status="failed",
                message="The issuer has revoked this credential"
                + (f": {reason}." if isinstance(reason, str) and reason else "."),
            )
    return Check(
        id="status.revocation", status="passed", message="Not on the issuer's revocation list."
    )
