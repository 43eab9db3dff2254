"""Statistics: totals equal the rows of every grouping, months in the time zone, isolation, CSV."""

from __future__ import annotations

import csv
import io
import random
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import case

from app.batches.models import Batch
from app.credentials.models import IssuedCredential
from app.statistics import service
from tests.app.test_credentials import make_achievement

MEASURES = ["issued", "active", "revoked", "suspended", "claimed"]


def insert_credentials(
    app: FastAPI,
    issuer_id: str,
    achievement_id: str,
    issued: list[tuple[datetime, str]],
    **columns: Any,
) -> list[uuid.UUID]:
    """Rows as issuing stores them, without signing: statistics read only the columns."""
    ids = []
    with app.state.resources.sessions() as session:
        for at, status in issued:
            row = IssuedCredential(
                issuer_id=uuid.UUID(issuer_id),
                achievement_id=uuid.UUID(achievement_id),
                format="ob3",
                status=status,
                recipient_email="passer@example.jp",
                recipient_email_lower="passer@example.jp",
                issued_at=at,
                document="{}",
                **columns,
            )
            session.add(row)
            session.flush()
            ids.append(row.id)
        session.commit()
    return ids


def _sum(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {m: sum(r["counts"][m] for r in rows) for m in MEASURES}


def test_totals_equal_the_rows_of_every_grouping_on_random_data(
    client: TestClient, app: FastAPI, issuer: Any, staff: dict[str, str]
) -> None:
    rng = random.Random(20261207)
    issuer_id = issuer[0]["id"]
    achievements = [make_achievement(app, issuer_id, name=f"検定 {n}") for n in range(3)]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    expected: Counter[str] = Counter()
    for achievement in achievements:
        rows = [
            (
                start + timedelta(seconds=rng.randrange(0, 500 * 86400)),
                rng.choice(["active", "active", "revoked", "suspended"]),
            )
            for _ in range(rng.randrange(20, 60))
        ]
        insert_credentials(app, issuer_id, achievement, rows)
        expected.update(status for _, status in rows)
        expected["issued"] += len(rows)

    body = client.get("/api/v1/statistics", headers=staff).json()
    assert body["measures"] == MEASURES
    assert body["totals"] == {m: expected[m] for m in MEASURES}
    assert body["totals"]["issued"] == sum(body["totals"][m] for m in MEASURES[1:])
    for grouping, rows in body["groups"].items():
        assert _sum(rows) == body["totals"], grouping
    assert len(body["groups"]["achievement"]) == 3
    months = [r["key"] for r in body["groups"]["month"]]
    assert months == sorted(months) and len(months) == len(set(months))


def test_months_are_counted_in_the_time_zone(
    client: TestClient, app: FastAPI, issuer: Any, staff: dict[str, str], achievement_id: str
) -> None:
    # 2026-01-31T20:00Z is 1 February in Tokyo, 31 January in UTC and New York.
    at = datetime(2026, 1, 31, 20, 0, tzinfo=UTC)
    insert_credentials(app, issuer[0]["id"], achievement_id, [(at, "active")])

    def months(**params: str) -> list[str]:
        body = client.get("/api/v1/statistics", params=params, headers=staff).json()
        return [r["key"] for r in body["groups"]["month"]]

    assert months() == ["2026-02"]
    assert months(tz="UTC") == ["2026-01"]
    assert months(tz="America/New_York") == ["2026-01"]
    # Dates are local dates of the zone, both ends included.
    tokyo = client.get(
        "/api/v1/statistics", params={"from": "2026-02-01", "to": "2026-02-01"}, headers=staff
    ).json()
    assert tokyo["totals"]["issued"] == 1
    utc = client.get(
        "/api/v1/statistics",
        params={"from": "2026-02-01", "to": "2026-02-28", "tz": "UTC"},
        headers=staff,
    ).json()
    assert utc["totals"]["issued"] == 0


def test_filters_by_achievement(
    client: TestClient, app: FastAPI, issuer: Any, staff: dict[str, str]
) -> None:
    issuer_id = issuer[0]["id"]
    first, second = (make_achievement(app, issuer_id, name=f"検定 {n}") for n in range(2))
    now = datetime.now(UTC)
    insert_credentials(app, issuer_id, first, [(now, "active")] * 3)
    insert_credentials(app, issuer_id, second, [(now, "revoked")] * 2)
    body = client.get("/api/v1/statistics", params={"achievement_id": second}, headers=staff).json()
    assert body["totals"] == {"issued": 2, "active": 0, "revoked": 2, "suspended": 0, "claimed": 0}
    assert [r["key"] for r in body["groups"]["achievement"]] == [second]


def test_an_issuer_sees_only_its_own_statistics(
    client: TestClient,
    app: FastAPI,
    make_issuer: Any,
    admin_headers: dict[str, str],
) -> None:
    (one, one_staff), (other, other_staff) = make_issuer("ai-exam"), make_issuer("other-exam")
    now = datetime.now(UTC)
    insert_credentials(app, one["id"], make_achievement(app, one["id"]), [(now, "active")] * 4)
    insert_credentials(app, other["id"], make_achievement(app, other["id"]), [(now, "active")])

    def issued(headers: dict[str, str], **params: str) -> Any:
        return client.get("/api/v1/statistics", params=params, headers=headers)

    assert issued(one_staff).json()["totals"]["issued"] == 4
    assert issued(other_staff).json()["totals"]["issued"] == 1
    assert issued(admin_headers).json()["totals"]["issued"] == 5
    assert issued(admin_headers, issuer="other-exam").json()["totals"]["issued"] == 1
    # Another issuer's slug names nothing this key may see.
    assert issued(one_staff, issuer="other-exam").status_code == 404
    assert client.get("/api/v1/statistics").status_code == 401


def test_bad_parameters_are_422(client: TestClient, staff: dict[str, str]) -> None:
    for params in ({"tz": "Mars/Olympus"}, {"from": "0001-01-01"}, {"to": "2026-13-01"}):
        response = client.get("/api/v1/statistics", params=params, headers=staff)
        assert response.status_code == 422, params
        assert response.headers["content-type"] == "application/problem+json"


def test_a_zone_name_the_file_system_refuses_is_422(
    client: TestClient, staff: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Some names make the zone lookup fail with an ``OSError`` (a path the system refuses)."""

    def refuse(key: str) -> None:
        raise OSError(36, "File name too long", key)

    monkeypatch.setattr("app.validation.ZoneInfo", refuse)
    response = client.get("/api/v1/statistics", params={"tz": "Asia/Tokyo"}, headers=staff)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_csv_lists_every_row_and_the_totals_and_neutralises_formulas(
    client: TestClient, app: FastAPI, issuer: Any, staff: dict[str, str]
) -> None:
    achievement = make_achievement(app, issuer[0]["id"], name='=HYPERLINK("http://x")')
    insert_credentials(app, issuer[0]["id"], achievement, [(datetime.now(UTC), "suspended")])
    for request in (
        {"params": {"format": "csv"}, "headers": staff},
        {"headers": staff | {"Accept": "text/csv"}},
    ):
        response = client.get("/api/v1/statistics", **request)  # type: ignore[arg-type]
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.text.removeprefix("\ufeff"))))
        achievement_rows = [r for r in rows if r["grouping"] == "achievement"]
        assert achievement_rows[0]["label_ja"] == '\'=HYPERLINK("http://x")'
        total = rows[-1]
        assert total["grouping"] == "total" and total["suspended"] == "1"
        for grouping in {r["grouping"] for r in rows} - {"total"}:
            assert sum(int(r["issued"]) for r in rows if r["grouping"] == grouping) == 1


def _batch(app: FastAPI, issuer_id: str, achievement_id: str, label: str) -> uuid.UUID:
    with app.state.resources.sessions() as session:
        batch = Batch(
            issuer_id=uuid.UUID(issuer_id),
            achievement_id=uuid.UUID(achievement_id),
            format="ob3",
            label=label,
            state="done",
        )
        session.add(batch)
        session.commit()
        return batch.id


def test_batches_and_prefectures_add_up_on_random_data(
    client: TestClient, app: FastAPI, issuer: Any, staff: dict[str, str], achievement_id: str
) -> None:
    rng = random.Random(47)
    issuer_id = issuer[0]["id"]
    batches = [_batch(app, issuer_id, achievement_id, label) for label in ("2026#5", "2026#6")]
    expected_prefectures: Counter[int | None] = Counter()
    expected_batches: Counter[uuid.UUID | None] = Counter()
    now = datetime.now(UTC)
    for _ in range(120):
        prefecture = rng.choice([None, *range(1, 48)])
        batch = rng.choice([None, *batches])
        status = rng.choice(["active", "revoked", "suspended"])
        insert_credentials(
            app, issuer_id, achievement_id, [(now, status)], prefecture=prefecture, batch_id=batch
        )
        expected_prefectures[prefecture] += 1
        expected_batches[batch] += 1

    body = client.get("/api/v1/statistics", headers=staff).json()
    assert body["totals"]["issued"] == 120
    prefectures = body["groups"]["prefecture"]
    assert [p["key"] for p in prefectures] == [f"{code:02d}" for code in range(1, 48)] + [None]
    assert prefectures[12]["label"] == {"ja": "東京都", "en": "Tokyo"}
    assert {
        (int(p["key"]) if p["key"] else None): p["counts"]["issued"]
        for p in prefectures
        if p["counts"]["issued"]
    } == dict(expected_prefectures)
    by_batch = body["groups"]["batch"]
    assert [b["label"]["en"] for b in by_batch if b["key"]] == ["2026#5", "2026#6"]
    assert by_batch[-1]["key"] is None
    assert {
        (uuid.UUID(b["key"]) if b["key"] else None): b["counts"]["issued"] for b in by_batch
    } == dict(expected_batches)
    for grouping, rows in body["groups"].items():
        assert _sum(rows) == body["totals"], grouping
    one = client.get("/api/v1/statistics", params={"batch_id": str(batches[0])}, headers=staff)
    assert one.json()["totals"]["issued"] == expected_batches[batches[0]]


def test_a_new_measure_reaches_every_grouping_and_the_csv(
    client: TestClient,
    app: FastAPI,
    issuer: Any,
    staff: dict[str, str],
    achievement_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # How a later count (claimed credentials) joins: one more Measure, nothing else.
    base = service.measures()
    extra = service.Measure(
        "numbered", case((IssuedCredential.external_id.is_not(None), 1), else_=0)
    )
    monkeypatch.setattr(service, "measures", lambda: (*base, extra))
    now = datetime.now(UTC)
    insert_credentials(app, issuer[0]["id"], achievement_id, [(now, "active")], external_id="X-1")
    insert_credentials(app, issuer[0]["id"], achievement_id, [(now, "active")])
    body = client.get("/api/v1/statistics", headers=staff).json()
    assert body["measures"] == [*MEASURES, "numbered"]
    assert body["totals"]["numbered"] == 1
    for rows in body["groups"].values():
        assert sum(r["counts"]["numbered"] for r in rows) == 1
    header = client.get("/api/v1/statistics?format=csv", headers=staff).text.splitlines()[0]
    assert header.endswith(",numbered")
