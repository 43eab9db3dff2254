"""``wallet_delivery_per_s``, and the minimal OpenID4VCI wallet it measures with.

It does what a 1.0 wallet does in the pre-authorized code flow
(https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html#section-3.5):
read the offer by reference, redeem the code (with the transaction code), fetch a nonce, sign
a ``jwt`` key proof with its own Ed25519 key (a ``did:key``) and ask for the credential.
Any ``httpx.Client`` will do, a FastAPI ``TestClient`` included.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

import httpx

from keys import KeySigner, PrivateKey, b64url_encode, did_key, generate_key

__all__ = ["Wallet", "key_proof", "offer_uri_of", "run"]


def offer_uri_of(deep_link: str) -> str:
    """The ``credential_offer_uri`` of an ``openid-credential-offer://`` link."""
    return parse_qs(urlsplit(deep_link).query)["credential_offer_uri"][0]


def key_proof(
    key: PrivateKey,
    *,
    audience: str,
    nonce: str | None,
    issued_at: float | None = None,
    header: dict[str, Any] | None = None,
) -> str:
    """An ``openid4vci-proof+jwt`` by ``key``, naming it by its ``did:key`` URL."""
    did = did_key(key.public_key())
    head: dict[str, Any] = {
        "typ": "openid4vci-proof+jwt",
        "alg": "EdDSA" if key.public_key().key_type == "Ed25519" else "ES256",
        "kid": f"{did}#{did.removeprefix('did:key:')}",
    } | (header or {})
    body: dict[str, Any] = {"aud": audience, "iat": int(issued_at or time.time())}
    if nonce is not None:
        body["nonce"] = nonce
    signing_input = ".".join(
        b64url_encode(json.dumps(part, separators=(",", ":")).encode()) for part in (head, body)
    )
    signature = KeySigner(key, "proof").sign(signing_input.encode())
    return f"{signing_input}.{b64url_encode(signature)}"


@dataclass
class Wallet:
    """One holder: an Ed25519 key and its ``did:key``."""

    http: httpx.Client
    key: PrivateKey = field(default_factory=lambda: generate_key("Ed25519"))

    @property
    def did(self) -> str:
        return did_key(self.key.public_key())

    def receive(self, offer_uri: str, tx_code: str | None) -> dict[str, Any]:
        """Run the whole exchange; return the credential."""
        offer = self.http.get(offer_uri)
        offer.raise_for_status()
        grant = offer.json()["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
        form = {
            "grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
            "pre-authorized_code": grant["pre-authorized_code"],
        }
        if tx_code is not None:
            form["tx_code"] = tx_code
        base = offer.json()["credential_issuer"]
        token = self.http.post(f"{base}/oid4vci/token", data=form)
        token.raise_for_status()
        nonce = self.http.post(f"{base}/oid4vci/nonce")
        nonce.raise_for_status()
        proof = key_proof(self.key, audience=base, nonce=nonce.json()["c_nonce"])
        answer = self.http.post(
            f"{base}/oid4vci/credential",
            json={
                "credential_configuration_id": offer.json()["credential_configuration_ids"][0],
                "proofs": {"jwt": [proof]},
            },
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        )
        answer.raise_for_status()
        credential: dict[str, Any] = answer.json()["credentials"][0]["credential"]
        return credential


# --- wallet_delivery_per_s ------------------------------------------------------------------

WALLET_THREADS: Final = 4


def _offers(database_url: str, credential_id: str, count: int) -> list[tuple[str, str | None]]:
    """``count`` offers of one award, drawn as the claim page draws them: (URI, tx_code)."""
    from app.credentials.models import IssuedCredential
    from app.db import make_engine, make_sessionmaker
    from app.oid4vci import service

    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            award = session.get(IssuedCredential, uuid.UUID(credential_id))
            if award is None:
                raise RuntimeError("the benchmark's award is not in its database")
            now = datetime.now(UTC)
            drawn = [
                service.create_offer(session, award, minutes=30, tx_code=True, now=now)
                for _ in range(count)
            ]
    finally:
        engine.dispose()
    return [(offer.reference, offer.tx_code) for offer in drawn]


def run(*, quick: bool = False) -> dict[str, Any]:
    """Full OpenID4VCI exchanges through a real server on loopback, 4 wallets at a time.

    Each exchange is what a wallet does after scanning the claim page's QR code: read the
    offer, redeem the code with the transaction code, fetch a nonce, prove possession of a
    new key and receive the bound credential (signed, with a status list position of its
    own, recorded as a delivery).
    """
    from app.bench import _http_setup
    from app.loadgen import serve

    seconds = 1.0 if quick else 5.0
    with serve(workers=2) as served:
        admin = {"Authorization": f"Bearer {served.admin_key}"}
        with httpx.Client(base_url=served.base_url, headers=admin, timeout=30) as client:
            achievement_id = _http_setup(client)
            award = client.post(
                "/api/v1/credentials",
                json={
                    "achievement_id": achievement_id,
                    "recipient": {"email": "passer@example.com"},
                    "notify": False,
                },
            )
            award.raise_for_status()
        # Enough offers for the fastest plausible rate; offers are single-use.
        pending = _offers(served.database_url, award.json()["id"], int(200 * seconds) + 40)
        pending.reverse()
        lock = threading.Lock()
        done, errors = [0], [0]

        def wallet_loop(deadline: float) -> None:
            with httpx.Client(timeout=30) as http:
                while time.monotonic() < deadline:
                    with lock:
                        if not pending:
                            return
                        reference, tx_code = pending.pop()
                    try:
                        Wallet(http).receive(
                            f"{served.base_url}/oid4vci/offers/{reference}", tx_code
                        )
                    except httpx.HTTPError:
                        with lock:
                            errors[0] += 1
                        continue
                    with lock:
                        done[0] += 1

        # A short warm-up (first signing, keys opened, connections), then the measured run.
        warm = time.monotonic() + min(1.0, seconds)
        _threads(wallet_loop, warm)
        done[0] = errors[0] = 0
        started = time.monotonic()
        _threads(wallet_loop, started + seconds)
        elapsed = time.monotonic() - started
    return {
        "wallet_delivery_per_s": round(done[0] / elapsed, 1),
        "wallet_delivery_errors": errors[0],
    }


def _threads(loop: Callable[[float], None], deadline: float) -> None:
    threads = [threading.Thread(target=loop, args=(deadline,)) for _ in range(WALLET_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
