"""Differential tests: mixguard's conda semantics against py-rattler.

Every comparison is counted into ``ORACLE_CASES``; the run ends with one line giving the total.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mixguard.conda import MatchSpec, PackageRecord, VersionOrder, VersionSpec
from tests.conftest import ORACLE_CASES

from .strategies import numeric_versions, simple_specs, version_specs, versions

rattler = pytest.importorskip("rattler")


def _rattler_version(text: str) -> object:
    return rattler.Version(text)


@given(st.lists(versions(), min_size=2, max_size=6, unique=True))
def test_version_order_agrees(texts: list[str]) -> None:
    ours = [VersionOrder(t) for t in texts]
    theirs = [_rattler_version(t) for t in texts]
    for (a, ra), (b, rb) in itertools.combinations(zip(ours, theirs, strict=True), 2):
        assert (a < b, a == b, a > b) == (ra < rb, ra == rb, ra > rb), (a.raw, b.raw)  # type: ignore[operator]
        ORACLE_CASES["version order"] += 1


@given(versions())
def test_version_equal_hash(text: str) -> None:
    # equal versions must hash alike: '1.1' == '1.1.0' == '1.1.0.0'
    padded = text[:-1] + ".0_" if text.endswith("_") else text + ".0"
    a, b = VersionOrder(text), VersionOrder(padded)
    assert (a == b) == (rattler.Version(text) == rattler.Version(padded))
    if a == b:
        assert hash(a) == hash(b)
    ORACLE_CASES["version hash"] += 1


def _prefix_divergence(spec: VersionSpec, text: str) -> bool:
    """The one documented divergence (docs/conda-semantics.md): a prefix match (``=X``, ``X.*``,
    ``!=X.*``, ``~=``) against a version with fewer components whose last component holds a
    string or ``post`` (conda's infinity). conda compares component-wise (``0a1`` is not in
    ``0.0.*``, nor ``0.post1`` in ``0.0.0.*``); rattler says it is."""
    if spec.children:
        return any(_prefix_divergence(c, text) for c in spec.children)
    if spec.kind != "op" or spec.op not in ("=", "!=startswith", "~=") or spec.operand is None:
        return False
    vo = VersionOrder(text)
    return len(vo.version) < len(spec.operand.version) and any(
        isinstance(e, (str, float)) for e in vo.version[-1]
    )


@given(version_specs(), st.lists(numeric_versions(), min_size=1, max_size=8))
def test_version_spec_agrees(spec: str, texts: list[str]) -> None:
    ours = VersionSpec.parse(spec)
    theirs = rattler.VersionSpec(spec)
    for t in texts:
        if _prefix_divergence(ours, t):
            ORACLE_CASES["skipped: documented prefix divergence"] += 1
            continue
        assert ours.match(t) == theirs.matches(rattler.Version(t)), (spec, t)
        ORACLE_CASES["version spec"] += 1


_NAMES = ["numpy", "numpy-base", "python", "libprotobuf", "tensorflow-base"]
_BUILDS = ["py310h45f3432_0", "py39h1234567_1", "cuda112py310hc65a3b4_0", "pyhd8ed1ab_0", "h1_2"]


@st.composite
def match_specs(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from([*_NAMES, "num*", "*"]))
    form = draw(st.sampled_from(["name", "space", "eq", "bracket", "build"]))
    if form == "name" or name == "*":
        text = name if name != "*" else "numpy"
    elif form == "space":
        text = f"{name} {draw(version_specs(parens=False))}"
    elif form == "eq":
        text = f"{name}={draw(numeric_versions())}"
    elif form == "build":
        build = draw(st.sampled_from(["py310*", "*_0", "cuda*", "h1_2", "py*h*_1"]))
        text = f"{name} {draw(simple_specs())} {build}"
    else:
        keys = []
        if draw(st.booleans()):
            keys.append(f'version="{draw(version_specs(parens=False))}"')
        if draw(st.booleans()):
            keys.append(f"build={draw(st.sampled_from(['py310*', '*_0', 'pyhd8ed1ab_0']))}")
        if draw(st.booleans()):
            keys.append(f"build_number={draw(st.sampled_from(['0', '1', '>=1', '<1', '!=0']))}")
        text = f"{name}[{','.join(keys)}]" if keys else name
    return text


@st.composite
def records(draw: st.DrawFn) -> tuple[str, str, str, int]:
    return (
        draw(st.sampled_from(_NAMES)),
        draw(numeric_versions()),
        draw(st.sampled_from(_BUILDS)),
        draw(st.integers(0, 2)),
    )


@given(match_specs(), st.lists(records(), min_size=1, max_size=8))
def test_match_spec_agrees(spec: str, recs: list[tuple[str, str, str, int]]) -> None:
    ours = MatchSpec.parse(spec)
    theirs = rattler.MatchSpec(spec, exact_names_only=False)
    for name, version, build, number in recs:
        record = PackageRecord.from_dict(
            {
                "name": name,
                "version": version,
                "build": build,
                "build_number": number,
                "subdir": "linux-64",
            }
        )
        their_record = rattler.PackageRecord(
            name, version, rattler.BuildString(build), number, "linux-64"
        )
        if ours.version is not None and _prefix_divergence(ours.version, version):
            ORACLE_CASES["skipped: documented prefix divergence"] += 1
            continue
        assert ours.match(record) == theirs.matches(their_record), (
            spec,
            name,
            version,
            build,
            number,
        )
        ORACLE_CASES["match spec"] += 1
