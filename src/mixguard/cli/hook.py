"""``mixguard hook KIND FILE...``: what pre-commit runs (``.pre-commit-hooks.yaml``).

- ``requirements``: each requirements file as ``pip install -r FILE`` into the environment the
  hook is given (``--lock``, ``--env-file``, ``--prefix``; default ``$CONDA_PREFIX``);
- ``environment``: each ``environment.yml``'s ``pip:`` section against its own conda side (what
  ``conda env create`` would do when it reaches pip);
- ``lock``: each lock file's environment as it is (its pip packages over its conda ones).

The exit code is the worst of the files' (1 findings, 3 conflict, 4 unproven, 2 bad input).
"""

from __future__ import annotations

import argparse
import shlex
from dataclasses import replace

from ._shared import EXIT_OK, _emit_report, _exit_for, _load

__all__ = ["hook"]


def _worst(codes: list[int]) -> int:
    # a finding outranks a conflict, which outranks an unproven check
    for code in (1, 3, 4, 2):
        if code in codes:
            return code
    return EXIT_OK


def hook(parsed: argparse.Namespace) -> int:
    from ..api import audit, check, load_environment
    from .parser import hook_parser

    args = hook_parser().parse_intermixed_args(parsed.rest)
    args.kind = parsed.kind
    codes: list[int] = []
    for path in args.files:
        print(f"mixguard: {args.kind}: {path}")
        if args.kind == "requirements":
            report = check(
                _load(args), ["-r", path], offline=args.offline, cache_dir=args.cache_dir
            )
        elif args.kind == "lock":
            report = audit(load_environment(lock=path, platform=args.platform))
        else:
            env = load_environment(env_file=path, platform=args.platform)
            request = [t for line in env.pip_lines for t in shlex.split(line.line)]
            if not request:
                print("  no pip: section: nothing for pip to do")
                continue
            # the section is the request: the conda side alone is the environment it meets
            section = {p.where for p in env.pip_lines}
            env = replace(
                env,
                pip_lines=(),
                distributions=tuple(d for d in env.distributions if d.where not in section),
            )
            report = check(env, request, offline=args.offline, cache_dir=args.cache_dir)
        _emit_report(report, "text")
        codes.append(_exit_for(report, args.fail_on))
    return _worst(codes)
