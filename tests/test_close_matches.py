"""The suggestions for a dangling reference are difflib's, computed with cheaper first filters."""

from __future__ import annotations

import difflib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_serverless_arch.references import close_matches

from .hypothesis_support import property_settings

# Few letters, so that candidates share characters and every filter (lengths, shared characters, ratio) decides some.
names = st.text(alphabet="abcAB-:/é", max_size=12)


@property_settings
@given(
    word=names,
    possibilities=st.lists(names, max_size=12),
    n=st.integers(1, 4),
    cutoff=st.sampled_from([0.0, 0.3, 0.6, 0.75, 1.0]),
)
def test_close_matches_are_difflibs_get_close_matches(word: str, possibilities: list[str], n: int, cutoff: float) -> None:
    assert close_matches(word, possibilities, n, cutoff) == difflib.get_close_matches(word, possibilities, n, cutoff)


def test_close_matches_keep_difflibs_order_of_ties_and_empty_strings() -> None:
    assert close_matches("", ["", "a"], 3, 0.0) == difflib.get_close_matches("", ["", "a"], 3, 0.0) == ["", "a"]
    provided = ["orders-queue-url", "orders-queue-arm", "orders-topic-arn"]
    expected = ["orders-queue-arm", "orders-queue-url", "orders-topic-arn"]
    assert close_matches("orders-queue-arn", provided) == difflib.get_close_matches("orders-queue-arn", provided) == expected


@pytest.mark.parametrize(("n", "cutoff"), [(0, 0.6), (3, -0.1), (3, 1.5)])
def test_close_matches_refuse_what_difflib_refuses(n: int, cutoff: float) -> None:
    with pytest.raises(ValueError):
        difflib.get_close_matches("a", ["a"], n, cutoff)
    with pytest.raises(ValueError):
        close_matches("a", ["a"], n, cutoff)
