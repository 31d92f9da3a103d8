"""The target an environment runs on: platform, python, virtual packages.

Always taken from the environment's own records (the ``python`` conda record and the subdir),
never from the interpreter running mixguard.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..conda.records import PackageRecord
from ..conda.virtual import VirtualPackage, virtual_packages

__all__ = ["Target"]

_FREE_THREADED = re.compile(r"_cp3\d+t$")  # conda-forge's free-threaded python builds

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

    @classmethod
    def from_records(
        cls,
        records: Iterable[PackageRecord],
        subdir: str | None = None,
        overrides: Mapping[str, str | None] | None = None,
        environ: Mapping[str, str] | None = None,
        python: str | None = None,
    ) -> Target:
        """Derive the target from conda records; explicit arguments win over records."""
        recs = list(records)
        py = next((r for r in recs if r.name == "python"), None)
        if subdir is None:
            if py is not None and py.subdir not in ("noarch", "unknown"):
                subdir = py.subdir
            else:
                subdir = next(
                    (r.subdir for r in recs if r.subdir not in ("noarch", "", "unknown")), None
                )
        implementation = "cpython"
        free_threaded = False
        if py is not None:
            if "pypy" in py.build:
                implementation = "pypy"
            free_threaded = _FREE_THREADED.search(py.build) is not None
        abi = next((r for r in recs if r.name == "python_abi"), None)
        if abi is not None and abi.build.endswith("t"):
            free_threaded = True
        if abi is not None and "pypy" in abi.build:
            implementation = "pypy"
        vpkgs = virtual_packages(subdir, overrides, environ) if subdir else ()
        return cls(
            subdir=subdir,
            python_version=python or (py.version if py is not None else None),
            implementation=implementation,
            free_threaded=free_threaded,
            virtual_packages=vpkgs,
            python_from=None if python else (py.where or py.dist_name) if py is not None else None,
        )

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
        return env
