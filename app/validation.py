"""Checks on text the service signs into credentials, shared by the request models."""

from __future__ import annotations

import re

# C0 controls except TAB, LF and CR; DEL; lone surrogates. Their canonical N-Quads escaping
# differs between implementations (RDFC-1.0 vs URDNA2015), so signed text must not hold them.
NOT_ALLOWED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def plain_text(value: str) -> str:
    """``value``, unless it holds a character that would canonicalize differently."""
    match = NOT_ALLOWED.search(value)
    if match:
        raise ValueError(f"contains the control character U+{ord(match.group()):04X}")
    return value
