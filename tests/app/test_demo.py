"""``make run``'s setup: a development passphrase, the demo issuer, an admin key shown once."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import demo
from app.achievements.models import Achievement
from app.db import make_engine, make_sessionmaker
from app.issuers.models import Issuer
from app.settings import Settings


def test_the_demo_is_made_once_and_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings(_env_file=None, development=True, database_url="sqlite:///./var/demo.db")

    first = demo.prepare(settings)
    assert first.admin_key is not None and first.admin_key.startswith("shm_")
    passphrase_file = tmp_path / "var" / "dev-passphrase"
    assert stat.S_IMODE(passphrase_file.stat().st_mode) == 0o600
    assert first.settings.key_passphrase.get_secret_value() == passphrase_file.read_text()

    second = demo.prepare(settings)
    assert second.admin_key is None  # shown once
    assert second.settings.key_passphrase == first.settings.key_passphrase

    engine = make_engine(second.settings.database_url)
    with make_sessionmaker(engine)() as session:
        issuer = session.scalar(select(Issuer).where(Issuer.slug == demo.DEMO_SLUG))
        assert issuer is not None
        assert {k.algorithm for k in issuer.keys} == {"EdDSA", "ES256"}
        names = session.scalars(select(Achievement.name)).all()
        assert {n["ja"] for n in names} == {
            "生成AI活用検定 ジェネラリスト",
            "生成AI活用検定 エンジニア",
        }
        assert all(n.get("en") for n in names)
        assert session.scalar(select(func.count()).select_from(Issuer)) == 1
    engine.dispose()
