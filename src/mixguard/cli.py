"""The ``mixguard`` command line.

argparse (stdlib): nothing to install, fast start-up, and ``--`` pass-through of pip's own
arguments works as users expect. Heavy modules are imported inside the commands.

Exit codes: 0 success; 1 something could not be determined (``snapshot``: metadata unknown or
a requirement unsatisfied); 2 usage or input error (one line on stderr; ``--debug`` shows the
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
EXIT_FINDINGS = 1
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
        from .environment import read_prefix

        if args.demo:
            from .demo import DEMO_VIRTUAL_PACKAGES, demo_prefix

            prefix, overrides = demo_prefix(), {**DEMO_VIRTUAL_PACKAGES, **overrides}
        else:
            prefix = args.prefix
        target = read_prefix(prefix, overrides=overrides, subdir=args.platform).target
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
        if args.command == "snapshot":
            return _snapshot(args)
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
