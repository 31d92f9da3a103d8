"""Target facts: taken from this machine for a prefix on it, each with its provenance.

The CUDA driver probe is exercised for real: a tiny ``libcuda.so`` built here (when a C
compiler is present) answers ``cuDriverGetVersion`` as a driver does, and conda's way of
asking it (a subprocess loading the library) must read 12.4 from it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from packaging import _manylinux

from mixguard import load_environment
from mixguard.cli import main
from mixguard.demo import demo_index, demo_prefix
from mixguard.environment import read_prefix
from mixguard.environment.host import detect_cuda_driver, detect_glibc, host_facts

SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "report-schema.json").read_text())
LINUX = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a glibc host")


@pytest.fixture
def prefix(tmp_path: Path) -> Path:
    dest = tmp_path / "env"
    shutil.copytree(demo_prefix(), dest)
    return dest


@LINUX
def test_glibc_is_read_as_packaging_reads_it() -> None:
    glibc = detect_glibc()
    assert glibc is not None
    assert tuple(int(x) for x in glibc.split(".")) == _manylinux._get_glibc_version()


@LINUX
def test_a_prefix_here_takes_this_machines_facts(prefix: Path) -> None:
    t = read_prefix(prefix, environ={}).target
    glibc = t.fact("__glibc")
    assert glibc is not None and glibc.source == "detected" and glibc.value == detect_glibc()
    cuda = t.fact("__cuda")
    assert cuda is not None and cuda.source.startswith("detected")
    assert (cuda.value is None) == (t.virtual_package("__cuda") is None)
    assert not t.assumed_facts


@LINUX
def test_overrides_win_and_say_so(prefix: Path) -> None:
    t = read_prefix(prefix, overrides={"glibc": "2.28"}, environ={}).target
    assert str(t.fact("__glibc")) == "__glibc=2.28 (override (--glibc))"
    t2 = read_prefix(prefix, environ={"CONDA_OVERRIDE_CUDA": "12.4"}).target
    assert str(t2.fact("__cuda")) == "__cuda=12.4 (override (CONDA_OVERRIDE_CUDA))"
    t3 = read_prefix(prefix, host=None, environ={}).target
    assert str(t3.fact("__glibc")) == "__glibc=2.17 (assumed (conda default))"
    assert t3.fact("__cuda") is not None and t3.fact("__cuda").unknown  # type: ignore[union-attr]
    assert {f.name for f in t3.assumed_facts} >= {"__glibc", "__cuda"}


def test_a_foreign_prefix_detects_nothing(tmp_path: Path) -> None:
    dest = tmp_path / "osx"
    shutil.copytree(demo_prefix(), dest)
    for meta in (dest / "conda-meta").glob("python-3*.json"):
        rec = json.loads(meta.read_text())
        rec["subdir"] = "osx-arm64"
        meta.write_text(json.dumps(rec))
    t = read_prefix(dest, environ={}).target
    assert t.subdir == "osx-arm64"
    osx = t.fact("__osx")
    assert osx is not None and osx.assumed
    assert t.fact("__glibc") is None


def test_the_demo_is_its_own_node() -> None:
    t = load_environment(demo=True).target
    assert str(t.fact("__glibc")) == "__glibc=2.17 (the demo's GPU node)"
    assert str(t.fact("__cuda")) == "__cuda=11.2 (the demo's GPU node)"


@LINUX
def test_the_report_shows_every_fact_with_its_source(
    prefix: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = (demo_index() / "simple").as_uri()
    args = ["check", "--prefix", str(prefix), "--offline", "--format", "json"]
    assert main([*args, "--fail-on", "never", "--", "six", "--index-url", index]) == 0
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, SCHEMA)
    facts = {f["name"]: f for f in data["target"]["facts"]}
    assert facts["__glibc"]["source"] == "detected"
    assert facts["subdir"]["source"].startswith("from conda-meta/python-3.10.5")
    assert data["schema"] == "mixguard.report/2"
    assert (
        main(
            [
                "check",
                "--prefix",
                str(prefix),
                "--offline",
                "--glibc",
                "2.17",
                "--",
                "six",
                "--index-url",
                index,
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "__glibc 2.17 (override (--glibc))" in text


_FAKE_LIBCUDA = r"""
int cuInit(unsigned int flags) { return 0; }
int cuDriverGetVersion(int *v) { *v = 12040; return 0; }
"""


@LINUX
@pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler")
def test_the_cuda_probe_reads_a_driver(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "fake.c"
    src.write_text(_FAKE_LIBCUDA)
    subprocess.run(
        ["cc", "-shared", "-fPIC", "-o", str(tmp_path / "libcuda.so"), str(src)], check=True
    )
    monkeypatch.setenv("LD_LIBRARY_PATH", str(tmp_path))
    assert detect_cuda_driver() == ("12.4", "detected (cuDriverGetVersion)")
    monkeypatch.setenv("LD_LIBRARY_PATH", str(tmp_path / "nothing-here"))
    if (
        host_facts().subdir == "linux-64"
        and not Path("/usr/lib/x86_64-linux-gnu/libcuda.so.1").exists()
    ):
        version, how = detect_cuda_driver()
        assert version is None and "no NVIDIA driver" in how
