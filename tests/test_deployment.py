"""The container image and the compose file say what the README promises (read, not run)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def _compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return document


def test_the_image_runs_as_a_user_and_checks_its_health() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n.*/healthz", dockerfile, re.MULTILINE)


def test_compose_runs_two_replicas_after_one_migrate_step() -> None:
    services = _compose()["services"]
    replicas = [s for name, s in services.items() if name.startswith("shomei-")]
    assert len(replicas) == 2
    assert services["migrate"]["command"] == ["shomei", "migrate"]
    for replica in replicas:
        assert replica["command"][:2] == ["shomei", "serve"]
        assert "--migrate" not in replica["command"]
        assert replica["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        env = replica["environment"]
        assert env["SHOMEI_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert env["SHOMEI_REDIS_URL"].startswith("redis://redis:")
        # Every variable names a setting: a typo would be ignored silently.
        fields = {f"SHOMEI_{name.upper()}" for name in Settings.model_fields}
        assert set(env) <= fields
    worker = services["worker"]
    assert worker["command"] == ["shomei", "worker"]
    assert worker["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert worker["environment"] == replicas[0]["environment"]
    proxy = services["proxy"]
    address = proxy["networks"]["shomei"]["ipv4_address"]
    assert replicas[0]["environment"]["SHOMEI_TRUSTED_PROXIES"] == address
    assert {"postgres", "redis"} <= set(services)
