"""SigningTemplates for bound credentials: wallet deliveries of one achievement share a shape.

Two deliveries of awards of one achievement differ only in their id, dates, holder DID,
recipient hash and salt (and name, when the issuer writes names) and status position, so
their quads come from one JSON-LD expansion (:class:`badges.data_integrity.SigningTemplate`,
proven on a probe before use; a document that does not fit is expanded in full). Templates
are kept per process, under the document with those values masked: an edit of the
achievement or the issuer makes another key, so nothing stale is ever used.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import uuid
from typing import Any, Final

from cachetools import LRUCache

from badges.data_integrity import SigningTemplate
from keys import did_key, generate_key

__all__ = ["template_for"]

Path = tuple[str | int, ...]
_PATHS: Final[tuple[Path, ...]] = (
    ("id",),
    ("validFrom",),
    ("awardedDate",),
    ("credentialSubject", "id"),
    ("credentialSubject", "identifier", 0, "identityHash"),
    ("credentialSubject", "identifier", 0, "salt"),
    ("credentialStatus", "id"),
    ("credentialStatus", "statusListIndex"),
    ("credentialStatus", "statusListCredential"),
)
_NAME: Final[Path] = ("credentialSubject", "identifier", 1, "identityHash")
_kept: LRUCache[str, SigningTemplate | None] = LRUCache(maxsize=256)
_lock = threading.Lock()


def _get(document: Any, path: Path) -> Any:
    for key in path:
        try:
            document = document[key]
        except (KeyError, IndexError, TypeError):
            return None
    return document


def _with(document: dict[str, Any], values: dict[Path, str]) -> dict[str, Any]:
    copied: dict[str, Any] = json.loads(json.dumps(document))
    for path, value in values.items():
        node: Any = copied
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return copied


def _probe_values(paths: tuple[Path, ...]) -> dict[Path, str]:
    """Values unlike any real one, of the same kinds, for the probe document."""
    number, index = 1_000_000 + secrets.randbelow(1000), 2_000_000 + secrets.randbelow(1000)
    status_list = f"https://probe.invalid/status/probe/revocation/{number}"
    values = {
        ("id",): f"urn:uuid:{uuid.uuid4()}",
        ("validFrom",): "2001-02-03T04:05:06Z",
        ("awardedDate",): "2002-03-04T05:06:07Z",
        ("credentialSubject", "id"): did_key(generate_key("Ed25519").public_key()),
        ("credentialSubject", "identifier", 0, "identityHash"): "sha256$" + secrets.token_hex(32),
        ("credentialSubject", "identifier", 0, "salt"): secrets.token_hex(16),
        ("credentialStatus", "id"): f"{status_list}#{index}",
        ("credentialStatus", "statusListIndex"): str(index),
        ("credentialStatus", "statusListCredential"): status_list,
        _NAME: secrets.token_hex(8),
    }
    return {path: values[path] for path in paths}


def template_for(unsigned: dict[str, Any]) -> SigningTemplate | None:
    """The template for a bound credential's shape, made on first use; ``None`` when its
    values cannot make one (it is then signed in full)."""
    paths = _PATHS + ((_NAME,) if _get(unsigned, _NAME) is not None else ())
    values = [_get(unsigned, path) for path in paths]
    if not all(isinstance(v, str) and v for v in values) or len(set(values)) != len(values):
        return None  # e.g. issued and delivered in the same second: not a sample to keep
    masked = _with(unsigned, dict.fromkeys(paths, ""))
    key = hashlib.sha256(json.dumps(masked, sort_keys=True).encode()).hexdigest()
    with _lock:
        if key in _kept:
            return _kept[key]
    probe = _with(unsigned, _probe_values(paths))
    # Made twice at worst, by two threads at once: both give an equal template.
    template = SigningTemplate.prepare(unsigned, probe, paths)
    with _lock:
        _kept[key] = template
    return template
