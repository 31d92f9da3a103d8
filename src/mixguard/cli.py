"""The ``mixguard`` command line.

argparse (stdlib) rather than click/typer: nothing to install, ~20 ms start-up, and ``--``
hands the rest of the line to pip's own option parser untouched, which is the point of
``mixguard check -- <pip install arguments>``. Heavy modules are imported inside the commands.

Exit codes (``docs/cli.md``):

0. the check passes (no finding at or above ``--fail-on``, nothing unknown); other commands
   succeeded;
1. findings at or above ``--fail-on`` (``snapshot``: metadata unknown or a requirement unmet);
2. usage or input error: one line on stderr, ``--debug`` shows the traceback;
3. pip could not resolve the request (``ResolutionImpossible``);
4. the facts could not be had (metadata, an index page or a RECORD unread: offline cache miss,
   unreachable index; configuration the check cannot honour): unknown never passes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ._secrets import RedactingStream, redact_text
from ._version import __version__

if TYPE_CHECKING:
    from .environment import Environment
    from .report import Report
    from .resolve.plan import InstallPlan

__all__ = ["build_parser", "main"]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 2
EXIT_CONFLICT = 3
EXIT_UNKNOWN = 4


def _env_options(p: argparse.ArgumentParser, *, demo_help: str) -> None:
    src = p.add_mutually_exclusive_group()
    src.add_argument("--demo", action="store_true", help=demo_help)
    src.add_argument("--prefix", metavar="P", help="a conda prefix (default: $CONDA_PREFIX)")
    src.add_argument("--env-file", metavar="F", help="an environment.yml")
    src.add_argument("--lock", metavar="L", help="a conda-lock.yml or pixi.lock")
    src.add_argument("--explicit", metavar="E", help="a `conda list --explicit` file")
    src.add_argument("--conda-list", metavar="C", help="saved `conda list` output")
    p.add_argument("--platform", metavar="SUBDIR", help="target subdir, e.g. linux-64")
    p.add_argument(
        "--cuda",
        metavar="VERSION",
        help="__cuda virtual package ('' for none); default: this machine's NVIDIA driver for a "
        "prefix on it, else unknown",
    )
    p.add_argument(
        "--glibc",
        metavar="VERSION",
        help="__glibc virtual package; default: this machine's glibc for a prefix on it, else "
        "conda's default 2.17 (shown as assumed)",
    )
    p.add_argument("--debug", action="store_true", help="show tracebacks")


def _reading_options(p: argparse.ArgumentParser) -> None:
    """A file source's conda packages are read from their channels (and PyPI)."""
    p.add_argument(
        "--offline",
        action="store_true",
        help="do not read conda packages or PyPI: use the cache (what is missing is unknown)",
    )
    p.add_argument(
        "--cache-dir", metavar="DIR", help="default: $MIXGUARD_CACHE_DIR or the user cache"
    )


def _check_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--channel",
        action="append",
        default=[],
        metavar="C",
        help="a conda channel (directory or file:// URL) for the conda-first remedy",
    )
    p.add_argument(
        "--fail-on",
        choices=("error", "warning", "never"),
        default="error",
        help="exit 1 when a finding is at least this severe (default: error)",
    )
    p.add_argument("--offline", action="store_true", help="use only the cache and file:// indexes")
    p.add_argument(
        "--cache-dir", metavar="DIR", help="default: $MIXGUARD_CACHE_DIR or the user cache"
    )
    p.add_argument(
        "pip_args",
        nargs=argparse.REMAINDER,
        metavar="-- PIP_ARGS",
        help="exactly what you would give `pip install` (after `--`)",
    )


_DEMO = "the embedded TF 2.9 / CUDA 11.2 prefix and its offline index"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mixguard",
        description="Predict what `pip install` does to a conda environment, and what it breaks.",
        epilog="exit codes: 0 pass, 1 findings at or above --fail-on, 2 usage or input error, "
        "3 pip cannot resolve the request, 4 facts could not be had (unknown never passes)",
    )
    parser.add_argument("--version", action="version", version=f"mixguard {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser(
        "check",
        help="what `pip install ...` would do to a conda env, and what it breaks",
        description="Resolve `pip install PIP_ARGS` exactly as pip would against the "
        "environment, then report the changes (marking every conda-owned distribution pip "
        "touches) and the findings: conda constraints violated, CUDA runtime clashes, "
        "import-module collisions, uninstall failures, conda-meta records left stale. "
        "Never installs and never writes to the environment.",
    )
    _env_options(check, demo_help=_DEMO + " (default request: sentence-transformers)")
    check.add_argument("--format", choices=("text", "json"), default="text")
    _check_options(check)

    audit = sub.add_parser(
        "audit",
        help="what mixing pip and conda has already broken in an env",
        description="Findings for the environment as it is: conda constraints pip already "
        "violated, clashes, shadowed files. No request, no index.",
    )
    _env_options(audit, demo_help=_DEMO)
    audit.add_argument("--format", choices=("text", "json"), default="text")
    audit.add_argument("--fail-on", choices=("error", "warning", "never"), default="error")

    graph = sub.add_parser(
        "graph",
        help="the combined conda + pip dependency graph (after a request, if given)",
        description="Write the graph of conda records, Python distributions and their "
        "requirements; with PIP_ARGS, the graph after pip's plan. --why A B prints the chains "
        "from A to B instead.",
    )
    _env_options(graph, demo_help=_DEMO)
    graph.add_argument("--format", choices=("json", "graphml", "dot"), default="json")
    graph.add_argument("--why", nargs=2, metavar=("A", "B"), help="paths from A to B")
    graph.add_argument("--offline", action="store_true")
    graph.add_argument("--cache-dir", metavar="DIR")
    graph.add_argument("pip_args", nargs=argparse.REMAINDER, metavar="-- PIP_ARGS")

    inspect = sub.add_parser(
        "inspect",
        help="read an environment and show it as conda and pip see it",
        description="Read a conda environment (prefix, environment.yml, lock file, @EXPLICIT "
        "file or saved `conda list`) and show its target, its Python distributions and which "
        "conda record owns each, and problems already present. Never writes to the environment.",
    )
    _env_options(inspect, demo_help=_DEMO)
    inspect.add_argument("--format", choices=("text", "json"), default="text")
    _reading_options(inspect)

    export = sub.add_parser(
        "export-env",
        help="environment.yml of the env (conda pins + a pip: section)",
        description="Write an environment.yml: conda records pinned, and a `pip:` section with "
        "what pip installed (with PIP_ARGS: what pip would have after the request).",
    )
    _env_options(export, demo_help=_DEMO)
    export.add_argument("--no-builds", action="store_true", help="pin versions without builds")
    export.add_argument("--offline", action="store_true")
    export.add_argument("--cache-dir", metavar="DIR")
    export.add_argument("pip_args", nargs=argparse.REMAINDER, metavar="-- PIP_ARGS")

    cons = sub.add_parser(
        "constraints",
        help="constraints.txt that keeps pip inside conda's pins",
        description="Write a pip constraints file from the conda pins: every Python "
        "distribution conda owns held at its installed version (`pip install -c FILE ...`).",
    )
    _env_options(cons, demo_help=_DEMO)
    _reading_options(cons)

    pip = sub.add_parser(
        "pip",
        help="`mixguard pip install ...`: check first, then run the env's real pip",
        description="Run the check; when its findings pass --fail-on (or with --yes), run the "
        "target environment's own `python -m pip install` with the same arguments. Alias it: "
        "`alias pip='mixguard pip'`.",
    )
    _env_options(pip, demo_help=_DEMO)
    pip.add_argument("--yes", "-y", action="store_true", help="install even if the check fails")
    _check_options(pip)

    snap = sub.add_parser(
        "snapshot",
        help="record what resolving some requirements needs into an offline index tree",
        description="Walk the requirements' dependency closure for a target and write a standard "
        "static index (simple/<name>/index.html and index.json, PEP 658 .metadata files) that "
        "`pip install --index-url file://OUT/simple --dry-run` and `mixguard --offline` resolve "
        "from, with no wheels present.",
    )
    snap.add_argument("requirements", nargs="+", metavar="REQUIREMENT")
    snap.add_argument(
        "-o", "--output", required=True, metavar="DIR", help="where to write the tree"
    )
    tgt = snap.add_mutually_exclusive_group()
    tgt.add_argument("--prefix", metavar="P", help="take the target from this conda prefix")
    tgt.add_argument("--demo", action="store_true", help="target the embedded demo prefix")
    tgt.add_argument("--python", metavar="X.Y.Z", help="target python version (with --platform)")
    snap.add_argument(
        "--platform", metavar="SUBDIR", default=None, help="target subdir (default linux-64)"
    )
    snap.add_argument("--glibc", metavar="VERSION", help="__glibc of the target (manylinux tags)")
    snap.add_argument(
        "--exclude-newer", metavar="DATE", help="ignore files uploaded after DATE (ISO 8601)"
    )
    snap.add_argument(
        "--max-versions",
        type=int,
        default=1,
        metavar="N",
        help="versions kept per distinct specifier met (default 1, the newest)",
    )
    snap.add_argument("--index-url", default=None, metavar="URL")
    snap.add_argument("--extra-index-url", action="append", default=[], metavar="URL")
    snap.add_argument("--find-links", "-f", action="append", default=[], metavar="PATH_OR_URL")
    snap.add_argument(
        "--cache-dir", metavar="DIR", help="default: $MIXGUARD_CACHE_DIR or the user cache"
    )
    snap.add_argument(
        "--offline", action="store_true", help="use only the cache and file:// sources"
    )
    snap.add_argument("--debug", action="store_true", help="show tracebacks")
    return parser


def _snapshot(args: argparse.Namespace) -> int:
    from .index.cache import Cache
    from .index.client import PYPI, IndexClient, IndexConfig
    from .index.snapshot import build_snapshot, parse_cutoff

    overrides: dict[str, str | None] = {}
    if args.glibc:
        overrides["glibc"] = args.glibc
    if args.prefix or args.demo:
        from .api import load_environment

        target = load_environment(
            prefix=None if args.demo else args.prefix,
            demo=args.demo,
            platform=args.platform,
            virtual_packages=overrides,
        ).target
    else:
        if not args.python:
            raise _UsageError(
                "give the target: --prefix, --demo, or --python X.Y.Z [--platform SUBDIR]"
            )
        from .conda.virtual import virtual_packages
        from .environment.target import Target

        subdir = args.platform or "linux-64"
        target = Target(subdir, args.python, virtual_packages=virtual_packages(subdir, overrides))
    config = IndexConfig(
        index_url=args.index_url or PYPI,
        extra_index_urls=tuple(args.extra_index_url),
        find_links=tuple(args.find_links),
    )
    client = IndexClient(config, cache=Cache(args.cache_dir), offline=args.offline)
    cutoff = parse_cutoff(args.exclude_newer) if args.exclude_newer else None
    manifest = build_snapshot(
        client,
        args.requirements,
        target,
        args.output,
        exclude_newer=cutoff,
        max_versions=args.max_versions,
    )
    print(
        f"snapshot: {manifest.files} files of {len(manifest.projects)} projects for "
        f"{target.subdir}, python {target.python_version} -> {args.output}"
    )
    for line in manifest.unknown:
        print(f"  unknown metadata: {line}")
    for line in manifest.skipped:
        print(f"  unsatisfied: {line}")
    return EXIT_OK if not manifest.unknown and not manifest.skipped else EXIT_FINDINGS


def _load(args: argparse.Namespace) -> Environment:
    import os

    from .api import load_environment

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
    if not given:
        prefix = os.environ.get("CONDA_PREFIX")
        if not prefix:
            raise _UsageError(
                "no environment given: use --prefix, --env-file, --lock, --explicit, "
                "--conda-list or --demo (or activate a conda environment)"
            )
        given = {"prefix": prefix}
    return load_environment(**given, **target)


def _after_dashes(values: Sequence[str] | None) -> list[str]:
    rest = list(values or ())
    return rest[1:] if rest[:1] == ["--"] else rest


def _pip_args(args: argparse.Namespace) -> list[str]:
    """The pip arguments after ``--``; for ``--demo``, the demo request and its offline index
    where the user gave none."""
    rest = _after_dashes(args.pip_args)
    if args.demo:
        from .demo import DEMO_REQUIREMENTS, demo_index

        if not rest:
            rest = list(DEMO_REQUIREMENTS)
        if not any(a.startswith(("--index-url", "-i", "--find-links", "-f")) for a in rest):
            rest += ["--index-url", (demo_index() / "simple").as_uri()]
    return rest


def _run_check(args: argparse.Namespace, env: Environment, pip_args: list[str]) -> Report:
    from .api import check

    if sys.stderr.isatty():
        # progress on stderr, so that stdout stays a clean report (or JSON)
        line = redact_text(" ".join(pip_args))
        print(f"mixguard: resolving `pip install {line}` ...", file=sys.stderr)
    return check(
        env,
        pip_args,
        offline=args.offline or args.demo,
        cache_dir=args.cache_dir,
        channels=tuple(getattr(args, "channel", ())),
    )


def _debug_cache(args: argparse.Namespace, report: Report) -> None:
    """With --debug: what the cache dropped (entries that failed verification)."""
    if getattr(args, "debug", False):
        print(f"mixguard: debug: {report.cache_dropped} cache entries dropped", file=sys.stderr)


def _emit_report(report: Report, fmt: str) -> None:
    if fmt == "json":
        print(report.to_json())
    else:
        print(report.to_text(colour=_colour()), end="")


def _colour() -> bool:
    import os

    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


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


def _check(args: argparse.Namespace) -> int:
    env = _load(args)
    report = _run_check(args, env, _pip_args(args))
    _emit_report(report, args.format)
    _debug_cache(args, report)
    return _exit_for(report, args.fail_on)


def _audit(args: argparse.Namespace) -> int:
    from .api import audit

    report = audit(_load(args))
    _emit_report(report, args.format)
    return _exit_for(report, args.fail_on)


def _plan_for(args: argparse.Namespace, env: Environment) -> InstallPlan | None:
    if not _after_dashes(args.pip_args):
        return None
    report = _run_check(args, env, _pip_args(args))
    if report.conflict is not None:
        raise _Conflict(report.conflict)
    return report.plan


def _graph(args: argparse.Namespace) -> int:
    from .graph import build_graph

    env = _load(args)
    graph = build_graph(env, _plan_for(args, env))
    if args.why:
        a, b = args.why
        paths = graph.why(a, b)
        if not paths:
            print(f"no path from {a} to {b}")
            return EXIT_FINDINGS
        for path in paths:
            print(" -> ".join(path))
        return EXIT_OK
    text = {"json": graph.to_json_text, "graphml": graph.to_graphml, "dot": graph.to_dot}[
        args.format
    ]()
    print(text, end="" if text.endswith("\n") else "\n")
    return EXIT_OK


def _export_env(args: argparse.Namespace) -> int:
    from .remedies import environment_yml

    env = _load(args)
    print(environment_yml(env, _plan_for(args, env), builds=not args.no_builds), end="")
    return EXIT_OK


def _constraints(args: argparse.Namespace) -> int:
    from .remedies import constraints_txt

    print(constraints_txt(_described(args)), end="")
    return EXIT_OK


def _pip(args: argparse.Namespace) -> int:
    import subprocess

    rest = _after_dashes(args.pip_args)
    if rest[:1] != ["install"]:
        raise _UsageError("only `mixguard pip install ...` is supported")
    args.pip_args = rest[1:]
    env = _load(args)
    report = _run_check(args, env, _pip_args(args))
    print(report.to_text(colour=_colour()), end="")
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


class _Conflict(Exception):
    pass


class _UsageError(Exception):
    pass


def _summary(env: Environment) -> dict[str, Any]:
    t = env.target
    return {
        "source": env.source,
        "kind": env.kind,
        "name": env.name,
        "target": {
            "subdir": t.subdir,
            "python": t.python_version,
            "implementation": t.implementation,
            "free_threaded": t.free_threaded,
            "python_from": t.python_from,
            "virtual_packages": [str(v) for v in t.virtual_packages],
            "markers": t.markers(),
        },
        "channels": list(env.channels),
        "conda_records": len(env.records),
        "distributions": [
            {
                "name": d.name,
                "version": d.version,
                "kind": d.kind,
                "installer": d.installer,
                "has_record": d.has_record,
                "conda_record": (
                    f"{r.name} {r.version} {r.build}" if (r := env.owner(d)) is not None else None
                ),
                "path": d.path or None,
                "metadata_from": d.metadata_origin,
                "metadata_note": d.origin_note or None,
            }
            for d in env.distributions
        ],
        "problems": [
            {"kind": p.kind, "subject": p.subject, "message": p.message, "where": p.where}
            for p in env.problems
        ],
    }


def _text(env: Environment) -> str:
    data = _summary(env)
    t = data["target"]
    lines = [
        f"environment  {env.source} ({env.kind}: {data['conda_records']} conda records, "
        f"{len(env.distributions)} Python distributions)",
        f"target       {t['subdir'] or 'unknown platform'}, python {t['python'] or 'unknown'} "
        f"({t['implementation']}{', free-threaded' if t['free_threaded'] else ''})"
        + (f", from {t['python_from']}" if t["python_from"] else ""),
        f"virtual      {' '.join(t['virtual_packages']) or 'none'}",
        "",
        "Python distributions (what pip sees)",
    ]
    rows = [
        (
            f"{d['name']} {d['version']}",
            d["installer"] or "-",
            d["metadata_from"],
            d["conda_record"] or "none: pip-installed (pypi_0)",
        )
        for d in data["distributions"]
    ]
    w1 = max([len("distribution"), *(len(r[0]) for r in rows)])
    w2 = max([len("installer"), *(len(r[1]) for r in rows)])
    w3 = max([len("requirements from"), *(len(r[2]) for r in rows)])
    lines.append(
        f"  {'distribution'.ljust(w1)}  {'installer'.ljust(w2)}  "
        f"{'requirements from'.ljust(w3)}  conda record"
    )
    lines += [f"  {a.ljust(w1)}  {b.ljust(w2)}  {c.ljust(w3)}  {e}" for a, b, c, e in rows]
    solved = data.get("solved") or []
    if solved:
        lines.append(f"Solved, not read ({len(solved)} records: conda's solver picked them)")
    lines.append("")
    if data["problems"]:
        lines.append(f"Problems already present ({len(data['problems'])})")
        lines += [f"  {p['kind']}: {p['message']}" for p in data["problems"]]
    else:
        lines.append("Problems already present: none")
    return "\n".join(lines)


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": _check,
    "audit": _audit,
    "graph": _graph,
    "export-env": _export_env,
    "constraints": _constraints,
    "pip": _pip,
    "snapshot": _snapshot,
}


def _described(args: argparse.Namespace) -> Environment:
    """The environment with the Python distributions its source implies (a file source's conda
    packages read from their channels, else PyPI, else unknown)."""
    from .api import describe

    return describe(
        _load(args),
        offline=bool(getattr(args, "offline", False)),
        cache_dir=getattr(args, "cache_dir", None),
    )


def _inspect(args: argparse.Namespace) -> int:
    env = _described(args)
    if args.format == "json":
        print(json.dumps(_summary(env), indent=2))
    else:
        print(_text(env))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """The CLI; everything it prints goes through the one redaction point (no credential in
    any output, however it got into a message)."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = RedactingStream(out), RedactingStream(err)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = out, err


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_INPUT
    from .errors import MixguardError

    try:
        return _COMMANDS.get(args.command, _inspect)(args)
    except _Conflict as exc:
        print(
            f"mixguard: pip cannot resolve the request:\n{redact_text(str(exc))}", file=sys.stderr
        )
        return EXIT_CONFLICT
    except (MixguardError, _UsageError) as exc:
        if args.debug:
            raise
        message = redact_text(" ".join(str(exc).split("\n")))
        print(f"mixguard: error: {message}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:
        # output piped into `head`: stop quietly, as other Unix tools do
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
