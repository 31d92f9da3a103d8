"""mixguard: predict what ``pip install`` does to a conda environment, and what it breaks."""

from __future__ import annotations

from ._version import __version__
from .errors import MixguardError, ParseError

__all__ = ["MixguardError", "ParseError", "__version__"]
