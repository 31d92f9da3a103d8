"""What the commands share: exit codes, loading the environment, running and printing a check."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..environment import Environment
    from ..plan import InstallPlan
    from ..report import Report


EXIT_OK = 0

EXIT_FINDINGS = 1

EXIT_INPUT = 2

EXIT_CONFLICT = 3

EXIT_UNKNOWN = 4


class _Conflict(Exception):
    pass


class _UsageError(Exception):
    pass


def _load(args: argparse.Namespace) -> Environment:
    import os

    from ..api import load_environment

    target = {"platform": args.platform, "cuda": args.cuda, "glibc": args.glibc}
    if args.demo:
        return load_environment(demo=True, **target)
    sources = {
        "prefix": args.prefix,
        "env_file": args.env_file,
        "lock": args.lock,
        "explicit": args.explicit,
        "conda_list": args.conda_list,
    }
    given = {k: v for k, v in sources.items() if v}
    if getattr(args, "python", None):  # pip's --python: the environment of that interpreter
        from ..environment.prefix import prefix_of_interpreter

        given = {"prefix": str(prefix_of_interpreter(args.python))}
    if not given:
        prefix = os.environ.get("CONDA_PREFIX")
        if not prefix:
            raise _UsageError(
                "no environment given: use --prefix, --env-file, --lock, --explicit, "
                "--conda-list or --demo (or activate a conda environment)"
            )
        given = {"prefix": prefix}
    return load_environment(**given, **target)


def _described(args: argparse.Namespace) -> Environment:
    """The environment with the Python distributions its source implies (a file source's conda
    packages read from their channels, else PyPI, else unknown)."""
    from ..api import describe

    return describe(
        _load(args),
        offline=bool(getattr(args, "offline", False)),
        cache_dir=getattr(args, "cache_dir", None),
    )


def _after_dashes(values: Sequence[str] | None) -> list[str]:
    rest = list(values or ())
    return rest[1:] if rest[:1] == ["--"] else rest


def _pip_args(args: argparse.Namespace) -> list[str]:
    """The pip arguments after ``--``; for ``--demo``, the demo request and its offline index
    where the user gave none."""
    rest = _after_dashes(args.pip_args)
    if args.demo:
        from ..demo import DEMO_REQUIREMENTS, demo_index

        if not rest:
            rest = list(DEMO_REQUIREMENTS)
        if not any(a.startswith(("--index-url", "-i", "--find-links", "-f")) for a in rest):
            rest += ["--index-url", (demo_index() / "simple").as_uri()]
    return rest


def _run_check(args: argparse.Namespace, env: Environment, pip_args: list[str]) -> Report:
    from ..api import check
    from ..progress import NO_PROGRESS
    from ..terminal import progress_on

    # progress on stderr (a terminal only), so that stdout stays a clean report (or JSON)
    with progress_on(sys.stderr) as progress:
        report = check(
            env,
            pip_args,
            offline=args.offline or args.demo,
            cache_dir=args.cache_dir,
            channels=tuple(getattr(args, "channel", ())),
            progress=progress or NO_PROGRESS,
            # every format but SARIF shows the remedies: their resolution starts beside the plan's
            remedies_ahead=getattr(args, "format", None) != "sarif",
        )
        if progress is not None and report.plan is not None:
            progress.stage("trying the remedies")
            report.remedies  # noqa: B018 -- computed while the display shows why we wait
    return report


def _debug_cache(args: argparse.Namespace, report: Report) -> None:
    """With --debug: what the cache dropped (entries that failed verification)."""
    if getattr(args, "debug", False):
        print(f"mixguard: debug: {report.cache_dropped} cache entries dropped", file=sys.stderr)


def _emit_report(report: Report, fmt: str | None) -> None:
    """``fmt`` None: drawn for the terminal when stdout is one, else the plain text."""
    if fmt is None:
        fmt = "terminal" if sys.stdout.isatty() else "text"
    if fmt == "json":
        print(report.to_json())
    elif fmt == "sarif":
        print(json.dumps(report.to_sarif(), indent=2))
    elif fmt == "terminal":
        from ..terminal import console, render

        render(report, console(sys.stdout))
    else:
        print(report.to_text(), end="")


def _exit_for(report: Report, fail_on: str) -> int:
    """1 for findings at or above ``fail_on``; else 4 when the answer rests on facts that could
    not be had (unknown never passes); 3 for a conflict pip would report (4 if it rests on
    pages not read)."""
    if fail_on == "never":
        return EXIT_OK if report.conflict is None else EXIT_CONFLICT
    if report.conflict is not None:
        return EXIT_UNKNOWN if report.unproven else EXIT_CONFLICT
    if report.failing_findings(fail_on):
        return EXIT_FINDINGS
    return EXIT_UNKNOWN if report.unproven else EXIT_OK


def _plan_for(args: argparse.Namespace, env: Environment) -> tuple[Environment, InstallPlan | None]:
    """The environment and, with PIP_ARGS, pip's plan (resolved only: no findings)."""
    from ..api import plan_install
    from ..resolve.resolver import ResolutionImpossibleError, ResolutionTooDeepError

    if not _after_dashes(args.pip_args):
        return env, None
    try:
        return plan_install(
            env, _pip_args(args), offline=args.offline or args.demo, cache_dir=args.cache_dir
        )
    except (ResolutionImpossibleError, ResolutionTooDeepError) as exc:
        raise _Conflict(str(exc)) from None
