"""MatchSpec parsing and record matching."""

from __future__ import annotations

import pytest

from mixguard.conda import MatchSpec, PackageRecord
from mixguard.errors import InvalidMatchSpec

NUMPY = PackageRecord.from_dict(
    {
        "name": "numpy",
        "version": "1.21.6",
        "build": "py310h45f3432_0",
        "build_number": 0,
        "subdir": "linux-64",
        "channel": "https://conda.anaconda.org/conda-forge/linux-64",
        "md5": "0123456789abcdef0123456789abcdef",
        "sha256": "ab" * 32,
        "license": "BSD-3-Clause",
        "track_features": "",
        "url": "https://conda.anaconda.org/conda-forge/linux-64/numpy-1.21.6-py310h45f3432_0.tar.bz2",
        "fn": "numpy-1.21.6-py310h45f3432_0.tar.bz2",
    }
)


@pytest.mark.parametrize(
    ("spec", "matches"),
    [
        ("numpy", True),
        ("NumPy", True),  # names compare case-insensitively
        ("numpy >=1.21.6,<2.0a0", True),
        ("numpy <1.21", False),
        ("numpy 1.21.*", True),
        ("numpy=1.21", True),
        ("numpy 1.21", False),  # a bare version is exact, as in conda
        ("numpy ==1.21.6", True),
        ("numpy=1.21.6=py310h45f3432_0", True),
        ("numpy 1.21.6 py310*", True),
        ("numpy 1.21.6 py39*", False),
        ("numpy * *_0", True),
        ("conda-forge::numpy", True),
        ("defaults::numpy", False),
        ("conda-forge/linux-64::numpy >=1", True),
        ("conda-forge/osx-64::numpy", False),
        ("numpy[version='>=1.21,<2', build=py310*]", True),
        ("numpy[build_number=0]", True),
        ("numpy[build_number='>0']", False),
        ("numpy[subdir=linux-64]", True),
        ("numpy[channel=conda-forge]", True),
        ("numpy[md5=0123456789abcdef0123456789abcdef]", True),
        ("numpy[md5=ffffffffffffffffffffffffffffffff]", False),
        (f"numpy[sha256={'ab' * 32}]", True),
        ("numpy[license=bsd-3-clause]", True),
        ("num*", True),
        ("numpy >=1.21 # a comment", True),
        ("numpy >=1.2 [build=py310*]", True),  # conda strips the brackets first
        (
            "https://conda.anaconda.org/conda-forge/linux-64/numpy-1.21.6-py310h45f3432_0.tar.bz2",
            True,
        ),
    ],
)
def test_match(spec: str, matches: bool) -> None:
    assert MatchSpec.parse(spec).match(NUMPY) is matches


def test_components() -> None:
    spec = MatchSpec.parse("conda-forge/linux-64::tensorflow-base 2.9.1 cuda112*")
    assert (spec.channel, spec.subdir, spec.name) == ("conda-forge", "linux-64", "tensorflow-base")
    assert str(spec.version) == "2.9.1"
    assert spec.build == "cuda112*"
    # conda's canonical form (conda.models.match_spec.MatchSpec.__str__)
    assert str(spec) == "conda-forge/linux-64::tensorflow-base==2.9.1[build=cuda112*]"


def test_feature_spec() -> None:
    spec = MatchSpec.parse("tensorflow-cpu@")
    rec = PackageRecord.from_dict(
        {
            "name": "tensorflow",
            "version": "2.9.1",
            "build": "cpu_0",
            "subdir": "linux-64",
            "track_features": "tensorflow-cpu",
        }
    )
    assert spec.match(rec)
    assert not spec.match(NUMPY)


@pytest.mark.parametrize(
    "spec",
    [
        "",
        ">=1.2",
        "numpy ==",
        "numpy >=1..2",
        "numpy[foo=bar]",
        "numpy[version=]",
        "conda-forge/linux-65::numpy[subdir=linux-65]",
    ],
)
def test_invalid(spec: str) -> None:
    with pytest.raises(InvalidMatchSpec) as info:
        MatchSpec.parse(spec)
    assert repr(spec) in str(info.value)
