"""``shomei bench``: how fast the hot paths run, in items per second in one process.

Each figure is measured for a fixed wall-clock budget after a warm-up; read them as
throughput of one core. Peak memory is the process's maximum resident set size.
"""

from __future__ import annotations

import json
import random
import resource
import struct
import time
import uuid
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from app.credentials.share_image import ShareCard, draw_share_card
from badges import baking, data_integrity, ob2, vc_jwt
from badges.identity import hash_identity, new_salt
from badges.ports import DictFetcher, JSONObject
from badges.verification import VerifierConfig, verify
from badges.verification.proofs import check_embedded_proofs
from badges.verification.session import Session
from keys import KeySigner, PrivateKey, did_document, generate_key
from keys.did import PublishedKey

ISSUER_DID = "did:web:badges.example.jp:issuers:ai-literacy"
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def sample_credential(number: int = 0) -> JSONObject:
    """A realistic AchievementCredential: about 45 N-Quads, Japanese and English text."""
    salt = new_salt()
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
        ],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "生成AI活用検定 ジェネラリスト / Generative AI Literacy: Generalist",
        "issuer": {
            "id": ISSUER_DID,
            "type": ["Profile"],
            "name": "一般社団法人 AIリテラシー協会",
            "url": "https://badges.example.jp/",
            "email": "badges@example.jp",
            "description": "AI literacy examinations for everyone. すべての人にAIリテラシーを。",
        },
        "validFrom": "2026-11-30T09:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": hash_identity(f"passer{number}@example.com", salt),
                    "salt": salt,
                    "hashed": True,
                    "identityType": "emailAddress",
                }
            ],
            "achievement": {
                "id": "https://badges.example.jp/achievements/generalist-2026",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": "生成AI活用検定 ジェネラリスト",
                "description": "生成AIを安全かつ効果的に業務で活用する知識を証明します。"
                " Certifies the knowledge to use generative AI safely and effectively.",
                "criteria": {
                    "id": "https://badges.example.jp/achievements/generalist-2026/criteria",
                    "narrative": "2026年度第3回試験に合格すること。Pass the third 2026 session.",
                },
                "image": {
                    "id": "https://badges.example.jp/achievements/generalist-2026/image.png",
                    "type": "Image",
                    "caption": "ジェネラリスト認定バッジ",
                },
                "tag": ["AI", "生成AI", "リテラシー"],
                "inLanguage": "ja",
            },
        },
        "credentialSchema": [
            {
                "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
                "ob_v3p0_achievementcredential_schema.json",
                "type": "1EdTechJsonSchemaValidator2019",
            }
        ],
    }


def sample_png(size: int = 82) -> bytes:
    """A noisy RGB PNG of about 20 KB (noise does not compress), built without Pillow."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    noise = random.Random(7)  # noqa: S311 - pixels, not secrets
    rows = b"".join(b"\x00" + noise.randbytes(size * 3) for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


SAMPLE_SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">'
    b'<circle cx="128" cy="128" r="120" fill="#1d4e89"/>'
    b'<text x="128" y="140" font-size="40" text-anchor="middle" fill="#fff">AI</text></svg>'
)


def _ob2_world(rsa: PrivateKey) -> tuple[DictFetcher, str]:
    """An OB 2.0 issuer with a signed assertion, and the documents a verifier fetches."""
    base = "https://badges.example.jp/ob2"
    key_id, issuer_id, badge_id = f"{base}/keys/1", f"{base}/issuers/1", f"{base}/badges/1"
    fetcher = DictFetcher()
    fetcher.add(key_id, ob2.cryptographic_key(key_id, issuer_id, rsa.public_key().pem()))
    fetcher.add(
        issuer_id,
        ob2.issuer_profile(
            issuer_id=issuer_id,
            name="一般社団法人 AIリテラシー協会",
            url="https://badges.example.jp/",
            email="badges@example.jp",
            public_keys=[key_id],
        ),
    )
    fetcher.add(
        badge_id,
        ob2.badge_class(
            badge_id=badge_id,
            issuer_id=issuer_id,
            name="生成AI活用検定 ジェネラリスト",
            description="Generative AI literacy: generalist",
            image=f"{base}/badges/1/image.png",
            criteria_narrative="試験に合格すること",
        ),
    )
    assertion = ob2.hosted_assertion(
        assertion_id=f"urn:uuid:{uuid.uuid4()}",
        badge_id=badge_id,
        recipient_email="passer@example.com",
        issued_on=NOW,
    )
    return fetcher, ob2.signed_assertion(assertion, KeySigner(rsa, key_id), creator=key_id)


def _rate(action: Callable[[int], object], seconds: float, warmup: int = 20) -> float:
    for i in range(warmup):
        action(i)
    count, started = 0, time.perf_counter()
    deadline = started + seconds
    while True:
        for _ in range(20):
            action(count)
            count += 1
        elapsed = time.perf_counter() - started
        if time.perf_counter() >= deadline:
            return count / elapsed


def _issuer(keys: dict[str, PrivateKey]) -> tuple[DictFetcher, dict[str, KeySigner]]:
    published = [PublishedKey(key.public_key(), name) for name, key in keys.items()]
    document = did_document(ISSUER_DID, published)
    fetcher = DictFetcher({"https://badges.example.jp/issuers/ai-literacy/did.json": document})
    signers = {name: KeySigner(key, f"{ISSUER_DID}#{name}") for name, key in keys.items()}
    return fetcher, signers


def run(*, quick: bool = False) -> dict[str, Any]:
    """Measure every figure; ``quick`` shortens each measurement for smoke tests."""
    seconds = 0.3 if quick else 3.0
    keys = {
        "ed25519": generate_key("Ed25519"),
        "p256": generate_key("P-256"),
        "rsa": generate_key("RSA-3072"),
    }
    fetcher, signers = _issuer(keys)
    config = VerifierConfig()
    pool = [sample_credential(i) for i in range(200)]
    figures: dict[str, Any] = {}

    def di_sign(i: int) -> JSONObject:
        return data_integrity.sign(pool[i % len(pool)], signers["ed25519"], created=NOW)

    signed = [di_sign(i) for i in range(len(pool))]
    figures["ob3_di_sign_per_s"] = _rate(di_sign, seconds)
    verify_at = NOW + timedelta(days=1)

    def di_verify(i: int) -> object:
        report = verify(signed[i % len(signed)], fetcher=fetcher, now=verify_at, config=config)
        if not report.ok:
            raise RuntimeError(f"benchmark credential did not verify: {report.checks}")
        return report

    def di_proof(i: int) -> object:
        session = Session(fetcher, verify_at, config)
        signature, ownership = check_embedded_proofs(signed[i % len(signed)], session)
        if signature.status != "passed" or ownership.status != "passed":
            raise RuntimeError(f"benchmark proof did not verify: {signature}, {ownership}")
        return signature

    figures["ob3_di_verify_per_s"] = _rate(di_proof, seconds)
    figures["ob3_verify_report_per_s"] = _rate(di_verify, seconds)
    for name, signer in (("es256", signers["p256"]), ("rs256", signers["rsa"])):
        tokens = [vc_jwt.sign(c, signer) for c in pool]

        def jwt_sign(i: int, signer: KeySigner = signer) -> str:
            return vc_jwt.sign(pool[i % len(pool)], signer)

        figures[f"ob3_jwt_{name}_sign_per_s"] = _rate(jwt_sign, seconds)

        def jwt_verify(i: int, tokens: list[str] = tokens) -> object:
            report = verify(tokens[i % len(tokens)], fetcher=fetcher, now=verify_at, config=config)
            if not report.ok:
                raise RuntimeError(f"benchmark token did not verify: {report.checks}")
            return report

        figures[f"ob3_jwt_{name}_verify_per_s"] = _rate(jwt_verify, seconds)
    png, text = sample_png(), json.dumps(signed[0], ensure_ascii=False)
    baked = baking.bake(png, text, version="3.0")
    figures["png_bake_per_s"] = _rate(lambda i: baking.bake(png, text, version="3.0"), seconds)
    figures["png_unbake_per_s"] = _rate(lambda i: baking.unbake(baked), seconds)
    figures["svg_bake_per_s"] = _rate(
        lambda i: baking.bake(SAMPLE_SVG, text, version="3.0"), seconds
    )
    card = ShareCard(
        image=SAMPLE_SVG,
        image_media_type="image/svg+xml",
        title="生成AIパスポート ジェネラリスト",
        issuer="一般社団法人 生成AI検定協会",
        lines=("山田 花子", "2026年4月1日 発行"),
        state="active",
        state_text="有効",
        footer="Open Badges · badges.example.jp",
    )
    # The badge page's 1200x627 preview image, from an SVG badge (the slower kind).
    figures["share_card_per_s"] = _rate(lambda i: draw_share_card(card), seconds, warmup=1)
    ob2_fetcher, jws = _ob2_world(keys["rsa"])

    def ob2_verify(i: int) -> object:
        report = verify(jws, fetcher=ob2_fetcher, now=verify_at)
        if not report.ok:
            raise RuntimeError(f"benchmark OB 2.0 assertion did not verify: {report.checks}")
        return report

    figures["ob2_signed_verify_per_s"] = _rate(ob2_verify, seconds)

    def baked_verify(i: int) -> object:
        report = verify(baked, fetcher=fetcher, now=verify_at, config=config)
        if not report.ok:
            raise RuntimeError(f"benchmark baked PNG did not verify: {report.checks}")
        return report

    figures["verify_baked_png_per_s"] = _rate(baked_verify, seconds)
    figures = {k: round(v, 1) for k, v in figures.items()}
    figures["baked_png_bytes"] = len(baked)
    figures["peak_memory_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return figures


# Connections issuing at once for ``api_issue_ob3_per_s``. Each worker has a listening
# socket of its own and issues on one thread (app.serving, app.deps): from 2 connections on a
# worker it always has one waiting, and 4 and 8 gave about the same on SQLite with two
# workers. The kernel spreads connections by a hash, so with 4 all land on one worker one
# run in eight; with 8, one in 128 (16 cost a tenth more CPU per issuance).
ISSUE_CONCURRENCY = 8


def run_http(*, quick: bool = False) -> dict[str, Any]:
    """The service figures: issuing, public GETs and verification through a real server with
    two workers, the server shape every service figure shares."""
    import httpx

    from app.loadgen import load, request_bytes, serve

    seconds = 1.0 if quick else 5.0
    warmup = 0.2 if quick else 1.0  # not counted, as the library's figures warm up first
    figures: dict[str, Any] = {}
    with serve(workers=2) as served:
        admin = {"Authorization": f"Bearer {served.admin_key}"}
        with httpx.Client(base_url=served.base_url, headers=admin, timeout=30) as client:
            achievement_id = _http_setup(client)

        def issue(i: int) -> bytes:
            body = {
                "achievement_id": achievement_id,
                "format": "ob3",
                "recipient": {"email": f"passer{i}@example.com"},
                "notify": False,  # the mail's cost is measured on its own (issue_notify_*)
            }
            return request_bytes(served.base_url, "POST", "/api/v1/credentials", body, admin)

        # Throughput: several clients at once, as a service is used.
        result = load(
            served.base_url, issue, concurrency=ISSUE_CONCURRENCY, seconds=seconds, warmup=warmup
        )
        figures["api_issue_ob3_per_s"] = round(result.per_second, 1)
        figures["api_issue_ob3_p50_ms"] = round(result.percentile(0.5), 1)
        figures["api_issue_ob3_p99_ms"] = round(result.percentile(0.99), 1)
        issue_errors = result.errors
        # Latency: one connection, one request at a time, as a batch job would issue.
        result = load(served.base_url, issue, concurrency=1, seconds=seconds, warmup=warmup)
        figures["api_issue_ob3_serial_per_s"] = round(result.per_second, 1)
        figures["api_issue_ob3_serial_p50_ms"] = round(result.percentile(0.5), 1)
        figures["api_issue_ob3_serial_p99_ms"] = round(result.percentile(0.99), 1)
        issue_errors += result.errors
        with httpx.Client(base_url=served.base_url, headers=admin, timeout=30) as client:
            issued = client.post(
                "/api/v1/credentials",
                json={
                    "achievement_id": achievement_id,
                    "recipient": {"email": "passer@example.com"},
                },
            ).json()
        path = "/credentials/" + issued["id"] + ".json"
        get = request_bytes(served.base_url, "GET", path)
        result = load(
            served.base_url, lambda i: get, concurrency=16, seconds=seconds, warmup=warmup
        )
        figures["public_get_per_s"] = round(result.per_second, 1)
        figures["public_get_p99_ms"] = round(result.percentile(0.99), 1)
        post = request_bytes(
            served.base_url, "POST", "/api/v1/verify", {"credential": issued["document"]}
        )
        result = load(
            served.base_url, lambda i: post, concurrency=16, seconds=seconds, warmup=warmup
        )
        figures["api_verify_ob3_per_s"] = round(result.per_second, 1)
        figures["api_verify_ob3_p99_ms"] = round(result.percentile(0.99), 1)
        figures["http_errors"] = issue_errors + result.errors
    return figures


def _ob_api_token(database_url: str, email: str) -> str:
    """A passer's access token for the Open Badges API, written straight to the database: the
    figure is about serving pages, and the OAuth flow is measured by nothing here."""
    import secrets
    from datetime import UTC, datetime, timedelta

    from app.db import make_engine, make_sessionmaker
    from app.obapi.models import OAuthClient, OAuthToken
    from app.obapi.scopes import SUPPORTED
    from app.obapi.server import digest
    from app.passers.models import PasserAccount, PasserAddress

    engine = make_engine(database_url)
    token, now = secrets.token_urlsafe(32), datetime.now(UTC)
    try:
        with make_sessionmaker(engine)() as session:
            account = PasserAccount(created_at=now)
            client = OAuthClient(
                client_id="bench",
                client_secret_hash=digest("bench"),
                issued_at=now,
                client_metadata='{"client_name": "bench"}',
            )
            session.add_all([account, client])
            session.flush()
            session.add(PasserAddress(account_id=account.id, email_lower=email, confirmed_at=now))
            session.add(
                OAuthToken(
                    access_token_hash=digest(token),
                    client_id=client.id,
                    account_id=account.id,
                    scope=" ".join(SUPPORTED),
                    issued_at=now,
                    expires_at=now + timedelta(hours=1),
                )
            )
            session.commit()
    finally:
        engine.dispose()
    return token


def run_ob_api(*, quick: bool = False) -> dict[str, Any]:
    """``getCredentials`` of the Open Badges API: pages of 50 of one passer's 60 credentials,
    through a real server (two workers, 16 connections)."""
    import httpx

    from app.loadgen import load, request_bytes, serve

    seconds = 1.0 if quick else 5.0
    email = "passer@example.com"
    with serve(workers=2) as served:
        admin = {"Authorization": f"Bearer {served.admin_key}"}
        with httpx.Client(base_url=served.base_url, headers=admin, timeout=30) as client:
            achievement_id = _http_setup(client)
            for number in range(60):
                client.post(
                    "/api/v1/credentials",
                    json={
                        "achievement_id": achievement_id,
                        "format": "ob3-jwt" if number % 4 == 0 else "ob3",
                        "recipient": {"email": email},
                        "notify": False,
                    },
                ).raise_for_status()
        token = _ob_api_token(served.database_url, email)
        headers = {"Authorization": f"Bearer {token}"}
        get = request_bytes(
            served.base_url, "GET", "/ims/ob/v3p0/credentials?limit=50&offset=0", None, headers
        )
        result = load(served.base_url, lambda i: get, concurrency=16, seconds=seconds)
    return {
        "ob_api_get_credentials_per_s": round(result.per_second, 1),
        "ob_api_get_credentials_p99_ms": round(result.percentile(0.99), 1),
        "ob_api_errors": result.errors,
    }


def run_mail(*, quick: bool = False) -> dict[str, Any]:
    """The mail figures (:mod:`app.mail.benchmark`): rendering, issuing with and without a
    notification, and sending to a loopback SMTP server."""
    from app.mail import benchmark

    return benchmark.run(quick=quick)


def run_webhooks(*, quick: bool = False) -> dict[str, Any]:
    """The webhook figure (:mod:`app.webhooks.benchmark`): events delivered a second, signed,
    to a loopback receiver through the workers' delivery pass."""
    from app.webhooks import benchmark

    return benchmark.run(quick=quick)


def _http_setup(client: Any) -> str:
    """An issuer and an achievement on a fresh server; return the achievement id."""
    client.post(
        "/api/v1/issuers",
        json={
            "slug": "bench",
            "name": "一般社団法人 AIリテラシー検定協会",
            "url": "https://badges.example.jp/",
            "email": "badges@example.jp",
        },
    ).raise_for_status()
    response = client.post(
        "/api/v1/achievements",
        json={
            "issuer": "bench",
            "language": "ja",
            "name": {"ja": "生成AI活用検定 ジェネラリスト", "en": "Generative AI: Generalist"},
            "description": {"ja": "生成AIの基礎知識を証明します。", "en": "Generative AI basics."},
            "criteria": {"narrative": "試験に合格すること"},
            "achievement_type": "Certificate",
        },
    )
    response.raise_for_status()
    return str(response.json()["id"])


BATCH_ROWS = 7000


def batch_csv(rows: int = BATCH_ROWS) -> bytes:
    """An exam session's passers as Japanese Excel saves them: CP932, Japanese headers."""
    from app.batches.prefectures import PREFECTURES

    lines = ["受験番号,メールアドレス,氏名,氏名（英字）,結果,有効期限,都道府県"]
    for n in range(rows):
        prefecture = PREFECTURES[n % len(PREFECTURES)].ja
        lines.append(
            f"2026-6-{n:06},passer{n}@example{n % 7}.co.jp,山田 太郎{n},Taro Yamada,"
            f"{60 + n % 40},2029/03/31,{prefecture}"
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp932")


def batch_preview_rate(database_url: str, *, rounds: int) -> float:
    """Rows a second from the bytes of a 7,000-row CSV to its preview committed."""
    from app.achievements.models import Achievement
    from app.batches import service
    from app.batches.reading import read_csv
    from app.db import make_engine, make_sessionmaker
    from app.issuers.models import Issuer

    data = batch_csv()
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    try:
        with sessions() as session:
            issuer = Issuer(
                slug=f"bench-{uuid.uuid4().hex[:8]}",
                name="一般社団法人 AIリテラシー検定協会",
                url="https://badges.example.jp/",
                email="badges@example.jp",
            )
            session.add(issuer)
            session.flush()
            achievement = Achievement(
                issuer_id=issuer.id,
                language="ja",
                name={"ja": "生成AI活用検定"},
                description={"ja": "生成AIの基礎知識を証明します。"},
            )
            session.add(achievement)
            session.commit()
            options = service.BatchOptions(achievement_id=achievement.id, label="2026#6")
        elapsed = 0.0
        for _ in range(rounds):
            started = time.perf_counter()
            with sessions() as session:
                source = read_csv(data, max_rows=100_000, filename="session.csv")
                batch, _ = service.create_batch(session, None, options, source, NOW)
                if batch.ok_rows != BATCH_ROWS:
                    raise RuntimeError(f"benchmark batch has {batch.error_rows} bad rows")
            elapsed += time.perf_counter() - started
    finally:
        engine.dispose()
    return BATCH_ROWS * rounds / elapsed


def run_batches(*, quick: bool = False, database_url: str | None = None) -> dict[str, Any]:
    """The batch figures on ``database_url``, or on a fresh SQLite database."""
    import tempfile
    from pathlib import Path

    from app.migrate import upgrade

    rounds = 1 if quick else 5
    if database_url is not None:
        return {"batch_preview_per_s": round(batch_preview_rate(database_url, rounds=rounds), 1)}
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bench.db'}"
        upgrade(url)
        return {"batch_preview_per_s": round(batch_preview_rate(url, rounds=rounds), 1)}


# The service path against the library, measured in the same run: (figure, its target).
RATIOS = {
    "api_verify_ob3_vs_verify_report_ratio": ("api_verify_ob3_per_s", "ob3_verify_report_per_s"),
    "api_issue_ob3_vs_di_sign_ratio": ("api_issue_ob3_per_s", "ob3_di_sign_per_s"),
    # A batch against one core's signing: ~2 means two workers kept both cores signing.
    "batch_issue_vs_di_sign_ratio": ("batch_issue_per_s", "ob3_di_sign_per_s"),
    "batch_issue_sqlite_vs_di_sign_ratio": ("batch_issue_sqlite_per_s", "ob3_di_sign_per_s"),
    # One request at a time: what latency leaves of the signing speed.
    "api_issue_ob3_serial_vs_di_sign_ratio": ("api_issue_ob3_serial_per_s", "ob3_di_sign_per_s"),
    "api_verify_ob3_inprocess_vs_verify_report_ratio": (
        "api_verify_ob3_inprocess_per_s",
        "ob3_verify_report_per_s",
    ),
    "api_issue_ob3_inprocess_vs_di_sign_ratio": (
        "api_issue_ob3_inprocess_per_s",
        "ob3_di_sign_per_s",
    ),
}

# How the service figures are measured, printed with them.
MEASURED = {
    "ob3_*, png_*, svg_*, ob2_*, verify_*": "the library in this process, one thread, wall clock",
    "api_issue_ob3_per_s": "real server, 2 workers (two processes, against one core for the "
    f"library's ob3_di_sign_per_s), {ISSUE_CONCURRENCY} keep-alive connections at once, on "
    "SQLite, whose one write lock the workers share; the load generator shares the two cores",
    "api_issue_ob3_serial_*": "the same server, 1 connection, one request at a time: the "
    "latency (p50, p99) and the rate one client gets",
    "api_* over HTTP, public_get_per_s": "after a warm-up of the same load (1 s), not counted",
    "api_issue_*": "no passer mail (notify: false); the mail is measured on its own",
    "api_verify_ob3_per_s, public_get_per_s": "real server, 2 workers, 16 connections",
    "ob_api_get_credentials_per_s": "real server, 2 workers, 16 connections, a page of 50 "
    "of the passer's 60 credentials (a quarter VC-JWT) per request",
    "*_inprocess_per_s": "requests handed to the ASGI app in this process, no sockets or HTTP "
    "parsing (issue: one at a time; verify: 4 at a time); *_inprocess_cpu_ms: CPU of this "
    "process per request, all threads",
    "batch_issue_per_s": "a 7,000-row ob3 batch on PostgreSQL by two worker processes, start "
    "request to last row committed; batch_issue_sqlite_per_s: the same by the server's job "
    "thread on SQLite",
    "mail_*, issue_*notify*, outbox_*": "the mail module's own runs (app.mail.benchmark)",
    "webhook_events_per_s": "revocation events of one watch delivered by the workers' pass "
    "(claim, sign, POST, record), one at a time, to a keep-alive HTTP/1.1 receiver on loopback "
    "that checks each signature; SQLite",
    "wallet_delivery_per_s": "full OpenID4VCI 1.0 exchanges (offer, token with tx_code, nonce, "
    "credential with a jwt key proof by a new key) through a real server, 2 workers, 4 wallet "
    "threads in this process (app.bench_wallets); each delivery signs a bound credential",
}


def with_ratios(figures: dict[str, Any]) -> dict[str, Any]:
    """``figures`` with the service-to-library ratios added, where both figures are there."""
    ratios = {
        name: round(figures[service] / figures[library], 3)
        for name, (service, library) in RATIOS.items()
        if figures.get(service) and figures.get(library)
    }
    return figures | ratios


def as_text(figures: dict[str, Any]) -> str:
    """One figure per line, aligned; a dictionary (``measured``) as indented lines after."""
    plain = {k: v for k, v in figures.items() if not isinstance(v, dict)}
    width = max(len(name) for name in plain)
    lines = [f"{name:<{width}}  {value:>10}" for name, value in plain.items()]
    for name, value in figures.items():
        if isinstance(value, dict):
            lines += [f"{name}:", *(f"  {k}: {v}" for k, v in value.items())]
    return "\n".join(lines)
