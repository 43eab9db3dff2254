"""The verification report: an ordered list of checks, each with a stable id and a status."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, computed_field

from badges.errors import VerificationError

# "warning": a SHOULD was broken, the badge stays valid; "skipped": a gate check failed first;
# "indeterminate": it could not be checked (key host down, list unreachable), never "passed".
Status = Literal["passed", "failed", "warning", "skipped", "indeterminate"]
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

    id: str
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

    def check(self, check_id: str) -> Check | None:
        """Return the check with ``check_id``, if it ran."""
        return next((c for c in self.checks if c.id == check_id), None)

    def raise_for_failure(self) -> None:
        """Raise :class:`VerificationError` unless the report is ok."""
        if not self.ok:
            raise VerificationError(
                [c for c in self.checks if c.status in ("failed", "indeterminate")]
            )
