"""The dependency rule: app -> badges, keys; the libraries import no framework, nor each other."""

from __future__ import annotations

import ast
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

import badges
import keys

FORBIDDEN = {"app", "fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "httpx"}
ROOT = Path(__file__).resolve().parents[1]


def _imports(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


@pytest.mark.parametrize(("package", "extra"), [("badges", {"keys"}), ("keys", {"badges"})])
def test_library_packages_stay_framework_free(package: str, extra: set[str]) -> None:
    # badges reads keys and codecs through one module, with the decoders issuing uses.
    bad = [
        f"{path.name}: {name}"
        for path in (ROOT / package).rglob("*.py")
        for name in _imports(ast.parse(path.read_text(encoding="utf-8")))
        if name.split(".")[0] in FORBIDDEN | extra
        and not (path == ROOT / "badges" / "_crypto.py" and name == "keys")
    ]
    assert bad == []


def test_private_key_primitives_stay_in_keys() -> None:
    """badges verifies with public keys only; private key classes live in keys/."""
    bad = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "badges").rglob("*.py")
        if "PrivateKey" in path.read_text(encoding="utf-8")
        and "cryptography" in path.read_text(encoding="utf-8")
    ]
    assert bad == []


@pytest.mark.parametrize("module", [badges, keys])
def test_all_lists_every_public_name(module: object) -> None:
    exported = set(module.__all__)  # type: ignore[attr-defined]
    # Submodules become attributes when imported; they are public only if listed.
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public <= exported
    assert all(hasattr(module, name) for name in exported)


def test_library_tests_do_not_import_the_web_service() -> None:
    """tests/badges and tests/keys (and the conftest above them) run without app/."""
    files = [ROOT / "tests" / "conftest.py", ROOT / "tests" / "support.py"]
    files += [*(ROOT / "tests" / "badges").rglob("*.py"), *(ROOT / "tests" / "keys").rglob("*.py")]
    bad = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in files
        for name in _imports(ast.parse(path.read_text(encoding="utf-8")))
        if name.split(".")[0] in FORBIDDEN or name.startswith(("tests.app", "tests.database"))
    ]
    assert bad == []
