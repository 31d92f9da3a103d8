"""Unit tests for conda's VersionOrder and VersionSpec (examples from conda's own docs)."""

from __future__ import annotations

import pytest

from mixguard.conda import VersionOrder, VersionSpec
from mixguard.errors import InvalidVersion, InvalidVersionSpec, MixguardError

# The order documented in conda.models.version.VersionOrder, smallest first; "==" groups.
# (conda's docstring lists 0.4 < 0.4.0, written before the fill value became 0: conda and
# rattler both compare them equal today.)
CONDA_ORDER = [
    ["0.4", "0.4.0"],
    ["0.4.1.rc", "0.4.1.RC"],
    ["0.4.1"],
    ["0.5a1"],
    ["0.5b3"],
    ["0.5C1"],
    ["0.5"],
    ["0.9.6"],
    ["0.960923"],
    ["1.0"],
    ["1.1dev1"],
    ["1.1a1"],
    ["1.1.0dev1", "1.1.dev1"],
    ["1.1.a1"],
    ["1.1.0rc1"],
    ["1.1.0", "1.1"],
    ["1.1.0post1", "1.1.post1"],
    ["1.1post1"],
    ["1996.07.12"],
    ["1!0.4.1"],
    ["1!3.1.1.6"],
    ["2!0.4.1"],
]


def test_documented_order() -> None:
    flat = [(i, v) for i, group in enumerate(CONDA_ORDER) for v in group]
    for i, a in flat:
        for j, b in flat:
            va, vb = VersionOrder(a), VersionOrder(b)
            assert (va < vb) == (i < j), (a, b)
            assert (va == vb) == (i == j), (a, b)


@pytest.mark.parametrize(
    ("smaller", "larger"),
    [
        ("1.0dev", "1.0_"),
        ("1.0_", "1.0a"),
        ("1.0a", "1.0b"),
        ("1.0b", "1.0rc"),
        ("1.0rc", "1.0"),
        ("1.0", "1.0post"),
        ("1.0+a", "1.0+b"),
        ("1.0+local", "1.0"),  # a local string sorts below the missing 0, as in conda
        ("1.0", "1.0+1"),
        ("1.0.1_", "1.0.1"),  # trailing underscore is a string suffix: below the plain number
        ("2.9.0", "2.10.0"),  # numeric, not lexical
    ],
)
def test_pairwise(smaller: str, larger: str) -> None:
    assert VersionOrder(smaller) < VersionOrder(larger)
    assert VersionOrder(larger) > VersionOrder(smaller)


def test_trailing_zeros_and_dashes() -> None:
    assert VersionOrder("1.1") == VersionOrder("1.1.0.0")
    assert hash(VersionOrder("1.1")) == hash(VersionOrder("1.1.0.0"))
    assert VersionOrder("1.0-2") == VersionOrder("1.0_2") == VersionOrder("1.0.2")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty version string"),
        ("1..2", "empty version component"),
        ("1.2-3_4", "invalid character"),
        ("a!1", "epoch must be an integer"),
        ("1!2!3", "duplicated epoch"),
        ("1+2+3", "duplicated local"),
        ("+1", "missing version"),
        ("1.2 3", "invalid character"),
    ],
)
def test_invalid_versions(text: str, reason: str) -> None:
    with pytest.raises(InvalidVersion, match=reason) as info:
        VersionOrder(text)
    assert repr(text) in str(info.value)  # the message quotes the input
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, MixguardError)


@pytest.mark.parametrize(
    ("spec", "yes", "no"),
    [
        (">=1.21.6,<2.0a0", ["1.21.6", "1.26.4"], ["2.0.0", "2.0.0rc1", "1.21.5"]),
        ("2.9.*", ["2.9", "2.9.1", "2.9.0rc0"], ["2.10.0", "2.90"]),
        ("1.2|1.4", ["1.2", "1.2.0", "1.4"], ["1.3", "1.2.1"]),
        ("(>=1,<2)|>3", ["1.5", "3.1"], ["2.5"]),
        ("~=1.2.3", ["1.2.3", "1.2.9"], ["1.3.0", "1.2.2"]),
        ("!=1.2.*", ["1.3"], ["1.2", "1.2.5"]),
        ("=1.2", ["1.2", "1.2.7"], ["1.3"]),
        ("==1.2", ["1.2", "1.2.0"], ["1.2.1"]),
        ("1.*.3", ["1.2.3"], ["1.2.4"]),
        ("^1\\.2.*$", ["1.2.9"], ["1.3"]),
        ("*", ["0.0.1", "9!1"], []),
        ("3.20.*", ["3.20.1"], ["3.21.0"]),
    ],
)
def test_version_spec(spec: str, yes: list[str], no: list[str]) -> None:
    vs = VersionSpec.parse(spec)
    for v in yes:
        assert vs.match(v), (spec, v)
    for v in no:
        assert not vs.match(v), (spec, v)


@pytest.mark.parametrize("spec", ["", ">=", "<=1.2,", "~=1.2.*", ">>1", "1.2,(", "^1.2"])
def test_invalid_version_spec(spec: str) -> None:
    with pytest.raises(InvalidVersionSpec) as info:
        VersionSpec.parse(spec)
    assert info.value.value is not None


def test_startswith_is_component_wise() -> None:
    assert VersionOrder("1.2.3").startswith(VersionOrder("1.2"))
    assert not VersionOrder("1.20").startswith(VersionOrder("1.2"))
    assert VersionOrder("1.0a2").startswith(VersionOrder("1.0a"))


def test_documented_divergences_from_rattler_follow_conda() -> None:
    # conda's startswith is component-wise: 0a1 has one component after the epoch
    assert not VersionSpec.parse("=0.0").match("0a1")
    assert not VersionSpec.parse("0.0.*").match("0a1")
    # ... and so is it with 'post' (conda's infinity), found by the oracle test: 0.post1 is
    # [0, inf, 1] after the epoch, not [0] followed by 0 and 0
    assert not VersionSpec.parse("~=0.0.0.0").match("0.post1")
    assert not VersionSpec.parse("0.0.0.*").match("0.post1")
    assert VersionSpec.parse(">=0.0.0.0").match("0.post1")
    # conda keeps 'dev_' as one string run, so its 'dev' special case does not apply
    assert VersionOrder("0_") < VersionOrder("dev_")
    # conda strips '(...)' from MatchSpec strings; parenthesised specs work in VersionSpec only
    assert VersionSpec.parse("(>=1,<2)|>3").match("1.5")
