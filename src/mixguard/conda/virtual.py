"""Virtual packages (``__cuda``, ``__glibc``, ...) for a target, each with where it came from.

Conda's solver treats them as installed records; ``cudatoolkit`` constrains ``__cuda >=11``.
In order of precedence a value comes from an explicit override (API argument or CLI flag),
``CONDA_OVERRIDE_*``, this machine (only when the caller passes ``host``: a prefix on this
machine, see :mod:`mixguard.environment.host`), or a documented default; ``__cuda`` has no
default: without a driver reading or an override it is *unknown*, never assumed absent.
Every value carries its provenance (:class:`TargetFact`), shown in reports.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import InvalidVersion, ParseError
from ..names import conda_name
from .records import PackageRecord
from .version import VersionOrder

if TYPE_CHECKING:
    from ..environment.host import HostFacts

__all__ = [
    "DEFAULT_GLIBC",
    "DEFAULT_OSX",
    "TargetFact",
    "VirtualPackage",
    "packages_of",
    "virtual_facts",
    "virtual_packages",
]

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


#: provenance words, as reports show them
DETECTED = "detected"
ASSUMED = "assumed (conda default)"
UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class TargetFact:
    """One fact of a target and where it came from.

    ``value`` None: absent (``source`` says whether that was detected or is unknown).
    ``source`` is ``detected``, ``override (--glibc)``, ``override (CONDA_OVERRIDE_GLIBC)``,
    ``assumed (...)``, ``from <where>`` or ``unknown``.
    """

    name: str
    value: str | None
    source: str

    @property
    def assumed(self) -> bool:
        return self.source.startswith("assumed")

    @property
    def unknown(self) -> bool:
        return self.source.startswith(UNKNOWN)

    def __str__(self) -> str:
        return f"{self.name}={self.value if self.value is not None else 'none'} ({self.source})"


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


def virtual_facts(
    subdir: str,
    overrides: Mapping[str, str | None] | None = None,
    environ: Mapping[str, str] | None = None,
    host: HostFacts | None = None,
    host_cuda: Callable[[], tuple[str | None, str]] | None = None,
) -> tuple[TargetFact, ...]:
    """The virtual packages of a target ``subdir``, each with its provenance.

    ``overrides`` maps ``cuda``/``glibc``/``osx``/``linux``/``win``/``archspec`` (or the
    ``__`` names) to a version; ``None`` or ``""`` removes it (``__cuda`` absent: no GPU driver).
    ``environ`` (default ``os.environ``) supplies ``CONDA_OVERRIDE_CUDA`` and friends;
    explicit ``overrides`` win. ``host`` (this machine's facts) and ``host_cuda`` (its driver
    probe) are used, after both, only for a target that runs on this machine.

    >>> [str(f) for f in virtual_facts("linux-64", {"cuda": "11.2"}, environ={})][2:]
    ['__glibc=2.17 (assumed (conda default))', '__archspec=x86_64 (assumed (the subdir))', \
'__cuda=11.2 (override (--cuda))']
    """
    env = os.environ if environ is None else environ
    chosen: dict[str, tuple[str | None, str]] = {}
    for key in _KEYS:
        var = f"CONDA_OVERRIDE_{key.upper()}"
        if var in env:
            chosen[key] = (env[var], f"override ({var})")
    for key, value in (overrides or {}).items():
        short = key.removeprefix("__").lower()
        if short not in _KEYS:
            raise ParseError(key, f"unknown virtual package; expected one of {', '.join(_KEYS)}")
        chosen[short] = (value, f"override (--{short})")

    def fact(key: str, detected: str | None, default: str | None, assumed: str) -> TargetFact:
        if key in chosen:
            value, source = chosen[key]
        elif host is not None and detected is not None:
            value, source = detected, host.label
        else:
            value, source = default, assumed
        if value in (None, ""):
            return TargetFact(f"__{key}", None, source)
        try:
            VersionOrder.parse(str(value))
        except InvalidVersion as exc:
            raise ParseError(value, exc.reason, f"virtual package __{key} ({source})") from None
        return TargetFact(f"__{key}", str(value), source)

    platform = subdir.partition("-")[0]
    out: list[TargetFact] = []
    if platform in ("linux", "osx", "freebsd"):
        out.append(TargetFact("__unix", "0", "from the subdir"))
    if platform == "linux":
        out.append(fact("linux", host.linux if host else None, "0", ASSUMED))
        out.append(fact("glibc", host.glibc if host else None, DEFAULT_GLIBC, ASSUMED))
    elif platform == "osx":
        out.append(
            fact("osx", host.osx if host else None, DEFAULT_OSX.get(subdir, "10.13"), ASSUMED)
        )
    elif platform == "win":
        out.append(fact("win", host.win if host else None, "0", ASSUMED))
    if subdir != "noarch":
        if "archspec" in chosen and chosen["archspec"][0]:
            out.append(TargetFact("__archspec", chosen["archspec"][0], chosen["archspec"][1]))
        elif host is not None and host.archspec:
            out.append(TargetFact("__archspec", host.archspec, host.label))
        else:
            out.append(TargetFact("__archspec", _arch(subdir), "assumed (the subdir)"))
    if platform in ("linux", "win"):
        if "cuda" in chosen or host_cuda is None:
            out.append(fact("cuda", None, None, f"{UNKNOWN}: give --cuda (or CONDA_OVERRIDE_CUDA)"))
        else:
            value, how = host_cuda()
            label = host.label if host is not None else DETECTED
            out.append(TargetFact("__cuda", value, label if value else f"{label}: {how}"))
    return tuple(out)


def virtual_packages(
    subdir: str,
    overrides: Mapping[str, str | None] | None = None,
    environ: Mapping[str, str] | None = None,
    host: HostFacts | None = None,
    host_cuda: Callable[[], tuple[str | None, str]] | None = None,
) -> tuple[VirtualPackage, ...]:
    """The virtual packages present (see :func:`virtual_facts` for their provenance).

    >>> [str(v) for v in virtual_packages("linux-64", {"cuda": "11.2"}, environ={})]
    ['__unix=0=0', '__linux=0=0', '__glibc=2.17=0', '__archspec=1=x86_64', '__cuda=11.2=0']
    """
    return packages_of(virtual_facts(subdir, overrides, environ, host, host_cuda))


def packages_of(facts: tuple[TargetFact, ...]) -> tuple[VirtualPackage, ...]:
    out = []
    for f in facts:
        if f.value is None:
            continue
        if f.name == "__archspec":
            out.append(VirtualPackage("__archspec", "1", f.value))
        else:
            out.append(VirtualPackage(f.name, f.value))
    return tuple(out)
