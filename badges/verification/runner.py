"""The one step runner every format verifies through (OB 2.0 hosted and signed, Data Integrity,
VC-JWT): a format is a tuple of :class:`Step`, not an engine of its own.

Rules, the same for every format:

1. a *gate* step that fails or stays indeterminate skips every later step, each skip naming it;
2. once ``proof.signature`` has failed, the steps that read what only the signature vouches
   for (``trusted``: validity, status, recipient, endorsements) are ``skipped``: a tampered
   badge never shows "not revoked";
3. a step that raises is a bug of ours, not the badge's: the checks made so far stand, one
   ``verification.internal`` check says the rest could not be made (``indeterminate``), and the
   error is logged through the configuration's logger. It is never "not a badge".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from badges.report import Check, CheckId
from badges.verification.session import VerifierConfig

__all__ = ["INTERNAL", "Step", "run_steps", "skipped"]

C = TypeVar("C")
INTERNAL: CheckId = "verification.internal"
SIGNATURE: CheckId = "proof.signature"


@dataclass(frozen=True)
class Step(Generic[C]):
    """One verification step over a format's context ``C``.

    Attributes:
        id: the check the step reports (its skip is reported under this id).
        run: makes the step's checks: none, one, or several (a proof step reports the
            signature and the key's ownership).
        gate: a failure stops the later steps.
        trusted: reads content only a valid signature vouches for.
        also: other check ids the step reports, skipped with it.
        quiet: a skipped step reports nothing (a step that reports nothing when it has
            nothing to check, such as embedded endorsements).
    """

    id: CheckId
    run: Callable[[C], Check | Sequence[Check]]
    gate: bool = False
    trusted: bool = False
    also: tuple[CheckId, ...] = ()
    quiet: bool = False


def skipped(check_ids: Sequence[CheckId], blocked: CheckId) -> list[Check]:
    """The checks a failed step stops, each ``skipped`` with that step's name."""
    return [Check(id=i, status="skipped", message=f"needs {blocked}") for i in check_ids]


def run_steps(
    steps: Sequence[Step[C]], context: C, config: VerifierConfig, done: Sequence[Check] = ()
) -> list[Check]:
    """Run ``steps`` in order over ``context`` (after the checks ``done``) and return them all."""
    checks = list(done)
    blocked: CheckId | None = next(
        (c.id for c in done if c.status in ("failed", "indeterminate")), None
    )
    signature_failed = False
    for step in steps:
        if blocked is not None or (step.trusted and signature_failed):
            if not step.quiet:
                checks += skipped((step.id, *step.also), blocked or SIGNATURE)
            continue
        try:
            outcome = step.run(context)
        except Exception:  # a bug of ours must not decide the verdict nor hide the checks made
            config.logger.exception("verification step %s raised", step.id)
            checks.append(
                Check(
                    id=INTERNAL,
                    status="indeterminate",
                    message=f"An internal error stopped the verification at {step.id}; "
                    "the checks above stand, the rest could not be made.",
                )
            )
            break
        produced = [outcome] if isinstance(outcome, Check) else list(outcome)
        checks += produced
        if step.gate and any(c.status in ("failed", "indeterminate") for c in produced):
            blocked = step.id
        if any(c.id == SIGNATURE and c.status == "failed" for c in produced):
            signature_failed = True
    return checks
