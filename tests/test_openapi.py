"""openapi.yaml is the published contract: it must be exactly what the app generates."""

from __future__ import annotations

from pathlib import Path

from app.openapi import render

ROOT = Path(__file__).resolve().parents[1]


def test_openapi_yaml_matches_the_app() -> None:
    committed = (ROOT / "openapi.yaml").read_text(encoding="utf-8")
    assert committed == render(), "openapi.yaml is stale: run `make openapi`"
