"""PackageRecord / PrefixRecord validation, and virtual packages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mixguard.conda import PackageRecord, PrefixRecord
from mixguard.conda.virtual import virtual_packages
from mixguard.errors import InvalidMatchSpec, InvalidRecord, ParseError

UP = Path(__file__).parent / "data" / "upstream"


def _tf_records() -> dict[str, PackageRecord]:
    raw = json.loads((UP / "libcfgraph" / "tf29_cuda112_py310_index_records.json").read_text())
    return {
        f"{r['index']['name']}-{r['index']['build']}": PackageRecord.from_dict(
            r["index"], r["artifact"]
        )
        for r in raw["records"]
    }


def test_real_tf_records() -> None:
    recs = _tf_records()
    base = recs["tensorflow-base-cuda112py310hc65a3b4_0"]
    assert base.version == "2.9.1"
    assert "numpy >=1.21.6,<2.0a0" in base.depends
    assert base.timestamp is not None and base.timestamp > 10**12  # milliseconds
    cpu = recs["tensorflow-cpu_py310hd1aba9c_0"]
    assert cpu.track_features == ("tensorflow-cpu",)
    keras = recs["keras-pyhd8ed1ab_0"]
    assert keras.noarch == "python" and keras.constrains == ("tensorflow 2.9.*",)
    assert recs["cudatoolkit-hbe64b41_10"].constrains == ("__cuda >=11",)
    specs = {s.name: s for s in base.depends_specs()}
    assert specs["numpy"].match(recs["numpy-py310h45f3432_0"])
    assert specs["cudatoolkit"].match(recs["cudatoolkit-hbe64b41_10"])


def test_records_sort_by_conda_version() -> None:
    recs = [
        PackageRecord.from_dict({"name": "a", "version": v, "build": "0", "subdir": "noarch"})
        for v in ("1.10", "1.9", "1.10rc1", "1.9.post1")
    ]
    ordered = sorted(recs, key=lambda r: r.version_order)
    assert [r.version for r in ordered] == ["1.9", "1.9.post1", "1.10rc1", "1.10"]


def test_seconds_timestamp_becomes_ms_and_noarch_true() -> None:
    rec = PackageRecord.from_dict(
        {
            "name": "a",
            "version": "1",
            "build": "0",
            "subdir": "noarch",
            "timestamp": 1578324546,
            "noarch": True,
        }
    )
    assert rec.timestamp == 1578324546000
    assert rec.noarch == "generic"


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"version": "1", "build": "0"}, "name"),
        ({"name": "a", "version": "1..2", "build": "0"}, "version"),
        ({"name": "a", "version": "1", "build": "0", "depends": "b"}, "depends"),
        ({"name": "a", "version": "1", "build": "0", "build_number": "x"}, "build_number"),
        ({"name": "a", "version": "1", "build": "0", "noarch": "java"}, "noarch"),
    ],
)
def test_invalid_record(raw: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidRecord, match=field) as info:
        PackageRecord.from_dict(raw, "conda-meta/a-1-0.json")
    assert "conda-meta/a-1-0.json" in str(info.value)


def test_bad_depends_spec_names_record_and_index() -> None:
    rec = PackageRecord.from_dict(
        {
            "name": "a",
            "version": "1",
            "build": "0",
            "subdir": "noarch",
            "depends": ["python >=3", "numpy >=1..2"],
        },
        "conda-meta/a-1-0.json",
    )
    with pytest.raises(InvalidMatchSpec) as info:
        rec.depends_specs()
    assert "conda-meta/a-1-0.json: depends[1]" in str(info.value)
    assert "'numpy >=1..2'" in str(info.value)


def test_windows_backslash_paths() -> None:
    raw = json.loads(
        (UP / "rattler" / "conda-meta" / "requests-2.28.2-pyhd8ed1ab_0.json").read_text()
    )
    rec = PrefixRecord.from_dict(raw, "conda-meta/requests-2.28.2-pyhd8ed1ab_0.json")
    assert "Lib/site-packages/requests-2.28.2.dist-info/METADATA" in rec.files
    assert not any("\\" in f for f in rec.files)
    assert all("\\" not in p.path for p in rec.paths_data)
    assert (
        rec.link is not None
        and rec.link.source == "C:/Users/bas/micromamba/pkgs/requests-2.28.2-pyhd8ed1ab_0"
    )
    assert rec.record.sha256 == "22c081b4cdd023a514400413f50efdf2c378f56f2a5ea9d65666aacf4696490a"


def test_requested_spec_forms() -> None:
    pip = PrefixRecord.from_dict(
        json.loads((UP / "rattler" / "conda-meta" / "pip-23.0-pyhd8ed1ab_0.json").read_text())
    )
    assert pip.requested_spec is not None and pip.requested_spec.startswith(
        "conda-forge/noarch::pip"
    )
    assert any(f.endswith("pip-23.0-py3.11.egg-info/PKG-INFO") for f in pip.files)


def test_virtual_packages_from_env_and_overrides() -> None:
    env = {"CONDA_OVERRIDE_CUDA": "12.2", "CONDA_OVERRIDE_GLIBC": "2.28"}
    vp = {v.name: v for v in virtual_packages("linux-64", environ=env)}
    assert vp["__cuda"].version == "12.2" and vp["__glibc"].version == "2.28"
    assert vp["__archspec"].build == "x86_64" and "__unix" in vp and "__linux" in vp
    # explicit arguments win; an empty value removes the package (no GPU driver)
    vp2 = {v.name for v in virtual_packages("linux-64", {"cuda": ""}, environ=env)}
    assert "__cuda" not in vp2
    win = {v.name for v in virtual_packages("win-64", environ={})}
    assert win == {"__win", "__archspec"}
    osx = {v.name: v.version for v in virtual_packages("osx-arm64", environ={})}
    assert osx["__osx"] == "11.0" and "__cuda" not in osx


def test_virtual_package_matches_constraint() -> None:
    vp = {v.name: v for v in virtual_packages("linux-64", {"cuda": "10.2"}, environ={})}
    cudatoolkit = _tf_records()["cudatoolkit-hbe64b41_10"]
    (constraint,) = cudatoolkit.constrains_specs()
    assert not constraint.match(vp["__cuda"].as_record("linux-64"))


def test_bad_override() -> None:
    with pytest.raises(ParseError, match="unknown virtual package"):
        virtual_packages("linux-64", {"gpu": "1"}, environ={})
    with pytest.raises(ParseError, match="__cuda"):
        virtual_packages("linux-64", {"cuda": "11..2"}, environ={})
