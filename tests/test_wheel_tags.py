"""Wheel tags identical to pip's own, in pip's order.

For every pyenv interpreter here (3.6-3.13), the newest pip it runs prints its "Compatible tags"
(``pip debug --verbose``); a conda prefix of that Python on this machine must give the same
list from :meth:`Target.wheel_tags`. Interpreters conda ships that pyenv does not have here
(2.7 wide builds, 3.14, free-threaded, PyPy) and the other conda subdirs are held against
``packaging.tags`` with explicit arguments (what pip's ``get_supported`` calls).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from packaging import tags as ptags

from mixguard.conda.records import PackageRecord
from mixguard.conda.virtual import virtual_packages
from mixguard.environment.host import host_facts
from mixguard.environment.target import Target

from .cases.envs import pyenv_interpreter

PIP = Path(__file__).parent / "data" / "pip"
#: the newest pip each interpreter runs, and its sha256
WHEELS = {
    "3.6": ("21.3.1", "deaf32dcd9ab821e359cd8330786bcd077604b5c5730c0b096eda46f95c24a2d"),
    "3.7": ("24.0", "ba0d021a166865d2265246961bec0152ff124de910c5cc39f1156ce3fa7c69dc"),
    "3.8": ("25.0.1", "c46efd13b6aa8279f33f2864459c8ce587ea6a1a59ee20de055868d8f7688f7f"),
}
PYTHONS = ["3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13"]


def _pip_tags(python: Path, wheel: Path) -> tuple[str, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    version = subprocess.run(
        [str(python), "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    proc = subprocess.run(
        [str(python), str(wheel / "pip"), "debug", "--verbose"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    lines = proc.stdout.splitlines()
    if proc.returncode == 0 and any(x.startswith("Compatible tags:") for x in lines):
        start = next(i for i, x in enumerate(lines) if x.startswith("Compatible tags:"))
        count = int(lines[start].split(":")[1])
        return version, [x.strip() for x in lines[start + 1 : start + 1 + count]]
    # pip 21.3.1 run from its wheel crashes in `debug` before the tags (reading vendored
    # versions); the tags it would print are get_supported()'s, called here directly
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "from pip._internal.utils.compatibility_tags import get_supported; "
        "print('\\n'.join(str(t) for t in get_supported()))"
    )
    out = subprocess.run(
        [str(python), "-c", code, str(wheel)], capture_output=True, text=True, env=env, check=True
    )
    return version, out.stdout.split()


@pytest.mark.parametrize("short", PYTHONS)
def test_wheel_tags_equal_pip_debug(short: str) -> None:
    pip_version, digest = WHEELS.get(short, ("25.3", None))
    wheel = PIP / f"pip-{pip_version}-py3-none-any.whl"
    if digest is not None:
        assert hashlib.sha256(wheel.read_bytes()).hexdigest() == digest
    version, theirs = _pip_tags(pyenv_interpreter(short), wheel)
    python = PackageRecord.from_dict(
        {
            "name": "python",
            "version": version,
            "build": "h0000000_0_cpython",
            "build_number": 0,
            "subdir": "linux-64",
        }
    )
    # a prefix on this machine: the host's glibc, as pip on it takes
    target = Target.from_records([python], host=host_facts(), environ={})
    ours = [str(t) for t in target.wheel_tags()]
    assert len(theirs) > 500
    assert ours == theirs


def _target(subdir: str, python: str, build: str = "h0_cpython", **vp: str) -> Target:
    rec = PackageRecord.from_dict(
        {"name": "python", "version": python, "build": build, "build_number": 0, "subdir": subdir}
    )
    return Target.from_records([rec], overrides=vp or None, environ={})


@pytest.mark.parametrize(
    ("subdir", "platforms"),
    [
        ("linux-64", None),
        ("linux-aarch64", None),
        ("linux-ppc64le", None),
        ("osx-64", list(ptags.mac_platforms((10, 13), "x86_64"))),
        ("osx-arm64", list(ptags.mac_platforms((11, 0), "arm64"))),
        ("win-64", ["win_amd64"]),
        ("win-arm64", ["win_arm64"]),
    ],
)
@pytest.mark.parametrize("python", ["2.7.18", "3.6.15", "3.7.12", "3.10.14", "3.14.0"])
def test_tags_equal_packaging_for_every_subdir(
    subdir: str, platforms: list[str] | None, python: str
) -> None:
    major, minor = (int(x) for x in python.split(".")[:2])
    t = _target(subdir, python, glibc="2.28")
    if platforms is None:
        arch = {"linux-64": "x86_64", "linux-aarch64": "aarch64", "linux-ppc64le": "ppc64le"}[
            subdir
        ]
        lowest = 5 if arch == "x86_64" else 17
        legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
        platforms = []
        for m in range(28, lowest - 1, -1):
            platforms.append(f"manylinux_2_{m}_{arch}")
            if m in legacy:
                platforms.append(f"{legacy[m]}_{arch}")
        platforms.append(f"linux_{arch}")
    pymalloc = "m" if (major, minor) < (3, 8) else ""
    u = "u" if (major, minor) < (3, 3) and not subdir.startswith("win") else ""
    abi = f"cp{major}{minor}{pymalloc}{u}"
    expected = list(ptags.cpython_tags((major, minor), [abi], platforms))
    expected += list(ptags.compatible_tags((major, minor), f"cp{major}{minor}", platforms))
    assert [str(x) for x in t.wheel_tags()] == [str(x) for x in expected]


def test_free_threaded_has_no_abi3() -> None:
    t = _target("linux-64", "3.13.1", build="h0_cp313t", glibc="2.17")
    tags = [str(x) for x in t.wheel_tags()]
    assert tags[0] == "cp313-cp313t-manylinux_2_17_x86_64"
    assert not any("abi3" in x for x in tags)
    expected = list(ptags.cpython_tags((3, 13), ["cp313t"], t.platform_tags()))
    expected += list(ptags.compatible_tags((3, 13), "cp313", t.platform_tags()))
    assert tags == [str(x) for x in expected]


def test_pypy_abi_as_pip_computes_it() -> None:
    t = _target("linux-64", "3.10.14", build="0_73_pypy", glibc="2.17")
    tags = [str(x) for x in t.wheel_tags()]
    assert tags[0] == "pp310-pypy310_pp73-manylinux_2_17_x86_64"
    expected = list(ptags.generic_tags("pp310", ["pypy310_pp73"], t.platform_tags()))
    expected += list(ptags.compatible_tags((3, 10), "pp310", t.platform_tags()))
    assert tags == [str(x) for x in expected]


def test_a_py37_target_takes_its_cp37m_wheel() -> None:
    t = _target("linux-64", "3.7.12", glibc="2.17")
    assert "cp37-cp37m-manylinux_2_17_x86_64" in {str(x) for x in t.wheel_tags()}


def test_virtual_packages_for_a_foreign_platform_are_not_the_hosts() -> None:
    rec = PackageRecord.from_dict(
        {
            "name": "python",
            "version": "3.11.0",
            "build": "h0",
            "build_number": 0,
            "subdir": "osx-arm64",
        }
    )
    t = Target.from_records([rec], host=host_facts(), environ={})
    osx = t.fact("__osx")
    assert osx is not None and osx.value == "11.0" and osx.assumed
    assert virtual_packages("osx-arm64", environ={})[1].version == "11.0"
