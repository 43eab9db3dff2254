"""Bound credentials are signed from a kept SigningTemplate, with the very same proof."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.bench_wallets import Wallet
from app.wallets import templates
from badges import data_integrity
from badges.data_integrity import SigningTemplate
from keys import KeySigner, generate_key
from tests.app.test_oid4vci import award, open_offer  # noqa: F401


def _unsigned(client: TestClient, award: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    delivered = Wallet(client).receive(*open_offer(client, award))
    delivered.pop("proof")
    # Issued and delivered within one second in a test: make the two dates differ, as they
    # do in life (a document whose varying values coincide gets no template).
    delivered["awardedDate"] = "2026-04-01T09:00:00Z"
    return delivered


def test_deliveries_of_one_achievement_share_a_template_that_signs_identically(
    client: TestClient,
    app: FastAPI,
    award: dict[str, Any],  # noqa: F811
) -> None:
    first, second = _unsigned(client, award), _unsigned(client, award)
    template = templates.template_for(first)
    assert isinstance(template, SigningTemplate)
    assert templates.template_for(second) is template
    signer = KeySigner(generate_key("Ed25519"), "did:web:badges.example.jp#key-1")
    now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    fast = data_integrity.sign(second, signer, created=now, template=template)
    full = data_integrity.sign(second, signer, created=now)
    assert fast == full
    # Another shape (here, another achievement name) gets a template of its own.
    other = {**second, "name": "別の名前"}
    assert templates.template_for(other) is not template


def test_coinciding_values_make_no_template(client: TestClient, award: dict[str, Any]) -> None:  # noqa: F811
    document = _unsigned(client, award)
    document["awardedDate"] = document["validFrom"]
    assert templates.template_for(document) is None


def test_a_delivery_after_an_achievement_edit_carries_the_edit(
    client: TestClient,
    award: dict[str, Any],  # noqa: F811
) -> None:
    before = Wallet(client).receive(*open_offer(client, award))
    edited = client.patch(
        f"/api/v1/achievements/{award['achievement_id']}",
        json={"name": {"ja": "改訂後の名前", "en": "Renamed"}},
        headers=award["staff"],
    )
    assert edited.status_code == 200, edited.text
    after = Wallet(client).receive(*open_offer(client, award))
    assert before["credentialSubject"]["achievement"]["name"] != "改訂後の名前"
    assert after["credentialSubject"]["achievement"]["name"] == "改訂後の名前"
