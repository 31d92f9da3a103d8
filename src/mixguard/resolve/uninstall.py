"""What pip's uninstall of an installed distribution does (pip 25.3 ``req/req_uninstall.py``,
``UninstallPathSet.from_dist``), by the shape of its metadata:

- ``.dist-info`` with ``RECORD``: removes the listed files (and each ``.py``'s ``.pyc``);
- ``.dist-info`` without ``RECORD``: **aborts** (``uninstall-no-record-file``);
- ``.egg-info`` directory: removes the directory, and the files of ``installed-files.txt``, or
  else each ``top_level.txt`` package that ``namespace_packages.txt`` does not name (as a
  directory, ``.py``, ``.pyc``, ``.pyo``) -- anything else stays;
- ``.egg-info`` *file* (plain distutils): **aborts** (``legacy-distutils-install``);
- ``.egg``: removes the egg.

For a distribution conda installed, what pip does not remove is what the conda record still
lists: files left behind with no metadata pointing at them (:attr:`UninstallOutcome.left`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..environment.distribution import PythonDistribution
from ..environment.model import Environment

__all__ = ["UninstallOutcome", "uninstall_outcome"]


@dataclass(frozen=True, slots=True)
class UninstallOutcome:
    status: Literal["complete", "partial", "aborts", "unknown"]
    reason: str  # why pip aborts, or what it removes
    removed: tuple[str, ...] = ()  # prefix-relative paths (directories end with "/")
    left: tuple[str, ...] = ()  # prefix-relative files conda installed that stay


def _site_of(dist: PythonDistribution) -> str:
    return dist.path.rsplit("/", 1)[0] if "/" in dist.path else ""


def _read(env: Environment, rel: str) -> str | None:
    if env.kind != "prefix":
        return None
    try:
        return (Path(env.source) / rel).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _removal(env: Environment, dist: PythonDistribution) -> tuple[list[str], str] | str:
    """(paths pip removes, how) -- or, when pip aborts, the reason."""
    site = _site_of(dist)

    def join(p: str) -> str:
        from ..environment.distribution import _normalise

        return _normalise(f"{site}/{p}" if site else p)

    if dist.kind in ("listed", "locked"):
        if dist.installer == "pip":
            # pip writes a RECORD for everything it installs: it removes what it installed
            return [], "the files its RECORD lists (pip installed it)"
        return (
            "unknown: the source names the package, not its metadata directory "
            "(the conda package was not read)"
        )
    if dist.kind == "egg-info-file":
        return (
            "a distutils-installed project (an .egg-info file): pip cannot tell which files "
            "belong to it and stops (legacy-distutils-install)"
        )
    if dist.kind == "dist-info":
        if not dist.has_record:
            return "its .dist-info has no RECORD: pip stops (uninstall-no-record-file)"
        return [join(p) for p in dist.files], "the files its RECORD lists"
    if dist.kind == "egg":
        return [dist.path + "/"], "the .egg"
    if dist.kind == "egg-info":
        paths = [dist.path + "/"]
        if dist.has_record:
            return [*paths, *(join(p) for p in dist.files)], "the files installed-files.txt lists"
        top = _read(env, f"{dist.path}/top_level.txt")
        if top is None:
            return paths, "only its .egg-info directory (no installed-files.txt, no top_level.txt)"
        ns_text = _read(env, f"{dist.path}/namespace_packages.txt") or ""
        namespaces = set(ns_text.splitlines())
        for pkg in (p for p in top.splitlines() if p and p not in namespaces):
            base = join(pkg)
            paths += [base + "/", base + ".py", base + ".pyc", base + ".pyo"]
        return paths, "its .egg-info directory and the top_level.txt packages outside namespaces"
    return "pip cannot uninstall this kind of distribution"


def _covered(path: str, removed: set[str], dirs: tuple[str, ...]) -> bool:
    if path in removed or path.startswith(dirs):
        return True
    # a .py's compiled forms go with it (UninstallPathSet.add: .pyc, .pyo, __pycache__)
    head, _, name = path.rpartition("/")
    if name.endswith((".pyc", ".pyo")):
        stem = name.split(".", 1)[0]
        parent = head.removesuffix("/__pycache__") if head.endswith("/__pycache__") else head
        return f"{parent}/{stem}.py" in removed
    return False


def uninstall_outcome(env: Environment, dist: PythonDistribution) -> UninstallOutcome:
    """What ``pip uninstall`` (or an upgrade replacing ``dist``) does to ``dist``."""
    got = _removal(env, dist)
    if isinstance(got, str):
        return UninstallOutcome("unknown" if got.startswith("unknown") else "aborts", got)
    paths, how = got
    removed = set(paths)
    dirs = tuple(p for p in paths if p.endswith("/"))
    owner = env.prefix_record(dist.owner) if dist.owner else None
    # files of the owner's other distributions are theirs, not left behind
    others: set[str] = set()
    other_dirs: list[str] = []
    for d in env.dists_of(dist.owner) if dist.owner else ():
        if d.path != dist.path:
            site = _site_of(d)
            others.update(f"{site}/{p}" if site else p for p in d.files)
            other_dirs.append(d.path + "/")
    left = tuple(
        f
        for f in (owner.files if owner is not None else ())
        if not _covered(f, removed, dirs)
        and f not in others
        and not f.startswith(tuple(other_dirs))
    )
    return UninstallOutcome("partial" if left else "complete", how, tuple(paths), left)
