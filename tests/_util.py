"""Small helpers shared by the tests."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


def must(value: T | None) -> T:
    """``value``, which the test requires to be there (a clear failure if it is not)."""
    assert value is not None, "expected a value, got None"
    return value
