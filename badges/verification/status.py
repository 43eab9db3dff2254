"""Status checks: W3C Bitstring Status List entries and the 1EdTech Revocation List.

A set bit fails the check and says revoked or suspended. A list that cannot be fetched, or
whose own proof does not verify as its issuer's, leaves the check ``indeterminate``: "we could
not check" is never reported as "not revoked".
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime

from badges import status_list
from badges._lru import LRUCache
from badges.errors import DocumentError, FetchError
from badges.ports import JSONObject
from badges.report import Check
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


def _list_credential(url: str, session: Session) -> tuple[JSONObject | None, str | None]:
    """Fetch a status list credential and confirm it is its issuer's; else say why not."""
    try:
        listing = session.get_json(url)
    except FetchError as error:
        return None, f"the status list could not be fetched: {error}"
    if listing.get("id") != url:
        return None, f"the document at {url} is the status list {listing.get('id')!r}"
    # Every credential on a list points at the same list document: once its proof has been
    # checked, the same bytes need not be checked again for a while.
    digest = hashlib.sha256(json.dumps(listing, sort_keys=True).encode()).hexdigest()
    confirmed_until = _confirmed_lists.get(digest)
    if confirmed_until is not None and time.monotonic() < confirmed_until:
        return listing, None
    expired = _outside_validity(listing, session)
    if expired:
        return None, expired
    signature, ownership = check_embedded_proofs(listing, session)
    if signature.status != "passed":
        return None, f"the status list's proof did not verify: {signature.message}"
    if ownership.status != "passed":
        return None, f"the status list's key is not confirmed: {ownership.message}"
    _confirmed_lists.put(digest, time.monotonic() + CONFIRMED_LIST_SECONDS)
    return listing, None


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
    check_id = f"status.{entry.purpose}"
    listing, problem = _list_credential(entry.list_credential, session)
    if listing is None:
        return Check(id=check_id, status="indeterminate", message=f"Could not check: {problem}.")
    try:
        value = status_list.read_status(listing, entry)
    except DocumentError as error:
        return Check(id=check_id, status="indeterminate", message=f"Could not check: {error}.")
    issuer_note = ""
    if issuer_id(listing) != issuer_id(document):
        issuer_note = f" The list is published by {issuer_id(listing)}, not the issuer."
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
