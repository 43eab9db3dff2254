"""Fixtures shared by every test."""

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
