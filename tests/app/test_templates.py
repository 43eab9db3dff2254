"""Pages are Jinja2 templates with autoescape; their words come from one table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from app import pages
from app.templating import render
from app.texts import PUBLIC, UI

APP = Path(__file__).resolve().parents[2] / "app"
TEMPLATES = APP / "templates"


def test_values_are_escaped_by_default() -> None:
    page = pages.issuer(
        {"name": "<script>alert(1)</script>", "id": '"><img src=x>', "description": "a & b"},
        {"en": "</p><p>"},
    )
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&#34;&gt;&lt;img src=x&gt;" in page
    assert "a &amp; b" in page and "&lt;/p&gt;&lt;p&gt;" in page


def test_a_missing_value_is_an_error_not_an_empty_string() -> None:
    with pytest.raises(UndefinedError):
        render("issuer.html", lang="ja")


def test_no_page_is_built_by_hand() -> None:
    modules = [
        APP / "pages.py",
        APP / "verification" / "page.py",
        APP / "credentials" / "page.py",
        APP / "achievements" / "documents.py",
    ]
    for module in modules:
        source = module.read_text()
        assert "from html import escape" not in source, module
        assert not re.search(r"""f['"]<[a-z]""", source), f"HTML in an f-string in {module}"


def test_every_word_a_template_asks_for_is_in_the_table() -> None:
    asked: set[str] = set()
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        asked |= set(re.findall(r"""(?:ui|both|label)\(["']([a-z_]+)["'][,)]""", text))
    assert asked
    assert asked <= set(UI) | set(PUBLIC), asked - set(UI) - set(PUBLIC)
