"""Properties of eddsa-rdfc-2022 over generated credentials (hypothesis)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from badges import data_integrity as di
from badges._crypto import decode_multikey
from badges.errors import DocumentError
from keys import KeySigner, generate_key
from tests.strategies import credentials
from tests.support import FIXED_NOW

KEY = generate_key("Ed25519")
SIGNER = KeySigner(KEY, "did:example:issuer#key-1")
PUBLIC = decode_multikey(KEY.public_key().multikey())
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _string_paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "@context":
                yield from _string_paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _string_paths(value, (*path, index))
    elif isinstance(node, str):
        yield path


def _verifies(document: dict[str, Any]) -> bool:
    proof = document["proof"][0]
    try:
        return di.verify_signature(document, proof, PUBLIC)
    except DocumentError:
        return False


@FAST
@given(credentials())
def test_sign_then_verify_always_passes(credential: dict[str, Any]) -> None:
    assert _verifies(di.sign(credential, SIGNER, created=FIXED_NOW))


@FAST
@given(credentials(), st.data())
def test_flipping_any_string_value_breaks_the_proof(
    credential: dict[str, Any], data: st.DataObject
) -> None:
    signed = di.sign(credential, SIGNER, created=FIXED_NOW)
    path = data.draw(st.sampled_from(sorted(_string_paths(signed), key=str)))
    tampered = copy.deepcopy(signed)
    node = tampered
    for step in path[:-1]:
        node = node[step]
    value = node[path[-1]]
    flipped = value[:-1] + ("x" if value[-1:] != "x" else "y")
    node[path[-1]] = flipped
    assert not _verifies(tampered), f"changing {path} did not break the proof"
