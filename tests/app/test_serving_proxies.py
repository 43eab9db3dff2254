"""The real server believes X-Forwarded-For only from SHOMEI_TRUSTED_PROXIES.

The in-process tests (TestClient) never pass through uvicorn; this one does: uvicorn reads
forwarded headers itself unless told not to, before the service's own check.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from app.settings import Settings
from tests.app.conftest import TEST_PASSPHRASE
from tests.app.processes import serve

NOT_A_BADGE = {"credential": {"not": "a badge"}}


@pytest.mark.slow
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_loopback_client_cannot_rotate_its_forwarded_address(
    settings: Settings, tmp_path: Path, workers: str
) -> None:
    env = {
        "SHOMEI_DATABASE_URL": settings.database_url,
        "SHOMEI_KEY_PASSPHRASE": TEST_PASSPHRASE,
        "SHOMEI_REDIS_URL": "",
        "SHOMEI_VERIFY_RATE_PER_MINUTE": "3",
    }
    with serve(env, tmp_path, "--workers", workers) as server:
        statuses = []
        with httpx.Client(base_url=server.url, timeout=60) as http:
            for n in range(8):
                forwarded = {"X-Forwarded-For": f"203.0.113.{n}"}
                statuses.append(
                    http.post("/api/v1/verify", json=NOT_A_BADGE, headers=forwarded).status_code
                )
    # Several workers count apart without Redis: each lets three through at most.
    assert statuses.count(429) >= 8 - 3 * int(workers), statuses
