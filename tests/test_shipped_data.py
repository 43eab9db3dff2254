"""The JSON-LD contexts and JSON Schemas shipped in the package match their indexes."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import tomllib
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA_DIRS = ["contexts", "schemas"]


def _package_dir(name: str) -> Traversable:
    return resources.files("badges") / name


def _index(name: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(
        (_package_dir(name) / "index.json").read_text(encoding="utf-8")
    )
    return rows


def _files_under(directory: Traversable, prefix: str = "") -> set[str]:
    found: set[str] = set()
    for entry in directory.iterdir():
        if entry.name == "__pycache__":
            continue
        if entry.is_dir():
            found |= _files_under(entry, f"{prefix}{entry.name}/")
        else:
            found.add(prefix + entry.name)
    return found


@pytest.mark.parametrize("name", DATA_DIRS)
def test_index_rows_are_complete_and_unique(name: str) -> None:
    rows = _index(name)
    assert rows
    for row in rows:
        assert set(row) == {"url", "file", "sha256"}
        assert row["url"].startswith("https://")
        assert len(row["sha256"]) == 64
    assert len({row["url"] for row in rows}) == len(rows)
    assert len({row["file"] for row in rows}) == len(rows)


@pytest.mark.parametrize("name", DATA_DIRS)
def test_every_indexed_file_ships_with_the_indexed_sha256(name: str) -> None:
    for row in _index(name):
        entry = _package_dir(name).joinpath(*row["file"].split("/"))
        assert entry.is_file(), f"{name}/{row['file']} is listed but not shipped"
        assert hashlib.sha256(entry.read_bytes()).hexdigest() == row["sha256"], row["file"]


@pytest.mark.parametrize("name", DATA_DIRS)
def test_nothing_unlisted_ships(name: str) -> None:
    shipped = _files_under(_package_dir(name)) - {"index.json"}
    assert shipped == {row["file"] for row in _index(name)}


@pytest.mark.parametrize("name", DATA_DIRS)
def test_every_indexed_file_is_parseable_json(name: str) -> None:
    for row in _index(name):
        entry = _package_dir(name).joinpath(*row["file"].split("/"))
        document = json.loads(entry.read_text(encoding="utf-8"))
        key = "@context" if name == "contexts" else "$schema"
        assert key in document, row["file"]


def test_every_indexed_file_is_included_in_the_built_package() -> None:
    # An editable install reads the source tree; a wheel only carries package-data.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["badges"]
    for name in DATA_DIRS:
        for relative in ["index.json", *(row["file"] for row in _index(name))]:
            path = f"{name}/{relative}"
            assert any(fnmatch.fnmatchcase(path, p) for p in patterns), f"{path} would not ship"
