"""Wallet binding: offers (single use, short-lived) and credentials delivered to a holder DID."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.credentials.models import IssuedCredential
from app.errors import ConflictError
from app.issuers.models import Issuer
from app.status import service as status_service
from app.wallets import offers
from app.wallets.binding import issue_bound_credential
from app.wallets.models import WalletDelivery, WalletOffer
from badges import status_list
from keys import did_key, generate_key
from tests.app.test_credentials import issue, statuses, verify


def holder() -> str:
    return did_key(generate_key("Ed25519").public_key())


def _award(app: FastAPI, credential_id: str) -> IssuedCredential:
    with app.state.resources.sessions() as session:
        award = session.get(IssuedCredential, uuid.UUID(credential_id))
        assert award is not None
        session.expunge(award)
        return award


def deliver(app: FastAPI, credential_id: str, did: str, protocol: str = "vcapi") -> dict[str, Any]:
    resources = app.state.resources
    with resources.sessions() as session:
        award = session.get(IssuedCredential, uuid.UUID(credential_id))
        assert award is not None
        document = issue_bound_credential(
            session,
            award,
            did,
            protocol,
            datetime.now(UTC),
            keyring=resources.keyring,
            urls=resources.urls,
        )
        session.commit()
    return document


def _bit(client: TestClient, entry: dict[str, Any], purpose: str) -> int:
    url = entry["statusListCredential"].replace("/revocation/", f"/{purpose}/")
    listing = client.get(url).json()
    position = status_list.parse_status_entries(entry | {"statusPurpose": purpose})[0]
    return status_list.read_status(listing, position)


def test_the_delivered_credential_names_the_holder_keeps_the_identity_and_verifies(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str
) -> None:
    award = issue(
        client,
        staff,
        achievement_id,
        recipient={"email": "Taro@Example.jp", "name": "山田 太郎"},
        result=[{"value": "87"}],
    )
    did = holder()
    delivered = deliver(app, award["id"], did)
    subject = delivered["credentialSubject"]
    assert subject["id"] == did
    kinds = [entry["identityType"] for entry in subject["identifier"]]
    assert kinds == ["emailAddress", "name"]
    assert subject["identifier"][1]["identityHash"] == "山田 太郎"
    assert subject["result"][0]["value"] == "87"
    assert delivered["id"].startswith("urn:uuid:")
    assert delivered["awardedDate"] == award["document"]["validFrom"]
    proofs = delivered["proof"] if isinstance(delivered["proof"], list) else [delivered["proof"]]
    assert [p["cryptosuite"] for p in proofs] == ["eddsa-rdfc-2022"]
    # Its own status position, on the issuer's list.
    mine, theirs = delivered["credentialStatus"], award["document"]["credentialStatus"]
    assert mine["statusListCredential"] == theirs["statusListCredential"]
    assert mine["statusListIndex"] != theirs["statusListIndex"]
    report = verify(client, delivered)
    assert report.ok, report.checks
    with app.state.resources.sessions() as session:
        row = session.scalars(select(WalletDelivery)).one()
        assert (row.holder_did, row.protocol) == (did, "vcapi")
        assert str(row.credential_id) == award["id"]
        assert json.loads(row.document) == delivered


def test_revoking_or_suspending_the_award_changes_every_delivered_credential(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str
) -> None:
    award = issue(client, staff, achievement_id)
    first, second = (
        deliver(app, award["id"], holder()),
        deliver(app, award["id"], holder(), "oid4vci"),
    )
    other = deliver(app, issue(client, staff, achievement_id)["id"], holder())
    path = f"/api/v1/credentials/{award['id']}"
    entries = [first["credentialStatus"], second["credentialStatus"]]

    assert client.post(f"{path}/suspend", headers=staff).status_code == 200
    assert [_bit(client, e, "suspension") for e in entries] == [1, 1]
    assert [_bit(client, e, "revocation") for e in entries] == [0, 0]
    assert _bit(client, other["credentialStatus"], "suspension") == 0

    assert client.post(f"{path}/unsuspend", headers=staff).status_code == 200
    assert [_bit(client, e, "suspension") for e in entries] == [0, 0]
    assert verify(client, first).ok

    assert client.post(f"{path}/revoke", json={"reason": "不正"}, headers=staff).status_code == 200
    assert [_bit(client, e, "revocation") for e in entries] == [1, 1]
    assert statuses(verify(client, first))["status.revocation"] == "failed"
    assert statuses(verify(client, second))["status.revocation"] == "failed"
    assert verify(client, other).ok


def test_a_suspended_award_is_delivered_suspended_and_a_revoked_one_not_at_all(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str
) -> None:
    award = issue(client, staff, achievement_id)
    path = f"/api/v1/credentials/{award['id']}"
    client.get(award["document"]["credentialStatus"]["statusListCredential"])  # cached list
    assert client.post(f"{path}/suspend", headers=staff).status_code == 200
    delivered = deliver(app, award["id"], holder())
    assert _bit(client, delivered["credentialStatus"], "suspension") == 1
    assert client.post(f"{path}/revoke", json={"reason": "x"}, headers=staff).status_code == 200
    with pytest.raises(ConflictError):
        deliver(app, award["id"], holder())


def test_an_offer_is_random_hashed_short_lived_and_consumed_once(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str
) -> None:
    award = _award(app, issue(client, staff, achievement_id)["id"])
    now = datetime.now(UTC)
    with app.state.resources.sessions() as session:
        made = offers.create_offer(session, award, "vcapi", now, minutes=10)
        token, offer_id = made.token, made.offer.id
        assert len(token) >= 32  # 24 random bytes, base64url
        stored = session.get(WalletOffer, offer_id)
        assert stored is not None
        assert stored.token_hash == offers.token_hash(token) != token
        assert stored.expires_at == now + timedelta(minutes=10)
        assert offers.find_offer(session, token, "vcapi", now).reason is None
        # A token is good for its own protocol only.
        assert offers.find_offer(session, token, "oid4vci", now).reason == "unknown"
        assert offers.find_offer(session, "x" * 40, "vcapi", now).reason == "unknown"
        later = now + timedelta(minutes=10)
        assert offers.find_offer(session, token, "vcapi", later).reason == "expired"
        assert not offers.consume_offer(session, offer_id, holder(), later)
        did = holder()
        assert offers.consume_offer(session, offer_id, did, now)
        assert not offers.consume_offer(session, offer_id, holder(), now)
        session.commit()
        found = offers.find_offer(session, token, "vcapi", now)
        assert found.reason == "used"
        assert found.offer is not None and found.offer.holder_did == did
        assert found.offer.state == "used"


def test_offer_minutes_come_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.settings import Settings

    monkeypatch.setenv("SHOMEI_DEVELOPMENT", "true")
    monkeypatch.setenv("SHOMEI_WALLET_OFFER_MINUTES", "3")
    assert Settings(_env_file=None).wallet_offer_minutes == 3
    assert Settings.model_fields["wallet_offer_minutes"].default == 10


def _deliver_at(app: FastAPI, award: IssuedCredential, position: Any) -> None:
    """A wallet delivery that takes ``position`` and commits."""
    with app.state.resources.sessions() as session:
        session.add(
            WalletDelivery(
                id=uuid.uuid4(),
                credential_id=award.id,
                protocol="vcapi",
                holder_did=holder(),
                status_list_id=position.status_list.id,
                status_index=position.index,
                delivered_at=datetime.now(UTC),
                document="{}",
            )
        )
        session.commit()


def test_a_position_a_delivery_took_after_the_draw_is_not_claimed_twice(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str
) -> None:
    award = _award(app, issue(client, staff, achievement_id)["id"])
    now = datetime.now(UTC)
    with app.state.resources.sessions() as session:
        drawn = status_service.draw_position(session, award.issuer_id, now)
        session.commit()  # the draw's read ends; the claim below starts afresh
        _deliver_at(app, award, drawn)  # meanwhile a wallet delivery takes that position
        with pytest.raises(status_service.PositionTakenError):
            status_service.claim_position(session, drawn)
        session.rollback()
        # The same for a batch's chunk.
        issuer = session.get(Issuer, award.issuer_id)
        assert issuer is not None
        [chunk] = status_service.allocate_positions(session, issuer, 1, now)
        session.commit()
        _deliver_at(app, award, chunk)
        with pytest.raises(status_service.PositionTakenError):
            status_service.claim_positions(session, [chunk])
        session.rollback()
    # Issuing draws around both.
    again = issue(client, staff, achievement_id)
    assert int(again["document"]["credentialStatus"]["statusListIndex"]) not in {
        drawn.index,
        chunk.index,
    }
