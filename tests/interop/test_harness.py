"""The oracle harness: when it skips, when it fails, and what it refuses."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.interop import harness
from tests.interop.conftest import oracle_unavailable


def test_missing_oracles_fail_the_run_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="must run in CI: no node"):
        oracle_unavailable("no node")


def test_missing_oracles_skip_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="unavailable: no node"):
        oracle_unavailable("no node")


def test_no_node_on_path_means_no_oracles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.setattr(harness, "_installed", False)
    assert harness.node_available() is False
    with pytest.raises(harness.OracleUnavailableError, match=r"Node\.js 20"):
        harness.ensure_node_modules()


def test_a_jwt_request_takes_one_key_source() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        harness.jwt_request("a.b.c")
    with pytest.raises(ValueError, match="exactly one"):
        harness.jwt_request("a.b.c", jwks={"keys": []}, jwks_url="http://127.0.0.1:1/jwks.json")


def test_the_oracle_clock_must_name_its_time_zone() -> None:
    with pytest.raises(ValueError, match="time zone"):
        harness.di_request({}, now=datetime(2026, 11, 30, 12))


def test_unreadable_input_still_gets_a_json_answer(oracle: None) -> None:
    assert harness.run_script("verify-di.mjs", "not a request")["verified"] is False
    answer = harness.run_script("verify-jwt.mjs", {"token": "x.y.z", "jwks": {"keys": []}})
    assert answer["verified"] is False
    assert answer["error"]
