"""Exceptions raised by the badges library.

    BadgesError
    ├── DocumentError       input is not a readable Open Badges document (or cannot be signed)
    │   ├── DataLossError   JSON-LD expansion would drop terms no context defines (safe mode)
    │   └── PresentationError   a DID Authentication presentation is not acceptable
    ├── FetchError          a document the caller's fetcher was asked for could not be had
    ├── SigningError        a proof or token could not be produced
    └── VerificationError   raised only by ``VerificationReport.raise_for_failure()``

A badge that fails verification is not an exception: ``badges.verify`` returns a report.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from badges.report import Check


class BadgesError(Exception):
    """Base class of every error raised by :mod:`badges`."""


class DocumentError(BadgesError):
    """The input is not a readable or signable Open Badges document."""


class DataLossError(DocumentError):
    """JSON-LD processing would drop data: terms or types that no ``@context`` defines.

    A Data Integrity signature covers only what expands, so such a document can be neither
    signed nor verified (https://www.w3.org/TR/vc-data-integrity/#securing-data-losslessly).
    ``terms`` names what would be dropped.
    """

    def __init__(self, message: str, *, terms: Sequence[str]) -> None:
        super().__init__(message)
        self.terms = tuple(terms)


class PresentationError(DocumentError):
    """A holder's DID Authentication presentation is not acceptable; ``reason`` says why.

    Reasons: ``malformed``, ``proof`` (no acceptable proof, or a bad signature), ``challenge``,
    ``domain``, ``holder`` (the proof's key is not the holder's) and ``unresolvable`` (a
    holder DID whose document would have to be fetched).
    """

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class FetchError(BadgesError):
    """A document could not be fetched; the message says why (refused, timed out, 404).

    ``status`` is the HTTP status when a server answered (410 Gone means revoked for OB 2.0).
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class SigningError(BadgesError):
    """A proof or token could not be produced."""


class VerificationError(BadgesError):
    """A verification report held failed or indeterminate checks."""

    def __init__(self, checks: Sequence[Check]) -> None:
        self.checks = tuple(checks)
        summary = "; ".join(f"{c.id}: {c.message}" for c in self.checks)
        super().__init__(summary or "verification failed")
