"""The public surface of ``keys``: ``__all__`` is complete and every name in it exists."""

from __future__ import annotations

import ast
import types
from pathlib import Path

import keys

PACKAGE = Path(keys.__file__).resolve().parent
FORBIDDEN = {"app", "badges", "fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic"}


def test_all_lists_every_public_name() -> None:
    public = {
        name
        for name, value in vars(keys).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(keys.__all__)


def test_all_names_exist_without_duplicates() -> None:
    assert all(hasattr(keys, name) for name in keys.__all__)
    assert len(set(keys.__all__)) == len(keys.__all__)


def test_keys_imports_no_framework_or_sibling_package() -> None:
    bad = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            bad += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert bad == []
