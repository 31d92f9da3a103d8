"""Read conda environments (prefix, environment.yml, explicit, lock files, ``conda list``)."""

from __future__ import annotations

from pathlib import Path

from ..errors import EnvironmentReadError
from .condalist import read_conda_list
from .distribution import PythonDistribution
from .envfile import read_environment_file
from .explicit import read_explicit
from .history import HistoryEntry, parse_history
from .lockfile import read_lockfile
from .model import Environment, EnvironmentProblem, PipLine
from .prefix import read_prefix
from .target import Target

__all__ = [
    "Environment",
    "EnvironmentProblem",
    "HistoryEntry",
    "PipLine",
    "PythonDistribution",
    "Target",
    "load_environment",
    "parse_history",
    "read_conda_list",
    "read_environment_file",
    "read_explicit",
    "read_lockfile",
    "read_prefix",
]


def load_environment(
    *,
    prefix: str | Path | None = None,
    env_file: str | Path | None = None,
    lock: str | Path | None = None,
    explicit: str | Path | None = None,
    conda_list: str | Path | None = None,
    platform: str | None = None,
    virtual_packages: dict[str, str | None] | None = None,
    demo: bool = False,
) -> Environment:
    """Load an environment from exactly one source.

    ``platform`` is the target subdir (``linux-64``) where the source does not say it;
    ``virtual_packages`` overrides ``__cuda``, ``__glibc`` etc. (``{"cuda": "11.2"}``).
    A prefix takes what it does not override from this machine (when its platform is this
    machine's); ``demo=True`` reads the embedded demo prefix with the demo node's facts.
    """
    if demo:
        from dataclasses import replace

        from ..demo import DEMO_HOST, DEMO_NAME, demo_cuda, demo_prefix

        if prefix or env_file or lock or explicit or conda_list:
            raise EnvironmentReadError("demo", "give the demo or one source, not both")
        env = read_prefix(
            demo_prefix(),
            overrides=virtual_packages,
            subdir=platform,
            host=DEMO_HOST,
            cuda_probe=demo_cuda,
        )
        return replace(env, name=DEMO_NAME)
    given = {
        k: v
        for k, v in {
            "prefix": prefix,
            "env_file": env_file,
            "lock": lock,
            "explicit": explicit,
            "conda_list": conda_list,
        }.items()
        if v is not None
    }
    if len(given) != 1:
        raise EnvironmentReadError(
            sorted(given), "give exactly one of prefix, env_file, lock, explicit, conda_list"
        )
    ((kind, source),) = given.items()
    ov = virtual_packages
    if kind == "prefix":
        return read_prefix(source, overrides=ov, subdir=platform)
    if kind == "env_file":
        return read_environment_file(source, subdir=platform, overrides=ov)
    if kind == "lock":
        return read_lockfile(source, platform=platform, overrides=ov)
    if kind == "explicit":
        return read_explicit(source, subdir=platform, overrides=ov)
    return read_conda_list(source, subdir=platform, overrides=ov)
