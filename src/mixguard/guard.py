"""The opt-in guard for one conda environment: ``pip install`` typed in the activated
environment goes through ``mixguard pip install`` (the check first; pip only when it passes).

mixguard never writes to an environment it analyses, except here, when asked. :func:`guard_on`
writes two files, through conda's own activation mechanism (``conda activate`` sources every
``etc/conda/activate.d/*.sh``, ``conda deactivate`` every ``deactivate.d/*.sh``):

- ``etc/conda/activate.d/mixguard-guard.sh``: a ``pip`` shell function (bash, zsh): a command
  line holding ``install`` goes to ``mixguard pip --prefix "$CONDA_PREFIX" ...``, any other
  to the environment's pip untouched (``command pip``);
- ``etc/conda/deactivate.d/mixguard-guard.sh``: removes the function;

plus those of ``etc``, ``etc/conda``, ``etc/conda/activate.d`` and ``deactivate.d`` that did
not exist, named in the first file. :func:`guard_off` removes exactly these, so the prefix is
byte for byte what it was. ``python -m pip`` is not a shell command the function can see, and
is not guarded; neither are cmd.exe and PowerShell (no ``.bat``/``.ps1`` hook is written).
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ._atomic import atomic_write
from .errors import EnvironmentReadError

__all__ = ["GuardState", "guard_off", "guard_on", "guard_status"]

_NAME = "mixguard-guard.sh"
_DIRS = ("etc", "etc/conda", "etc/conda/activate.d", "etc/conda/deactivate.d")
_CREATED = "# mixguard-created:"

_ACTIVATE = """\
# mixguard guard: written by `mixguard guard on`; `mixguard guard off --prefix P` removes it.
# `pip install ...` in this environment runs the check first (mixguard pip); every other pip
# command goes to the environment's pip untouched.
{created}
pip() {{
    for _mixguard_arg in "$@"; do
        if [ "$_mixguard_arg" = install ]; then
            unset _mixguard_arg
            {mixguard} pip --prefix "$CONDA_PREFIX" "$@"
            return
        fi
    done
    unset _mixguard_arg
    command pip "$@"
}}
"""

_DEACTIVATE = """\
# mixguard guard: written by `mixguard guard on`; `mixguard guard off --prefix P` removes it.
unset -f pip 2>/dev/null || true
"""


@dataclass(frozen=True, slots=True)
class GuardState:
    """Whether the guard is on in ``prefix``, and the files and directories it wrote (``on``),
    would remove (``status``) or removed (``off``), relative to the prefix."""

    prefix: Path
    on: bool
    files: tuple[str, ...] = ()
    directories: tuple[str, ...] = ()

    def describe(self) -> str:
        paths = [*self.files, *(f"{d}/" for d in self.directories)]
        return ", ".join(paths) if paths else "nothing"


def _paths(prefix: Path) -> tuple[Path, Path]:
    return (
        prefix / "etc" / "conda" / "activate.d" / _NAME,
        prefix / "etc" / "conda" / "deactivate.d" / _NAME,
    )


def _conda_prefix(prefix: str | Path) -> Path:
    path = Path(prefix)
    if not (path / "conda-meta").is_dir():
        raise EnvironmentReadError(str(prefix), "not a conda prefix (no conda-meta)", "--prefix")
    return path


def _created(activate: Path) -> tuple[str, ...]:
    for line in activate.read_text().splitlines():
        if line.startswith(_CREATED):
            return tuple(line[len(_CREATED) :].split())
    return ()


def guard_status(prefix: str | Path) -> GuardState:
    """Whether the guard is on in ``prefix``."""
    root = _conda_prefix(prefix)
    activate, deactivate = _paths(root)
    files = tuple(str(p.relative_to(root)) for p in (activate, deactivate) if p.exists())
    dirs = _created(activate) if activate.exists() else ()
    return GuardState(root, activate.exists(), files, dirs)


def guard_on(prefix: str | Path, mixguard: Sequence[str] | None = None) -> GuardState:
    """Write the activation hook into ``prefix`` (idempotent). ``mixguard`` is the command the
    hook runs (default: this interpreter's ``-m mixguard``, so the guard keeps working
    whichever environment is active)."""
    root = _conda_prefix(prefix)
    state = guard_status(root)
    if state.on:
        return state
    command = list(mixguard) if mixguard else [sys.executable, "-m", "mixguard"]
    missing = [d for d in _DIRS if not (root / d).exists()]
    activate, deactivate = _paths(root)
    text = _ACTIVATE.format(
        created=f"{_CREATED} {' '.join(missing)}".rstrip(),
        mixguard=" ".join(shlex.quote(c) for c in command),
    )
    try:
        atomic_write(deactivate, _DEACTIVATE.encode())
        atomic_write(activate, text.encode())  # last: it is what says the guard is on
    except OSError as exc:
        guard_off(root, created=missing)
        raise EnvironmentReadError(
            str(prefix), f"cannot write the guard: {exc}", "--prefix"
        ) from None
    for path in (activate, deactivate):
        path.chmod(0o644)
    return GuardState(
        root, True, tuple(str(p.relative_to(root)) for p in (activate, deactivate)), tuple(missing)
    )


def guard_off(prefix: str | Path, *, created: Sequence[str] | None = None) -> GuardState:
    """Remove what :func:`guard_on` wrote: its two files and the directories it created (if
    they are empty again). Returns what was removed."""
    root = _conda_prefix(prefix)
    activate, deactivate = _paths(root)
    dirs = (
        tuple(created) if created is not None else (_created(activate) if activate.exists() else ())
    )
    files = []
    for path in (activate, deactivate):
        if path.exists():
            path.unlink()
            files.append(str(path.relative_to(root)))
    removed = []
    for d in sorted(dirs, key=lambda d: -d.count("/")):  # deepest first
        path = root / d
        if d in _DIRS and path.is_dir() and not any(path.iterdir()):
            path.rmdir()
            removed.append(d)
    return GuardState(root, False, tuple(files), tuple(removed))
