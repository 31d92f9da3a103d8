"""The public entry points: ``load_environment``, ``check``, ``audit``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .environment import Environment
from .environment import load_environment as _load
from .index.source import Index
from .progress import NO_PROGRESS, Progress
from .report import Report
from .resolve.configuration import PipConfiguration
from .resolve.options import PipRequest, parse_pip_args, wants_isolated

if TYPE_CHECKING:
    from .index.cache import Cache
    from .plan import InstallPlan
    from .remedies import ConstraintsAhead, Remedy

__all__ = ["audit", "check", "describe", "load_environment", "load_pip_config", "plan_install"]


def load_environment(
    *,
    prefix: str | Path | None = None,
    env_file: str | Path | None = None,
    lock: str | Path | None = None,
    explicit: str | Path | None = None,
    conda_list: str | Path | None = None,
    platform: str | None = None,
    cuda: str | None = None,
    glibc: str | None = None,
    virtual_packages: Mapping[str, str | None] | None = None,
    demo: bool = False,
) -> Environment:
    """Read an environment from exactly one source, with target overrides.

    A prefix whose platform is this machine's takes glibc, the CUDA driver and archspec from
    this machine (as pip and conda there would); ``cuda=``/``glibc=`` (and
    ``CONDA_OVERRIDE_*``) win. ``demo=True``: the embedded demo prefix, on its GPU node.

    >>> env = load_environment(demo=True)
    >>> env.target.subdir, env.target.python_version, str(env.target.fact("__cuda"))
    ('linux-64', '3.10.5', "__cuda=11.2 (the demo's GPU node)")
    """
    overrides: dict[str, str | None] = dict(virtual_packages or {})
    if cuda is not None:
        overrides["cuda"] = cuda
    if glibc is not None:
        overrides["glibc"] = glibc
    return _load(
        prefix=prefix,
        env_file=env_file,
        lock=lock,
        explicit=explicit,
        conda_list=conda_list,
        platform=platform,
        virtual_packages=overrides or None,
        demo=demo,
    )


_OPTION_FIELDS = {
    "upgrade",
    "upgrade_strategy",
    "force_reinstall",
    "ignore_installed",
    "no_deps",
    "pre",
    "prefer_binary",
    "ignore_requires_python",
}


def check(
    env: Environment,
    requirements: Sequence[str] | PipRequest,
    *,
    offline: bool = False,
    cache_dir: str | Path | None = None,
    channels: Sequence[str | Path] = (),
    client: Index | None = None,
    cwd: str | Path = ".",
    pip_config: PipConfiguration | Literal["load"] = "load",
    environ: Mapping[str, str] | None = None,
    progress: Progress = NO_PROGRESS,
    remedies_ahead: bool = False,
    **pip_options: Any,
) -> Report:
    """What ``pip install <requirements>`` would do to ``env``, and what it breaks.

    ``requirements`` are the very arguments of ``pip install`` (options included) or a parsed
    :class:`~mixguard.resolve.PipRequest`; ``pip_options`` set the boolean options by name
    (``upgrade=True``, ``no_deps=True``, ...). ``channels`` are conda channels (local
    directories or ``file://`` URLs) for the conda-first remedy. ``progress`` is told each
    stage and each pin (the terminal draws it). ``remedies_ahead``: the caller will read
    ``report.remedies``, so the constraints remedy's resolution starts beside the plan's where
    the index is remote (their network waits overlap; the CLI asks for it when its format
    shows the remedies).

    pip's configuration applies as the environment's pip would apply it (``pip_config="load"``:
    pip.conf at every level, the environment's own site file for a prefix, ``PIP_*`` from
    ``environ``, default ``os.environ``); pass ``PipConfiguration.empty()`` to ignore it. The
    embedded demo has none.

    >>> from mixguard.demo import demo_index, demo_prefix
    >>> env = load_environment(demo=True)
    >>> report = check(env, ["sentence-transformers", "--index-url", (demo_index() / "simple").as_uri()],
    ...                offline=True)
    >>> report.worst(), sorted({f.kind for f in report.findings if f.severity == "error"})
    ('error', ['cuda-runtime-clash'])
    """
    from .findings import analyze
    from .findings.analyze import records_from
    from .index.cache import Cache
    from .index.client import IndexClient
    from .resolve.resolver import ResolutionImpossibleError, ResolutionTooDeepError, resolve

    if isinstance(requirements, PipRequest):
        request = requirements
    else:
        given = list(requirements)
        config = load_pip_config(env, given, environ) if pip_config == "load" else pip_config
        request = parse_pip_args(given, cwd, config=config, environ=environ)
    unknown = set(pip_options) - _OPTION_FIELDS
    if unknown:
        from .errors import ParseError

        raise ParseError(
            sorted(unknown), f"unknown pip option(s); known: {', '.join(sorted(_OPTION_FIELDS))}"
        )
    if pip_options:
        request = replace(request, **pip_options)
        if request.upgrade and request.upgrade_strategy == "to-satisfy-only":
            request = replace(request, upgrade_strategy="only-if-needed")
    if client is None:
        client = IndexClient(request.index, cache=Cache(cache_dir), offline=offline)
    if env.kind != "prefix" and not env.described:
        progress.stage("reading the conda packages' Python metadata")
    env = describe(env, client=client, offline=offline)
    _require_target(env)
    args = request.args or tuple(r.text for r in request.requirements)
    progress.stage(
        f"resolving {', '.join(r.text for r in request.user_requirements) or 'the request'}"
    )
    ahead = None
    if remedies_ahead and isinstance(client, IndexClient) and client.overlaps:
        from .remedies import ConstraintsAhead

        ahead = ConstraintsAhead(env, request, client)
    try:
        plan = resolve(env, request, client, cwd=cwd, progress=progress)
    except (ResolutionImpossibleError, ResolutionTooDeepError) as exc:
        # pip stops with an error either way (resolution-too-deep past 200,000 rounds)
        return Report(
            env,
            (),
            None,
            args,
            conflict=str(exc),
            pip=request,
            _remedies=lambda: _remedies(env, request, client, channels, None, ahead),
        )
    except BaseException:
        if ahead is not None:
            ahead.cancel()
        raise
    if plan.refusals:  # pip stops with an error: nothing is installed, nothing else happens
        from .findings.analyze import refusal_findings

        if ahead is not None:
            ahead.cancel()
        return Report(env, refusal_findings(plan), plan, args, pip=request)
    if ahead is not None:
        ahead.settle(plan)
    # the findings read every planned wheel's RECORD: all at once
    if plan.installs:
        progress.stage(f"reading the files of {len(plan.installs)} planned distributions")
    client.prefetch_records(c.file for c in plan.installs if c.file is not None)
    findings = analyze(env, plan, record_paths=records_from(client))
    return Report(
        env,
        findings,
        plan,
        args,
        notes=_cache_notes(client),
        pip=request,
        cache_dropped=cache.dropped if (cache := _cache_of(client)) is not None else 0,
        _remedies=lambda: _remedies(env, request, client, channels, plan, ahead),
    )


def plan_install(
    env: Environment,
    requirements: Sequence[str],
    *,
    offline: bool = False,
    cache_dir: str | Path | None = None,
    cwd: str | Path = ".",
    environ: Mapping[str, str] | None = None,
) -> tuple[Environment, InstallPlan]:
    """What ``pip install <requirements>`` would do, resolved only: no findings, no RECORDs,
    no remedies (what ``graph`` and ``export-env`` need). Returns the environment as described
    (a file source's distributions filled in) and the plan; raises
    :class:`~mixguard.resolve.ResolutionImpossibleError` where pip cannot resolve."""
    from .index.cache import Cache
    from .index.client import IndexClient
    from .resolve.resolver import resolve

    given = list(requirements)
    request = parse_pip_args(
        given, cwd, config=load_pip_config(env, given, environ), environ=environ
    )
    client = IndexClient(request.index, cache=Cache(cache_dir), offline=offline)
    env = describe(env, client=client, offline=offline)
    _require_target(env)
    return env, resolve(env, request, client, cwd=cwd)


def describe(
    env: Environment,
    *,
    offline: bool = False,
    cache_dir: str | Path | None = None,
    client: Index | None = None,
    environ: Mapping[str, str] | None = None,
) -> Environment:
    """An environment described by a file, with the Python distributions pip would see there.

    Each conda record's distribution comes from the conda package itself (read from its
    channel), else the PyPI release of its version (marked ``assumed from PyPI``), else it is
    ``unknown`` (:mod:`mixguard.index.conda_dists`). A prefix is returned unchanged. ``client``
    is the pip index to ask (default: the one pip's configuration names).
    """
    if env.kind == "prefix" or env.described:
        return env
    from ._create import needs_solve, replay_pip_section, solve_environment
    from .index.cache import Cache
    from .index.client import IndexClient
    from .index.conda_dists import complete_distributions
    from .index.conda_package import CondaPackageReader

    if client is None:
        config = load_pip_config(env, [], environ)
        # the index pip's configuration names (a placeholder requirement: nothing is resolved)
        request = parse_pip_args(["pip"], ".", config=config, environ=environ)
        client = IndexClient(request.index, cache=Cache(cache_dir), offline=offline)
    cache = _cache_of(client)
    exported = not needs_solve(env)
    if not exported:
        env = solve_environment(
            env, offline=offline, cache_dir=cache.root if cache is not None else cache_dir
        )
    reader = CondaPackageReader(
        transport=client.transport if isinstance(client, IndexClient) else None,
        cache=cache,
        limits=client.limits if isinstance(client, IndexClient) else None,
        offline=offline,
    )
    env = complete_distributions(env, reader, client)
    env = replay_pip_section(env, client, Path(env.source).parent, exported=exported)
    return replace(env, described=True)


def _cache_of(client: Index) -> Cache | None:
    """The cache behind an index client (another index has none)."""
    from .index.client import IndexClient

    return client.cache if isinstance(client, IndexClient) else None


def _cache_notes(client: Index) -> tuple[str, ...]:
    """One line when the cache could not be written (the run went on uncached)."""
    cache = _cache_of(client)
    error = cache.write_error if cache is not None else None
    return (f"the cache cannot be written ({error}): this run was not cached",) if error else ()


def load_pip_config(
    env: Environment, args: Sequence[str], environ: Mapping[str, str] | None = None
) -> PipConfiguration:
    """pip's configuration as the environment's pip would read it: this machine's files and
    ``PIP_*`` variables, plus the prefix's own ``pip.conf``. The demo node has none."""
    from .demo import DEMO_NAME

    if env.name == DEMO_NAME:
        return PipConfiguration.empty()
    return PipConfiguration.load(
        site_prefix=env.source if env.kind == "prefix" else None,
        environ=environ,
        isolated=wants_isolated(args),
    )


def _require_target(env: Environment) -> None:
    """pip's choices depend on the target's Python and platform: without them a check would
    report a conflict (no wheel fits "nothing") where the truth is unknown."""
    from .errors import EnvironmentReadError

    t = env.target
    missing = []
    if not t.python_version:
        missing.append(("Python version", "pin python in the source"))
    if not t.subdir:
        missing.append(("platform", "give --platform (e.g. linux-64)"))
    if missing:
        raise EnvironmentReadError(
            env.source,
            f"the environment does not say its {' or '.join(m for m, _ in missing)}, and pip's "
            f"choices depend on it: the check cannot be made ({'; '.join(a for _, a in missing)})",
            env.source,
        )


def _remedies(
    env: Environment,
    request: PipRequest,
    client: Index,
    channels: Sequence[str | Path],
    plan: InstallPlan | None,
    ahead: ConstraintsAhead | None = None,
) -> tuple[Remedy, ...]:
    from .remedies import conda_first, constraints_remedy, no_deps_remedy

    constraints = (
        ahead.remedy(plan) if ahead is not None else constraints_remedy(env, request, client, plan)
    )
    out: list[Any] = [constraints]
    if plan is not None:
        out.append(no_deps_remedy(env, request, client, plan))
    if channels:
        client_cache = _cache_of(client)
        cache_dir = client_cache.root if client_cache is not None else None
        label = ", ".join(str(c) for c in channels)
        out.insert(0, conda_first(env, request, channels, label, cache_dir=cache_dir))
    return tuple(out)


def audit(env: Environment) -> Report:
    """What mixing has already done to ``env`` (no plan).

    >>> from mixguard.demo import demo_prefix
    >>> report = audit(load_environment(prefix=demo_prefix()))
    >>> sorted({f.kind for f in report.findings})
    ['pip-requirement-violation']
    """
    from .findings.audit import audit as _audit

    return Report(env, _audit(env))
