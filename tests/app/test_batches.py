"""Batches as previews: CSV and JSON uploads, the row report, limits, discard, permissions."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.batches.models import BatchRow
from app.settings import Settings
from tests.app.test_credentials import make_achievement

HEADER_EN = "external_id,email,name,name_en,language,valid_until,result,prefecture"
HEADER_JA = "受験番号,メールアドレス,氏名,氏名（英字）,言語,有効期限,結果,都道府県"


def _csv(*lines: str, header: str = HEADER_EN) -> str:
    return "\r\n".join((header, *lines)) + "\r\n"


def _upload(
    client: TestClient,
    headers: dict[str, str],
    achievement_id: str,
    data: bytes,
    **fields: str,
) -> Any:
    return client.post(
        "/api/v1/batches",
        headers=headers,
        files={"file": ("session.csv", data, "text/csv")},
        data={"achievement_id": achievement_id, **fields},
    )


def _by_row(body: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {row["row_number"]: row for row in body["report"]}


def _codes(row: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p["column"], p["code"]) for p in row["problems"]]


def _rows(client: TestClient, headers: dict[str, str], batch_id: str, **query: str) -> Any:
    response = client.get(f"/api/v1/batches/{batch_id}/rows", headers=headers, params=query)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_utf8_csv_becomes_a_preview_with_counts(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    text = _csv(
        "A-0001,taro@example.jp,山田 太郎,Taro Yamada,ja,2030-03-31,87,13",
        "A-0002,hanako@example.jp,佐藤 花子,,en,2030/3/31,,大阪府",
        "A-0003,jiro@example.jp,鈴木 次郎,,,,,",
    )
    response = _upload(
        client, staff, achievement_id, text.encode(), label="2026#6", exam_date="2026/11/29"
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["state"] == "preview"
    assert body["label"] == "2026#6"
    assert body["exam_date"] == "2026-11-29"
    assert body["format"] == "ob3"
    assert body["on_duplicate"] == "skip"
    assert body["notify"] is True
    assert body["source_encoding"] == "utf-8"
    assert body["source_filename"] == "session.csv"
    assert body["counts"] == {
        "total": 3,
        "ok": 3,
        "warning": 0,
        "error": 0,
        "pending": 3,
        "issued": 0,
        "skipped": 0,
        "failed": 0,
    }
    assert body["report"] == []
    rows = _rows(client, staff, body["id"])["items"]
    # Spreadsheet rows: the header is row 1.
    assert [r["row_number"] for r in rows] == [2, 3, 4]
    first, second, third = rows
    assert first["external_id"] == "A-0001"
    assert first["name_en"] == "Taro Yamada"
    assert first["language"] == "ja"
    assert first["result"] == "87"
    assert first["prefecture"] == 13
    # End of the day in Japan, in UTC.
    assert first["valid_until"].startswith("2030-03-31T14:59:59")
    assert second["valid_until"] == first["valid_until"]
    assert second["prefecture"] == 27
    assert third["prefecture"] is None
    assert third["valid_until"] is None

    got = client.get(f"/api/v1/batches/{body['id']}", headers=staff).json()
    assert got["counts"] == body["counts"]
    assert got["rows_url"].endswith(f"/api/v1/batches/{body['id']}/rows")


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp932", b"")],
    ids=["utf-8", "utf-8-bom", "cp932"],
)
def test_japanese_headers_in_every_encoding_excel_writes(
    client: TestClient, staff: dict[str, str], achievement_id: str, encoding: str, prefix: bytes
) -> None:
    text = _csv(
        "B-0001,ichiro@example.jp,髙橋 一郎,Ichiro Takahashi,日本語,2031/12/31,合格,東京都",
        "B-0002,natsu@example.jp,渡邊 なつ,,英語,2031-01-05,A,Hokkaido",
        header=HEADER_JA,
    )
    response = _upload(client, staff, achievement_id, prefix + text.encode(encoding))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["counts"]["ok"] == 2, body["report"]
    assert body["source_encoding"] == {"utf-8": "utf-8", "cp932": "cp932"}[encoding] + (
        "-sig" if prefix else ""
    )
    rows = _rows(client, staff, body["id"])["items"]
    assert rows[0]["name"] == "髙橋 一郎"
    assert rows[0]["result"] == "合格"
    assert rows[0]["language"] == "ja"
    assert rows[1]["language"] == "en"
    assert [r["prefecture"] for r in rows] == [13, 1]


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("13", 13),
        ("01", 1),
        ("1", 1),
        ("東京都", 13),
        ("東京", 13),
        ("京都", 26),
        ("北海道", 1),
        ("Tokyo", 13),
        ("tokyo-to", 13),
        ("Osaka Prefecture", 27),
        ("海外", None),
        ("", None),
    ],
)
def test_prefectures_by_code_name_or_romanised_name(
    client: TestClient, staff: dict[str, str], achievement_id: str, cell: str, code: int | None
) -> None:
    text = _csv(f"P-1,p@example.jp,前田 翔,,,,,{cell}")
    body = _upload(client, staff, achievement_id, text.encode()).json()
    assert body["counts"]["ok"] == 1, body["report"]
    assert _rows(client, staff, body["id"])["items"][0]["prefecture"] == code


@pytest.mark.parametrize("cell", ["48", "0", "東京県", "Tokio", "Kanto"])
def test_an_unknown_prefecture_is_a_row_error(
    client: TestClient, staff: dict[str, str], achievement_id: str, cell: str
) -> None:
    text = _csv(f"P-1,p@example.jp,前田 翔,,,,,{cell}")
    body = _upload(client, staff, achievement_id, text.encode()).json()
    assert body["counts"]["error"] == 1
    (problem,) = body["report"][0]["problems"]
    assert problem["column"] == "prefecture"
    assert problem["code"] == "invalid_prefecture"
    assert "都道府県" in problem["message_ja"]
    assert "JIS X 0401" in problem["message_en"]


def test_every_row_problem_is_reported_with_row_column_and_both_languages(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    text = _csv(
        "C-1,not-an-address,名前 一,,ja,2030-01-01,,",
        "C-2,c2@example.jp,,,fr,2030-02-30,,",
        "C-3,c3@example.jp,名前 三,,,2001-01-01,,",
        ",c4@example.jp,名前 四,,,31/12/2030,,",
        'C-5,c5@example.jp,=HYPERLINK("http://evil.example"),,,,,',
        "C-6,c6@example.jp,名前 六,,,,,,surplus",
    )
    response = _upload(client, staff, achievement_id, text.encode())
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["counts"]["error"] == 6
    rows = _by_row(body)
    assert _codes(rows[2]) == [("email", "invalid_email")]
    assert _codes(rows[3]) == [
        ("name", "required"),
        ("language", "invalid_language"),
        ("valid_until", "invalid_date"),
    ]
    assert _codes(rows[4]) == [("valid_until", "date_past")]
    assert _codes(rows[5]) == [("external_id", "required"), ("valid_until", "invalid_date")]
    assert _codes(rows[6]) == [("name", "formula")]
    assert _codes(rows[7]) == [("", "extra_cells")]
    problem = rows[3]["problems"][0]
    assert problem["message_ja"] == "氏名が空です。入力してください。"
    assert problem["message_en"] == "name is empty; it is required."
    # The report never quotes a cell.
    assert all("HYPERLINK" not in p["message_en"] for p in rows[6]["problems"])


def test_evidence_urls_are_checked_and_stored_normalised(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    header = "external_id,email,name,evidence_url"
    text = _csv(
        "U-1,u1@example.jp,名前 一,https://exam.example.jp/e/1",
        "U-2,u2@example.jp,名前 二,javascript:alert(1)",
        f"U-3,u3@example.jp,名前 三,https://exam.example.jp/{'日' * 600}",
        header=header,
    )
    body = _upload(client, staff, achievement_id, text.encode()).json()
    rows = _by_row(body)
    assert _codes(rows[3]) == [("evidence_url", "invalid_url")]
    # Some 600 characters as given, over 5,000 once percent-encoded.
    assert _codes(rows[4]) == [("evidence_url", "too_long")]
    stored = _rows(client, staff, body["id"])["items"]
    assert stored[0]["evidence_url"] == "https://exam.example.jp/e/1"
    assert len(stored[2]["evidence_url"]) <= 2000


def test_a_10_kb_name_is_a_row_error_not_a_server_error(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    text = _csv(f"D-1,d1@example.jp,{'長' * 10_000},,,,,", "D-2,d2@example.jp,短い 名前,,,,,")
    response = _upload(client, staff, achievement_id, text.encode())
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["counts"] | {"ok": 1, "error": 1} == body["counts"]
    assert _codes(_by_row(body)[2]) == [("name", "too_long")]
    stored = _rows(client, staff, body["id"], check="error")["items"][0]
    assert len(stored["name"]) == 200


def test_duplicates_in_the_file_and_against_issued_credentials(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    issued = client.post(
        "/api/v1/credentials",
        headers=staff,
        json={
            "achievement_id": achievement_id,
            "recipient": {"email": "old@example.jp", "name": "前回 合格"},
            "external_id": "E-0001",
        },
    )
    assert issued.status_code == 201, issued.text
    text = _csv(
        "E-0001,old@example.jp,前回 合格,,,,,",
        "E-0002,same@example.jp,同じ 住所,,,,,",
        "E-0003,SAME@example.jp,同じ 住所二,,,,,",
        "E-0002,other@example.jp,重複 番号,,,,,",
        "E-0004,old@example.jp,別の 番号,,,,,",
    )
    body = _upload(client, staff, achievement_id, text.encode(), on_duplicate="reissue").json()
    rows = _by_row(body)
    assert rows[2]["check"] == "warning"
    assert _codes(rows[2]) == [("external_id", "already_issued_reissue")]
    assert rows[2]["duplicate_of"] == issued.json()["id"]
    assert 3 not in rows  # the first use of an address is fine
    assert _codes(rows[4]) == [("email", "email_repeated_in_file")]
    assert rows[4]["problems"][0]["message_en"].endswith("row 3, under another examinee number.")
    assert rows[5]["check"] == "error"
    assert _codes(rows[5]) == [("external_id", "duplicate_in_file")]
    assert _codes(rows[6]) == [
        ("email", "email_repeated_in_file"),
        ("email", "email_already_issued"),
    ]
    # Errors first in the report.
    assert [r["row_number"] for r in body["report"]] == [5, 2, 4, 6]
    assert body["counts"] | {"ok": 1, "warning": 3, "error": 1} == body["counts"]

    skip = _upload(client, staff, achievement_id, _csv(text.splitlines()[1]).encode()).json()
    assert _codes(skip["report"][0]) == [("external_id", "already_issued_skip")]


def test_a_json_body_is_checked_like_a_csv_file(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    response = client.post(
        "/api/v1/batches",
        headers=staff,
        json={
            "achievement_id": achievement_id,
            "format": "ob2",
            "label": "2026#6",
            "exam_date": "2026-11-29",
            "notify": False,
            "rows": [
                {"external_id": "J-1", "email": "j1@example.jp", "name": "一 郎"},
                {"external_id": 2, "email": "j2@example.jp", "name": "二 郎", "result": 80.5},
                {"external_id": "J-3", "email": "j3@example.jp", "name": ["三"], "shoe": 27},
            ],
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["source_encoding"] == "json"
    assert body["notify"] is False
    assert body["format"] == "ob2"
    rows = _by_row(body)
    assert 1 not in rows
    assert _codes(rows[2]) == [("result", "result_not_in_ob2")]
    assert _codes(rows[3]) == [("shoe", "unknown_field"), ("name", "not_text")]
    stored = _rows(client, staff, body["id"])["items"]
    assert stored[1]["external_id"] == "2"
    assert stored[1]["result"] == "80.5"


def test_bad_settings_in_a_json_body_are_a_422(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    response = client.post(
        "/api/v1/batches",
        headers=staff,
        json={"achievement_id": achievement_id, "format": "ob4", "rows": []},
    )
    assert response.status_code == 422
    fields = {tuple(e["loc"]) for e in response.json()["errors"]}
    assert ("body", "format") in fields
    assert ("body", "rows") in fields


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (_csv('F-1,"f1@example.jp,名前,,,,,').encode(), "line 2"),
        (b"external_id,email\r\nF-1,f1@example.jp\r\n", "name (\xe6\xb0\x8f\xe5\x90\x8d)"),
        ("名前,メール\r\n".encode("utf-16"), "UTF-16"),
        (b"external_id,email,name\r\nF-1,a@example.jp,\x81\xff\xfe\r\n", "line 2"),
        (b"", "empty"),
        (HEADER_EN.encode() + b"\r\n", "no rows"),
    ],
    ids=["broken-quote", "missing-column", "utf-16", "not-utf8-nor-cp932", "empty", "no-rows"],
)
def test_a_file_that_cannot_be_read_is_a_422_and_nothing_is_stored(
    client: TestClient,
    app: FastAPI,
    staff: dict[str, str],
    achievement_id: str,
    data: bytes,
    words: str,
) -> None:
    response = _upload(client, staff, achievement_id, data)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    detail = response.json()["detail"]
    assert words.encode("latin-1").decode("utf-8") in detail or words in detail
    with app.state.resources.sessions() as session:
        assert session.scalar(select(func.count()).select_from(BatchRow)) == 0
    assert client.get("/api/v1/batches", headers=staff).json()["total"] == 0


@pytest.fixture
def small_limits(settings: Settings) -> Settings:
    settings.max_batch_rows = 3
    settings.max_batch_bytes = 2048
    return settings


def test_too_many_rows_or_bytes_is_a_413(
    small_limits: Settings, client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    lines = [f"G-{n},g{n}@example.jp,名前 {n},,,,," for n in range(4)]
    response = _upload(client, staff, achievement_id, _csv(*lines).encode())
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert "3 rows" in response.json()["detail"]
    assert _upload(client, staff, achievement_id, _csv(*lines[:3]).encode()).status_code == 201

    big = _csv(*[f"G-{n},g{n}@example.jp,{'名' * 1000},,,,," for n in range(3)]).encode()
    response = _upload(client, staff, achievement_id, big)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    many = [{"external_id": str(n), "email": "a@example.jp", "name": "x"} for n in range(4)]
    response = client.post(
        "/api/v1/batches", headers=staff, json={"achievement_id": achievement_id, "rows": many}
    )
    assert response.status_code == 413


@pytest.fixture
def small_json_cap(settings: Settings) -> Settings:
    settings.max_json_bytes = 4096
    return settings


def test_the_batch_route_takes_more_than_the_json_cap_but_other_routes_do_not(
    small_json_cap: Settings, client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    rows = [
        {"external_id": f"H-{n:05}", "email": f"h{n}@example.jp", "name": f"受験者 {n}"}
        for n in range(200)
    ]
    body = {"achievement_id": achievement_id, "rows": rows}
    response = client.post("/api/v1/batches", headers=staff, json=body)
    assert response.status_code == 201, response.text
    assert response.json()["counts"]["ok"] == 200
    other = client.post("/api/v1/credentials", headers=staff, json=body | {"padding": "x" * 5000})
    assert other.status_code == 413


def test_a_body_far_over_the_cap_is_refused_before_it_is_read(
    small_limits: Settings, client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    data = _csv(*[f"Z-{n},z{n}@example.jp,名前,,,,," for n in range(4000)]).encode()
    assert len(data) > 64 * 1024 + 2048
    response = _upload(client, staff, achievement_id, data)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_formula_cells_are_neutralised_in_the_report_csv(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    text = _csv(
        '=1+2,k1@example.jp,"=HYPERLINK(""http://evil.example"",""x"")",,,,,',
        "@K-2,k2@example.jp,+81 名前,,,,,",
        "-K-3,k3@example.jp,名前 三,,,,,",
    )
    body = _upload(client, staff, achievement_id, text.encode()).json()
    response = client.get(
        f"/api/v1/batches/{body['id']}/report.csv", headers=staff, params={"lang": "ja"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == ["行", "受験番号", "氏名", "判定", "列", "内容"]
    cells = [cell for line in lines[1:] for cell in line]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=1+2" in cells
    assert '\'=HYPERLINK("http://evil.example","x")' in cells
    assert "'+81 名前" in cells
    assert "'-K-3" in cells
    english = client.get(f"/api/v1/batches/{body['id']}/report.csv", headers=staff)
    assert english.text.lstrip("\ufeff").startswith("row,external_id,name,check,columns")


def test_the_template_lists_the_columns_in_english_or_japanese(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    url = f"/api/v1/achievements/{achievement_id}/batch-template.csv"
    english = client.get(url, headers=staff)
    assert english.status_code == 200
    assert english.content.startswith(b"\xef\xbb\xbf")
    assert english.content.decode("utf-8-sig") == (
        "external_id,email,name,name_en,language,valid_until,result,evidence_url,narrative,"
        "prefecture\r\n"
    )
    japanese = client.get(url, headers=staff, params={"lang": "ja"})
    header = japanese.content.decode("utf-8-sig").strip()
    assert header.split(",")[:3] == ["受験番号", "メールアドレス", "氏名"]
    # The template, filled in and sent back, is read as it was written.
    filled = japanese.content + "T-1,t1@example.jp,記入 例,,,,,,,".encode()
    assert _upload(client, staff, achievement_id, filled).json()["counts"]["ok"] == 1


def test_discard_removes_the_rows_and_keeps_the_batch(
    client: TestClient, app: FastAPI, staff: dict[str, str], achievement_id: str
) -> None:
    body = _upload(client, staff, achievement_id, _csv("L-1,l@example.jp,名 前,,,,,").encode())
    batch_id = body.json()["id"]
    assert client.delete(f"/api/v1/batches/{batch_id}", headers=staff).status_code == 204
    got = client.get(f"/api/v1/batches/{batch_id}", headers=staff).json()
    assert got["state"] == "discarded"
    assert got["counts"]["total"] == 1
    assert got["counts"]["pending"] == 0
    again = client.delete(f"/api/v1/batches/{batch_id}", headers=staff)
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"
    with app.state.resources.sessions() as session:
        assert session.scalar(select(func.count()).select_from(BatchRow)) == 0
        actions = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.subject_id == batch_id)
            .order_by(AuditEntry.at)
        ).all()
        details = session.scalars(
            select(AuditEntry.details).where(AuditEntry.action == "batch.create")
        ).one()
    assert actions == ["batch.create", "batch.discard"]
    assert details["total_rows"] == 1
    assert "l@example.jp" not in str(details)


def test_another_issuers_key_sees_nothing(
    client: TestClient,
    app: FastAPI,
    make_issuer: Any,
    staff: dict[str, str],
    admin_headers: dict[str, str],
    achievement_id: str,
) -> None:
    body = _upload(client, staff, achievement_id, _csv("M-1,m@example.jp,名 前,,,,,").encode())
    batch_id = body.json()["id"]
    other, other_staff = make_issuer("other-exam")
    for path in ("", "/rows", "/report.csv"):
        response = client.get(f"/api/v1/batches/{batch_id}{path}", headers=other_staff)
        assert response.status_code == 404, path
    assert client.delete(f"/api/v1/batches/{batch_id}", headers=other_staff).status_code == 404
    assert client.get("/api/v1/batches", headers=other_staff).json()["total"] == 0
    template = f"/api/v1/achievements/{achievement_id}/batch-template.csv"
    assert client.get(template, headers=other_staff).status_code == 404
    # Another issuer's achievement cannot take a batch.
    upload = _upload(client, other_staff, achievement_id, _csv("M-2,n@e.jp,名,,,,,").encode())
    assert upload.status_code == 422
    # The administrator sees every batch, and may upload for any issuer.
    listed = client.get("/api/v1/batches", headers=admin_headers).json()
    assert [item["id"] for item in listed["items"]] == [batch_id]
    assert listed["items"][0]["issuer"] == "ai-exam"
    theirs = make_achievement(app, other["id"])
    by_admin = _upload(client, admin_headers, theirs, _csv("M-3,o@example.jp,名 前,,,,,").encode())
    assert by_admin.status_code == 201
    assert by_admin.json()["issuer"] == "other-exam"
    assert client.get("/api/v1/batches", headers=other_staff).json()["total"] == 1
    assert client.get("/api/v1/batches").status_code == 401


def test_rows_are_paged_and_filtered(
    client: TestClient, staff: dict[str, str], achievement_id: str
) -> None:
    lines = [f"R-{n:03},r{n}@example.jp,名前 {n},,,,," for n in range(30)]
    lines[7] = "R-007,broken,名前 7,,,,,"
    body = _upload(client, staff, achievement_id, _csv(*lines).encode()).json()
    page = _rows(client, staff, body["id"], limit="10", offset="10")
    assert page["total"] == 30
    assert [r["row_number"] for r in page["items"]] == list(range(12, 22))
    errors = _rows(client, staff, body["id"], check="error")
    assert errors["total"] == 1
    assert errors["items"][0]["row_number"] == 9
    assert _rows(client, staff, body["id"], state="issued")["total"] == 0
    listed = client.get(
        "/api/v1/batches",
        headers=staff,
        params={"state": "preview", "achievement_id": achievement_id},
    ).json()
    assert listed["total"] == 1
    assert listed["items"][0]["counts"]["error"] == 1
    assert client.get("/api/v1/batches/not-a-uuid", headers=staff).status_code == 404
