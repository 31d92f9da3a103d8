"""Distinct types for the two name spaces a mixed environment has.

A conda package name (``tensorflow-base``) and a PyPI distribution name (``tensorflow``)
are different things even when spelled alike; ``NewType`` keeps them apart for mypy.
"""

from __future__ import annotations

from typing import NewType

from packaging.utils import canonicalize_name

__all__ = ["CondaName", "PypiName", "conda_name", "pypi_name"]

CondaName = NewType("CondaName", str)
PypiName = NewType("PypiName", str)


def conda_name(name: str) -> CondaName:
    """A conda package name, lower-cased as conda compares them."""
    return CondaName(name.strip().lower())


def pypi_name(name: str) -> PypiName:
    """A PyPI distribution name, normalised per PEP 503."""
    return PypiName(canonicalize_name(name))
