"""The ``shomei`` command: verify, bake and unbake on real files."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from app.cli import main, verify_settings
from badges import data_integrity
from badges.ob3.builder import build_credential
from badges.ob3.models import Achievement, Criteria, Profile
from keys import KeySigner, did_key, generate_key
from tests.support import FIXED_NOW


def _signed_credential() -> dict[str, object]:
    key = generate_key("Ed25519")
    did = did_key(key.public_key())
    credential = build_credential(
        credential_id="urn:uuid:7f0c3b9e-1d2a-4e5f-8a6b-9c0d1e2f3a4b",
        issuer=Profile.from_wire({"id": did, "type": ["Profile"], "name": "試験センター"}),
        achievement=Achievement.from_wire(
            {
                "id": "https://example.org/achievements/1",
                "type": ["Achievement"],
                "name": "生成AI活用検定",
                "description": "Generative AI literacy",
                "criteria": Criteria.from_wire({"narrative": "合格"}).to_wire(),
            }
        ),
        recipient_email="passer@example.com",
        valid_from=FIXED_NOW - timedelta(days=1),
    )
    signer = KeySigner(key, f"{did}#{did.removeprefix('did:key:')}")
    return data_integrity.sign(credential, signer, created=FIXED_NOW - timedelta(days=1))


@pytest.fixture
def credential_file(tmp_path: Path) -> Path:
    path = tmp_path / "badge.json"
    path.write_text(json.dumps(_signed_credential(), ensure_ascii=False), encoding="utf-8")
    return path


def test_verify_exits_zero_for_a_valid_credential(
    credential_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", str(credential_file), "--email", "passer@example.com"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert report["format"] == "ob3-data-integrity"
    checks = {c["id"]: c["status"] for c in report["checks"]}
    assert checks["proof.signature"] == "passed"
    assert checks["recipient.identity"] == "passed"


def test_verify_exits_one_for_a_tampered_credential(
    credential_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads(credential_file.read_text(encoding="utf-8"))
    document["credentialSubject"]["achievement"]["name"] = "偽物"
    credential_file.write_text(json.dumps(document), encoding="utf-8")
    assert main(["verify", str(credential_file), "--format", "text"]) == 1
    output = capsys.readouterr().out
    assert output.startswith("NOT VALID")
    assert "[FAIL] proof.signature" in output


def test_bake_then_unbake_round_trips(
    credential_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    image = tmp_path / "plain.png"
    Image.new("RGB", (32, 32), "navy").save(image)
    baked = tmp_path / "baked.png"
    assert main(["bake", str(image), "--credential", str(credential_file), "-o", str(baked)]) == 0
    assert Image.open(baked).size == (32, 32)
    capsys.readouterr()
    assert main(["unbake", str(baked)]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(credential_file.read_text())
    assert main(["verify", str(baked)]) == 0


def test_an_svg_with_a_doctype_unbakes_and_verifies(
    credential_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Design tools export SVG 1.1 with a DOCTYPE (and no internal subset): it is read."""
    image = tmp_path / "exported.svg"
    image.write_bytes(
        b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" '
        b'height="64"/></svg>\n'
    )
    baked = tmp_path / "baked.svg"
    assert main(["bake", str(image), "--credential", str(credential_file), "-o", str(baked)]) == 0
    assert b"<!DOCTYPE svg PUBLIC" in baked.read_bytes()
    capsys.readouterr()
    assert main(["unbake", str(baked)]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(credential_file.read_text())
    assert main(["verify", str(baked)]) == 0


def test_unbake_of_a_plain_image_exits_one(tmp_path: Path) -> None:
    image = tmp_path / "plain.png"
    Image.new("RGB", (8, 8)).save(image)
    assert main(["unbake", str(image)]) == 1


def test_a_missing_file_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "/nonexistent/badge.json"]) == 2
    assert "shomei:" in capsys.readouterr().err


def test_verify_beside_a_development_server_may_fetch_that_server_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SHOMEI_DATABASE_URL", "SHOMEI_BASE_URL", "SHOMEI_FETCH_ALLOW"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    assert verify_settings().fetch_allow == ()  # no development server here
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "dev-passphrase").write_text("a development passphrase")
    beside = verify_settings()
    assert beside.fetch_allow == ("127.0.0.1:8000",)
    assert beside.http_did_web_hosts == frozenset({"127.0.0.1"})
    monkeypatch.setenv("SHOMEI_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    assert verify_settings().fetch_allow == ()  # another database: another server's policy
