"""What an install plan breaks in a conda environment: the finding rules.

Every rule compares the environment before the plan with the environment after it, so a
finding is something the plan causes; what was already wrong is ``info`` (or the audit's).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from packaging.utils import canonicalize_name

from .._commands import constraints_command
from .._requirements import active_requirements
from ..conda.matchspec import MatchSpec
from ..conda.records import PackageRecord
from ..conda.version import VersionOrder
from ..environment.model import Environment
from ..errors import ParseError
from ..mapping import conda_import_names, name_map
from ..resolve.plan import Change, InstallPlan
from ..resolve.provider import parse_requirement
from ..resolve.uninstall import uninstall_outcome
from .cuda import CudaItem, conda_cuda_items, driver_ok, min_driver_cuda, pip_cuda_items
from .finding import Finding, Severity
from .known import match_known

__all__ = ["RecordPaths", "analyze", "records_from", "refusal_findings"]

#: Paths (relative to site-packages) a planned distribution's wheel installs, or None if unknown.
RecordPaths = Callable[[Change], "tuple[str, ...] | None"]

_SDIST = (".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz", ".tar")


@dataclass(frozen=True, slots=True)
class _Moved:
    """A conda name whose Python distribution the plan moves to another version."""

    version: str
    change: Change
    how: str  # "files" (the record's own dist), "table", "guess"


@dataclass
class _Context:
    env: Environment
    plan: InstallPlan
    changes: dict[str, Change] = field(default_factory=dict)
    after: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    edges: dict[str, list[str]] = field(default_factory=dict)
    roots: list[str] = field(default_factory=list)
    markers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.markers = self.env.target.markers()
        self.changes = {c.name: c for c in self.plan.changes if c.action != "unchanged"}
        seen: dict[str, Any] = {}
        for d in self.env.distributions:
            seen.setdefault(d.name, d)
        for name, d in seen.items():
            self.after[name] = (d.version, d.requires_dist)
        for name, c in self.changes.items():
            self.after[name] = (c.version, c.requires_dist)
        self.roots = [c.name for c in self.plan.changes if c.requested]
        for name, (_v, reqs) in self.after.items():
            deps: list[str] = []
            extras = self.changes[name].requested_extras if name in self.changes else ()
            for req in active_requirements(reqs, self.markers, extras):
                dep = str(canonicalize_name(req.name))
                if dep in self.after:
                    deps.append(dep)
            self.edges[name] = deps

    def label(self, name: str) -> str:
        v = self.after.get(name, ("?",))[0]
        return f"{name} {v}"

    def chain(self, target: str) -> tuple[str, ...]:
        """A shortest dependency path from a requested distribution to ``target``."""
        target = canonicalize_name(target)
        prev: dict[str, str | None] = {r: None for r in self.roots}
        queue = deque(self.roots)
        while queue:
            cur = queue.popleft()
            if cur == target:
                path = []
                node: str | None = cur
                while node is not None:
                    path.append(self.label(node))
                    node = prev[node]
                return tuple(reversed(path))
            for dep in self.edges.get(cur, ()):
                if dep not in prev:
                    prev[dep] = cur
                    queue.append(dep)
        return (self.label(target),)

    def moved(self, conda: str) -> _Moved | None:
        """Where the plan moves a conda name's Python side (through the mapping)."""
        for d in self.env.dists_of(conda):
            c = self.changes.get(d.name)
            if c is not None:
                return _Moved(c.version, c, "files")
        table = name_map().pypi_names(conda)
        for p in table or ():
            c = self.changes.get(canonicalize_name(p))
            if c is not None:
                return _Moved(c.version, c, "table")
        if table is None and self.env.record(conda) is None:
            c = self.changes.get(canonicalize_name(conda))
            if c is not None:
                return _Moved(c.version, c, "guess")
        return None


def _record_label(r: PackageRecord) -> str:
    return f"{r.name} {r.version} {r.build}"


def _specs(r: PackageRecord) -> Iterable[tuple[str, int, MatchSpec]]:
    # A malformed spec raises InvalidMatchSpec (naming the record file and index): skipping it
    # would report the record's constraints as met when they are unknown.
    for fld, specs in (("depends", r.depends_specs()), ("constrains", r.constrains_specs())):
        for i, spec in enumerate(specs):
            yield fld, i, spec


def _satisfies(spec: MatchSpec, name: str, version: str, build: str, subdir: str) -> bool | None:
    try:
        VersionOrder.parse(version)
    except ParseError:
        return None  # a PyPI version conda cannot order: unknown
    return spec.match(PackageRecord(name, version, build, 0, subdir))  # type: ignore[arg-type]


def _constraints(ctx: _Context) -> list[Finding]:
    out: list[Finding] = []
    env = ctx.env
    for r in env.records:
        for fld, i, spec in _specs(r):
            if spec.name.startswith("__") or "*" in spec.name:
                continue
            moved = ctx.moved(spec.name)
            if moved is None or moved.change.name in {d.name for d in env.dists_of(r.name)}:
                continue  # unchanged, or the record's own distribution (see the coupling rule)
            before = env.record(spec.name)
            if before is not None and not spec.match(before):
                continue  # already violated: the audit's business
            ok = _satisfies(spec, spec.name, moved.version, "pypi_0", r.subdir)
            if ok is not False:
                continue
            verb = "requires" if fld == "depends" else "constrains"
            sev = _constraint_severity(r, before)
            via = {
                "files": f"conda's {before.name} {before.version} replaced by pip"
                if before
                else "",
                "table": f"PyPI {moved.change.name} maps to conda {spec.name}",
                "guess": f"PyPI {moved.change.name} taken for conda {spec.name} by name",
            }[moved.how]
            out.append(
                Finding(
                    "conda-constraint-violation",
                    sev,
                    r.name,
                    f"conda's {_record_label(r)} {verb} '{spec.original}', but after the plan "
                    f"{spec.name} is {moved.version} ({moved.change.action} by pip; {via})",
                    {
                        "record": _record_label(r),
                        "field": f"{fld}[{i}]",
                        "spec": spec.original,
                        "wanted": str(spec.version) if spec.version else spec.original,
                        "found": moved.version,
                        "before": before.version if before else None,
                        "mapping": moved.how,
                    },
                    _keep_remedies(ctx, moved.change.name, before, spec.original),
                    ctx.chain(moved.change.name),
                    "high" if moved.how == "files" else "medium",
                )
            )
    out += _couplings(ctx)
    return out


def _keep_remedies(
    ctx: _Context, pypi: str, before: PackageRecord | None, spec: str
) -> tuple[str, ...]:
    """Concrete commands (no placeholders): keep the package where conda has it."""
    out = []
    if before is not None:
        out.append(
            f"keep {pypi} at conda's {before.version}: add '{pypi}=={before.version}' to the "
            "pip request"
        )
    else:
        out.append(f"let conda choose within '{spec}': conda install '{spec}'")
    out.append(
        "or pin all of conda's Python packages: " + constraints_command(ctx.env, ctx.plan.args)
    )
    return tuple(out)


def _compiled(r: PackageRecord | None) -> bool:
    return r is not None and not r.noarch and r.subdir != "noarch"


def _constraint_severity(r: PackageRecord, moved: PackageRecord | None) -> Severity:
    """The rubric (docs/findings.md): a violated conda constraint makes conda's records
    inconsistent (a later conda operation undoes pip's work): a *warning*. It is an *error*
    only where loading breaks: a compiled package whose pin on another compiled package pip
    breaks (built against its ABI). A noarch metapackage's exact pin (conda-forge's
    ``typing-extensions`` on ``typing_extensions``) breaks nothing at run time."""
    return "error" if _compiled(r) and _compiled(moved) else "warning"


def _couplings(ctx: _Context) -> list[Finding]:
    """A replaced conda package whose build pins another package to its own version
    (conda-forge's protobuf 3.20.1 depends on libprotobuf 3.20.1.*): pip's new version needs
    that package at the new version, which the environment does not have."""
    out: list[Finding] = []
    env = ctx.env
    for c in ctx.changes.values():
        if c.replaces is None or c.replaces.conda_record is None:
            continue
        owner = env.record(c.replaces.conda_record.split(" ")[0])
        if owner is None:
            continue
        for fld, i, spec in _specs(owner):
            if fld != "depends" or spec.version is None or spec.name == owner.name:
                continue
            text = str(spec.version)
            if not text.lstrip("=").startswith(owner.version):
                continue
            wanted = text.replace(owner.version, c.version, 1)
            dep = env.record(spec.name)
            # only a compiled library the Python package is built against (libprotobuf,
            # grpc-cpp): a Python package pinned this way is judged by the main rule
            if dep is None or env.dists_of(spec.name) or name_map().pypi_names(spec.name):
                continue
            need = MatchSpec.parse(f"{spec.name} {wanted}")
            if need.match(dep):
                continue
            out.append(
                Finding(
                    "conda-constraint-violation",
                    "warning",
                    owner.name,
                    f"conda's {_record_label(owner)} ties {owner.name} to {spec.name} '{text}'; pip's "
                    f"{c.name} {c.version} would need {spec.name} '{wanted}', the environment has "
                    f"{spec.name} {dep.version}",
                    {
                        "record": _record_label(owner),
                        "field": f"{fld}[{i}]",
                        "spec": spec.original,
                        "wanted": f"{spec.name} {wanted}",
                        "found": dep.version,
                        "coupling": True,
                    },
                    (f"conda install '{owner.name}={c.version}' (moves {spec.name} with it)",),
                    ctx.chain(c.name),
                    "medium",
                )
            )
            # every other record that pins the coupled package now conflicts with the new need
            probe = wanted.rstrip("*").rstrip(".") or c.version
            for r in env.records:
                if r.name in (owner.name, spec.name):
                    continue
                for fld2, j, s2 in _specs(r):
                    if s2.name != spec.name or s2.version is None:
                        continue
                    if s2.version.match(probe):
                        continue
                    out.append(
                        Finding(
                            "conda-constraint-violation",
                            "warning",
                            r.name,
                            f"conda's {_record_label(r)} pins '{s2.original}', which rules out the "
                            f"{spec.name} '{wanted}' that pip's {c.name} {c.version} needs",
                            {
                                "record": _record_label(r),
                                "field": f"{fld2}[{j}]",
                                "spec": s2.original,
                                "wanted": f"{spec.name} {wanted}",
                                "found": dep.version,
                                "coupling": True,
                            },
                            (
                                f"keep {c.name} within conda's pins: pip install '{c.name}=={c.replaces.version}'",
                            ),
                            ctx.chain(c.name),
                            "medium",
                        )
                    )
    return out


def _overrides(ctx: _Context) -> list[Finding]:
    out = []
    for c in ctx.changes.values():
        r = c.replaces
        if r is None or r.conda_record is None:
            continue
        sev: Severity = "info" if c.action == "reinstall" and c.version == r.version else "warning"
        verb = (
            "installs over"
            if not r.uninstalled
            else {"upgrade": "upgrades", "downgrade": "downgrades", "reinstall": "reinstalls"}.get(
                c.action, "replaces"
            )
        )
        out.append(
            Finding(
                "conda-override",
                sev,
                c.name,
                f"pip {verb} {c.name} {r.version}, installed by conda ({r.conda_record}), "
                f"with {c.version} from PyPI",
                {
                    "action": c.action,
                    "conda_record": r.conda_record,
                    "installed": r.version,
                    "planned": c.version,
                    "installer": r.installer,
                    "path": r.path,
                    "uninstalled": r.uninstalled,
                },
                (
                    f"conda install '{r.conda_record.split(' ')[0]}={c.version}' if a conda build exists",
                    "pip install --no-deps only what conda lacks (see the --no-deps remedy)",
                    f"or keep conda's {r.version}: add '{c.name}=={r.version}' to the pip request",
                ),
                ctx.chain(c.name),
            )
        )
    return out


def _pip_check(ctx: _Context) -> list[Finding]:
    out = []
    for p in ctx.plan.check_after:
        if p.introduced:
            chain = (
                ctx.chain(p.dependency)
                if canonicalize_name(p.dependency) in ctx.changes
                else ctx.chain(p.name)
            )
            out.append(
                Finding(
                    "pip-requirement-violation",
                    "error",
                    p.name,
                    f"after the plan, pip check fails: {p}",
                    {
                        "requirement": p.requirement,
                        "dependency": p.dependency,
                        "found": p.found,
                        "kind": p.kind,
                    },
                    (
                        f"pip install '{p.requirement}' along with the request, or choose versions that agree",
                    ),
                    chain,
                )
            )
        else:
            out.append(
                Finding(
                    "pip-requirement-violation",
                    "info",
                    p.name,
                    f"already broken before the plan: {p}",
                    {
                        "requirement": p.requirement,
                        "dependency": p.dependency,
                        "found": p.found,
                        "kind": p.kind,
                        "introduced": False,
                    },
                )
            )
    return out


def _cuda(ctx: _Context) -> list[Finding]:
    return _cuda_stack(ctx)


def _cuda_replacements(ctx: _Context, new_items: list[CudaItem]) -> list[Finding]:
    """pip replaces a conda package built for one CUDA major (pytorch ``cuda11.8`` builds)
    with a wheel whose CUDA stack is another major: what conda built against the replaced
    package (torchvision, torchaudio, ...) no longer loads beside it."""
    pip_runtimes = sorted({i.runtime for i in new_items if i.runtime})
    out: list[Finding] = []
    for c in ctx.changes.values():
        if c.replaces is None or c.replaces.conda_record is None:
            continue
        owner = ctx.env.record(c.replaces.conda_record.split(" ")[0])
        if owner is None:
            continue
        built = [i.runtime for i in conda_cuda_items([owner]) if i.runtime]
        if not built:
            continue
        other = [r for r in pip_runtimes if r != built[0]]
        if not other:
            continue
        dependents = sorted(
            _record_label(r)
            for r in ctx.env.records
            if r.name != owner.name
            and any(s.name == owner.name for _f, _i, s in _specs(r))
            and conda_cuda_items([r])
        )
        names = ", ".join(i.source for i in new_items if i.runtime in other)
        out.append(
            Finding(
                "cuda-runtime-clash",
                "error",
                c.name,
                f"pip replaces conda's {_record_label(owner)} (a CUDA {built[0]} build) with "
                f"{c.name} {c.version}, whose CUDA stack is CUDA {'/'.join(other)} ({names})"
                + (
                    f"; conda's CUDA {built[0]} builds against it fail to load beside it: "
                    + ", ".join(dependents)
                    if dependents
                    else "; conda's CUDA libraries no longer match the framework"
                ),
                {
                    "conda_record": _record_label(owner),
                    "conda_runtime": built[0],
                    "pip_runtimes": other,
                    "dependents": dependents,
                },
                (
                    f"conda install '{owner.name}={c.version}' with the matching cuda-version, "
                    "or keep pip away from it: pip install -c conda-constraints.txt ...",
                ),
                ctx.chain(c.name),
            )
        )
    return out


def _cuda_stack(ctx: _Context) -> list[Finding]:
    env = ctx.env
    conda_items = conda_cuda_items(env.records)
    pip_before = {
        i.source for i in pip_cuda_items((d.name, d.version) for d in env.pip_distributions())
    }
    planned = [(c.name, c.version) for c in ctx.changes.values()]
    new_items = [i for i in pip_cuda_items(planned) if i.source not in pip_before]
    if not new_items:
        return []
    replaced = _cuda_replacements(ctx, new_items)
    conda_runtimes = sorted({i.runtime for i in conda_items if i.runtime})
    cuda_vp = env.target.virtual_package("__cuda")
    out: list[Finding] = list(replaced)
    by_runtime: dict[str, list[CudaItem]] = {}
    for i in new_items:
        by_runtime.setdefault(i.runtime or "?", []).append(i)
    for runtime, items in sorted(by_runtime.items()):
        need = min_driver_cuda(runtime)
        sev: Severity
        ok = driver_ok(runtime, cuda_vp.version) if cuda_vp else None
        clash = runtime not in conda_runtimes and bool(conda_runtimes)
        if not clash and ok is not False:
            continue
        first = next((i for i in items if i.library == "cudart"), items[0])
        conda_desc = (
            ", ".join(
                f"{i.source} ({i.soname or 'CUDA ' + str(i.runtime)})"
                for i in conda_items
                if i.runtime
            )
            or "none"
        )
        if ok is False:
            sev, driver = (
                "error",
                (
                    f"CUDA {runtime} needs a driver for CUDA >= {need}; the target's "
                    f"__cuda is {cuda_vp.version}"
                    if cuda_vp
                    else ""
                ),
            )
        elif ok is None:
            fact = env.target.fact("__cuda")
            sev, driver = (
                "warning",
                f"no NVIDIA driver on the target ({fact.source}): these wheels cannot use a GPU"
                if fact is not None and not fact.unknown
                else "the driver is unknown: give __cuda (--cuda) to judge it",
            )
        else:
            sev, driver = (
                "warning",
                f"the driver (__cuda {cuda_vp.version}) can run both" if cuda_vp else "",
            )
        names = ", ".join(i.source for i in items)
        out.append(
            Finding(
                "cuda-runtime-clash",
                sev,
                first.source.split(" ")[0],
                f"the plan adds CUDA {runtime} runtime wheels ({names}) beside conda's CUDA "
                f"{'/'.join(conda_runtimes) or '-'} ({conda_desc}); {driver}".rstrip("; "),
                {
                    "conda": [i.__repr__() for i in conda_items],
                    "pip": [i.__repr__() for i in items],
                    "conda_runtimes": conda_runtimes,
                    "pip_runtime": runtime,
                    "min_driver_cuda": need,
                    "__cuda": cuda_vp.version if cuda_vp else None,
                },
                (
                    f"install the CUDA {'/'.join(conda_runtimes) or runtime} build from conda instead "
                    "(e.g. pytorch with the matching pytorch-cuda/cuda-version)",
                    "or pip install the CPU-only wheels (--index-url https://download.pytorch.org/whl/cpu)",
                ),
                ctx.chain(first.source.split(" ")[0]),
            )
        )
    # the same library soname from both installers: which one a process loads depends on
    # load order, whether or not the runtimes agree
    conda_sonames = {i.soname: i for i in conda_items if i.soname}
    for i in new_items:
        if i.soname and i.soname in conda_sonames:
            c_item = conda_sonames[i.soname]
            out.append(
                Finding(
                    "cuda-runtime-clash",
                    "warning",
                    i.source.split(" ")[0],
                    f"{i.soname} would come from both installers: conda's {c_item.source} and pip's "
                    f"{i.source}; which one a process loads depends on load order",
                    {"soname": i.soname, "conda": c_item.source, "pip": i.source},
                    chain=ctx.chain(i.source.split(" ")[0]),
                )
            )
    return out


def _imports(ctx: _Context, record_paths: RecordPaths | None) -> list[Finding]:
    env = ctx.env
    nm = name_map()
    site = _site(env)
    providers: dict[str, set[str]] = {}
    replaced_owners = {
        c.replaces.conda_record.split(" ")[0]
        for c in ctx.changes.values()
        if c.replaces and c.replaces.conda_record and c.replaces.uninstalled
    }
    replaced_dists = {c.name for c in ctx.changes.values() if c.replaces and c.replaces.uninstalled}
    for pr in env.prefix_records:
        if pr.name in replaced_owners:
            continue
        for mod in conda_import_names(pr, site) if site else ():
            providers.setdefault(mod, set()).add(f"conda:{pr.name}")
    for d in env.pip_distributions():
        if d.name in replaced_dists:
            continue
        for mod in d.top_level:
            providers.setdefault(mod, set()).add(f"pip:{d.name}")
    out = []
    for c in ctx.changes.values():
        paths = record_paths(c) if record_paths else None
        mods: tuple[str, ...] | None
        if paths is not None:
            from ..environment.distribution import top_level_from_paths

            mods = top_level_from_paths(paths)
        else:
            curated = nm.imports_of_pypi(c.name)
            mods = tuple(m.split(".")[0] for m in curated) if curated else None
        for mod in mods or ():
            if mod in nm.namespaces:
                continue
            others = {
                p
                for p in providers.get(mod, set())
                if p.split(":", 1)[1] != c.name
                and not (
                    c.replaces
                    and c.replaces.conda_record
                    and p == f"conda:{c.replaces.conda_record.split(' ')[0]}"
                )
            }
            if not others:
                continue
            who = ", ".join(sorted(others))
            out.append(
                Finding(
                    "import-collision",
                    "error",
                    mod,
                    f"import {mod} would come from two distributions: pip's {c.name} {c.version} and "
                    f"{who.replace('conda:', 'conda package ').replace('pip:', 'pip distribution ')}; "
                    "one overwrites the other's files and neither installer knows",
                    {
                        "import": mod,
                        "new": f"{c.name} {c.version}",
                        "existing": sorted(others),
                        "source": "RECORD" if paths is not None else "data/import_names.json",
                    },
                    (
                        f"use the conda package that provides {mod} (or remove it) instead of {c.name}",
                    ),
                    ctx.chain(c.name),
                    "high" if paths is not None else "medium",
                )
            )
    return out


def _site(env: Environment) -> str | None:
    for d in env.distributions:
        if d.path:
            return d.path.rsplit("/", 1)[0]
    t = env.target
    if t.platform == "win":
        return "Lib/site-packages"
    return f"lib/python{t.python_short}/site-packages" if t.python_short else None


def _clobber(ctx: _Context, record_paths: RecordPaths | None) -> tuple[list[Finding], list[str]]:
    env = ctx.env
    site = _site(env)
    owned: dict[str, str] = {}
    for pr in env.prefix_records:
        for f in pr.files:
            owned[f] = pr.name
    out: list[Finding] = []
    unchecked: list[str] = []
    for c in ctx.changes.values():
        paths = record_paths(c) if record_paths else None
        if paths is None:
            unchecked.append(f"{c.name} {c.version}")
            continue
        hits: dict[str, list[str]] = {}
        for p in paths:
            full = f"{site}/{p}" if site and not p.startswith("../") else p
            rec = owned.get(full)
            if rec is not None and not _same_project(ctx, rec, c):
                hits.setdefault(rec, []).append(full)
        for rec, files in sorted(hits.items()):
            out.append(
                Finding(
                    "file-clobber",
                    "error",
                    c.name,
                    f"pip's {c.name} {c.version} writes {len(files)} file(s) that conda's {rec} owns "
                    f"(e.g. {files[0]}); conda will later remove or mis-report them",
                    {"conda_record": rec, "files": files[:20], "count": len(files)},
                    (f"install {c.name} from conda, or remove {rec} first",),
                    ctx.chain(c.name),
                )
            )
    return out, unchecked


def _same_project(ctx: _Context, record: str, change: Change) -> bool:
    """Whether conda's ``record`` installed the very distribution ``change`` installs (its
    files list that project's metadata directory): its files are then the project's own --
    pip restoring conda's version after an earlier pip upgrade removed conda's metadata --
    not another owner's. (conda's py-opencv owns cv2/ but no opencv dist-info: another owner.)"""
    r = change.replaces
    if r is not None and r.conda_record is not None and r.conda_record.split(" ")[0] == record:
        return True
    pr = ctx.env.prefix_record(record)
    if pr is None:
        return False
    for f in pr.files:
        for marker in (".dist-info/", ".egg-info"):
            idx = f.find(marker)
            if idx != -1:
                stem = f[:idx].rsplit("/", 1)[-1]
                if str(canonicalize_name(stem.split("-", 1)[0])) == str(change.name):
                    return True
    return False


def _uninstall(ctx: _Context) -> list[Finding]:
    """pip's uninstall of what the plan replaces, as ``req_uninstall.py`` does it (held
    against real pip in tests/test_uninstall_real.py): an abort is an error; an uninstall that
    leaves conda's files behind (no metadata points at them any more) is a warning."""
    out = []
    for c in ctx.changes.values():
        r = c.replaces
        if r is None or not r.uninstalled:
            continue
        dist = next((d for d in ctx.env.distributions_named(c.name) if d.path == r.path), None)
        if dist is None:
            continue
        outcome = uninstall_outcome(ctx.env, dist)
        owner = f" (installed by conda: {r.conda_record})" if r.conda_record else ""
        evidence = {
            "path": r.path,
            "kind": r.kind,
            "has_record": r.has_record,
            "conda_record": r.conda_record,
        }
        if outcome.status == "aborts":
            out.append(
                Finding(
                    "uninstall-failure",
                    "error",
                    c.name,
                    f"pip would stop while uninstalling {c.name} {r.version}{owner}: "
                    f"{outcome.reason}. pip's own --dry-run does not predict this; the install of "
                    f"{c.name} {c.version} aborts",
                    evidence,
                    (
                        (
                            f"conda install '{r.conda_record.split(' ')[0]}>={c.version}'"
                            if r.conda_record
                            else f"remove {r.path} by hand first"
                        ),
                    ),
                    ctx.chain(c.name),
                )
            )
        elif outcome.status == "partial":
            shown = ", ".join(outcome.left[:5]) + (
                f" and {len(outcome.left) - 5} more" if len(outcome.left) > 5 else ""
            )
            out.append(
                Finding(
                    "partial-uninstall",
                    "warning",
                    c.name,
                    f"pip uninstalls {c.name} {r.version}{owner} by removing {outcome.reason}, "
                    f"and leaves {len(outcome.left)} of conda's file(s) behind with nothing "
                    f"pointing at them: {shown}",
                    {**evidence, "left": list(outcome.left), "removed": list(outcome.removed)},
                    (
                        f"let conda replace it: conda install '{r.conda_record.split(' ')[0]}'"
                        if r.conda_record
                        else f"remove the files left by {r.path} by hand",
                    ),
                    ctx.chain(c.name),
                )
            )
    return out


def _metadata_loss(ctx: _Context) -> list[Finding]:
    out = []
    for c in ctx.changes.values():
        r = c.replaces
        if r is None or r.conda_record is None:
            continue
        rec = r.conda_record.split(" ")[0]
        if r.uninstalled:
            msg = (
                f"pip removes {r.path}, which conda's {r.conda_record} installed: conda will still "
                f"list {rec} {r.version} while pip's {c.name} {c.version} is what is installed, and a "
                f"later conda update or removal of {rec} deletes pip's files"
            )
        else:
            msg = (
                f"pip installs {c.name} {c.version} over conda's {r.conda_record} without uninstalling "
                f"it: two metadata directories of {c.name}, and conda's record no longer matches the files"
            )
        out.append(
            Finding(
                "conda-metadata-loss",
                "warning",
                rec,
                msg,
                {"conda_record": r.conda_record, "anchor": r.path, "pip": f"{c.name} {c.version}"},
                (f"let conda own {c.name}: conda install '{rec}={c.version}'",),
                ctx.chain(c.name),
            )
        )
    return out


def _abi(ctx: _Context) -> list[Finding]:
    c = ctx.changes.get("numpy")
    if c is None or c.replaces is None:
        return []
    try:
        crossing = (
            VersionOrder(c.replaces.version) < VersionOrder("2.0a0") <= VersionOrder(c.version)
        )
    except ParseError:
        return []
    if not crossing:
        return []
    # conda's compiled packages pinned to numpy 1.x: the "numpy-2-abi" known incompatibility;
    # here, pip-installed compiled distributions, which no pin describes
    out = []
    for d in ctx.env.pip_distributions():
        compiled = any(p.endswith((".so", ".pyd")) for p in d.files)
        needs = any(
            (req := parse_requirement(t)) is not None and canonicalize_name(req.name) == "numpy"
            for t in d.requires_dist
        )
        if compiled and needs:
            out.append(
                Finding(
                    "abi-mismatch",
                    "warning",
                    d.name,
                    f"pip-installed {d.name} {d.version} has compiled modules and uses numpy; if it was built "
                    f"against numpy 1.x it fails with numpy {c.version}",
                    {
                        "dist": f"{d.name} {d.version}",
                        "numpy": c.version,
                        "basis": "compiled modules + numpy dependency",
                    },
                    chain=ctx.chain("numpy"),
                    confidence="low",
                )
            )
    return out


def _known(ctx: _Context) -> list[Finding]:
    """Runtime breakages metadata does not express (data/known-incompatibilities.json)."""
    return [
        Finding(
            "known-incompatibility",
            m.entry["severity"],
            m.subject,
            m.message,
            m.evidence,
            m.remedies,
            ctx.chain(m.moved),
        )
        for m in match_known(ctx.env, ctx.changes)
    ]


def _source_builds(ctx: _Context) -> list[Finding]:
    out = []
    for c in ctx.changes.values():
        if c.filename and c.filename.endswith(_SDIST):
            out.append(
                Finding(
                    "source-build",
                    "warning",
                    c.name,
                    f"no compatible wheel: pip would build {c.name} {c.version} from {c.filename} in the target "
                    "(compilers and headers needed; the build sees pip's isolated build env, not conda's)",
                    {"file": c.filename},
                    (f"conda install {c.name}", "or pin a version that has a wheel"),
                    ctx.chain(c.name),
                )
            )
    return out


def _unknowns(ctx: _Context, unchecked: list[str]) -> list[Finding]:
    out = [
        Finding(
            "unknown-metadata",
            "warning",
            u.project,
            f"the {u.filename} could not be read ({u.reason}): the plan was made without its "
            "files, so which versions pip picks, what it installs and every finding are unproven"
            if u.kind == "index-page"
            else f"metadata of {u.filename} is unknown ({u.reason}): its dependencies, and the "
            "findings that depend on them (constraints, pip check, CUDA, imports), are unproven",
            {"file": u.filename, "kind": u.kind, "reason": u.reason},
            chain=ctx.chain(u.project),
        )
        for u in ctx.plan.unknowns
    ]
    if unchecked:
        out.append(
            Finding(
                "unknown-metadata",
                "info",
                "RECORD",
                f"the files of {len(unchecked)} planned distribution(s) are not known (no RECORD read): "
                "file-clobber is unproven for them",
                {"distributions": unchecked},
            )
        )
    return out


def records_from(client: Any) -> RecordPaths:
    """``record_paths`` backed by an :class:`~mixguard.index.client.IndexClient` (wheel RECORDs
    read with Range requests and cached; offline, only what the cache holds)."""

    def paths(change: Change) -> tuple[str, ...] | None:
        return client.record(change.file) if change.file is not None else None

    return paths


def analyze(
    env: Environment, plan: InstallPlan, *, record_paths: RecordPaths | None = None
) -> tuple[Finding, ...]:
    """Every finding the plan causes in ``env``, most severe first.

    ``record_paths`` gives the site-packages paths a planned wheel installs (its RECORD), when
    known; without it, file-clobber is reported as unproven and imports come from the data.
    """
    ctx = _Context(env, plan)
    clobber, unchecked = _clobber(ctx, record_paths)
    findings = [
        *_overrides(ctx),
        *_constraints(ctx),
        *_pip_check(ctx),
        *_cuda(ctx),
        *_imports(ctx, record_paths),
        *clobber,
        *_uninstall(ctx),
        *_metadata_loss(ctx),
        *_abi(ctx),
        *_known(ctx),
        *_source_builds(ctx),
        *_unknowns(ctx, unchecked),
    ]
    unique = _consistent_remedies(list(dict.fromkeys(findings)), ctx)
    return tuple(sorted(unique, key=lambda f: f.sort_key))


def _consistent_remedies(findings: list[Finding], ctx: _Context) -> list[Finding]:
    """Never advise a version that an error of the same report says breaks: where an error's
    chain ends at a planned distribution, remedies moving that distribution to the planned
    version are dropped (keeping it where conda has it remains)."""
    from dataclasses import replace

    broken = {
        f.chain[-1].rsplit(" ", 1)[0]: f.chain[-1].rsplit(" ", 1)[1]
        for f in findings
        if f.severity == "error" and f.chain and " " in f.chain[-1]
    }
    out = []
    for f in findings:
        kept = tuple(
            r
            for r in f.remedies
            if not any(
                f"={version}'" in r and name in r.replace("_", "-")
                for name, version in broken.items()
            )
        )
        out.append(f if kept == f.remedies else replace(f, remedies=kept))
    return out


def refusal_findings(plan: InstallPlan) -> tuple[Finding, ...]:
    """pip stops with an error instead of installing (PEP 668, --require-virtualenv, hash
    mode): one error each, in pip's words."""
    return tuple(
        Finding(
            "pip-refusal",
            "error",
            r.subject,
            r.message,
            {"refusal": r.kind},
            _REFUSAL_REMEDIES.get(r.kind, ()),
        )
        for r in plan.refusals
    )


_REFUSAL_REMEDIES: dict[str, tuple[str, ...]] = {
    "externally-managed": (
        "install with conda instead, or pass --break-system-packages if pip must own it",
    ),
    "require-virtualenv": ("unset PIP_REQUIRE_VIRTUALENV (or require-virtualenv in pip.conf)",),
    "hash-unpinned": ("pin every requirement with == in hash-checking mode",),
    "hash-missing": ("add the dependency, pinned, with its --hash line",),
    "hash-mismatch": ("check the file's origin; update the --hash only if the change is expected",),
}
