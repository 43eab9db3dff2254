"""The published contract: the app's OpenAPI document as YAML (``openapi.yaml``)."""

from __future__ import annotations

import yaml

from app.main import create_app
from app.settings import Settings


def render() -> str:
    """The OpenAPI document of an app built with default settings, as YAML text."""
    app = create_app(Settings(_env_file=None, development=True))
    return yaml.safe_dump(app.openapi(), sort_keys=False, allow_unicode=True, width=100)
