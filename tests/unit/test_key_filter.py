"""KeyFilter: the duplicate look-ups' Bloom filter never forgets a key."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from msgcopy_viewer.ingest.writer import KeyFilter


def _keys(n: int, salt: str) -> list[str]:
    return [hashlib.sha256(f"{salt}{i}".encode()).hexdigest()[:24] for i in range(n)]


def test_every_added_key_is_found_and_few_others_are() -> None:
    added = _keys(200_000, "in")
    flt = KeyFilter(len(added))
    for key in added:
        flt.add(key)
    assert all(key in flt for key in added)
    others = _keys(100_000, "out")
    false_positives = sum(key in flt for key in others)
    assert false_positives < 0.01 * len(others)  # about 0.2 % expected at 16 bits a key


def test_an_empty_filter_holds_nothing() -> None:
    flt = KeyFilter(0)
    assert not any(key in flt for key in _keys(10_000, "x"))


@given(st.lists(st.text(), max_size=200), st.integers(min_value=0, max_value=10_000))
def test_no_false_negatives_for_any_strings(keys: list[str], capacity: int) -> None:
    flt = KeyFilter(capacity)
    for key in keys:
        flt.add(key)
    assert all(key in flt for key in keys)
