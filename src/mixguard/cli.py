"""The ``mixguard`` command line.

argparse (stdlib): nothing to install, fast start-up, and ``--`` pass-through of pip's own
arguments works as users expect. Heavy modules are imported inside the commands.

Exit codes: 0 success; 2 usage or input error (one line on stderr; ``--debug`` shows the
traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .environment import Environment

__all__ = ["build_parser", "main"]

EXIT_OK = 0
EXIT_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mixguard",
        description="Predict what `pip install` does to a conda environment, and what it breaks.",
    )
    parser.add_argument("--version", action="version", version=f"mixguard {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    inspect = sub.add_parser(
        "inspect",
        help="read an environment and show it as conda and pip see it",
        description="Read a conda environment (prefix, environment.yml, lock file, @EXPLICIT "
        "file or saved `conda list`) and show its target, its Python distributions and which "
        "conda record owns each, and problems already present. Never writes to the environment.",
    )
    src = inspect.add_mutually_exclusive_group()
    src.add_argument("--demo", action="store_true", help="the embedded TF 2.9 / CUDA 11.2 prefix")
    src.add_argument("--prefix", metavar="P", help="a conda prefix (default: $CONDA_PREFIX)")
    src.add_argument("--env-file", metavar="F", help="an environment.yml")
    src.add_argument("--lock", metavar="L", help="a conda-lock.yml or pixi.lock")
    src.add_argument("--explicit", metavar="E", help="a `conda list --explicit` file")
    src.add_argument("--conda-list", metavar="C", help="saved `conda list` output")
    inspect.add_argument("--platform", metavar="SUBDIR", help="target subdir, e.g. linux-64")
    inspect.add_argument("--cuda", metavar="VERSION", help="__cuda virtual package ('' for none)")
    inspect.add_argument("--glibc", metavar="VERSION", help="__glibc virtual package")
    inspect.add_argument("--format", choices=("text", "json"), default="text")
    inspect.add_argument("--debug", action="store_true", help="show tracebacks")
    return parser


def _load(args: argparse.Namespace) -> Environment:
    import os

    from .environment import load_environment

    overrides: dict[str, str | None] = {}
    if args.demo:
        from .demo import DEMO_VIRTUAL_PACKAGES, demo_prefix

        overrides.update(DEMO_VIRTUAL_PACKAGES)
    if args.cuda is not None:
        overrides["cuda"] = args.cuda
    if args.glibc is not None:
        overrides["glibc"] = args.glibc
    if args.demo:
        return load_environment(
            prefix=demo_prefix(), virtual_packages=overrides, platform=args.platform
        )
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
    return load_environment(**given, platform=args.platform, virtual_packages=overrides or None)


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
            d["conda_record"] or "none: pip-installed (pypi_0)",
        )
        for d in data["distributions"]
    ]
    w1 = max([len("distribution"), *(len(r[0]) for r in rows)])
    w2 = max([len("installer"), *(len(r[1]) for r in rows)])
    lines.append(f"  {'distribution'.ljust(w1)}  {'installer'.ljust(w2)}  conda record")
    lines += [f"  {a.ljust(w1)}  {b.ljust(w2)}  {c}" for a, b, c in rows]
    lines.append("")
    if data["problems"]:
        lines.append(f"Problems already present ({len(data['problems'])})")
        lines += [f"  {p['kind']}: {p['message']}" for p in data["problems"]]
    else:
        lines.append("Problems already present: none")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_INPUT
    from .errors import MixguardError

    try:
        env = _load(args)
        if args.format == "json":
            print(json.dumps(_summary(env), indent=2))
        else:
            print(_text(env))
    except (MixguardError, _UsageError) as exc:
        if args.debug:
            raise
        print(f"mixguard: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:
        # output piped into `head`: stop quietly, as other Unix tools do
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_OK
