"""What a long check tells whoever is watching: a :class:`Progress` is told each step.

The resolution tells it through resolvelib's reporter hooks (one call per pinned candidate); the
check tells it before each stage that waits on the network (conda packages, RECORDs,
remedies). It decides nothing; the terminal draws it (:mod:`mixguard.terminal`), everything
else passes :data:`NO_PROGRESS`.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["NO_PROGRESS", "NoProgress", "Progress"]


class Progress(Protocol):
    """Told what the check is doing, as it does it."""

    def stage(self, text: str) -> None:
        """A new stage begins (``reading RECORDs of 32 wheels``)."""
        ...

    def pinned(self, name: str, version: str) -> None:
        """The resolution pinned ``name`` at ``version`` (it may backtrack later)."""
        ...


class NoProgress:
    """:class:`Progress` that shows nothing."""

    def stage(self, text: str) -> None:
        pass

    def pinned(self, name: str, version: str) -> None:
        pass


NO_PROGRESS: Progress = NoProgress()
