"""Conda package ↔ PyPI distribution, and import names.

The link between a conda record and a PyPI distribution is found, in this order:

1. ``files``: the record's file list contains the distribution's ``.dist-info``/``.egg-info``
   (exact: conda installed that distribution);
2. ``table``: the shipped map built from parselmouth and grayskull data
   (``data/conda_pypi.json.gz``, sources and licences inside);
3. ``guess``: the same normalised name, marked as a guess.

Import names come from a distribution's ``top_level.txt`` or RECORD, a conda record's files,
then the data (``data/import_names.json``), never from code.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any, Literal

from packaging.utils import canonicalize_name

from .conda.records import PrefixRecord
from .environment.model import Environment
from .names import CondaName, PypiName, conda_name, pypi_name

__all__ = [
    "Link",
    "NameMap",
    "conda_import_names",
    "links_for_dist",
    "links_for_record",
    "name_map",
]

How = Literal["files", "table", "guess"]


@dataclass(frozen=True, slots=True)
class Link:
    conda: CondaName
    pypi: PypiName
    how: How


@dataclass(frozen=True)
class NameMap:
    conda_to_pypi: dict[str, list[str]]
    pypi_to_conda: dict[str, str]
    import_names: dict[str, str]
    curated_pypi: dict[str, list[str]]
    curated_conda: dict[str, list[str]]
    curated_conda_to_pypi: dict[str, list[str]]
    namespaces: frozenset[str]
    sources: tuple[str, ...]

    def pypi_names(self, name: str) -> tuple[PypiName, ...] | None:
        """PyPI names of a conda package: None if the table does not know it, () if it is not
        a Python package (cudatoolkit, libprotobuf)."""
        key = conda_name(name)
        found = self.curated_conda_to_pypi.get(key, self.conda_to_pypi.get(key))
        return None if found is None else tuple(PypiName(p) for p in found)

    def conda_of(self, name: str) -> CondaName | None:
        """The conda-forge package that ships PyPI ``name``.

        The conda -> PyPI table (parselmouth: what each conda package actually contains)
        decides; among several packages shipping it, the grayskull answer if it is one of
        them, else the one named like the project (``x``, ``python-x``, ``py-x``), else the
        most specific one. The grayskull
        PyPI -> conda table alone answers only for names the first does not know, and never
        with a conda package the first knows to be something else (PyPI ``tzdata`` is conda's
        ``python-tzdata``, not conda's ``tzdata``, the time-zone database)."""
        key = str(canonicalize_name(name))
        shipping = self._shipping().get(key)
        guess = self.pypi_to_conda.get(key)
        if shipping:
            if guess in shipping:
                return conda_name(guess)
            for named in (key, f"python-{key}", f"py-{key}"):
                if named in shipping:
                    return conda_name(named)
            # the most specific package: the one shipping the fewest projects (conda-forge's
            # psycopg also carries tzdata; python-tzdata carries only it)
            return conda_name(
                min(shipping, key=lambda c: (len(self.pypi_names(c) or ()), c.startswith("lib"), c))
            )
        if guess and self.pypi_names(guess) in (None, (PypiName(key),)):
            return conda_name(guess)
        return None

    def _shipping(self) -> dict[str, frozenset[str]]:
        cached: dict[str, frozenset[str]] | None = self.__dict__.get("_rev")
        if cached is None:
            rev: dict[str, set[str]] = {}
            for conda in {*self.conda_to_pypi, *self.curated_conda_to_pypi}:
                for p in self.pypi_names(conda) or ():
                    rev.setdefault(str(canonicalize_name(p)), set()).add(conda)
            cached = {k: frozenset(v) for k, v in rev.items()}
            object.__setattr__(self, "_rev", cached)
        return cached

    def imports_of_pypi(self, name: str) -> tuple[str, ...] | None:
        key = canonicalize_name(name)
        if key in self.curated_pypi:
            return tuple(self.curated_pypi[key])
        found = self.import_names.get(key)
        return (found,) if found else None

    def imports_of_conda(self, name: str) -> tuple[str, ...] | None:
        found = self.curated_conda.get(conda_name(name))
        return tuple(found) if found else None


@lru_cache(maxsize=1)
def name_map() -> NameMap:
    """The shipped maps (loaded once, lazily: about 0.5 MB compressed)."""
    data_dir = files("mixguard") / "data"
    with (
        data_dir.joinpath("conda_pypi.json.gz").open("rb") as raw,
        gzip.open(raw, "rt", encoding="utf-8") as fh,
    ):
        table: dict[str, Any] = json.load(fh)
    curated = json.loads(data_dir.joinpath("import_names.json").read_text(encoding="utf-8"))
    return NameMap(
        conda_to_pypi=table["conda_to_pypi"],
        pypi_to_conda=table["pypi_to_conda"],
        import_names=table["import_names"],
        curated_pypi={canonicalize_name(k): v for k, v in curated["pypi"].items()},
        curated_conda=curated["conda"],
        curated_conda_to_pypi=curated.get("conda_to_pypi", {}),
        namespaces=frozenset(curated["namespaces"]),
        sources=tuple(table["sources"]) + tuple(curated["sources"]),
    )


def links_for_record(env: Environment, name: str) -> tuple[Link, ...]:
    """The PyPI distributions a conda record corresponds to (see the module docstring)."""
    key = conda_name(name)
    exact = env.dists_of(key)
    if exact:
        return tuple(Link(key, d.name, "files") for d in exact)
    table = name_map().pypi_names(key)
    if table is not None:
        return tuple(Link(key, p, "table") for p in table)
    return (Link(key, pypi_name(key), "guess"),)


def links_for_dist(env: Environment, name: str) -> tuple[Link, ...]:
    """The conda records a PyPI distribution corresponds to."""
    key = pypi_name(name)
    owned = [d.owner for d in env.distributions_named(key) if d.owner is not None]
    if owned:
        return tuple(Link(o, key, "files") for o in dict.fromkeys(owned))
    nm = name_map()
    by_table = [r.name for r in env.records if key in (nm.pypi_names(r.name) or ())]
    if by_table:
        return tuple(Link(r, key, "table") for r in by_table)
    if env.record(key) is not None:
        return (Link(conda_name(key), key, "guess"),)
    return ()


def conda_import_names(record: PrefixRecord, site_packages: str) -> tuple[str, ...]:
    """Top-level import names a conda record installs into ``site_packages`` (its files)."""
    names: set[str] = set()
    prefix = site_packages.rstrip("/") + "/"
    for path in record.files:
        if not path.startswith(prefix):
            continue
        first, sep, _ = path[len(prefix) :].partition("/")
        if first.endswith((".dist-info", ".egg-info", ".pth", ".data")) or first in (
            "__pycache__",
            "",
        ):
            continue
        if not sep:
            if not first.endswith((".py", ".so", ".pyd")):
                continue
            first = first.split(".", 1)[0]
        if first.isidentifier():
            names.add(first)
    return tuple(sorted(names))
