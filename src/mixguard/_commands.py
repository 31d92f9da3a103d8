"""Commands a report tells a user to paste: one owner for how they are spelled."""

from __future__ import annotations

from collections.abc import Sequence

from .environment.model import Environment

__all__ = ["constraints_command", "source_option"]


def source_option(env: Environment) -> str:
    """The mixguard option that reads ``env`` again (for commands a user pastes)."""
    import shlex

    from .demo import DEMO_NAME

    if env.name == DEMO_NAME:
        return "--demo"
    flag = {
        "prefix": "--prefix",
        "environment.yml": "--env-file",
        "explicit": "--explicit",
        "conda-lock": "--lock",
        "pixi.lock": "--lock",
        "conda-list": "--conda-list",
    }[env.kind]
    return f"{flag} {shlex.quote(env.source)}"


def constraints_command(env: Environment, args: Sequence[str]) -> str:
    """A command that writes the constraints file, then runs pip with it: pasteable as is."""
    import shlex

    return (
        f"mixguard constraints {source_option(env)} > conda-constraints.txt && "
        "pip install -c conda-constraints.txt " + " ".join(shlex.quote(a) for a in args)
    )
