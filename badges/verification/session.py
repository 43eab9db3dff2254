"""State shared by the steps of one verification: policy, clock, and one fetch budget."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from badges._jsonld import WorkBudget
from badges.errors import FetchError
from badges.identity import Recipient
from badges.ports import DocumentFetcher, Fetcher, JSONObject
from badges.resolution import ResolverConfig

_LOG = logging.getLogger("badges.verification")


@dataclass(frozen=True)
class VerifierConfig:
    """Verification policy, the same for every format.

    Attributes:
        resolver: how ``did:web`` documents are reached.
        clock_skew: tolerance for validity dates (``validFrom``/``validUntil``, OB 2.0
            ``issuedOn``/``expires``, status lists) against ``now``.
        max_fetches: documents one verification may fetch (a loop of references ends here).
        logger: where internal errors are logged (a verification turns them into an
            ``indeterminate`` check, never into an exception).
        jsonld_budget: the JSON-LD work one credential or status list may cost; a document
            over it fails ``document.jsonld`` (or its proof check) before it is processed.
    """

    resolver: ResolverConfig = field(default_factory=ResolverConfig)
    clock_skew: timedelta = timedelta(minutes=5)
    max_fetches: int = 24
    logger: logging.Logger = field(default=_LOG, compare=False)
    jsonld_budget: WorkBudget = field(default_factory=WorkBudget)


@dataclass
class Session:
    """One verification's fetcher, clock and memo of fetched documents."""

    fetcher: Fetcher
    now: datetime
    config: VerifierConfig = field(default_factory=VerifierConfig)
    recipient: Recipient | None = None
    _documents: dict[str, JSONObject | str | FetchError] = field(default_factory=dict)
    _fetches: int = 0

    def get_json(self, url: str) -> JSONObject:
        """Fetch the JSON object at ``url`` once per verification; a failure is remembered too.

        Raises:
            FetchError: it could not be fetched, is not a JSON object, or the budget is spent.
        """
        document = self._get(url, text=False)
        if not isinstance(document, dict):
            raise FetchError(f"{url} is not a JSON object")
        return document

    def get_document(self, url: str) -> JSONObject | str:
        """A JSON object, or the compact JWS a server sent (``application/vc+jwt``).

        Raises:
            FetchError: it could not be fetched, or the fetch budget is spent.
        """
        return self._get(url, text=True)

    def _get(self, url: str, *, text: bool) -> JSONObject | str:
        known = self._documents.get(url)
        if isinstance(known, FetchError):
            raise known
        if known is not None:
            return known
        self._fetches += 1
        if self._fetches > self.config.max_fetches:
            raise FetchError(
                f"{url} was not fetched: the credential refers to more than "
                f"{self.config.max_fetches} documents"
            )
        document: object
        try:
            if text and isinstance(self.fetcher, DocumentFetcher):
                document = self.fetcher.get_document(url)
            else:
                document = self.fetcher.get_json(url)
        except FetchError as error:
            self._documents[url] = error
            raise
        if not isinstance(document, dict | str):
            error = FetchError(f"{url} is neither a JSON object nor a compact JWS")
            self._documents[url] = error
            raise error
        self._documents[url] = document
        return document
