"""Conda package ↔ PyPI distribution, and import names.

The link between a conda record and a PyPI distribution is found, in this order:

1. ``files``: the record's file list contains the distribution's ``.dist-info``/``.egg-info``
   (exact: conda installed that distribution);
2. ``table``: the shipped map built from parselmouth and grayskull data
   (``data/conda_pypi.tsv``, sources and licences in its header);
3. ``guess``: the same normalised name, marked as a guess.

Import names come from a distribution's ``top_level.txt`` or RECORD, a conda record's files,
then the data (``data/import_names.json``), never from code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Literal

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


class _SortedTable:
    """Lines ``section<TAB>key[<TAB>value...]`` sorted as bytes, looked up by binary search
    over the bytes: no line is decoded but the few a check asks for (reading and decoding the
    whole map took ~60 ms of every check; a lookup takes microseconds)."""

    __slots__ = ("_data", "_start")

    def __init__(self, data: bytes) -> None:
        self._data = data
        # the header: comment lines, then the sorted body
        start = 0
        while data.startswith(b"#", start):
            start = data.index(b"\n", start) + 1
        self._start = start

    def get(self, section: str, key: str) -> tuple[str, ...] | None:
        """The values of ``key`` in ``section`` (``()``: present with none), or None."""
        data, target = self._data, f"{section}\t{key}".encode()
        lo, hi = self._start, len(data)
        while lo < hi:
            mid = (lo + hi) // 2
            s = max(data.rfind(b"\n", lo, mid) + 1, lo)
            e = data.find(b"\n", s)
            e = len(data) if e < 0 else e
            second = data.find(b"\t", s + len(section) + 1, e)
            line_key = data[s : e if second < 0 else second]
            if line_key == target:
                return () if second < 0 else tuple(data[second + 1 : e].decode().split("\t"))
            if line_key < target:
                lo = e + 1
            else:
                hi = s
        return None

    def sections(self) -> dict[str, int]:
        """How many keys each section holds."""
        counts: dict[str, int] = {}
        for line in self._data[self._start :].splitlines():
            sec = line.split(b"\t", 1)[0].decode()
            counts[sec] = counts.get(sec, 0) + 1
        return counts


#: sections of ``data/conda_pypi.tsv`` (``tools/build_mapping.py`` writes it)
CONDA_TO_PYPI, PYPI_TO_CONDA, IMPORT_NAME, SHIPPED_BY = "c", "p", "i", "s"


@dataclass(frozen=True)
class NameMap:
    table: _SortedTable
    curated_pypi: dict[str, list[str]]
    curated_conda: dict[str, list[str]]
    curated_conda_to_pypi: dict[str, list[str]]
    namespaces: frozenset[str]
    sources: tuple[str, ...]

    def pypi_names(self, name: str) -> tuple[PypiName, ...] | None:
        """PyPI names of a conda package: None if the table does not know it, () if it is not
        a Python package (cudatoolkit, libprotobuf)."""
        key = conda_name(name)
        found = self.curated_conda_to_pypi.get(key)
        if found is None:
            found = self.table.get(CONDA_TO_PYPI, key)  # type: ignore[assignment]
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
        shipping = self._shipping(key)
        found = self.table.get(PYPI_TO_CONDA, key)
        guess = found[0] if found else None
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

    def _shipping(self, key: str) -> frozenset[str]:
        """The conda packages shipping PyPI ``key`` (the curated entries override the table)."""
        shipping = set(self.table.get(SHIPPED_BY, key) or ())
        for conda, pypi in self.curated_conda_to_pypi.items():
            if key in pypi:
                shipping.add(conda)
            else:
                shipping.discard(conda)
        return frozenset(shipping)

    def imports_of_pypi(self, name: str) -> tuple[str, ...] | None:
        key = canonicalize_name(name)
        if key in self.curated_pypi:
            return tuple(self.curated_pypi[key])
        found = self.table.get(IMPORT_NAME, key)
        return found if found else None

    def imports_of_conda(self, name: str) -> tuple[str, ...] | None:
        found = self.curated_conda.get(conda_name(name))
        return tuple(found) if found else None


@lru_cache(maxsize=1)
def name_map() -> NameMap:
    """The shipped maps (read once; looked up, never parsed whole)."""
    data_dir = files("mixguard") / "data"
    data = data_dir.joinpath("conda_pypi.tsv").read_bytes()
    curated = json.loads(data_dir.joinpath("import_names.json").read_text(encoding="utf-8"))
    sources = tuple(
        line[len(b"# source: ") :].decode()
        for line in data.split(b"\n", 20)[:20]
        if line.startswith(b"# source: ")
    )
    return NameMap(
        table=_SortedTable(data),
        curated_pypi={canonicalize_name(k): v for k, v in curated["pypi"].items()},
        curated_conda=curated["conda"],
        curated_conda_to_pypi=curated.get("conda_to_pypi", {}),
        namespaces=frozenset(curated["namespaces"]),
        sources=sources + tuple(curated["sources"]),
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
