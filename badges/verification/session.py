"""State shared by the steps of one verification: options, clock, and a fetch budget."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from badges._jsonld import WorkBudget
from badges.errors import FetchError
from badges.identity import Recipient
from badges.ports import Fetcher, JSONObject
from badges.resolution import ResolverConfig


@dataclass(frozen=True)
class VerifierConfig:
    """Verification policy.

    Attributes:
        resolver: how ``did:web`` documents are reached.
        clock_skew: tolerance for ``validFrom``/``validUntil`` against ``now``.
        max_fetches: documents one verification may fetch (a loop of references ends here).
        jsonld_budget: the JSON-LD work one credential or status list may cost; a document
            over it fails ``document.jsonld`` (or its proof check) before it is processed.
    """

    resolver: ResolverConfig = field(default_factory=ResolverConfig)
    clock_skew: timedelta = timedelta(minutes=5)
    max_fetches: int = 24
    jsonld_budget: WorkBudget = field(default_factory=WorkBudget)


@dataclass
class Session:
    """One verification's fetcher, clock and memo of fetched documents."""

    fetcher: Fetcher
    now: datetime
    config: VerifierConfig = field(default_factory=VerifierConfig)
    recipient: Recipient | None = None
    _documents: dict[str, JSONObject | FetchError] = field(default_factory=dict)
    _fetches: int = 0

    def get_json(self, url: str) -> JSONObject:
        """Fetch ``url`` once per verification; a failure is remembered too.

        Raises:
            FetchError: it could not be fetched, or the fetch budget is spent.
        """
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
        try:
            document = self.fetcher.get_json(url)
        except FetchError as error:
            self._documents[url] = error
            raise
        self._documents[url] = document
        return document
