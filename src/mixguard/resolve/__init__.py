"""Replay pip's resolver for a target conda environment (the plan it yields: :mod:`mixguard.plan`)."""

from __future__ import annotations

from .options import PipRequest, RootRequirement, UnsupportedPipOption, parse_pip_args
from .resolver import ResolutionImpossibleError, resolve

__all__ = [
    "PipRequest",
    "ResolutionImpossibleError",
    "RootRequirement",
    "UnsupportedPipOption",
    "parse_pip_args",
    "resolve",
]
