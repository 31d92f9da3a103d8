"""The target an environment runs on: platform, python, virtual packages, wheel tags.

The interpreter and platform come from the environment's own records (the ``python`` conda
record and the subdir), never from the interpreter running mixguard. Virtual packages
(``__glibc``, ``__cuda``, ...) come from overrides, then from this machine when the environment
is a prefix on it (``host``), then from conda's defaults; each fact keeps its provenance
(:attr:`Target.facts`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.tags import Tag

from ..conda.records import PackageRecord
from ..conda.virtual import (
    DEFAULT_GLIBC,
    DEFAULT_OSX,
    TargetFact,
    VirtualPackage,
    packages_of,
    virtual_facts,
)

if TYPE_CHECKING:
    from .host import HostFacts

__all__ = ["Target"]


def _major_minor(version: str) -> tuple[int, int]:
    parts = [int(p) for p in re.findall(r"\d+", version)[:2]]
    return (parts + [0, 0])[0], (parts + [0, 0])[1]


_FREE_THREADED = re.compile(r"_cp3\d+t$")  # conda-forge's free-threaded python builds
_PYPY_ABI = re.compile(r"_(\d)(\d+)_pypy")  # conda-forge's pypy python builds: 0_73_pypy

_SYS_PLATFORM = {"linux": "linux", "osx": "darwin", "win": "win32", "freebsd": "freebsd"}
_SYSTEM = {"linux": "Linux", "osx": "Darwin", "win": "Windows", "freebsd": "FreeBSD"}
_MACHINE = {
    ("linux", "64"): "x86_64",
    ("linux", "32"): "i686",
    ("linux", "aarch64"): "aarch64",
    ("linux", "ppc64le"): "ppc64le",
    ("linux", "s390x"): "s390x",
    ("linux", "armv7l"): "armv7l",
    ("osx", "64"): "x86_64",
    ("osx", "arm64"): "arm64",
    ("win", "64"): "AMD64",
    ("win", "32"): "x86",
    ("win", "arm64"): "ARM64",
}


def _check_python(version: str, where: str | None) -> None:
    """A Python version a target can have (``3.999999.0`` would make tag generation walk a
    million minor versions)."""
    major, minor = _major_minor(version)
    if major not in (2, 3) or minor > 99:
        from ..errors import ParseError

        raise ParseError(version, "not a Python version a conda environment can have", where)


def _manylinux_tags(arch: str, glibc: str) -> list[str]:
    """``packaging.tags._manylinux.platform_tags`` for a given glibc (not this machine's)."""
    major, minor = _major_minor(glibc)
    if major != 2:
        return []
    # the oldest glibc a manylinux tag exists for: 2.5 on x86, 2.17 elsewhere
    lowest = 5 if arch in ("x86_64", "i686") else 17
    legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
    tags: list[str] = []
    for m in range(minor, lowest - 1, -1):
        tags.append(f"manylinux_2_{m}_{arch}")
        if m in legacy:
            tags.append(f"{legacy[m]}_{arch}")
    return tags


@dataclass(frozen=True, slots=True)
class Target:
    """Platform and interpreter facts of an environment.

    ``subdir`` is None when the source does not say (a ``conda list`` text, an environment.yml
    without platform): markers that depend on it are then unknown, not guessed.
    """

    subdir: str | None
    python_version: str | None = None
    implementation: str = "cpython"
    free_threaded: bool = False
    virtual_packages: tuple[VirtualPackage, ...] = ()
    python_from: str | None = None
    #: every fact with its provenance (subdir, python, virtual packages); empty when built by hand
    facts: tuple[TargetFact, ...] = ()
    #: PyPy's ABI version (``73`` for PyPy 7.3: the ``pp73`` in ``pypy310_pp73``)
    pypy_abi: str = "73"
    #: PEP 508 ``platform_release``/``platform_version``: known only for a prefix on this
    #: machine (a marker on them is otherwise unknown, not this machine's value)
    platform_release: str | None = None
    platform_version: str | None = None

    @classmethod
    def from_records(
        cls,
        records: Iterable[PackageRecord],
        subdir: str | None = None,
        overrides: Mapping[str, str | None] | None = None,
        environ: Mapping[str, str] | None = None,
        python: str | None = None,
        host: HostFacts | None = None,
        host_cuda: Callable[[], tuple[str | None, str]] | None = None,
    ) -> Target:
        """Derive the target from conda records; explicit arguments win over records.

        ``host`` / ``host_cuda``: this machine's facts, used for virtual packages only when the
        target's subdir is this machine's (a prefix that runs here); otherwise the facts are
        overrides or conda's defaults, marked as assumed.
        """
        recs = list(records)
        py = next((r for r in recs if r.name == "python"), None)
        facts: list[TargetFact] = []
        if subdir is not None:
            facts.append(TargetFact("subdir", subdir, "override (--platform)"))
        else:
            if py is not None and py.subdir not in ("noarch", "unknown"):
                subdir = py.subdir
                facts.append(
                    TargetFact("subdir", subdir, f"from {py.where or 'the python record'}")
                )
            else:
                first = next((r for r in recs if r.subdir not in ("noarch", "", "unknown")), None)
                subdir = first.subdir if first is not None else None
                facts.append(
                    TargetFact("subdir", subdir, f"from {first.where or first.name}")
                    if first is not None
                    else TargetFact("subdir", None, "unknown: give --platform")
                )
        implementation = "cpython"
        free_threaded = False
        pypy_abi = "73"
        if py is not None:
            if "pypy" in py.build:
                implementation = "pypy"
                m = _PYPY_ABI.search(py.build)
                if m:
                    pypy_abi = m.group(1) + m.group(2)
            free_threaded = _FREE_THREADED.search(py.build) is not None
        abi = next((r for r in recs if r.name == "python_abi"), None)
        if abi is not None and abi.build.endswith("t"):
            free_threaded = True
        if abi is not None and "pypy" in abi.build:
            implementation = "pypy"
        version = python or (py.version if py is not None else None)
        if version is not None:
            _check_python(version, py.where if py is not None and not python else "--python")
        python_from = None if python else (py.where or py.dist_name) if py is not None else None
        facts.append(
            TargetFact(
                "python",
                version,
                "override (--python)"
                if python
                else f"from {python_from}"
                if python_from
                else "unknown: pin python in the source",
            )
        )
        if subdir and host is not None and host.subdir != subdir:
            host = host_cuda = None  # another platform: nothing of this machine applies
        vfacts = virtual_facts(subdir, overrides, environ, host, host_cuda) if subdir else ()
        return cls(
            subdir=subdir,
            python_version=version,
            implementation=implementation,
            free_threaded=free_threaded,
            virtual_packages=packages_of(vfacts),
            python_from=python_from,
            facts=(*facts, *vfacts),
            pypy_abi=pypy_abi,
            platform_release=host.release if host is not None else None,
            platform_version=host.version if host is not None else None,
        )

    def fact(self, name: str) -> TargetFact | None:
        """The fact named ``name`` (``subdir``, ``python``, ``__glibc``, ``__cuda``, ...)."""
        return next((f for f in self.facts if f.name == name), None)

    @property
    def assumed_facts(self) -> tuple[TargetFact, ...]:
        """Facts that are assumed or unknown: a report shows them as such."""
        return tuple(f for f in self.facts if f.assumed or f.unknown)

    @property
    def platform(self) -> str | None:
        return self.subdir.partition("-")[0] if self.subdir else None

    @property
    def python_short(self) -> str | None:
        """``3.10`` for ``3.10.5``."""
        if not self.python_version:
            return None
        return ".".join(self.python_version.split(".")[:2])

    def virtual_package(self, name: str) -> VirtualPackage | None:
        return next((v for v in self.virtual_packages if v.name == name), None)

    def virtual_records(self) -> tuple[PackageRecord, ...]:
        """Virtual packages as records, for matching ``__cuda >=11``-style specs."""
        return tuple(v.as_record(self.subdir or "noarch") for v in self.virtual_packages)

    def platform_tags(self) -> list[str]:
        """Wheel platform tags the target accepts, best first, as pip's ``packaging.tags``
        orders them on that platform.

        Linux: ``manylinux_2_N`` from ``__glibc`` down to 2_17 (2_5 on x86), each legacy alias
        right after its version, then ``linux_<arch>`` last. macOS: from ``__osx``. Windows:
        from the subdir.

        >>> t = Target("linux-64", "3.10.5")
        >>> t.platform_tags()[:2], t.platform_tags()[-1]
        (['manylinux_2_17_x86_64', 'manylinux2014_x86_64'], 'linux_x86_64')
        """
        if not self.subdir or self.subdir == "noarch":
            return []
        plat, _, arch_code = self.subdir.partition("-")
        arch = _MACHINE.get((plat, arch_code), arch_code)
        if plat == "linux":
            glibc = self.virtual_package("__glibc")
            tags = _manylinux_tags(arch, glibc.version if glibc else DEFAULT_GLIBC)
            return [*tags, f"linux_{arch}"]  # packaging.tags._linux_platforms: last
        if plat == "osx":
            from packaging.tags import mac_platforms

            osx = self.virtual_package("__osx")
            version = _major_minor(osx.version if osx else DEFAULT_OSX.get(self.subdir, "10.13"))
            return list(mac_platforms(version, "arm64" if arch == "arm64" else "x86_64"))
        if plat == "win":
            return [
                {"64": "win_amd64", "32": "win32", "arm64": "win_arm64"}.get(
                    arch_code, f"win_{arch_code}"
                )
            ]
        return [f"{plat}_{arch}"]

    def abis(self) -> list[str]:
        """The interpreter's own ABIs, as ``packaging.tags`` derives them on it: ``cp310``,
        ``cp37m`` (pymalloc up to 3.7), ``cp27mu`` (UCS-4 on Unix), ``cp313t``
        (free-threaded), ``pypy310_pp73``."""
        if not self.python_version:
            return []
        major, minor = _major_minor(self.python_version)
        if self.implementation == "pypy":
            return [f"pypy{major}{minor}_pp{self.pypy_abi}"]
        threading = "t" if self.free_threaded and (major, minor) >= (3, 13) else ""
        pymalloc = "m" if (major, minor) < (3, 8) else ""
        # conda's CPython 2.7 is a wide (UCS-4) build on Unix, narrow on Windows
        ucs4 = "u" if (major, minor) < (3, 3) and self.platform != "win" else ""
        return [f"cp{major}{minor}{threading}{pymalloc}{ucs4}"]

    def wheel_tags(self) -> list[Tag]:
        """Every wheel tag the target's interpreter accepts, best first: pip's
        ``compatibility_tags.get_supported()`` as run by the target's own interpreter."""
        if not self.python_version:
            return []
        from packaging.tags import compatible_tags, cpython_tags, generic_tags

        major, minor = _major_minor(self.python_version)
        platforms = self.platform_tags()
        if self.implementation == "cpython":
            # packaging leaves abi3 out for a free-threaded ABI by itself
            tags = list(cpython_tags((major, minor), self.abis(), platforms))
            interpreter = f"cp{major}{minor}"
        else:
            interpreter = f"pp{major}{minor}"
            tags = list(generic_tags(interpreter, self.abis(), platforms))
        tags += list(compatible_tags((major, minor), interpreter, platforms))
        return tags

    def markers(self) -> dict[str, str]:
        """The PEP 508 marker environment of the target (only what is known).

        >>> Target("linux-64", "3.10.5").markers()["platform_machine"]
        'x86_64'
        """
        env: dict[str, str] = {}
        if self.python_version:
            env["python_version"] = self.python_short or ""
            env["python_full_version"] = self.python_version
            env["implementation_version"] = self.python_version
        impl = self.implementation
        env["implementation_name"] = impl
        env["platform_python_implementation"] = {"cpython": "CPython", "pypy": "PyPy"}.get(
            impl, impl
        )
        if self.subdir and self.subdir != "noarch":
            plat, _, arch = self.subdir.partition("-")
            env["sys_platform"] = _SYS_PLATFORM.get(plat, plat)
            env["platform_system"] = _SYSTEM.get(plat, plat)
            env["os_name"] = "nt" if plat == "win" else "posix"
            machine = _MACHINE.get((plat, arch))
            if machine:
                env["platform_machine"] = machine
        if self.platform_release is not None:
            env["platform_release"] = self.platform_release
        if self.platform_version is not None:
            env["platform_version"] = self.platform_version
        return env
