"""Replay pip's resolver for a target conda environment (the plan it yields: :mod:`mixguard.plan`)."""

from __future__ import annotations

from .options import PipRequest, RootRequirement, UnsupportedPipOption, parse_pip_args
from .resolver import (
    ResolutionCancelled,
    ResolutionImpossibleError,
    ResolutionTooDeepError,
    resolve,
)

__all__ = [
    "PipRequest",
    "ResolutionCancelled",
    "ResolutionImpossibleError",
    "ResolutionTooDeepError",
    "RootRequirement",
    "UnsupportedPipOption",
    "parse_pip_args",
    "resolve",
]
