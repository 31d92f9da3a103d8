"""The fast wheel-name parser in mixguard.index.links agrees with packaging.utils."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from packaging.utils import InvalidWheelFilename, parse_wheel_filename
from packaging.version import InvalidVersion

from mixguard.demo import demo_index
from mixguard.index.links import _parse_wheel
from tests.conftest import ORACLE_CASES

_part = st.text(alphabet="abcXYZ019._", min_size=1, max_size=8)


def _theirs(fn: str) -> object:
    try:
        name, version, build, tags = parse_wheel_filename(fn)
    except (InvalidWheelFilename, InvalidVersion):
        return "invalid"
    return (str(name), version, build, frozenset(str(t) for t in tags))


def _ours(fn: str) -> object:
    try:
        name, version, build, tags = _parse_wheel(fn)
    except (InvalidWheelFilename, InvalidVersion):
        return "invalid"
    from packaging.utils import canonicalize_name

    return (str(canonicalize_name(name)), version, build, tags)


@given(
    st.sampled_from(["numpy", "torch", "Foo_Bar", "a.b", "x__y", "bad-name"]),
    st.sampled_from(["1.0", "2.3.0+cu118", "1!2.0", "1.0rc1", "not a version", "1.0.post1.dev2"]),
    st.sampled_from(["", "1", "12abc", "x1"]),
    st.sampled_from(["py3", "cp310", "cp39.cp310", "py2.py3", "CP311"]),
    st.sampled_from(["none", "abi3", "cp310", "cp313t"]),
    st.sampled_from(
        ["any", "manylinux_2_17_x86_64.manylinux2014_x86_64", "win_amd64", "macosx_11_0_arm64"]
    ),
)
def test_generated_names(name: str, version: str, build: str, py: str, abi: str, plat: str) -> None:
    parts = [name, version] + ([build] if build else []) + [py, abi, plat]
    fn = "-".join(parts) + ".whl"
    # both directions: a name packaging (so pip) rejects must be rejected here too
    assert _ours(fn) == _theirs(fn), fn
    ORACLE_CASES["wheel file names (packaging)"] += 1


@given(st.lists(_part, min_size=5, max_size=7))
def test_arbitrary_dashes(parts: list[str]) -> None:
    fn = "-".join(parts) + ".whl"
    assert _ours(fn) == _theirs(fn), fn
    ORACLE_CASES["wheel file names (packaging)"] += 1


def test_every_real_name_in_the_demo_index() -> None:
    names = [
        f["filename"]
        for p in (demo_index() / "simple").glob("*/index.json")
        for f in json.loads(p.read_text())["files"]
        if f["filename"].endswith(".whl")
    ]
    assert len(names) > 40
    for fn in names:
        assert _ours(fn) == _theirs(fn), fn
