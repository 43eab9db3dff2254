"""openapi.yaml is the published contract: it must be exactly what the app generates."""

from __future__ import annotations

from pathlib import Path

from app.openapi import render

ROOT = Path(__file__).resolve().parents[1]


def test_openapi_yaml_matches_the_app() -> None:
    committed = (ROOT / "openapi.yaml").read_text(encoding="utf-8")
    assert committed == render(), "openapi.yaml is stale: run `make openapi`"


def test_every_route_has_a_summary_and_documented_errors() -> None:
    import yaml

    document = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    missing = [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if not operation.get("summary")
        or (
            # Metadata documents that are always served have no error to document.
            path
            not in (
                "/",
                "/healthz",
                "/.well-known/openid-credential-issuer",
                "/.well-known/oauth-authorization-server",
            )
            and not any(code.startswith("4") for code in operation.get("responses", {}))
        )
    ]
    assert missing == []
