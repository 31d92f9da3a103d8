"""mixguard: predict what ``pip install`` does to a conda environment, and what it breaks.

>>> import mixguard
>>> from mixguard.demo import demo_index, demo_prefix
>>> env = mixguard.load_environment(demo=True)
>>> report = mixguard.check(env, ["protobuf>=4", "--index-url", (demo_index() / "simple").as_uri()],
...                         offline=True)
>>> report.conflict is not None or report.plan is not None
True

The public names are imported on first use, so ``import mixguard`` (and ``mixguard --version``)
stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import MixguardError, ParseError

if TYPE_CHECKING:
    from .api import audit, check, describe, load_environment
    from .environment import Environment
    from .findings import Finding
    from .plan import InstallPlan
    from .report import Report
    from .resolve import ResolutionImpossibleError

__all__ = [
    "Environment",
    "Finding",
    "InstallPlan",
    "MixguardError",
    "ParseError",
    "Report",
    "ResolutionImpossibleError",
    "__version__",
    "audit",
    "check",
    "describe",
    "load_environment",
    "load_ipython_extension",
    "unload_ipython_extension",
]


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext mixguard`` (:mod:`mixguard.notebook`)."""
    from .notebook import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    from .notebook import unload_ipython_extension as unload

    unload(ipython)


_LAZY = {
    "audit": "api",
    "check": "api",
    "describe": "api",
    "load_environment": "api",
    "Environment": "environment",
    "Finding": "findings",
    "Report": "report",
    "InstallPlan": "plan",
    "ResolutionImpossibleError": "resolve",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
