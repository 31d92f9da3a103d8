"""The commands: check, audit, graph, export-env, constraints, inspect, snapshot."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..environment import Environment

from ._shared import (
    EXIT_FINDINGS,
    EXIT_OK,
    _debug_cache,
    _described,
    _emit_report,
    _exit_for,
    _load,
    _pip_args,
    _plan_for,
    _run_check,
    _UsageError,
)


def _snapshot(args: argparse.Namespace) -> int:
    from ..index.cache import Cache
    from ..index.client import PYPI, IndexClient, IndexConfig
    from ..index.snapshot import build_snapshot, parse_cutoff

    sources = ("demo", "prefix", "python", "env_file", "lock", "explicit", "conda_list")
    if any(getattr(args, k) for k in sources):
        if args.python_version:
            raise _UsageError("give the target once: an environment or --python-version")
        target = _load(args).target
    else:
        if not args.python_version:
            raise _UsageError(
                "give the target: an environment (--prefix, --demo, ...), or --python-version "
                "X.Y.Z [--platform SUBDIR]"
            )
        from ..conda.virtual import virtual_packages
        from ..environment.target import Target

        overrides: dict[str, str | None] = {"glibc": args.glibc} if args.glibc else {}
        if args.cuda is not None:
            overrides["cuda"] = args.cuda
        subdir = args.platform or "linux-64"
        target = Target(
            subdir, args.python_version, virtual_packages=virtual_packages(subdir, overrides)
        )
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


def _check(args: argparse.Namespace) -> int:
    env = _load(args)
    report = _run_check(args, env, _pip_args(args))
    _emit_report(report, args.format)
    _debug_cache(args, report)
    return _exit_for(report, args.fail_on)


def _audit(args: argparse.Namespace) -> int:
    from ..api import audit

    report = audit(_load(args))
    _emit_report(report, args.format)
    return _exit_for(report, args.fail_on)


def _graph(args: argparse.Namespace) -> int:
    from ..graph import build_graph

    env, plan = _plan_for(args, _load(args))
    graph = build_graph(env, plan)
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
    from ..remedies import environment_yml

    env, plan = _plan_for(args, _load(args))
    print(environment_yml(env, plan, builds=not args.no_builds), end="")
    return EXIT_OK


def _constraints(args: argparse.Namespace) -> int:
    from ..remedies import constraints_txt

    print(constraints_txt(_described(args)), end="")
    return EXIT_OK


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


def _inspect(args: argparse.Namespace) -> int:
    env = _described(args)
    if args.format == "json":
        print(json.dumps(_summary(env), indent=2))
    else:
        print(_text(env))
    return EXIT_OK


def _guard(args: argparse.Namespace) -> int:
    import os

    from ..guard import guard_off, guard_on, guard_status

    prefix = args.prefix or os.environ.get("CONDA_PREFIX")
    if not prefix:
        raise _UsageError("no environment given: use --prefix (or activate a conda environment)")
    if args.action == "on":
        state = guard_on(prefix)
        print(f"mixguard: guard on in {state.prefix}: wrote {state.describe()}")
        print("  `pip install ...` in this environment now runs the check first, from the next")
        print("  `conda activate`; `mixguard guard off` removes exactly these files")
    elif args.action == "off":
        state = guard_off(prefix)
        print(f"mixguard: guard off in {state.prefix}: removed {state.describe()}")
        if state.files:
            print(
                "  a shell where it is active keeps it until `conda deactivate` (or `unset -f pip`)"
            )
    else:
        state = guard_status(prefix)
        if state.on:
            print(f"mixguard: guard on in {state.prefix} ({state.describe()})")
        else:
            print(f"mixguard: guard off in {state.prefix}")
    return EXIT_OK


def _pip(args: argparse.Namespace) -> int:
    from .pip_runner import _pip as run  # subprocess, shutil: only for `mixguard pip`

    return run(args)


def _hook(args: argparse.Namespace) -> int:
    from .hook import hook

    return hook(args)


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": _check,
    "audit": _audit,
    "graph": _graph,
    "export-env": _export_env,
    "constraints": _constraints,
    "pip": _pip,
    "snapshot": _snapshot,
    "hook": _hook,
    "guard": _guard,
}
