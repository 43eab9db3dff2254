"""The OpenID4VCI steps' trips to the database, and the credential signed before any write.

On SQLite a transaction's first write takes the database's write lock until the commit: the
credential request reads, checks and signs first, then writes the nonce, the offer, the
position, the delivery and its audit entry, and commits once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event

from app.bench_wallets import Wallet, key_proof
from app.wallets import binding
from keys import generate_key
from tests.app.test_oid4vci import award, nonce, open_offer, token_for, v1_request  # noqa: F401

_WRITES = ("INSERT", "UPDATE", "DELETE")


class _Trips:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def statement(self, *args: Any) -> None:
        verb = str(args[2]).split(None, 1)[0].upper()
        if verb != "DELETE":  # one spending in a hundred also purges expired nonces
            self.seen.append(verb)

    def commit(self, *args: Any) -> None:
        self.seen.append("COMMIT")


@pytest.fixture
def trips(client: TestClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> Iterator[_Trips]:
    engine = app.state.resources.sessions.kw["bind"]
    spy = _Trips()
    signing = binding.data_integrity.sign

    def sign(*args: Any, **kwargs: Any) -> Any:
        spy.seen.append("SIGN")
        return signing(*args, **kwargs)

    monkeypatch.setattr(binding.data_integrity, "sign", sign)
    event.listen(engine, "before_cursor_execute", spy.statement)
    event.listen(engine, "commit", spy.commit)
    yield spy
    event.remove(engine, "before_cursor_execute", spy.statement)
    event.remove(engine, "commit", spy.commit)


def test_each_step_reads_once_and_the_credential_is_signed_before_any_write(
    client: TestClient,
    award: dict[str, Any],  # noqa: F811
    trips: _Trips,
) -> None:
    Wallet(client).receive(*open_offer(client, award))  # the issuer's first Ed25519 key
    uri, tx_code = open_offer(client, award)
    trips.seen.clear()
    assert client.get(uri).status_code == 200
    assert trips.seen == ["SELECT"]
    trips.seen.clear()
    token = token_for(client, uri, tx_code)["access_token"]
    assert trips.seen == ["SELECT", "SELECT", "UPDATE", "COMMIT"]  # the offer read again
    trips.seen.clear()
    proof = key_proof(generate_key("Ed25519"), audience="http://testserver", nonce=nonce(client))
    assert trips.seen == []  # a nonce is an HMAC: nothing read or written
    answer = client.post(
        "/oid4vci/credential",
        json=v1_request(proof),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    signed_at = trips.seen.index("SIGN")
    assert not any(step in _WRITES for step in trips.seen[:signed_at]), trips.seen
    # The grant with its award, the signing target, the status position; then the nonce,
    # the offer, the list's counter and the check that the position is still free, the
    # delivery and its audit entry, one commit.
    assert trips.seen == [
        "SELECT",
        "SELECT",
        "SELECT",
        "SIGN",
        "INSERT",
        "UPDATE",
        "UPDATE",
        "SELECT",
        "INSERT",
        "INSERT",
        "COMMIT",
    ], trips.seen
