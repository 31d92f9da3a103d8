"""The plan: what ``pip install`` would do to each distribution, and ``pip check`` after it.

The resolver (:mod:`mixguard.resolve`) decides which versions; this package decides what that
means for the environment (install, upgrade, downgrade, reinstall, unchanged; what is replaced
and which conda record owned it) and what ``pip check`` says afterwards.
"""

from .build import Pick, build_plan
from .check import installed_view, pip_check
from .model import (
    EMULATED_PIP,
    Action,
    Change,
    CondaRef,
    ConflictCause,
    InstallPlan,
    PipCheckProblem,
    PipRefusal,
    Replaced,
)

__all__ = [
    "EMULATED_PIP",
    "Action",
    "Change",
    "CondaRef",
    "ConflictCause",
    "InstallPlan",
    "Pick",
    "PipCheckProblem",
    "PipRefusal",
    "Replaced",
    "build_plan",
    "installed_view",
    "pip_check",
]
