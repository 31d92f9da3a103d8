"""What to do instead: remedies as data (and as text).

- ``conda-first``: can the given conda channels satisfy the request while the rest of the
  environment stays locked? (conda's own solver, rattler's, :mod:`mixguard.conda.solve`)
- ``constraints``: a pip ``constraints.txt`` that pins conda's Python packages, and whether the
  request is still satisfiable under it;
- ``no-deps``: what ``pip install --no-deps`` would do, and what it leaves unsatisfied;
- ``environment.yml``: the environment (with or without builds) and its pip layer, reproducibly.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from ._commands import constraints_command, source_option
from .conda.records import PackageRecord
from .environment.model import Environment
from .errors import ParseError
from .index.source import Index
from .mapping import name_map
from .plan import InstallPlan
from .resolve.options import PipRequest
from .resolve.resolver import ResolutionImpossibleError, ResolutionTooDeepError, resolve

#: the effort a remedy's resolution may take (pip's own limit is 200,000 rounds: with conda's
#: pins, pip can backtrack through thousands of versions, a minute or more, for advice)
REMEDY_ROUNDS = 200

__all__ = [
    "ConstraintsAhead",
    "Remedy",
    "conda_first",
    "conda_first_per_dist",
    "constraints_command",
    "constraints_remedy",
    "constraints_txt",
    "environment_yml",
    "no_deps_remedy",
    "pep440_to_conda",
    "source_option",
]

RemedyKind = Literal["conda-first", "constraints", "no-deps", "environment.yml"]


@dataclass(frozen=True, slots=True)
class Remedy:
    kind: RemedyKind
    ok: bool | None  # None: could not be determined
    summary: str
    command: str | None = None
    text: str | None = None  # a file's content (constraints.txt, environment.yml)
    details: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ok": self.ok,
            "summary": self.summary,
            "command": self.command,
            "text": self.text,
            "details": self.details,
        }


def constraints_txt(env: Environment) -> str:
    """``name==version`` for every distribution conda installed: pip then refuses to move them."""
    lines = ["# constraints from the conda layer (mixguard): pip may not move these"]
    seen = set()
    for d in env.distributions:
        if d.owner is None or d.name in seen:
            continue
        seen.add(d.name)
        owner = env.record(d.owner)
        how = f"{owner.name} {owner.version} {owner.build}" if owner else d.owner
        lines.append(f"{d.name}=={d.version}  # conda: {how}")
    return "\n".join(lines) + "\n"


def constraints_remedy(
    env: Environment,
    request: PipRequest,
    client: Index,
    plan: InstallPlan | None = None,
    *,
    max_rounds: int = REMEDY_ROUNDS,
) -> Remedy:
    """Whether pip can still satisfy the request with conda's Python packages pinned.

    Given the unconstrained ``plan``, and it moves no conda-owned distribution, the answer is
    yes without resolving again: that plan satisfies every pin, and pip's resolver finds a
    solution whenever one exists (a second resolution of ~190 projects costs seconds).
    """
    if plan is not None and _keeps_conda(plan):
        return _kept(env, request)
    return _constrained(env, request, client, max_rounds=max_rounds)


class ConstraintsAhead:
    """The constraints remedy's resolution, started on a thread beside the plan's own.

    Cold, both resolutions spend most of their time waiting for the index, so running them
    together costs about the longer of the two instead of their sum (the seed check in
    process, measured once: 13.3 s down to 9.1 s). :meth:`remedy` then gives the answer
    :func:`constraints_remedy` would: the shortcut (resolution cancelled) when the plan
    leaves conda's packages alone, else the constrained resolution's. Start it only where
    there are network waits to overlap (:attr:`~mixguard.index.client.IndexClient.overlaps`):
    against a local index it would only share the CPU. A daemon thread: a report whose
    remedies are never read does not keep the process alive; :meth:`cancel` stops it at its
    next round.
    """

    def __init__(
        self,
        env: Environment,
        request: PipRequest,
        client: Index,
        *,
        max_rounds: int = REMEDY_ROUNDS,
    ) -> None:
        self._env, self._request = env, request
        self._cancel = threading.Event()
        self._outcome: Remedy | BaseException | None = None

        def run() -> None:
            try:
                self._outcome = _constrained(
                    env, request, client, max_rounds=max_rounds, cancel=self._cancel
                )
            except BaseException as exc:  # handed to the reader, raised there
                self._outcome = exc

        self._thread = threading.Thread(target=run, name="mixguard-constraints", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.set()

    def settle(self, plan: InstallPlan) -> None:
        """The plan is known: when it leaves conda's packages alone the resolution is not
        needed, and stops now rather than compete with the findings' reads."""
        if _keeps_conda(plan):
            self.cancel()

    def remedy(self, plan: InstallPlan | None) -> Remedy:
        if plan is not None and _keeps_conda(plan):
            self.cancel()
            return _kept(self._env, self._request)
        self._thread.join()
        outcome = self._outcome
        if isinstance(outcome, BaseException):
            raise outcome
        assert outcome is not None
        return outcome


def _keeps_conda(plan: InstallPlan) -> bool:
    return not any(
        c.replaces is not None and c.replaces.conda_record is not None for c in plan.installs
    )


def _kept(env: Environment, request: PipRequest) -> Remedy:
    return Remedy(
        "constraints",
        True,
        "the plan already leaves conda's Python packages where they are: with them "
        "pinned, pip can still satisfy the request",
        constraints_command(env, request.args),
        constraints_txt(env),
        {"basis": "the unconstrained plan satisfies every pin (not resolved again)"},
    )


def _constrained(
    env: Environment,
    request: PipRequest,
    client: Index,
    *,
    max_rounds: int,
    cancel: threading.Event | None = None,
) -> Remedy:
    """The request resolved again as ``pip install -c conda-constraints.txt`` would."""
    from packaging.version import InvalidVersion, Version

    text = constraints_txt(env)
    command = constraints_command(env, request.args)
    held: dict[str, str] = {}
    for d in env.distributions:
        if d.owner is not None and d.name not in held:
            try:
                Version(d.version)
            except InvalidVersion:
                # pip stops on this line of the constraints file: the remedy cannot be had
                return Remedy(
                    "constraints",
                    False,
                    f"pip cannot read the constraint {d.name}=={d.version} (not a version)",
                    None,
                    text,
                    {"invalid": f"{d.name}=={d.version}"},
                )
            held[d.name] = d.version
    # as `-c conda-constraints.txt` would: made constraints where the resolution meets them
    constrained = replace(request, held=(*request.held, *held.items()))
    try:
        plan = resolve(env, constrained, client, max_rounds=max_rounds, cancel=cancel)
    except ResolutionTooDeepError as exc:
        return Remedy(
            "constraints",
            None,
            f"unknown: with conda's Python packages pinned, pip's resolver was still "
            f"backtracking after {exc.rounds:,} rounds (mixguard stops there; pip goes on "
            "up to 200,000): try the command, or pin the packages it moves",
            command,
            text,
            {"rounds": exc.rounds},
        )
    except ResolutionImpossibleError as exc:
        unproven = "(mixguard: unproven" in str(exc)
        return Remedy(
            "constraints",
            None if unproven else False,
            "with conda's Python packages pinned, pip cannot satisfy the request"
            + (" (unproven: index pages not read)" if unproven else ""),
            None,
            text,
            {"conflict": str(exc), "causes": [str(c) for c in exc.causes]},
        )
    if plan.unknowns:
        # a plan resting on metadata that could not be read proves nothing
        return Remedy(
            "constraints",
            None,
            "unproven: with conda's Python packages pinned, the plan rests on unknown metadata ("
            + ", ".join(u.filename for u in plan.unknowns)
            + ")",
            command,
            text,
            {"unknowns": [f"{u.filename}: {u.reason}" for u in plan.unknowns]},
        )
    return Remedy(
        "constraints",
        True,
        f"with conda's Python packages pinned, pip can still satisfy the request: {plan.summary()}",
        command,
        text,
        {"changes": [f"{c.action} {c.name} {c.version}" for c in plan.installs]},
    )


def no_deps_remedy(
    env: Environment,
    request: PipRequest,
    client: Index,
    plan: InstallPlan | None = None,
) -> Remedy:
    """What ``pip install --no-deps`` of the requested projects does.

    Given the main ``plan``, the answer needs no resolution: with ``--no-deps`` pip installs
    the requested projects alone, and pinned at the versions the plan chose (so that the
    remedy speaks of the same versions as the report; unpinned, pip could pick others,
    ``--no-deps`` having dropped the dependencies that narrowed the choice) they are the plan's
    very files. ``pip check`` afterwards is then asked of those changes only. Without a plan
    (pip could not resolve the request) the ``--no-deps`` request is resolved."""
    if plan is not None:
        from .plan.check import pip_check

        mine = tuple(c for c in plan.changes if c.requested)
        # the plan's unknowns stay: resting on unknown facts, it may have picked other versions
        nd = replace(plan, changes=mine, check_after=pip_check(env, mine, env.target))
    else:
        try:
            nd = resolve(env, replace(request, no_deps=True), client)
        except ResolutionImpossibleError as exc:
            return Remedy("no-deps", False, f"even --no-deps fails: {exc}", None)
    touches = [c for c in nd.installs if c.replaces is not None and c.replaces.conda_record]
    unsatisfied = [str(p) for p in nd.check_after if p.introduced]
    ok: bool | None = not touches
    if nd.unknowns:
        ok = None
    summary = (
        f"--no-deps installs {', '.join(f'{c.name} {c.version}' for c in nd.installs) or 'nothing'}"
        + (f" and still replaces conda's {', '.join(c.name for c in touches)}" if touches else "")
        + (
            f"; leaves unsatisfied: {'; '.join(unsatisfied)}"
            if unsatisfied
            else "; leaves nothing unsatisfied"
        )
        + ("; unproven: metadata unknown" if nd.unknowns else "")
    )
    linked = {str(r.name) for r in request.user_requirements if r.link is not None and r.name}
    args = [f"{c.name}=={c.version}" for c in nd.installs if c.requested and c.name not in linked]
    args += [r.text for r in request.user_requirements if r.link is not None]
    return Remedy(
        "no-deps",
        ok,
        summary,
        "pip install --no-deps " + " ".join(args or request.args),
        None,
        {"installs": [f"{c.name} {c.version}" for c in nd.installs], "unsatisfied": unsatisfied},
    )


def pep440_to_conda(req: Requirement) -> str:
    """A PEP 440 requirement as a conda MatchSpec (on the conda name)."""
    name = name_map().conda_of(req.name) or canonicalize_name(req.name)
    parts = []
    for s in req.specifier:
        op, v = s.operator, s.version
        if op == "===":
            op = "=="
        if op == "==" and v.endswith(".*"):
            parts.append(v)
        else:
            parts.append(f"{op}{v}")
    return f"{name} {','.join(sorted(parts))}" if parts else str(name)


def conda_first(
    env: Environment,
    request: PipRequest,
    channels: Sequence[str | Path],
    channel_label: str = "<channel>",
    *,
    cache_dir: str | Path | None = None,
) -> Remedy:
    """Whether conda channels (directories, ``file://`` or HTTP URLs, names) can provide the
    request with the environment locked, as rattler's solver decides."""
    specs = []
    for r in request.user_requirements:
        if r.requirement is None or r.link is not None:
            return Remedy("conda-first", None, f"{r.text}: a URL or path has no conda equivalent")
        specs.append(pep440_to_conda(r.requirement))
    if not specs:
        return Remedy("conda-first", None, "nothing requested")
    from .conda.solve import CondaSolveError, solve_locked

    try:
        result = solve_locked(
            specs,
            channels,
            env.target.subdir or "linux-64",
            env.records,
            env.target.virtual_records(),
            cache_dir=cache_dir,
        )
    except CondaSolveError as exc:
        return Remedy(
            "conda-first",
            False,
            f"no conda build of {', '.join(specs)} fits the locked environment",
            None,
            None,
            {"causes": list(exc.causes), "specs": specs},
        )
    except ParseError as exc:
        return Remedy("conda-first", None, f"cannot express the request for conda: {exc}")
    installed: dict[str, PackageRecord] = {str(r.name): r for r in env.records}
    changes = {
        n: r
        for n, r in result.items()
        if not n.startswith("__")
        and (
            n not in installed or (installed[n].version, installed[n].build) != (r.version, r.build)
        )
    }
    if not changes:
        return Remedy(
            "conda-first",
            True,
            "conda's packages already satisfy the request: nothing to install",
            None,
            None,
            {"specs": specs},
        )
    pins = " ".join(f"'{n}={r.version}={r.build}'" for n, r in sorted(changes.items()))
    return Remedy(
        "conda-first",
        True,
        "conda can provide it with the rest locked: "
        + ", ".join(f"{n} {r.version}" for n, r in sorted(changes.items())),
        f"conda install -c {channel_label} {pins}",
        None,
        {
            "specs": specs,
            "records": {n: f"{r.name} {r.version} {r.build}" for n, r in changes.items()},
        },
    )


def conda_first_per_dist(
    env: Environment,
    plan: InstallPlan,
    channels: Sequence[str | Path],
    *,
    cache_dir: str | Path | None = None,
) -> dict[str, dict[str, Any]]:
    """For each distribution the plan installs or replaces: is there a conda build of that
    version (on its conda name) that fits the locked environment?"""
    from .conda.solve import CondaSolveError, solve_locked

    out: dict[str, dict[str, Any]] = {}
    for c in plan.installs:
        owner = c.replaces.conda_record.name if c.replaces and c.replaces.conda_record else None
        conda = owner or name_map().conda_of(c.name) or str(canonicalize_name(c.name))
        spec = f"{conda} {c.version}"
        try:
            result = solve_locked(
                [spec],
                channels,
                env.target.subdir or "linux-64",
                env.records,
                env.target.virtual_records(),
                cache_dir=cache_dir,
            )
        except CondaSolveError as exc:
            out[c.name] = {
                "conda_name": conda,
                "spec": spec,
                "ok": False,
                "causes": list(exc.causes),
            }
        except ParseError as exc:
            out[c.name] = {"conda_name": conda, "spec": spec, "ok": None, "reason": str(exc)}
        else:
            rec = result.get(conda)
            out[c.name] = {
                "conda_name": conda,
                "spec": spec,
                "ok": True,
                "record": f"{rec.name} {rec.version} {rec.build}" if rec else None,
            }
    return out


def environment_yml(
    env: Environment, plan: InstallPlan | None = None, *, builds: bool = True
) -> str:
    """``environment.yml`` for the environment (after ``plan``, if given): conda records as
    ``name=version[=build]`` and a ``pip:`` section with what pip installed (or would)."""
    deps: list[Any] = []
    for r in sorted(env.records, key=lambda r: r.name):
        deps.append(r.spec if builds else r.spec_no_build)  # as conda env export writes
    pip: dict[str, str] = {d.name: d.version for d in env.pip_distributions()}
    if plan is not None:
        for c in plan.installs:
            pip[c.name] = c.version
    if pip:
        deps.append({"pip": [f"{n}=={v}" for n, v in sorted(pip.items())]})
    doc: dict[str, Any] = {
        "name": env.name or "env",
        "channels": list(env.channels) or ["conda-forge"],
        "dependencies": deps,
    }
    import yaml

    header = (
        "# written by mixguard: conda records pinned" + (" with builds" if builds else "") + "\n"
    )
    return header + yaml.safe_dump(doc, sort_keys=False, default_flow_style=False)
