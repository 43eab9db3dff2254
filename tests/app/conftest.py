"""Fixtures of the credential tests: an issuer, its staff's key, an achievement."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from tests.app.test_credentials import make_achievement


@pytest.fixture
def issuer(make_issuer: Any) -> tuple[dict[str, Any], dict[str, str]]:
    issuer: tuple[dict[str, Any], dict[str, str]] = make_issuer("ai-exam")
    return issuer


@pytest.fixture
def staff(issuer: tuple[dict[str, Any], dict[str, str]]) -> dict[str, str]:
    return issuer[1]


@pytest.fixture
def achievement_id(app: FastAPI, issuer: tuple[dict[str, Any], dict[str, str]]) -> str:
    return make_achievement(app, issuer[0]["id"])
