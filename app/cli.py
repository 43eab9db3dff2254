"""The ``shomei`` command: serve, migrate, apikey, batch, mail, worker, verify, bake, unbake,
bench, openapi.

Every command reads the settings the server reads (:func:`app.settings.load_settings`) and
fails with one line on standard error, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from app.batches import cli as batch_cli
from app.errors import AppError
from app.settings import (
    Settings,
    SettingsError,
    beside_demo,
    development_set_explicitly,
    load_settings,
)
from badges import baking
from badges.errors import BadgesError
from badges.identity import Recipient
from badges.report import VerificationReport

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.apikeys.models import ApiKey


def _serve(args: argparse.Namespace) -> int:
    import os

    from app.logs import logging_config
    from app.migrate import schema_state, upgrade
    from app.serving import check_startup

    if args.demo:
        from app import demo

        overrides: dict[str, Any] = {}
        if not development_set_explicitly():  # an explicit SHOMEI_DEVELOPMENT=false stands
            overrides["development"] = True
        if "SHOMEI_BASE_URL" not in os.environ:  # ids must name where the demo really serves
            overrides["base_url"] = f"http://{args.host}:{args.port}"
        prepared = demo.prepare(load_settings(**overrides))
        settings = prepared.settings
        # The workers build their settings from the environment: hand them what they need.
        os.environ["SHOMEI_KEY_PASSPHRASE"] = settings.key_passphrase.get_secret_value()
        os.environ["SHOMEI_DEVELOPMENT"] = "true" if settings.development else "false"
        os.environ["SHOMEI_BASE_URL"] = settings.base_url
        check_startup(settings)
        print(f"Shomei demo issuer: {settings.base_url}/issuers/{demo.DEMO_SLUG}")
        if prepared.admin_key:
            print(f"Administrator API key (shown once, keep it): {prepared.admin_key}")
    else:
        settings = load_settings()
        if args.migrate:
            upgrade(settings.database_url)
        state = schema_state(settings.database_url)
        if state != "current":
            reason = (
                "has migrations pending: run `shomei migrate` first (or serve --migrate)"
                if state == "behind"
                else "is newer than this release of shomei"
            )
            print(f"shomei: the database schema {reason}", file=sys.stderr)
            return 2
        check_startup(settings)
    import logging
    import logging.config

    from app.mail.sender import describe_transport
    from app.serving import run

    log_config = logging_config(settings)
    logging.config.dictConfig(log_config)
    if settings.jobs_in_server:  # else `shomei worker` sends the mail
        logging.getLogger("shomei.mail").info("mail: %s", describe_transport(settings))
    run(host=args.host, port=args.port, workers=args.workers, log_config=log_config)
    return 0


def _mail_send_due(args: argparse.Namespace) -> int:
    from app.db import make_engine, make_sessionmaker
    from app.mail.sender import deliver_due, describe_transport

    settings = load_settings(keys=False)
    engine = make_engine(settings.database_url)
    try:
        sent = deliver_due(make_sessionmaker(engine), settings, datetime.now(UTC))
    finally:
        engine.dispose()
    print(f"sent {sent} mails ({describe_transport(settings)})", file=sys.stderr)
    return 0


def _worker(args: argparse.Namespace) -> int:
    import os

    from app.migrate import schema_state

    settings = load_settings()
    if not settings.database_url.startswith("postgresql"):
        print(
            "shomei: on SQLite, background work runs inside `shomei serve`; "
            "workers are for PostgreSQL",
            file=sys.stderr,
        )
        return 0
    if schema_state(settings.database_url) != "current":
        print(
            "shomei: the database schema is not current: run `shomei migrate` first",
            file=sys.stderr,
        )
        return 2
    from app.jobs.postgres import run_workers

    run_workers(settings, args.concurrency or os.cpu_count() or 1)
    return 0


def _keys_rewrap(args: argparse.Namespace) -> int:
    from app.db import make_engine, make_sessionmaker
    from app.keyring import rewrap_keys

    settings = load_settings()
    previous = None
    if args.previous_passphrase_file:
        previous = Path(args.previous_passphrase_file).read_text(encoding="utf-8").strip()
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            result = rewrap_keys(
                session, settings.key_passphrase.get_secret_value(), previous=previous
            )
    finally:
        engine.dispose()
    print(
        f"re-wrapped {result.rewrapped} issuer keys; {result.current} were already current",
        file=sys.stderr,
    )
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from app.migrate import upgrade

    upgrade(load_settings(keys=False).database_url)
    print("database is at the newest schema", file=sys.stderr)
    return 0


def _expiry(text: str) -> datetime:
    """``--expires``: ``90d`` (days from now), or an ISO 8601 date or date-time (UTC if bare)."""
    if text.endswith("d") and text[:-1].isdigit():
        return datetime.now(UTC) + timedelta(days=int(text[:-1]))
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is neither a number of days (90d) nor an ISO 8601 date"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@contextmanager
def _database() -> Iterator[Session]:
    """A session on the database the server uses (the settings' ``SHOMEI_DATABASE_URL``)."""
    from app.db import make_engine, make_sessionmaker

    engine = make_engine(load_settings(keys=False).database_url)
    try:
        with make_sessionmaker(engine)() as session:
            yield session
    finally:
        engine.dispose()


def _apikey_create(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from app.apikeys import service
    from app.issuers.models import Issuer

    with _database() as session:
        issuer_id = None
        if args.issuer:
            issuer = session.scalar(select(Issuer).where(Issuer.slug == args.issuer))
            if issuer is None:
                print(f"shomei: no issuer {args.issuer!r}", file=sys.stderr)
                return 2
            issuer_id = issuer.id
        made = service.new_api_key(
            session,
            issuer_id=issuer_id,
            is_admin=args.admin,
            is_hr=args.hr,
            name=args.name,
            expires_at=args.expires,
            now=datetime.now(UTC),
        )
    print(made.token)
    print("(shown once: only its hash is stored)", file=sys.stderr)
    return 0


def _apikey_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from app.apikeys import service
    from app.issuers.models import Issuer

    with _database() as session:
        rows, _ = service.list_api_keys(
            session, None, include_revoked=args.all, limit=10_000, offset=0
        )
        slugs = {
            issuer_id: slug for issuer_id, slug in session.execute(select(Issuer.id, Issuer.slug))
        }
    _print_keys(rows, slugs, datetime.now(UTC))
    return 0


def _apikey_revoke(args: argparse.Namespace) -> int:
    from app.apikeys import service

    with _database() as session:
        row = service.find_api_key(session, args.key)
        service.revoke_api_key(session, row, actor=None, now=datetime.now(UTC))
    print(f"revoked API key {row.prefix} ({row.name or 'unnamed'})", file=sys.stderr)
    return 0


def _print_keys(rows: list[ApiKey], slugs: dict[uuid.UUID, str], now: datetime) -> None:
    print(f"{'PREFIX':<14} {'STATUS':<8} {'SCOPE':<22} {'EXPIRES':<20} NAME")
    for row in rows:
        scope = (
            row.role
            if row.role != "issuer"
            else f"issuer:{slugs.get(row.issuer_id or uuid.UUID(int=0), '?')}"
        )
        expires = row.expires_at.strftime("%Y-%m-%dT%H:%MZ") if row.expires_at else "-"
        print(f"{row.prefix:<14} {row.state(now):<8} {scope:<22} {expires:<20} {row.name or ''}")


def _read_input(source: str) -> bytes | str:
    if source == "-":
        return sys.stdin.buffer.read()
    if source.startswith(("https://", "http://")):
        return source
    return Path(source).read_bytes()


def _print_text(report: VerificationReport) -> None:
    marks = {"passed": "ok", "failed": "FAIL", "warning": "warn", "skipped": "skip"}
    print(f"{'VALID' if report.ok else 'NOT VALID'} ({report.format})")
    for check in report.checks:
        print(f"  [{marks.get(check.status, '??')}] {check.id}: {check.message}")


def verify_settings(allow: str | None = None) -> Settings:
    """The server's settings for ``shomei verify``, plus ``--allow``.

    Beside a development server (``make run``) its own address is on loopback, which the
    fetch policy refuses: that one host may then be fetched, and its did:web documents read
    over plain HTTP, as the server itself reads them.
    """
    settings = load_settings(keys=False)
    extra: dict[str, Any] = {}
    if allow:
        extra["fetch_allow"] = (*settings.fetch_allow, allow)
    if settings.development or beside_demo(settings):
        host = urlsplit(settings.base_url).hostname or ""
        extra["fetch_allow"] = (*extra.get("fetch_allow", settings.fetch_allow), settings.host)
        extra["did_web_http_hosts"] = (*settings.did_web_http_hosts, host)
    return load_settings(keys=False, **extra) if extra else settings


def _verify(args: argparse.Namespace) -> int:
    from app.fetching import SafeFetcher, fetch_config
    from app.verification.service import Subject, Verifier, verifier_config

    settings = verify_settings(args.allow)
    data = _read_input(args.source)
    subject = Subject(data, url=data) if isinstance(data, str) else Subject(data)
    recipient = Recipient("email", args.email) if args.email else None
    # The same fetch policy and did:web settings as the API (SHOMEI_FETCH_ALLOW,
    # SHOMEI_DID_WEB_HTTP_HOSTS, the fetch limits), and the same verifier: a link to a JWS
    # or a baked image is verified as the API verifies it.
    with SafeFetcher.create(fetch_config(settings)) as fetcher:
        verifier = Verifier(
            fetcher=fetcher,
            config=verifier_config(settings.http_did_web_hosts),
            budget=settings.verify_request_budget_s,
        )
        report = verifier.verify(subject, now=datetime.now(UTC), recipient=recipient).report
    if args.format == "text":
        _print_text(report)
    else:
        print(report.model_dump_json(indent=2, exclude={"credential"}))
    return 0 if report.ok else 1


def _bake(args: argparse.Namespace) -> int:
    payload = Path(args.credential).read_text(encoding="utf-8").strip()
    version: baking.Version = args.version or (
        "2.0" if '"https://w3id.org/openbadges/v2"' in payload else "3.0"
    )
    baked = baking.bake(Path(args.image).read_bytes(), payload, version=version)
    Path(args.output).write_bytes(baked)
    print(f"baked an Open Badges {version} payload into {args.output}", file=sys.stderr)
    return 0


def _unbake(args: argparse.Namespace) -> int:
    found = baking.unbake(Path(args.image).read_bytes())
    if found is None:
        print("the image carries no Open Badge", file=sys.stderr)
        return 1
    print(found.text)
    return 0


def _bench(args: argparse.Namespace) -> int:
    from app import bench

    figures = bench.run(quick=args.quick) | bench.run_batches(quick=args.quick)
    if not args.library_only:
        from app import bench_batches, bench_wallets
        from app.bench_asgi import run_asgi

        service = (
            bench.run_http(quick=args.quick)
            | bench.run_ob_api(quick=args.quick)
            | run_asgi(quick=args.quick)
            | bench.run_mail(quick=args.quick)
            | bench.run_webhooks(quick=args.quick)
            | bench_batches.run(quick=args.quick)
            | bench_wallets.run(quick=args.quick)
        )
        figures = bench.with_ratios(figures | service) | {"measured": bench.MEASURED}
    print(json.dumps(figures, indent=2) if args.json else bench.as_text(figures))
    return 0


def _openapi(args: argparse.Namespace) -> int:
    from app.openapi import render

    sys.stdout.write(render())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shomei", description="Open Badges issuance and verification."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the web service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--demo", action="store_true", help="development setup: passphrase in ./var, demo issuer"
    )
    serve.add_argument(
        "--migrate",
        action="store_true",
        help="migrate the database first (under a lock on PostgreSQL); otherwise run "
        "`shomei migrate` as its own step",
    )
    serve.set_defaults(handler=_serve)

    worker = commands.add_parser(
        "worker", help="run background jobs (PostgreSQL; on SQLite the server runs them)"
    )
    worker.add_argument(
        "--concurrency",
        type=int,
        default=0,
        metavar="N",
        help="worker processes, one job each at a time (default: one per core)",
    )
    worker.set_defaults(handler=_worker)

    migrate = commands.add_parser("migrate", help="bring the database to the newest schema")
    migrate.set_defaults(handler=_migrate)

    apikey = commands.add_parser("apikey", help="API keys")
    apikey_commands = apikey.add_subparsers(dest="apikey_command", required=True)
    create = apikey_commands.add_parser("create", help="print a new API key once")
    scope = create.add_mutually_exclusive_group(required=True)
    scope.add_argument("--issuer", metavar="SLUG", help="a key for one issuer's staff")
    scope.add_argument("--admin", action="store_true", help="an administrator's key")
    scope.add_argument(
        "--hr", action="store_true", help="an HR system's key: its own watches and verifying only"
    )
    create.add_argument("--name", "--label", help="what the key is for")
    create.add_argument(
        "--expires", type=_expiry, metavar="WHEN", help="90d, or an ISO 8601 date (default: never)"
    )
    create.set_defaults(handler=_apikey_create)
    listing = apikey_commands.add_parser("list", help="list API keys (never their secrets)")
    listing.add_argument("--all", action="store_true", help="include revoked keys")
    listing.set_defaults(handler=_apikey_list)
    revoke = apikey_commands.add_parser("revoke", help="revoke an API key at once")
    revoke.add_argument("key", metavar="PREFIX|ID", help="as `shomei apikey list` shows it")
    revoke.set_defaults(handler=_apikey_revoke)

    mail = commands.add_parser("mail", help="mail to passers")
    mail_commands = mail.add_subparsers(dest="mail_command", required=True)
    send_due = mail_commands.add_parser(
        "send-due",
        help="send the mail that is due now, within SHOMEI_MAIL_PER_MINUTE (the server "
        "does this by itself)",
    )
    send_due.set_defaults(handler=_mail_send_due)

    keys = commands.add_parser("keys", help="issuer keys at rest")
    keys_commands = keys.add_subparsers(dest="keys_command", required=True)
    rewrap = keys_commands.add_parser(
        "rewrap",
        help="wrap every stored key again under SHOMEI_KEY_PASSPHRASE at the current work factor",
    )
    rewrap.add_argument(
        "--previous-passphrase-file",
        metavar="FILE",
        help="open the keys with the passphrase in FILE (to change the passphrase)",
    )
    rewrap.set_defaults(handler=_keys_rewrap)

    check = commands.add_parser("verify", help="verify a badge: file, URL or - for stdin")
    check.add_argument("source")
    check.add_argument("--format", choices=("json", "text"), default="json")
    check.add_argument("--email", help="check that the badge was issued to this address")
    check.add_argument(
        "--allow",
        help="hosts or CIDR ranges that may be fetched though private "
        "(added to SHOMEI_FETCH_ALLOW)",
    )
    check.set_defaults(handler=_verify)

    bake = commands.add_parser("bake", help="embed a credential in a PNG or SVG image")
    bake.add_argument("image")
    bake.add_argument("--credential", required=True, help="file with the JSON or JWS to embed")
    bake.add_argument("--version", choices=("2.0", "3.0"))
    bake.add_argument("-o", "--output", required=True)
    bake.set_defaults(handler=_bake)

    unbake = commands.add_parser("unbake", help="print the credential embedded in an image")
    unbake.add_argument("image")
    unbake.set_defaults(handler=_unbake)

    bench = commands.add_parser("bench", help="measure signing, verifying and baking speed")
    bench.add_argument("--json", action="store_true", help="print figures as JSON")
    bench.add_argument("--quick", action="store_true", help="fewer iterations (smoke test)")
    bench.add_argument(
        "--library-only", action="store_true", help="skip the figures through a real server"
    )
    bench.set_defaults(handler=_bench)

    batch_cli.register(commands, _database)

    openapi = commands.add_parser("openapi", help="print the service's OpenAPI document (YAML)")
    openapi.set_defaults(handler=_openapi)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``shomei`` console script."""
    from pydantic import ValidationError

    from app.serving import StartupError
    from keys import KeysError

    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except (BadgesError, KeysError, OSError, StartupError, SettingsError, AppError) as error:
        print(f"shomei: {error}", file=sys.stderr)
        return 2
    except ValidationError as error:  # settings: say what is wrong, not where pydantic was
        first = error.errors()[0]
        where = "".join(f"SHOMEI_{str(part).upper()}: " for part in first["loc"][:1])
        print(f"shomei: {where}{first['msg'].removeprefix('Value error, ')}", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        reason = str(error.orig if isinstance(error, DBAPIError) else error).splitlines()[0]
        print(f"shomei: database error: {reason} (is the database migrated?)", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    raise SystemExit(main())
