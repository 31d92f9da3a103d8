"""Replay pip's resolver for a target conda environment."""

from __future__ import annotations

from .options import PipRequest, RootRequirement, UnsupportedPipOption, parse_pip_args
from .plan import Change, ConflictCause, InstallPlan, PipCheckProblem, Replaced, UnknownItem
from .resolver import ResolutionImpossibleError, pip_check, resolve

__all__ = [
    "Change",
    "ConflictCause",
    "InstallPlan",
    "PipCheckProblem",
    "PipRequest",
    "Replaced",
    "ResolutionImpossibleError",
    "RootRequirement",
    "UnknownItem",
    "UnsupportedPipOption",
    "parse_pip_args",
    "pip_check",
    "resolve",
]
