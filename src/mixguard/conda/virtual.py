"""Virtual packages (``__cuda``, ``__glibc``, ...) for a target, from explicit overrides.

Conda's solver treats them as installed records; ``cudatoolkit`` constrains ``__cuda >=11``.
mixguard never reads them from the host running it: the environment being judged may live in a
Docker image or on a GPU node. Values come from ``CONDA_OVERRIDE_*``-style variables or from
API arguments, and fall back to documented defaults per subdir (docs/conda-semantics.md).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import InvalidVersion, ParseError
from ..names import conda_name
from .records import PackageRecord
from .version import VersionOrder

__all__ = ["DEFAULT_GLIBC", "DEFAULT_OSX", "VirtualPackage", "virtual_packages"]

#: glibc assumed when no ``__glibc`` override is given: conda-forge's sysroot baseline
#: (and manylinux2014's). Issue 4 uses it for ``manylinux_2_N`` wheel tags.
DEFAULT_GLIBC = "2.17"
#: macOS assumed when no ``__osx`` override is given: conda-forge's deployment targets.
DEFAULT_OSX = {"osx-64": "10.13", "osx-arm64": "11.0"}

_ARCH = {
    "64": "x86_64",
    "32": "x86",
    "aarch64": "aarch64",
    "arm64": "arm64",
    "ppc64le": "ppc64le",
    "ppc64": "ppc64",
    "s390x": "s390x",
    "armv7l": "armv7l",
    "armv6l": "armv6l",
    "riscv64": "riscv64",
    "wasm32": "wasm32",
}
_KEYS = ("cuda", "glibc", "linux", "osx", "win", "archspec")


@dataclass(frozen=True, slots=True)
class VirtualPackage:
    name: str
    version: str
    build: str = "0"

    def as_record(self, subdir: str) -> PackageRecord:
        """A record MatchSpecs can be matched against, as conda's solver does."""
        return PackageRecord(conda_name(self.name), self.version, self.build, 0, subdir)

    def __str__(self) -> str:
        return f"{self.name}={self.version}={self.build}"


def _arch(subdir: str) -> str:
    return _ARCH.get(subdir.partition("-")[2], subdir.partition("-")[2])


def virtual_packages(
    subdir: str,
    overrides: Mapping[str, str | None] | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[VirtualPackage, ...]:
    """The virtual packages of a target ``subdir``.

    ``overrides`` maps ``cuda``/``glibc``/``osx``/``linux``/``win``/``archspec`` (or the
    ``__`` names) to a version; ``None`` or ``""`` removes it (``__cuda`` absent: no GPU driver).
    ``environ`` (default ``os.environ``) supplies ``CONDA_OVERRIDE_CUDA`` and friends;
    explicit ``overrides`` win.

    >>> [str(v) for v in virtual_packages("linux-64", {"cuda": "11.2"}, environ={})]
    ['__unix=0=0', '__linux=0=0', '__glibc=2.17=0', '__archspec=1=x86_64', '__cuda=11.2=0']
    """
    env = os.environ if environ is None else environ
    chosen: dict[str, str | None] = {}
    for key in _KEYS:
        var = f"CONDA_OVERRIDE_{key.upper()}"
        if var in env:
            chosen[key] = env[var]
    for key, value in (overrides or {}).items():
        short = key.removeprefix("__").lower()
        if short not in _KEYS:
            raise ParseError(key, f"unknown virtual package; expected one of {', '.join(_KEYS)}")
        chosen[short] = value

    def version_of(key: str, default: str | None) -> str | None:
        value = chosen.get(key, default)
        if value in (None, ""):
            return None
        try:
            VersionOrder.parse(str(value))
        except InvalidVersion as exc:
            raise ParseError(value, exc.reason, f"virtual package __{key}") from None
        return str(value)

    platform = subdir.partition("-")[0]
    out: list[VirtualPackage] = []
    if platform in ("linux", "osx", "freebsd"):
        out.append(VirtualPackage("__unix", "0"))
    if platform == "linux":
        linux = version_of("linux", "0")
        if linux:
            out.append(VirtualPackage("__linux", linux))
        glibc = version_of("glibc", DEFAULT_GLIBC)
        if glibc:
            out.append(VirtualPackage("__glibc", glibc))
    elif platform == "osx":
        osx = version_of("osx", DEFAULT_OSX.get(subdir, "10.13"))
        if osx:
            out.append(VirtualPackage("__osx", osx))
    elif platform == "win":
        win = version_of("win", "0")
        if win:
            out.append(VirtualPackage("__win", win))
    if subdir != "noarch":
        archspec = chosen.get("archspec") or _arch(subdir)
        out.append(VirtualPackage("__archspec", "1", archspec))
    cuda = version_of("cuda", None)
    if cuda and platform in ("linux", "win"):
        out.append(VirtualPackage("__cuda", cuda))
    return tuple(out)
