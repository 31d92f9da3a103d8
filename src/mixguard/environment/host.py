"""Facts of the machine mixguard runs on, read as pip and conda read them.

A prefix on this machine is installed into by this machine's pip, which takes its wheel tags
from this machine (``packaging.tags``: glibc from ``os.confstr``, then
``gnu_get_libc_version``), and conda would solve it with this machine's virtual packages
(``__cuda`` from the NVIDIA driver's ``cuDriverGetVersion``, ``__archspec`` from archspec).
For file sources and foreign platforms none of this is used (see
:func:`mixguard.environment.target.Target.from_records`).

Detection never raises: a fact that cannot be read is ``None`` and says why in ``notes``.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from typing import Final

__all__ = [
    "DETECT",
    "HostFacts",
    "detect_cuda_driver",
    "detect_glibc",
    "host_cuda",
    "host_facts",
    "host_subdir",
]

#: ask a reader to detect this machine's facts (the default for a prefix)
DETECT: Final = "detect"

#: conda waits up to 60 s for its detector; a check should not hang that long on a broken driver
CUDA_DETECT_TIMEOUT = 10.0

_MACHINES = {
    ("linux", "x86_64"): "linux-64",
    ("linux", "amd64"): "linux-64",
    ("linux", "i686"): "linux-32",
    ("linux", "aarch64"): "linux-aarch64",
    ("linux", "arm64"): "linux-aarch64",
    ("linux", "ppc64le"): "linux-ppc64le",
    ("linux", "s390x"): "linux-s390x",
    ("linux", "armv7l"): "linux-armv7l",
    ("darwin", "x86_64"): "osx-64",
    ("darwin", "arm64"): "osx-arm64",
    ("windows", "amd64"): "win-64",
    ("windows", "x86_64"): "win-64",
    ("windows", "arm64"): "win-arm64",
    ("windows", "x86"): "win-32",
}

# Run in a fresh interpreter, as conda runs its detector in a spawned process: loading the
# driver can hang or crash, and must not take mixguard down (conda's plugins/virtual_packages
# /cuda.py, _cuda_driver_version_detector_target).
_CUDA_DETECTOR = r"""
import ctypes, sys
names = {"win32": ["nvcuda.dll"], "darwin": ["libcuda.1.dylib", "libcuda.dylib"]}.get(
    sys.platform, ["libcuda.so", "libcuda.so.1"])
for name in names:
    try:
        lib = (ctypes.WinDLL if sys.platform == "win32" else ctypes.CDLL)(name)
        break
    except Exception:
        lib = None
if lib is None:
    print("none")
    raise SystemExit(0)
if lib.cuInit(0) != 0:
    print("none")
    raise SystemExit(0)
v = ctypes.c_int()
if lib.cuDriverGetVersion(ctypes.byref(v)) != 0:
    print("none")
    raise SystemExit(0)
print(f"{v.value // 1000}.{(v.value % 1000) // 10}")
"""


@dataclass(frozen=True, slots=True)
class HostFacts:
    """What this machine says about itself. ``None``: not applicable or not readable."""

    subdir: str | None
    glibc: str | None = None
    linux: str | None = None
    osx: str | None = None
    win: str | None = None
    archspec: str | None = None
    #: the provenance these facts are shown with ("detected"; the demo names its own)
    label: str = "detected"
    #: PEP 508 ``platform_release`` / ``platform_version`` (``platform.release()``/``version()``)
    release: str | None = None
    version: str | None = None


def host_subdir(system: str | None = None, machine: str | None = None) -> str | None:
    """The conda subdir of this machine (``linux-64``), None when conda has none for it."""
    key = ((system or platform.system()).lower(), (machine or platform.machine()).lower())
    return _MACHINES.get(key)


def detect_glibc() -> str | None:
    """glibc's version as ``packaging._manylinux._glibc_version_string`` reads it."""
    try:
        # "glibc 2.36"; os.confstr raises on platforms without the name
        value = os.confstr("CS_GNU_LIBC_VERSION")  # type: ignore[attr-defined,unused-ignore]
        if value:
            return value.split()[1]
    except (AttributeError, OSError, ValueError, IndexError):
        pass
    try:
        import ctypes

        process = ctypes.CDLL(None)
        fn = process.gnu_get_libc_version
        fn.restype = ctypes.c_char_p
        got = fn()
        return got.decode("ascii") if isinstance(got, bytes) else None
    except (OSError, AttributeError, TypeError):
        return None


def detect_cuda_driver(timeout: float = CUDA_DETECT_TIMEOUT) -> tuple[str | None, str]:
    """The driver's CUDA version as conda's ``__cuda`` detector reads it, and how it went."""
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _CUDA_DETECTOR],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None, f"the CUDA driver did not answer within {timeout:g} s"
    except OSError as exc:
        return None, f"the CUDA detector could not run: {exc}"
    out = proc.stdout.strip()
    if proc.returncode == 0 and re.fullmatch(r"\d+\.\d+", out):
        return out, "detected (cuDriverGetVersion)"
    if proc.returncode == 0 and out == "none":
        return None, "no NVIDIA driver found (libcuda could not be loaded or initialised)"
    return None, f"the CUDA detector failed (exit {proc.returncode})"


def _archspec() -> str | None:
    try:
        import archspec.cpu  # type: ignore[import-untyped]  # conda's source for __archspec
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    try:
        return str(archspec.cpu.host().name)
    except Exception:  # archspec reads /proc/cpuinfo & co.: any failure is "unknown"
        return None


def _dotted(text: str) -> str | None:
    m = re.match(r"\d+(\.\d+)*", text)
    return m.group(0) if m else None


@cache
def host_facts() -> HostFacts:
    """This machine's facts, read once per process (the CUDA driver apart: :func:`host_cuda`)."""
    glibc = linux = osx = win = None
    if sys.platform.startswith("linux"):
        glibc = detect_glibc()
        linux = _dotted(platform.release())
    elif sys.platform == "darwin":
        osx = _dotted(platform.mac_ver()[0])
    elif sys.platform == "win32":
        win = _dotted(platform.version())
    return HostFacts(
        subdir=host_subdir(),
        glibc=glibc,
        linux=linux,
        osx=osx,
        win=win,
        archspec=_archspec(),
        release=platform.release() or None,
        version=platform.version() or None,
    )


@cache
def host_cuda() -> tuple[str | None, str]:
    """The driver's CUDA version and how it was found; probed once, and only when asked (a
    subprocess, as conda's own detector: no override given)."""
    return detect_cuda_driver()
