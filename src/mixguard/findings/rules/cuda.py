"""Rules about the CUDA stack each installer brings (data in ``data/cuda.json``)."""

from __future__ import annotations

from typing import Any

from ..context import Context, record_label, specs_of
from ..cuda import CudaItem, conda_cuda_items, driver_ok, min_driver_cuda, pip_cuda_items
from ..finding import Finding, Severity

__all__ = ["cuda", "cuda_replacements", "installed_cuda"]


def cuda_replacements(ctx: Context, new_items: list[CudaItem]) -> list[Finding]:
    """pip replaces a conda package built for one CUDA major (pytorch ``cuda11.8`` builds)
    with a wheel whose CUDA stack is another major: what conda built against the replaced
    package (torchvision, torchaudio, ...) no longer loads beside it."""
    pip_runtimes = sorted({i.runtime for i in new_items if i.runtime})
    out: list[Finding] = []
    for c in ctx.changes.values():
        if c.replaces is None or c.replaces.conda_record is None:
            continue
        owner = ctx.env.record(c.replaces.conda_record.name)
        if owner is None:
            continue
        built = [i.runtime for i in conda_cuda_items([owner]) if i.runtime]
        if not built:
            continue
        other = [r for r in pip_runtimes if r != built[0]]
        if not other:
            continue
        dependents = sorted(
            record_label(r)
            for r in ctx.env.records
            if r.name != owner.name
            and any(s.name == owner.name for _f, _i, s in specs_of(r))
            and conda_cuda_items([r])
        )
        names = ", ".join(i.source for i in new_items if i.runtime in other)
        out.append(
            Finding(
                kind="cuda-runtime-clash",
                severity="error",
                subject=c.name,
                message=f"pip replaces conda's {record_label(owner)} (a CUDA {built[0]} build) with "
                f"{c.name} {c.version}, whose CUDA stack is CUDA {'/'.join(other)} ({names})"
                + (
                    f"; conda's CUDA {built[0]} builds against it fail to load beside it: "
                    + ", ".join(dependents)
                    if dependents
                    else "; conda's CUDA libraries no longer match the framework"
                ),
                evidence={
                    "conda_record": record_label(owner),
                    "conda_runtime": built[0],
                    "pip_runtimes": other,
                    "dependents": dependents,
                },
                remedies=(
                    f"conda install '{owner.name}={c.version}' with the matching cuda-version, "
                    "or keep pip away from it: pip install -c conda-constraints.txt ...",
                ),
                chain=ctx.chain(c.name),
            )
        )
    return out


def cuda(ctx: Context) -> list[Finding]:
    env = ctx.env
    conda_items = conda_cuda_items(env.records)
    pip_before = {
        i.source for i in pip_cuda_items((d.name, d.version) for d in env.pip_distributions())
    }
    planned = [(c.name, c.version) for c in ctx.changes.values()]
    new_items = [i for i in pip_cuda_items(planned) if i.source not in pip_before]
    if not new_items:
        return []
    replaced = cuda_replacements(ctx, new_items)
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
                kind="cuda-runtime-clash",
                severity=sev,
                subject=first.source.split(" ")[0],
                message=f"the plan adds CUDA {runtime} runtime wheels ({names}) beside conda's CUDA "
                f"{'/'.join(conda_runtimes) or '-'} ({conda_desc}); {driver}".rstrip("; "),
                evidence={
                    "conda": [i.__repr__() for i in conda_items],
                    "pip": [i.__repr__() for i in items],
                    "conda_runtimes": conda_runtimes,
                    "pip_runtime": runtime,
                    "min_driver_cuda": need,
                    "__cuda": cuda_vp.version if cuda_vp else None,
                    # whether the driver could run it rests on a fact nobody gave
                    "driver_unknown": ok is None and _cuda_unknown(env),
                },
                remedies=(
                    f"install the CUDA {'/'.join(conda_runtimes) or runtime} build from conda instead "
                    "(e.g. pytorch with the matching pytorch-cuda/cuda-version)",
                    "or pip install the CPU-only wheels (--index-url https://download.pytorch.org/whl/cpu)",
                ),
                chain=ctx.chain(first.source.split(" ")[0]),
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
                    kind="cuda-runtime-clash",
                    severity="warning",
                    subject=i.source.split(" ")[0],
                    message=f"{i.soname} would come from both installers: conda's {c_item.source} and pip's "
                    f"{i.source}; which one a process loads depends on load order",
                    evidence={"soname": i.soname, "conda": c_item.source, "pip": i.source},
                    chain=ctx.chain(i.source.split(" ")[0]),
                )
            )
    return out


def _cuda_unknown(env: Any) -> bool:
    fact = env.target.fact("__cuda")
    return fact is None or fact.unknown


def installed_cuda(ctx: Context) -> list[Finding]:
    """(audit) CUDA runtimes already there: the driver against each, and both installers'."""
    env = ctx.env
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
                    kind="cuda-runtime-clash",
                    severity="error",
                    subject=f"CUDA {rt}",
                    message=f"CUDA {rt} is installed but the driver (__cuda {cuda.version}) supports only "
                    f"up to {cuda.version}; CUDA {rt} needs >= {min_driver_cuda(rt)}",
                    evidence={"runtime": rt, "__cuda": cuda.version},
                )
            )
    if conda_rt and pip_rt and set(pip_rt) - set(conda_rt):
        out.append(
            Finding(
                kind="cuda-runtime-clash",
                severity="warning",
                subject="CUDA",
                message=f"CUDA runtimes from both installers: conda's {'/'.join(conda_rt)} "
                f"({', '.join(i.source for i in conda_items if i.runtime)}) and pip's {'/'.join(pip_rt)} "
                f"({', '.join(i.source for i in pip_items)})",
                evidence={"conda": conda_rt, "pip": pip_rt},
            )
        )
    return out
