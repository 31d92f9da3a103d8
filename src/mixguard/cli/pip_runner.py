"""``mixguard pip install ...``: the check first, then the environment's own pip."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from .._secrets import redact_text

if TYPE_CHECKING:
    pass

from ._shared import (
    EXIT_OK,
    EXIT_UNKNOWN,
    _after_dashes,
    _emit_report,
    _exit_for,
    _load,
    _pip_args,
    _run_check,
    _UsageError,
)


def _pip(args: argparse.Namespace) -> int:
    import subprocess

    rest = _after_dashes(args.pip_args)
    if rest[:1] != ["install"]:
        raise _UsageError("only `mixguard pip install ...` is supported")
    args.pip_args = rest[1:]
    env = _load(args)
    report = _run_check(args, env, _pip_args(args))
    _emit_report(report, None)
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
    python = _prefix_python(env.source)
    if python is None:
        raise _UsageError(f"no python interpreter in the prefix {env.source!r}")
    cmd = [python, "-m", "pip", "install", *args.pip_args]
    print(f"mixguard: running {redact_text(' '.join(cmd))}", file=sys.stderr)
    return subprocess.call(cmd)


def _prefix_python(prefix: str) -> str | None:
    from pathlib import Path

    for rel in ("bin/python", "python.exe", "bin/python3"):
        path = Path(prefix) / rel
        if path.exists():
            return str(path)
    return None
