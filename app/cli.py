"""The ``shomei`` command: serve, verify, bake, unbake, bench, openapi."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from badges import baking
from badges.errors import BadgesError
from badges.identity import Recipient
from badges.report import VerificationReport
from badges.verification import verify


def _serve(args: argparse.Namespace) -> int:
    import os

    from app.migrate import upgrade
    from app.settings import Settings

    if args.demo:
        from app import demo

        overrides: dict[str, object] = {"development": True}
        if "SHOMEI_BASE_URL" not in os.environ:  # ids must name where the demo really serves
            overrides["base_url"] = f"http://{args.host}:{args.port}"
        prepared = demo.prepare(Settings(**overrides))  # type: ignore[arg-type]
        settings = prepared.settings
        # The workers build their settings from the environment: hand them what they need.
        os.environ["SHOMEI_KEY_PASSPHRASE"] = settings.key_passphrase.get_secret_value()
        os.environ["SHOMEI_DEVELOPMENT"] = "true"
        os.environ["SHOMEI_BASE_URL"] = settings.base_url
        print(f"Shomei demo issuer: {settings.base_url}/issuers/{demo.DEMO_SLUG}")
        if prepared.admin_key:
            print(f"Administrator API key (shown once, keep it): {prepared.admin_key}")
    else:
        settings = Settings()
        upgrade(settings.database_url)
    from app.serving import run

    run(host=args.host, port=args.port, workers=args.workers)
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from app.migrate import upgrade
    from app.settings import Settings

    upgrade(Settings().database_url)
    print("database is at the newest schema", file=sys.stderr)
    return 0


def _apikey(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from app.apikeys.service import create_api_key
    from app.db import make_engine, make_sessionmaker
    from app.issuers.models import Issuer
    from app.settings import Settings

    engine = make_engine(Settings().database_url)
    with make_sessionmaker(engine)() as session:
        issuer_id = None
        if args.issuer:
            issuer = session.scalar(select(Issuer).where(Issuer.slug == args.issuer))
            if issuer is None:
                print(f"shomei: no issuer {args.issuer!r}", file=sys.stderr)
                return 2
            issuer_id = issuer.id
        key = create_api_key(session, issuer_id=issuer_id, is_admin=args.admin, label=args.label)
    engine.dispose()
    print(key)
    print("(shown once: only its hash is stored)", file=sys.stderr)
    return 0


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


def _verify(args: argparse.Namespace) -> int:
    from app.fetching import FetchConfig, SafeFetcher, parse_allow_list

    data = _read_input(args.source)
    recipient = Recipient("email", args.email) if args.email else None
    with SafeFetcher.create(FetchConfig(allow=parse_allow_list(args.allow or ""))) as fetcher:
        report = verify(data, fetcher=fetcher, now=datetime.now(UTC), recipient=recipient)
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

    figures = bench.run(quick=args.quick)
    if not args.library_only:
        figures = bench.with_ratios(figures | bench.run_http(quick=args.quick))
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
    serve.set_defaults(handler=_serve)

    migrate = commands.add_parser("migrate", help="bring the database to the newest schema")
    migrate.set_defaults(handler=_migrate)

    apikey = commands.add_parser("apikey", help="API keys")
    apikey_commands = apikey.add_subparsers(dest="apikey_command", required=True)
    create = apikey_commands.add_parser("create", help="print a new API key once")
    scope = create.add_mutually_exclusive_group(required=True)
    scope.add_argument("--issuer", metavar="SLUG", help="a key for one issuer's staff")
    scope.add_argument("--admin", action="store_true", help="an administrator's key")
    create.add_argument("--label")
    create.set_defaults(handler=_apikey)

    check = commands.add_parser("verify", help="verify a badge: file, URL or - for stdin")
    check.add_argument("source")
    check.add_argument("--format", choices=("json", "text"), default="json")
    check.add_argument("--email", help="check that the badge was issued to this address")
    check.add_argument("--allow", help="hosts or CIDR ranges that may be fetched though private")
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

    openapi = commands.add_parser("openapi", help="print the service's OpenAPI document (YAML)")
    openapi.set_defaults(handler=_openapi)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``shomei`` console script."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except (BadgesError, OSError) as error:
        print(f"shomei: {error}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    raise SystemExit(main())
