"""The validator fixture: set up once per session, skipped without an index unless CI is set."""

from __future__ import annotations

import os

import pytest

from tests.interop_ob2.validator import OracleUnavailableError, ValidatorSetup, ensure_validator

_SETUP_NOTE = pytest.StashKey[str]()


@pytest.fixture(scope="session")
def validator(pytestconfig: pytest.Config) -> ValidatorSetup:
    """1EdTech's OB 2.0 validator, its virtualenv built or reused."""
    try:
        setup = ensure_validator()
    except OracleUnavailableError as exc:
        message = f"1EdTech's OB 2.0 validator could not be set up: {exc}"
        pytestconfig.stash[_SETUP_NOTE] = message.splitlines()[0]
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    how = "built" if setup.built else "reused"
    pytestconfig.stash[_SETUP_NOTE] = f"OB 2.0 validator virtualenv {how} in {setup.seconds:.1f} s"
    return setup


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    note = config.stash.get(_SETUP_NOTE, None)
    if note is not None:
        terminalreporter.write_line(note)
