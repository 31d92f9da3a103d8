"""The argument parser: every command, its options and their help."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from typing import NoReturn

from .._version import __version__


class _Parser(argparse.ArgumentParser):
    """argparse with pip's habit for usage errors: one line, then exit 2 (not the usage)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


_VERSION = re.compile(r"\d+(\.\d+)*")


def _version_of(name: str, *, empty_ok: bool = False) -> Callable[[str], str]:
    """An argparse type: a dotted version for a virtual package (``''`` where it means none)."""

    def parse(text: str) -> str:
        if (text == "" and empty_ok) or _VERSION.fullmatch(text.strip()):
            return text.strip()
        raise argparse.ArgumentTypeError(f"{text!r} is not a version for {name}")

    return parse


def _subdir(text: str) -> str:
    from ..conda.channel import KNOWN_SUBDIRS

    if text not in KNOWN_SUBDIRS:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a conda subdir (one of: {', '.join(sorted(KNOWN_SUBDIRS))})"
        )
    return text


def _env_options(p: argparse.ArgumentParser, *, demo_help: str) -> None:
    src = p.add_mutually_exclusive_group()
    src.add_argument("--demo", action="store_true", help=demo_help)
    src.add_argument("--prefix", metavar="P", help="a conda prefix (default: $CONDA_PREFIX)")
    src.add_argument(
        "--python",
        metavar="PYTHON",
        help="the environment of this interpreter (as pip's --python: P/bin/python or P)",
    )
    src.add_argument("--env-file", metavar="F", help="an environment.yml")
    src.add_argument("--lock", metavar="L", help="a conda-lock.yml or pixi.lock")
    src.add_argument("--explicit", metavar="E", help="a `conda list --explicit` file")
    src.add_argument("--conda-list", metavar="C", help="saved `conda list` output")
    p.add_argument(
        "--platform", metavar="SUBDIR", type=_subdir, help="target subdir, e.g. linux-64"
    )
    p.add_argument(
        "--cuda",
        metavar="VERSION",
        type=_version_of("__cuda", empty_ok=True),
        help="__cuda virtual package ('' for none); default: this machine's NVIDIA driver for a "
        "prefix on it, else unknown",
    )
    p.add_argument(
        "--glibc",
        metavar="VERSION",
        type=_version_of("__glibc"),
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


def _check_options(p: argparse.ArgumentParser, *, pip_args: bool = True) -> None:
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
    if pip_args:
        p.add_argument(
            "pip_args",
            nargs=argparse.REMAINDER,
            metavar="-- PIP_ARGS",
            help="exactly what you would give `pip install` (after `--`)",
        )


def _format_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--format",
        choices=("terminal", "text", "json", "sarif"),
        default=None,
        help="terminal: drawn for a person (colour off when not a terminal, under NO_COLOR or "
        "CI); text: plain and stable, for scripts; json: docs/report-schema.json; sarif: SARIF "
        "2.1.0 for code scanning (default: terminal on a terminal, else text)",
    )


_DEMO = "the embedded TF 2.9 / CUDA 11.2 prefix and its offline index"


def subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    """The parser of the command ``name``."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found: argparse.ArgumentParser = action.choices[name]
            return found
    raise KeyError(name)


def hook_parser() -> argparse.ArgumentParser:
    """The options of ``mixguard hook KIND``, parsed intermixed with the file names."""
    p = _Parser(prog="mixguard hook KIND")
    p.add_argument("files", nargs="*", metavar="FILE")
    _env_options(p, demo_help=_DEMO)
    p.add_argument("--fail-on", choices=("error", "warning", "never"), default="error")
    _reading_options(p)
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
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
    _format_option(check)
    _check_options(check)

    audit = sub.add_parser(
        "audit",
        help="what mixing pip and conda has already broken in an env",
        description="Findings for the environment as it is: conda constraints pip already "
        "violated, clashes, shadowed files. No request, no index.",
    )
    _env_options(audit, demo_help=_DEMO)
    _format_option(audit)
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
    _reading_options(graph)
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
    _reading_options(export)
    export.add_argument("pip_args", nargs=argparse.REMAINDER, metavar="-- PIP_ARGS")

    cons = sub.add_parser(
        "constraints",
        help="constraints.txt that keeps pip inside conda's pins",
        description="Write a pip constraints file from the conda pins: every Python "
        "distribution conda owns held at its installed version (`pip install -c FILE ...`).",
    )
    _env_options(cons, demo_help=_DEMO)
    _reading_options(cons)

    hook = sub.add_parser(
        "hook",
        help="what the pre-commit hooks run (requirements files, environment.yml, lock files)",
        description="Check changed files as pre-commit passes them: requirements files as "
        "`pip install -r FILE` into the given environment, an environment.yml's pip: section "
        "against its conda side, a lock file as it is. Exit code: the worst file's.",
    )
    hook.add_argument("kind", choices=("requirements", "environment", "lock"))
    # pre-commit appends the file names after the hook's args: options and files intermix
    hook.add_argument("rest", nargs=argparse.REMAINDER, metavar="[OPTIONS] FILE...")

    pip = sub.add_parser(
        "pip",
        usage="mixguard pip [MIXGUARD OPTIONS] COMMAND [PIP ARGS]",
        help="`pip` that checks `pip install` first; every other pip command passes through",
        description="`install`: run the check; when its findings pass --fail-on (or with "
        "--yes), the environment's own `python -m pip` runs the very same command line. Every "
        "other pip command (`list`, `uninstall`, `install --help`, ...) goes to that pip "
        "untouched. mixguard's options come before pip's command; from it on, the line is "
        "pip's. pip's own `install --prefix P` names the environment checked when mixguard is "
        "given none. Alias it: `alias pip='mixguard pip'`, or `mixguard guard on`.",
    )
    _env_options(pip, demo_help=_DEMO)
    pip.add_argument("--yes", "-y", action="store_true", help="install even if the check fails")
    _check_options(pip, pip_args=False)

    guard = sub.add_parser(
        "guard",
        help="make `pip install` in one conda environment go through the check (reversible)",
        description="on: write a conda activation hook into the prefix (etc/conda/activate.d "
        "and deactivate.d, nothing else) that makes `pip` in the activated environment "
        "`mixguard pip`; off: remove exactly what `on` wrote; status: say whether it is on.",
    )
    guard.add_argument("action", choices=("on", "off", "status"))
    guard.add_argument("--prefix", metavar="P", help="the conda prefix (default: $CONDA_PREFIX)")

    snap = sub.add_parser(
        "snapshot",
        help="record what resolving some requirements needs into an offline index tree",
        description="Walk the requirements' dependency closure for a target and write a standard "
        "static index (simple/<name>/index.html and index.json, PEP 658 .metadata files) that "
        "`pip install --index-url file://OUT/simple --dry-run` and `mixguard --offline` resolve "
        "from, with no wheels present. The target: an environment (as every command takes one) "
        "or --python-version X.Y.Z [--platform SUBDIR].",
    )
    _env_options(snap, demo_help="target the embedded demo prefix")
    snap.add_argument(
        "--python-version",
        metavar="X.Y.Z",
        help="target python version, no environment (as pip's --python-version)",
    )
    snap.add_argument(
        "-o", "--output", required=True, metavar="DIR", help="where to write the tree"
    )
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
    snap.add_argument(
        "requirements",
        nargs="+",
        metavar="-- REQUIREMENT",
        help="requirements to snapshot (after `--`, as every command takes pip's arguments)",
    )
    return parser
