"""Audit an environment as it is (no plan): what mixing has already done to it.

- ``mixed-sources``: a distribution pip installed over a conda package of the same project, with
  another version (the real TF2-GPU ``conda list``: pip numpy 1.19.5 over conda numpy-base 1.20.3);
- ``duplicate-dist`` and ``missing-dist-info``: from the reader's problems;
- ``pip-requirement-violation``: what ``pip check`` says now;
- ``conda-constraint-violation``: conda records whose specs the Python layer no longer meets;
- ``cuda-runtime-clash``: CUDA runtimes from both installers, and against ``__cuda``.
"""

from __future__ import annotations

from packaging.utils import canonicalize_name

from .conda.records import PackageRecord
from .conda.version import VersionOrder
from .environment.model import Environment
from .errors import ParseError
from .findings.cuda import conda_cuda_items, driver_ok, min_driver_cuda, pip_cuda_items
from .findings.finding import Finding
from .mapping import name_map
from .resolve.resolver import pip_check

__all__ = ["audit"]


def _mixed_sources(env: Environment) -> list[Finding]:
    out = []
    nm = name_map()
    for d in env.pip_distributions():
        for r in env.records:
            if d.name not in (nm.pypi_names(r.name) or ()) and str(
                canonicalize_name(r.name)
            ) != str(d.name):
                continue
            same = d.version == r.version
            out.append(
                Finding(
                    "mixed-sources",
                    "info" if same else "warning",
                    d.name,
                    f"pip's {d.name} {d.version} sits over conda's {r.name} {r.version} ({r.build}): "
                    + (
                        "same version, two installers own it"
                        if same
                        else f"Python imports pip's {d.version} while conda believes {r.version} is installed"
                    ),
                    {
                        "pip": f"{d.name} {d.version}",
                        "conda": f"{r.name} {r.version} {r.build}",
                        "mapping": "table" if d.name in (nm.pypi_names(r.name) or ()) else "guess",
                    },
                    (
                        # pip's uninstall deletes the files both copies share (pip's RECORD lists
                        # them): conda's must then be put back, not merely "kept"
                        f"keep conda's: pip uninstall -y {d.name} && conda install --force-reinstall "
                        f"'{r.name}={r.version}={r.build}'",
                        f"or keep pip's: conda remove --force {r.name}",
                    ),
                )
            )
    return out


def _problems(env: Environment) -> list[Finding]:
    out = []
    for p in env.problems:
        if p.kind in ("duplicate-dist", "missing-dist-info"):
            out.append(Finding(p.kind, "warning", p.subject, p.message, {"where": p.where}))
    return out


def _conda_constraints(env: Environment) -> list[Finding]:
    """Conda specs on a Python package that pip's copy (shadowing conda's) no longer meets."""
    out = []
    pip_versions: dict[str, str] = {str(d.name): d.version for d in env.pip_distributions()}
    nm = name_map()
    for r in env.records:
        specs = (*r.depends_specs(), *r.constrains_specs())
        for text, spec in zip((*r.depends, *r.constrains), specs, strict=True):
            names = [str(n) for n in nm.pypi_names(spec.name) or (canonicalize_name(spec.name),)]
            found = next((pip_versions[n] for n in names if n in pip_versions), None)
            if found is None or spec.version is None:
                continue
            try:
                VersionOrder.parse(found)
            except ParseError:
                continue
            if not spec.match(PackageRecord(spec.name, found, "pypi_0", 0, r.subdir)):  # type: ignore[arg-type]
                out.append(
                    Finding(
                        "conda-constraint-violation",
                        "warning",
                        r.name,
                        f"conda's {r.name} {r.version} requires '{text}', but pip's copy is {found}",
                        {"record": f"{r.name} {r.version} {r.build}", "spec": text, "found": found},
                    )
                )
    return out


def _cuda(env: Environment) -> list[Finding]:
    conda_items = conda_cuda_items(env.records)
    pip_items = pip_cuda_items((d.name, d.version) for d in env.pip_distributions())
    conda_rt = sorted({i.runtime for i in conda_items if i.runtime})
    pip_rt = sorted({i.runtime for i in pip_items if i.runtime})
    out = []
    cuda = env.target.virtual_package("__cuda")
    for rt in sorted(set(conda_rt) | set(pip_rt)):
        if cuda is not None and driver_ok(rt, cuda.version) is False:
            out.append(
                Finding(
                    "cuda-runtime-clash",
                    "error",
                    f"CUDA {rt}",
                    f"CUDA {rt} is installed but the driver (__cuda {cuda.version}) supports only "
                    f"up to {cuda.version}; CUDA {rt} needs >= {min_driver_cuda(rt)}",
                    {"runtime": rt, "__cuda": cuda.version},
                )
            )
    if conda_rt and pip_rt and set(pip_rt) - set(conda_rt):
        out.append(
            Finding(
                "cuda-runtime-clash",
                "warning",
                "CUDA",
                f"CUDA runtimes from both installers: conda's {'/'.join(conda_rt)} "
                f"({', '.join(i.source for i in conda_items if i.runtime)}) and pip's {'/'.join(pip_rt)} "
                f"({', '.join(i.source for i in pip_items)})",
                {"conda": conda_rt, "pip": pip_rt},
            )
        )
    return out


def audit(env: Environment) -> tuple[Finding, ...]:
    """Findings about an environment as it is, most severe first."""
    findings: list[Finding] = [
        *_mixed_sources(env),
        *_problems(env),
        *_conda_constraints(env),
        *_cuda(env),
    ]
    for p in pip_check(env, (), env.target):
        findings.append(
            Finding(
                "pip-requirement-violation",
                "warning",
                p.name,
                f"pip check: {p}",
                {"requirement": p.requirement, "found": p.found, "kind": p.kind},
            )
        )
    if env.kind == "conda-list":
        findings.append(
            Finding(
                "unknown-metadata",
                "info",
                "metadata",
                "a saved `conda list` carries no package metadata: pip check, conda specs and imports are not "
                "judged; audit the prefix itself for them",
            )
        )
    return tuple(sorted(dict.fromkeys(findings), key=lambda f: f.sort_key))
