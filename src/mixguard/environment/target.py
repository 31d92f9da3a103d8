"""The target an environment runs on: platform, python, virtual packages.

Always taken from the environment's own records (the ``python`` conda record and the subdir),
never from the interpreter running mixguard.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from packaging.tags import Tag

from ..conda.records import PackageRecord
from ..conda.virtual import DEFAULT_GLIBC, DEFAULT_OSX, VirtualPackage, virtual_packages

__all__ = ["Target"]

_MANYLINUX2014_ARCHES = frozenset(
    {"x86_64", "i686", "aarch64", "armv7l", "ppc64", "ppc64le", "s390x"}
)


def _major_minor(version: str) -> tuple[int, int]:
    parts = [int(p) for p in re.findall(r"\d+", version)[:2]]
    return (parts + [0, 0])[0], (parts + [0, 0])[1]


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

    def platform_tags(self) -> list[str]:
        """Wheel platform tags the target accepts, best first (as pip orders them).

        Linux: ``linux_<arch>``, then ``manylinux_2_N`` from ``__glibc`` (default 2.17) down to
        2_5 with the legacy aliases where pip puts them. macOS: from ``__osx``. Windows:
        from the subdir.

        >>> Target("linux-64", "3.10.5", virtual_packages=()).platform_tags()[:3]
        ['linux_x86_64', 'manylinux_2_17_x86_64', 'manylinux2014_x86_64']
        """
        if not self.subdir or self.subdir == "noarch":
            return []
        plat, _, arch_code = self.subdir.partition("-")
        arch = _MACHINE.get((plat, arch_code), arch_code)
        if plat == "linux":
            arch = {"armv7l": "armv7l", "i686": "i686"}.get(arch, arch)
            glibc = self.virtual_package("__glibc")
            major, minor = _major_minor(glibc.version if glibc else DEFAULT_GLIBC)
            lowest = 5 if arch in ("x86_64", "i686") else 17
            tags: list[str] = [f"linux_{arch}"]  # pip (packaging.tags) lists it first
            for m in range(minor, lowest - 1, -1) if major == 2 else ():
                tags.append(f"manylinux_2_{m}_{arch}")
                legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}.get(m)
                if (
                    legacy
                    and (m != 17 or arch in _MANYLINUX2014_ARCHES)
                    and (m == 17 or arch in ("x86_64", "i686"))
                ):
                    tags.append(f"{legacy}_{arch}")
            return tags
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

    def wheel_tags(self) -> list[Tag]:
        """Every wheel tag the target's interpreter accepts, best first (``packaging.tags``)."""
        if not self.python_version:
            return []
        from packaging.tags import compatible_tags, cpython_tags, generic_tags

        major, minor = _major_minor(self.python_version)
        platforms = self.platform_tags()
        if self.implementation == "cpython":
            abi = f"cp{major}{minor}{'t' if self.free_threaded else ''}"
            # abi3 wheels do not load in a free-threaded interpreter
            tags = list(cpython_tags((major, minor), [abi], platforms))
            if self.free_threaded:
                tags = [t for t in tags if t.abi != "abi3"]
            interpreter = f"cp{major}{minor}"
        else:
            interpreter = f"pp{major}{minor}"
            tags = list(generic_tags(interpreter, ["none"], platforms))
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
        return env
