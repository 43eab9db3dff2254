"""Verifying badges for the verify API and the verify page.

A :class:`Verifier` runs ``badges.verify`` with the service's fetcher, so every document a
badge names (DID documents, keys, profiles, badge classes, status lists) is fetched under the
fetcher's address policy and limits, and the service's own documents are answered locally.
Per verification it:

1. answers the service's own URLs from the database (:mod:`app.verification.local`);
2. fetches the entry URL (``{"url": …}``) accepting JSON, a JWT or a baked image, so a link to
   a PNG verifies like the PNG itself;
3. stops fetching once its time budget is spent: what could not be fetched stays
   ``indeterminate``, never ``passed`` (the library's rule);
4. remembers what it fetched, so the summary can name an OB 2.0 badge class and issuer.

A badge that fails is a report with ``ok`` false; only input that is not a badge at all
raises (:class:`NotABadgeError`, a 422), and only for single verifications.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from pydantic import ValidationError

from app.errors import UnprocessableError
from app.fetching import FetchedDocument
from app.status import service as status_service
from app.verification.schemas import (
    BadgeSummary,
    BatchItemError,
    CheckResult,
    VerifyBatchItem,
    VerifyReport,
    VerifyRequest,
)
from app.verification.summary import to_read
from badges import SharedWork, status_list, vc_jwt
from badges.errors import DocumentError, FetchError
from badges.identity import Recipient
from badges.ports import JSONObject
from badges.report import Check, VerificationReport
from badges.resolution import ResolverConfig
from badges.verification import VerifierConfig, verify

__all__ = [
    "NotABadgeError",
    "Subject",
    "Verification",
    "Verifier",
    "verifier_config",
]

# What a badge link may lead to: the JSON document, a compact JWS, or a baked image.
BADGE_ACCEPT = (
    "application/ld+json, application/json;q=0.9, application/jwt;q=0.8, "
    "image/png;q=0.7, image/svg+xml;q=0.7, text/plain;q=0.5, */*;q=0.1"
)
# Defaults of SHOMEI_VERIFY_REQUEST_BUDGET_S and SHOMEI_VERIFY_BATCH_BUDGET_S: network time one
# verification may spend (each fetch also caps at SHOMEI_FETCH_TIMEOUT_S), and a whole batch.
REQUEST_BUDGET_S = 15.0
BATCH_BUDGET_S = 60.0
# Default of SHOMEI_VERIFY_BATCH_WORK: a batch's JSON-LD work, in single documents' budgets.
BATCH_WORK = 5
BATCH_WORK_SPENT = (
    "Not checked: this batch has spent its work budget (SHOMEI_VERIFY_BATCH_WORK); "
    "send this item again, alone or in a smaller batch."
)
_URL = re.compile(r"https?://\S+")
TOO_DEEP = "Not an Open Badge: the document is nested too deeply to read"


class NotABadgeError(UnprocessableError):
    """The input could be read, but it is not an Open Badge in any supported form."""

    code = "not_a_badge"


class DocumentSource(Protocol):
    """What the verifier needs of :class:`app.fetching.SafeFetcher`."""

    def get_json(self, url: str) -> JSONObject: ...

    def get(self, url: str, *, accept: str) -> FetchedDocument: ...


@runtime_checkable
class SecuredDocumentSource(DocumentSource, Protocol):
    """A source that also returns documents secured as VC-JWTs (status lists)."""

    def get_document(self, url: str) -> JSONObject | str: ...


class LocalSource(Protocol):
    """What the verifier needs of :class:`app.verification.local.LocalDocuments`."""

    def __call__(self, url: str) -> JSONObject | None: ...

    def body(self, url: str) -> bytes | None: ...

    def document(self, url: str) -> JSONObject | str | None: ...


@dataclass(frozen=True)
class Subject:
    """A badge to verify: JSON, text (JWS, JSON or a URL), or bytes (a file, an image)."""

    data: str | bytes | JSONObject
    url: str | None = None  # set when the badge is to be fetched from this URL

    @classmethod
    def from_request(cls, request: VerifyRequest) -> Subject:
        if request.url is not None:
            return cls(request.url, url=request.url)
        credential = request.credential
        if isinstance(credential, str):
            return cls.from_text(credential)
        if credential is None:  # pragma: no cover - the request model requires one
            raise ValueError("a request names a credential or a URL")
        return cls(credential)

    @classmethod
    def from_text(cls, text: str) -> Subject:
        """Pasted text: a URL is fetched, anything else is read as JSON or a JWS."""
        text = text.strip()
        if _URL.fullmatch(text):
            return cls(text, url=text)
        return cls(text)


@dataclass(frozen=True)
class Verification:
    """A report and the documents fetched to reach it."""

    report: VerificationReport
    documents: Mapping[str, JSONObject] = field(default_factory=dict)

    @property
    def not_a_badge(self) -> bool:
        """Nothing in the input could be read as a badge (as opposed to: could not fetch it)."""
        parse = self.report.check("document.parse")
        return self.report.format == "unknown" and parse is not None and parse.status == "failed"

    def read(self) -> VerifyReport:
        return to_read(self.report, self.documents)

    def require_badge(self) -> Verification:
        """Return self, or raise :class:`NotABadgeError` with the reason it is not a badge."""
        if self.not_a_badge:
            parse = self.report.check("document.parse")
            raise NotABadgeError(parse.message if parse else "not an Open Badge")
        return self


def verifier_config(did_web_http_hosts: frozenset[str]) -> VerifierConfig:
    """The library's policy with the service's settings."""
    return VerifierConfig(resolver=ResolverConfig(did_web_http_hosts=did_web_http_hosts))


@dataclass(frozen=True)
class Verifier:
    """Verifies badges through one shared fetcher; safe to use from many threads."""

    fetcher: DocumentSource
    config: VerifierConfig = field(default_factory=VerifierConfig)
    local: LocalSource | None = None
    budget: float = REQUEST_BUDGET_S
    batch_budget: float = BATCH_BUDGET_S
    batch_work: int = BATCH_WORK
    clock: Callable[[], float] = time.monotonic

    def verify(
        self,
        subject: Subject,
        *,
        now: datetime,
        recipient: Recipient | None = None,
        deadline: float | None = None,
    ) -> Verification:
        """Verify one badge; a badge that fails is a report, never an exception."""
        own_deadline = self.clock() + self.budget
        fetches = _RequestFetcher(
            self.fetcher,
            self.local,
            subject.url,
            own_deadline if deadline is None else min(deadline, own_deadline),
            self.clock,
        )
        report = self._run(subject.data, fetches, now, recipient)
        if fetches.entry_body is not None:
            # (2) The link led to an image or a JWS rather than JSON: verify what it served.
            report = self._run(fetches.entry_body, fetches, now, recipient)
        return Verification(self._own_suspension(report), fetches.documents)

    def _own_suspension(self, report: VerificationReport) -> VerificationReport:
        """Add the suspension check of a credential this service issued.

        The OB 3.0 schema allows one ``credentialStatus``, so our credentials name only their
        revocation entry; their suspension bit sits at the same place on the issuer's
        suspension list. Other verifiers cannot know that; this one can, for its own lists.
        It is reported whatever the other checks say (a suspended badge sent with a mistyped
        e-mail is still suspended), except after a failed signature: then the entry that
        names the position is not the issuer's word, and the check is ``skipped``.
        """
        document = report.credential or {}
        entry = document.get("credentialStatus")
        if self.local is None or not isinstance(entry, dict):
            return report
        companion = status_service.companion_entry(entry, "suspension")
        if companion is None:
            return report
        listing = self._own_list(companion["statusListCredential"])
        if listing is None:  # not one of this service's lists
            return report
        signature = report.check("proof.signature")
        if signature is None or signature.status != "passed":
            check = Check(id="status.suspension", status="skipped", message="needs proof.signature")
        else:
            try:
                suspended = status_list.read_status(
                    listing, status_list.parse_status_entries(companion)[0]
                )
            except DocumentError:
                return report
            check = (
                Check(
                    id="status.suspension",
                    status="failed",
                    message="The issuer has suspended this credential.",
                )
                if suspended
                else Check(id="status.suspension", status="passed", message="Not suspended.")
            )
        checks = list(report.checks)
        after = next(
            (i + 1 for i, c in enumerate(checks) if c.id.startswith("status.")), len(checks)
        )
        checks.insert(after, check)
        return report.model_copy(update={"checks": tuple(checks)})

    def _own_list(self, url: str) -> JSONObject | None:
        """One of this service's own status lists (the credential a VC-JWT list carries)."""
        assert self.local is not None  # noqa: S101 - checked by the caller
        try:
            found = self.local.document(url)
        except FetchError:
            return None
        if isinstance(found, str):
            return vc_jwt.decode(found).credential  # our own token, just signed
        return found

    def _run(
        self,
        data: str | bytes | JSONObject,
        fetches: _RequestFetcher,
        now: datetime,
        recipient: Recipient | None,
    ) -> VerificationReport:
        try:
            return verify(data, fetcher=fetches, now=now, recipient=recipient, config=self.config)
        except RecursionError:
            # JSON nested thousands deep parses in C but overflows the Python that walks it.
            return VerificationReport(
                format="unknown",
                version=None,
                checks=(Check(id="document.parse", status="failed", message=TOO_DEEP),),
            )

    def verify_items(self, items: Sequence[Any], *, now: datetime) -> list[VerifyBatchItem]:
        """Verify a batch of raw JSON items in order, within one overall time budget.

        An item that cannot be read gets its error in its place; the others are verified.
        Each answer echoes the item's ``index`` and the credential's id, so an import can
        match answers to its rows even when some fail.
        """
        deadline = self.clock() + self.batch_budget
        # One JSON-LD work budget for the whole batch, a few single documents' worth: without
        # it, 30 items each just under a document's budget cost 18 s of CPU in one request.
        budget = self.config.jsonld_budget
        work = SharedWork(self.batch_work * budget.max_steps)
        shared = replace(budget, shared=work)
        verifier = replace(self, config=replace(self.config, jsonld_budget=shared))
        answers: list[VerifyBatchItem] = []
        for index, item in enumerate(items):
            try:
                request = VerifyRequest.model_validate(item)
            except ValidationError as error:
                answers.append(_item_error(index, "invalid_item", _first_error(error)))
                continue
            if work.spent:
                answers.append(_not_checked(index, request))
                continue
            verification = verifier._verify_request(request, now, deadline)
            read = verification.read()
            error_ = None
            if verification.not_a_badge:
                parse = verification.report.check("document.parse")
                detail = parse.message if parse else "not an Open Badge"
                error_ = BatchItemError(code="not_a_badge", detail=detail)
            answers.append(
                VerifyBatchItem(
                    **read.model_dump(),
                    index=index,
                    credential_id=_credential_id(verification.report, request),
                    error=error_,
                )
            )
        return answers

    def _verify_request(
        self, request: VerifyRequest, now: datetime, deadline: float
    ) -> Verification:
        return self.verify(
            Subject.from_request(request),
            now=now,
            recipient=request.recipient.to_recipient() if request.recipient else None,
            deadline=deadline,
        )


def _first_error(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    where = ".".join(str(p) for p in first["loc"]) or "item"
    return f"{where}: {first['msg']}"


def _item_error(index: int, code: Any, detail: str) -> VerifyBatchItem:
    return VerifyBatchItem(
        ok=False,
        format="unknown",
        version=None,
        summary=BadgeSummary(),
        checks=[],
        index=index,
        error=BatchItemError(code=code, detail=detail),
    )


def _not_checked(index: int, request: VerifyRequest) -> VerifyBatchItem:
    """An item after the batch's work budget is spent: undecided, never passed."""
    return VerifyBatchItem(
        ok=False,
        format="unknown",
        version=None,
        summary=BadgeSummary(),
        checks=[
            CheckResult(id="document.jsonld", status="indeterminate", message=BATCH_WORK_SPENT)
        ],
        index=index,
        credential_id=request.url,
    )


def _credential_id(report: VerificationReport, request: VerifyRequest) -> str | None:
    """The verified credential's id, else the URL it was given as."""
    credential = report.credential or {}
    found = credential.get("id")
    if isinstance(found, str) and found:
        return found[:2048]
    return request.url


class _RequestFetcher:
    """One verification's view of the fetcher: local answers, the entry URL, a deadline."""

    def __init__(
        self,
        inner: DocumentSource,
        local: LocalSource | None,
        entry_url: str | None,
        deadline: float,
        clock: Callable[[], float],
    ) -> None:
        self._inner = inner
        self._local = local
        self._entry_url = entry_url
        self._deadline = deadline
        self._clock = clock
        self.documents: dict[str, JSONObject] = {}
        self.entry_body: bytes | None = None

    def get_json(self, url: str) -> JSONObject:
        document = self._local(url) if self._local is not None else None
        if document is None:
            self._in_time(url)
            document = self._entry(url) if url == self._entry_url else self._inner.get_json(url)
        self.documents[url] = document
        return document

    def get_document(self, url: str) -> JSONObject | str:
        """A JSON document, or a status list secured as a VC-JWT (its compact JWS)."""
        found = self._local.document(url) if self._local is not None else None
        if found is None:
            if url == self._entry_url or not isinstance(self._inner, SecuredDocumentSource):
                return self.get_json(url)
            self._in_time(url)
            found = self._inner.get_document(url)
        if isinstance(found, dict):
            self.documents[url] = found
        return found

    def _in_time(self, url: str) -> None:
        if self._clock() > self._deadline:
            raise FetchError(f"{url} was not fetched: the verification ran out of time")

    def _entry(self, url: str) -> JSONObject:
        self._entry_url = None  # fetched once; the library remembers the outcome
        body = self._local.body(url) if self._local is not None else None
        media_type = "text/plain"
        if body is None:
            fetched = self._inner.get(url, accept=BADGE_ACCEPT)
            body, media_type = fetched.body, fetched.media_type or "no type"
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):
            document = None
        if isinstance(document, dict):
            return document
        self.entry_body = body
        raise FetchError(f"{url} is not a JSON document ({media_type})")
