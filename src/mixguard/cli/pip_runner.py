"""``mixguard pip [MIXGUARD OPTIONS] COMMAND [PIP ARGS]``: ``install`` is checked first, then run
by the environment's own pip; every other pip command (and ``install --help``) passes through
to that pip untouched.

mixguard's options come before pip's command; from the first word that is not one of them,
the line is pip's, exactly as typed (so ``alias pip='mixguard pip'`` keeps every pip habit).
pip's own ``install --prefix P`` names the environment when mixguard is given none: P is the
environment checked, and P's pip installs (into P itself, as ``--prefix`` says).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .._secrets import redact_text
from ._shared import (
    EXIT_OK,
    EXIT_UNKNOWN,
    _emit_report,
    _exit_for,
    _load,
    _pip_args,
    _run_check,
    _UsageError,
)

if TYPE_CHECKING:
    from ..report import Report

__all__ = ["run_pip_command", "split_pip_argv"]

#: how a pip command line is run (the CLI: a subprocess; a notebook: its output in the cell)
Runner = Callable[[list[str]], int]


def _call(cmd: list[str]) -> int:
    sys.stdout.flush()
    return subprocess.call(cmd)


_SOURCES = ("prefix", "env_file", "lock", "explicit", "conda_list", "python")


def split_pip_argv(
    parser: argparse.ArgumentParser, argv: Sequence[str]
) -> tuple[list[str], list[str]]:
    """``argv`` (after ``pip``) split into mixguard's options and pip's command line: mixguard's
    own options (and their values) up to the first word that is not one of them."""
    options = parser._option_string_actions
    mine: list[str] = []
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "--":  # the old spelling: everything after it is pip's
            return mine, list(argv[i + 1 :])
        name = word.split("=", 1)[0]
        action = options.get(name) if name.startswith("-") else None
        if action is None:
            break
        mine.append(word)
        if action.nargs != 0 and "=" not in word and i + 1 < len(argv):
            mine.append(argv[i + 1])
            i += 1
        i += 1
    return mine, list(argv[i:])


def _pip_command(argv: Sequence[str]) -> int | None:
    """Where pip's command word is in ``argv`` (general options may come first), or None."""
    from ..resolve._pip_options import by_name

    i = 0
    while i < len(argv):
        word = argv[i]
        if not word.startswith("-"):
            return i
        option = by_name(word.split("=", 1)[0])
        if option is not None and option.takes_value and "=" not in word:
            i += 1
        i += 1
    return None


def _take_prefix(argv: list[str]) -> tuple[str | None, list[str]]:
    """pip's ``--prefix P`` (or ``--prefix=P``) and the arguments without it."""
    for i, word in enumerate(argv):
        if word == "--prefix" and i + 1 < len(argv):
            return argv[i + 1], argv[:i] + argv[i + 2 :]
        if word.startswith("--prefix="):
            return word.split("=", 1)[1], argv[:i] + argv[i + 1 :]
    return None, argv


def _given(args: argparse.Namespace) -> bool:
    return bool(args.demo) or any(getattr(args, k, None) for k in _SOURCES)


def _pip(args: argparse.Namespace) -> int:
    return run_pip_command(args, show=lambda report: _emit_report(report, None), run=_call)


def run_pip_command(
    args: argparse.Namespace, *, show: Callable[[Report], None], run: Runner
) -> int:
    """``mixguard pip``'s parsed ``args``: an install is checked, ``show``n, then ``run`` by
    the environment's pip when it passes; anything else is ``run`` as typed."""
    argv = list(args.pip_args)
    at = _pip_command(argv)
    if at is None or argv[at] != "install" or {"-h", "--help"} & set(argv):
        return _pass_through(args, argv, run)
    install = argv[:at] + argv[at + 1 :]
    pip_prefix, rest = _take_prefix(install)
    if pip_prefix is not None:
        # pip's --prefix P: the environment checked is P (pip installs into P's own scheme)
        if _given(args):
            env_given = args.prefix and Path(args.prefix).resolve() == Path(pip_prefix).resolve()
            if not env_given:
                raise _UsageError(
                    f"pip's --prefix {pip_prefix!r} installs into another environment than the "
                    "one mixguard checks: give it once, as mixguard's --prefix before `install`"
                )
        args.prefix = pip_prefix
        install = rest
    args.pip_args = install
    env = _load(args)
    report = _run_check(args, env, _pip_args(args))  # (the demo: its own offline index)
    show(report)
    code = _exit_for(report, args.fail_on)
    if code != EXIT_OK and not args.yes:
        print(
            "mixguard: not installing ("
            + (
                "facts unknown: unproven"
                if code == EXIT_UNKNOWN
                else "findings at or above --fail-on"
            )
            + "; --yes to install anyway)",
            file=sys.stderr,
        )
        return code
    if args.demo or env.kind != "prefix":
        print("mixguard: check only: the demo and file sources have no pip to run", file=sys.stderr)
        return code
    return _run_pip(_pip_for(env.source), argv, run, announce=True)


def _pass_through(args: argparse.Namespace, argv: list[str], run: Runner) -> int:
    """A pip command other than ``install`` (or ``install --help``): the environment's pip runs
    it as typed, unchecked."""
    if args.demo or any(getattr(args, k, None) for k in _SOURCES[1:-1]):
        raise _UsageError(
            "only `pip install` can be checked against a file source or the demo; other pip "
            "commands need a prefix (--prefix, or an activated conda environment)"
        )
    prefix = args.prefix or _python_prefix(args) or os.environ.get("CONDA_PREFIX")
    if prefix:
        return _run_pip(_pip_for(prefix), argv, run)
    # no environment: the pip this shell would have run without the alias
    pip = shutil.which("pip")
    if pip is None:
        raise _UsageError("no environment given and no `pip` on PATH")
    return _run_pip([pip], argv, run)


def _python_prefix(args: argparse.Namespace) -> str | None:
    if not getattr(args, "python", None):
        return None
    from ..environment.prefix import prefix_of_interpreter

    return str(prefix_of_interpreter(args.python))


def _pip_for(prefix: str) -> list[str]:
    python = _prefix_python(prefix)
    if python is None:
        raise _UsageError(f"no python interpreter in the prefix {prefix!r}")
    return [python, "-m", "pip"]


def _run_pip(pip: list[str], argv: list[str], run: Runner, *, announce: bool = False) -> int:
    """Run pip; an install the check let through is announced, a pass-through is silent."""
    cmd = [*pip, *argv]
    if announce:
        print(f"mixguard: running {redact_text(' '.join(cmd))}", file=sys.stderr)
    return run(cmd)


def _prefix_python(prefix: str) -> str | None:
    for rel in ("bin/python", "python.exe", "bin/python3"):
        path = Path(prefix) / rel
        if path.exists():
            return str(path)
    return None
