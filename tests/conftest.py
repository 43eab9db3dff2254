"""Fixtures shared by every test: the published vectors and a fixed clock.

Nothing here imports the web service: the library tests (tests/badges, tests/keys) run
without it. The service's fixtures live in tests/app/conftest.py.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import pytest

from keys import ScryptCost
from tests.support import FIXED_NOW, VECTORS


@pytest.fixture
def vectors() -> Path:
    return VECTORS


@pytest.fixture
def now() -> datetime:
    return FIXED_NOW


@pytest.fixture(autouse=True)
def _quick_key_wrapping(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wrap keys at a low work factor: the real one costs seconds per service start, by design.

    Only where a test has the service loaded: the library tests never import it.
    """
    keyring = sys.modules.get("app.keyring")
    if keyring is not None:
        monkeypatch.setattr(keyring, "WRAP_COST", ScryptCost(ln=10, r=8, p=1))
