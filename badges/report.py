"""The verification report: an ordered list of checks, each with a stable id and a status."""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, computed_field

from badges.errors import VerificationError

# "warning": a SHOULD was broken, the badge stays valid; "skipped": a gate check failed first;
# "indeterminate": it could not be checked (key host down, list unreachable), never "passed".
Status = Literal["passed", "failed", "warning", "skipped", "indeterminate"]
# Every check id the verifier reports, in one typed vocabulary (dotted, stable; the API's
# answers and the verify page key their words on them).
CheckId = Literal[
    "document.parse",
    "document.shape",
    "document.context",
    "document.type",
    "document.jsonld",
    "schema",
    "badge.fetch",
    "issuer.fetch",
    "jwt.header",
    "proof.signature",
    "hosted.copy",
    "issuer.key_ownership",
    "hosted.scope",
    "jwt.claims",
    "validity.window",
    "status",
    "status.revocation",
    "status.suspension",
    "status.refresh",
    "status.message",
    "recipient.identity",
    "transport.https",
    "endorsement",
    "verification.internal",
]
CHECK_IDS: frozenset[str] = frozenset(get_args(CheckId))
Format = Literal[
    "ob3-data-integrity",
    "ob3-jwt",
    "ob2-hosted",
    "ob2-signed",
    "unknown",
]


class Check(BaseModel):
    """One verification step and its outcome."""

    model_config = ConfigDict(frozen=True)

    id: CheckId
    status: Status
    message: str
    spec: str | None = None


class VerificationReport(BaseModel):
    """What ``badges.verify`` found, in the order it looked."""

    model_config = ConfigDict(frozen=True)

    format: Format
    version: Literal["2.0", "3.0"] | None
    checks: tuple[Check, ...]
    credential: dict[str, Any] | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return all(c.status not in ("failed", "indeterminate") for c in self.checks)

    def check(self, check_id: CheckId) -> Check | None:
        """Return the check with ``check_id``, if it ran."""
        return next((c for c in self.checks if c.id == check_id), None)

    def raise_for_failure(self) -> None:
        """Raise :class:`VerificationError` unless the report is ok."""
        if not self.ok:
            raise VerificationError(
                [c for c in self.checks if c.status in ("failed", "indeterminate")]
            )
