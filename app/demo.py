"""A ready-to-try local setup: development passphrase, demo issuer, achievements, admin key.

``shomei serve --demo`` (what ``make run`` does) calls :func:`prepare`; running it again
reuses what exists, so the demo keeps its keys and credentials between runs.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.achievements.models import Achievement
from app.apikeys.models import ApiKey
from app.apikeys.service import create_api_key
from app.db import make_engine, make_sessionmaker
from app.issuers.models import Issuer
from app.keyring import Keyring
from app.migrate import upgrade
from app.settings import DEVELOPMENT_PASSPHRASE_FILE, VAR, Settings
from app.urls import Urls

PASSPHRASE_FILE = DEVELOPMENT_PASSPHRASE_FILE
DEMO_SLUG = "ai-literacy"


@dataclass(frozen=True)
class Demo:
    settings: Settings
    admin_key: str | None  # shown once: None when the demo existed already


def development_passphrase() -> str:
    """The passphrase kept in ./var (mode 0600), made on first use."""
    VAR.mkdir(mode=0o700, exist_ok=True)
    if not PASSPHRASE_FILE.exists():
        descriptor = os.open(PASSPHRASE_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    return PASSPHRASE_FILE.read_text().strip()


def _badge_svg(title: str, subtitle: str, colour: str) -> bytes:
    """A simple round badge with Japanese text (no external fonts or images)."""
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400"
 viewBox="0 0 400 400">
<defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1">
<stop offset="0" stop-color="{colour}"/>
<stop offset="1" stop-color="#0b1f3a"/></linearGradient></defs>
<circle cx="200" cy="200" r="190" fill="url(#g)"/>
<circle cx="200" cy="200" r="165" fill="none" stroke="#f4c542" stroke-width="6"/>
<text x="200" y="150" font-size="34" text-anchor="middle" fill="#f4c542"
 font-family="sans-serif">証明</text>
<text x="200" y="215" font-size="40" text-anchor="middle" fill="#ffffff"
 font-family="sans-serif" font-weight="bold">{title}</text>
<text x="200" y="265" font-size="24" text-anchor="middle" fill="#dce6f5"
 font-family="sans-serif">{subtitle}</text>
</svg>
""".encode()


def _achievements(issuer: Issuer, now: datetime) -> list[Achievement]:
    return [
        Achievement(
            issuer=issuer,
            language="ja",
            name={
                "ja": "生成AI活用検定 ジェネラリスト",
                "en": "Generative AI Literacy Certificate: Generalist",
            },
            description={
                "ja": "生成AIを業務で安全かつ効果的に活用するための基礎知識を証明します。",
                "en": "Certifies the knowledge to use generative AI safely and effectively.",
            },
            criteria_narrative="ジェネラリスト試験に合格すること (pass the Generalist exam).",
            achievement_type="Certificate",
            tags=["AI", "生成AI", "リテラシー"],
            image=_badge_svg("ジェネラリスト", "Generalist", "#1d4e89"),
            image_media_type="image/svg+xml",
            created_at=now,
            updated_at=now,
        ),
        Achievement(
            issuer=issuer,
            language="ja",
            name={
                "ja": "生成AI活用検定 エンジニア",
                "en": "Generative AI Certificate: Engineer",
            },
            description={
                "ja": "生成AIを用いたシステムを設計・実装する技術力を証明します。",
                "en": "Certifies the skills to design and build systems with generative AI.",
            },
            criteria_narrative="エンジニア試験に合格すること (pass the Engineer examination).",
            achievement_type="Certification",
            tags=["AI", "生成AI", "エンジニア"],
            image=_badge_svg("エンジニア", "Engineer", "#6b2d8c"),
            image_media_type="image/svg+xml",
            created_at=now,
            updated_at=now,
        ),
    ]


def _seed(session: Session, keyring: Keyring, now: datetime) -> str | None:
    issuer = session.scalar(select(Issuer).where(Issuer.slug == DEMO_SLUG))
    if issuer is None:
        issuer = Issuer(
            slug=DEMO_SLUG,
            name="一般社団法人 AIリテラシー検定協会",
            name_translations={"en": "AI Literacy Examination Association"},
            url="https://ai-literacy.example.jp/",
            email="badges@ai-literacy.example.jp",
            description="生成AI活用検定を実施する認定機関です。",
            created_at=now,
            updated_at=now,
        )
        session.add(issuer)
        for algorithm in ("EdDSA", "ES256"):
            session.add(keyring.create_key(session, issuer, algorithm, now))
        session.add_all(_achievements(issuer, now))
        session.commit()
    if session.scalar(select(ApiKey).where(ApiKey.is_admin)) is None:
        return create_api_key(session, issuer_id=None, is_admin=True, name="demo administrator")
    return None


def prepare(settings: Settings) -> Demo:
    """Migrate, seed the demo issuer once, and return the settings to serve with."""
    if not settings.key_passphrase.get_secret_value() and settings.development:
        # Settings refuse an empty passphrase outside development, so only a development
        # run gets here without one.
        settings = settings.model_copy(
            update={"key_passphrase": SecretStr(development_passphrase())}
        )
    if settings.database_url.startswith("sqlite:///./"):
        VAR.mkdir(mode=0o700, exist_ok=True)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    urls = Urls(settings.base_url)
    keyring = Keyring(settings.key_passphrase.get_secret_value(), urls)
    with make_sessionmaker(engine)() as session:
        admin_key = _seed(session, keyring, datetime.now(UTC))
    engine.dispose()
    return Demo(settings, admin_key)
