"""Every public URL and identifier the service mints, in one place.

Identifiers are stable: they are signed into credentials, so changing one here would orphan
every credential already issued.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from keys import did_web


@dataclass(frozen=True)
class Urls:
    """URL builders under the service's base URL."""

    base: str

    @property
    def _split(self) -> tuple[str, int | None, list[str]]:
        parts = urlsplit(self.base)
        path = [p for p in parts.path.split("/") if p]
        return parts.hostname or "", parts.port, path

    def issuer_did(self, slug: str) -> str:
        host, port, path = self._split
        return did_web(host, port, [*path, "issuers", slug])

    def issuer_profile(self, slug: str) -> str:
        return f"{self.base}/issuers/{quote(slug)}"

    def verification_method(self, slug: str, fragment: str) -> str:
        return f"{self.issuer_did(slug)}#{fragment}"

    def achievement(self, achievement_id: uuid.UUID) -> str:
        return f"{self.base}/achievements/{achievement_id}"

    def achievement_image(self, achievement_id: uuid.UUID, extension: str) -> str:
        return f"{self.base}/achievements/{achievement_id}/image.{extension}"

    def credential(self, credential_id: uuid.UUID) -> str:
        return f"{self.base}/credentials/{credential_id}"

    def status_list(self, slug: str, purpose: str, number: int, *, jwt: bool = False) -> str:
        """A status list credential: JSON with a Data Integrity proof, or (``jwt``) a VC-JWT."""
        return f"{self.base}/status/{quote(slug)}/{purpose}/{number}{'.jwt' if jwt else ''}"

    def ob2_assertion(self, credential_id: uuid.UUID) -> str:
        return f"{self.base}/ob2/assertions/{credential_id}"

    def ob2_badge(self, achievement_id: uuid.UUID) -> str:
        return f"{self.base}/ob2/badges/{achievement_id}"

    def ob2_issuer(self, slug: str) -> str:
        return f"{self.base}/ob2/issuers/{quote(slug)}"

    def ob2_key(self, key_id: uuid.UUID) -> str:
        return f"{self.base}/ob2/keys/{key_id}"

    def ob2_revocations(self, slug: str) -> str:
        return f"{self.base}/ob2/revocations/{quote(slug)}"

    def batch(self, batch_id: uuid.UUID) -> str:
        return f"{self.base}/api/v1/batches/{batch_id}"

    def verify_page(self) -> str:
        return f"{self.base}/verify"

    def claim(self, token: str) -> str:
        """The link a passer follows to accept a badge (its token is the proof)."""
        return f"{self.base}/claim/{token}"

    def account_sign_in(self, token: str) -> str:
        """The one-time link that signs a passer in to their account."""
        return f"{self.base}/account/sign-in/{token}"

    def ob_api(self, path: str = "") -> str:
        """The Open Badges API's base URL (https://www.imsglobal.org/spec/ob/v3p0/#api)."""
        return f"{self.base}/ims/ob/v3p0{path}"

    def vcapi_exchange(self, token: str) -> str:
        """A VC-API exchange delivering one badge into a wallet (a capability URL)."""
        return f"{self.base}/wallets/vcapi/exchanges/{token}"

    def wallet_interaction(self, token: str) -> str:
        """The interaction URL of a wallet offer (VC-API "Initiating Interactions")."""
        return f"{self.base}/wallets/interactions/{token}?iuv=1"

    @property
    def domain(self) -> str:
        """This service's host (and port), the ``domain`` presentations are made for."""
        return urlsplit(self.base).netloc
