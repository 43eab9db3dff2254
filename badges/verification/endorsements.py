"""Embedded endorsements: the ``EndorsementCredential``s a credential carries (OB 3.0 §B.1.6).

An endorsement may sit in ``endorsement`` (or, as a VC-JWT, ``endorsementJwt``) of the
credential, of its achievement, or of a profile (the issuer, the achievement's creator). Each is
a credential of its own, signed by its endorser: it is verified on its own (proof, endorser's
key, validity, status) and reported as one ``endorsement`` check naming the endorser. A bad
endorsement is a ``warning``, never a failure: it says nothing about the badge itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from badges import vc_jwt
from badges.errors import DocumentError
from badges.ports import JSONObject
from badges.report import Check

__all__ = ["MAX_ENDORSEMENTS", "Endorsement", "find", "outcome"]

MAX_ENDORSEMENTS = 8  # verified per credential; the rest are named, not checked


@dataclass(frozen=True)
class Endorsement:
    """One embedded endorsement and where it was found."""

    where: str  # "the credential", "the achievement", "the issuer's profile", …
    document: JSONObject | None  # the endorsement credential (decoded, for a VC-JWT)
    token: vc_jwt.DecodedJWT | None = None
    problem: str | None = None  # why it could not be read

    @property
    def endorser(self) -> str:
        """The endorser's name (or id) as the endorsement states it."""
        issuer = self.document.get("issuer") if self.document else None
        if isinstance(issuer, dict):
            name = issuer.get("name")
            if isinstance(name, dict):
                name = next((v for v in name.values() if isinstance(v, str)), None)
            if isinstance(name, str) and name.strip():
                return name.strip()
            issuer = issuer.get("id")
        return issuer if isinstance(issuer, str) and issuer else "an unnamed endorser"


def _object(value: Any) -> JSONObject | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, dict)), None)
    return value if isinstance(value, dict) else None


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def find(credential: JSONObject) -> list[Endorsement]:
    """Every endorsement embedded in ``credential``, its achievement and its profiles."""
    subject = _object(credential.get("credentialSubject")) or {}
    achievement = _object(subject.get("achievement")) or {}
    holders: list[tuple[str, JSONObject]] = [
        ("the credential", credential),
        ("the achievement", achievement),
        ("the issuer's profile", _object(credential.get("issuer")) or {}),
        ("the achievement's creator", _object(achievement.get("creator")) or {}),
    ]
    found: list[Endorsement] = []
    for where, holder in holders:
        for item in _listed(holder.get("endorsement")):
            if isinstance(item, dict):
                found.append(Endorsement(where, item))
            else:
                found.append(Endorsement(where, None, problem="it is not a JSON object"))
        for item in _listed(holder.get("endorsementJwt")):
            problem: str | None = None
            try:
                token = vc_jwt.decode(item) if isinstance(item, str) else None
            except DocumentError as error:
                token, problem = None, str(error)
            if token is None and problem is None:
                problem = "it is not a compact JWS"
            if token is None:
                found.append(Endorsement(where, None, problem=problem))
            else:
                found.append(Endorsement(where, token.credential, token))
    return found


def outcome(endorsement: Endorsement, checks: Sequence[Check]) -> Check:
    """The one ``endorsement`` check for an endorsement verified as ``checks``."""
    who = f"Endorsement by {endorsement.endorser} (in {endorsement.where})"
    if endorsement.problem is not None:
        return Check(
            id="endorsement",
            status="warning",
            message=f"{who} could not be read: {endorsement.problem}.",
            spec="OB 3.0 §B.1.6",
        )
    bad = [c for c in checks if c.status in ("failed", "indeterminate")]
    if bad:
        reasons = "; ".join(f"{c.id}: {c.message.rstrip('.')}" for c in bad[:3])
        return Check(
            id="endorsement",
            status="warning",
            message=f"{who} is not verified, and is not counted: {reasons}.",
            spec="OB 3.0 §B.1.6",
        )
    return Check(id="endorsement", status="passed", message=f"{who}: verified.")


def check_all(
    credential: JSONObject, verify: Callable[[Endorsement], Sequence[Check]]
) -> list[Check]:
    """One check per embedded endorsement (the first :data:`MAX_ENDORSEMENTS` are verified)."""
    found = find(credential)
    checks = [outcome(e, verify(e) if e.problem is None else ()) for e in found[:MAX_ENDORSEMENTS]]
    if len(found) > MAX_ENDORSEMENTS:
        checks.append(
            Check(
                id="endorsement",
                status="warning",
                message=f"{len(found) - MAX_ENDORSEMENTS} more endorsements were not checked.",
            )
        )
    return checks
