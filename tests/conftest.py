"""Fixtures shared by every test: the published vectors and a fixed clock.

Nothing here imports the web service: the library tests (tests/badges, tests/keys) run
without it. The service's fixtures live in tests/app/conftest.py.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.support import FIXED_NOW, VECTORS


@pytest.fixture
def vectors() -> Path:
    return VECTORS


@pytest.fixture
def now() -> datetime:
    return FIXED_NOW
