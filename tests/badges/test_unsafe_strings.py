"""The builder's quick check finds exactly what its detailed one reports."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from badges.ob3.builder import _any_unsafe, _unsafe_strings

# Mostly ordinary text, with the characters and numbers the builder refuses mixed in.
_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(["\x00", "\x08", "\t", "\n", "\x0b", "\x1f", "\x7f", "\ud800", "\udfff"]),
    ),
    max_size=8,
)
_NUMBERS = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**60), max_value=2**60),
    st.sampled_from([2**53 - 1, 2**53, -(2**53), 1e-7, -1e-7, 1e-6, 0.0]),
    st.floats(allow_nan=False, allow_infinity=False),
)
_JSON = st.recursive(
    st.one_of(st.none(), _TEXT, _NUMBERS),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_TEXT, inner, max_size=4)),
    max_leaves=20,
)


@given(_JSON)
def test_the_quick_check_agrees_with_the_detailed_one(document: Any) -> None:
    assert _any_unsafe(document) == bool(list(_unsafe_strings(document)))
