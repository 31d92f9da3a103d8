"""The finder's memoised version filter agrees with packaging's ``SpecifierSet.filter``.

The resolver asks for the same project under thousands of specifiers in a large resolution;
the finder memoises each clause's matches instead of re-running ``SpecifierSet.filter``
(which re-parses the clause's version for every comparison). The answer must be packaging's
(so pip's) for any version set, specifier set and ``--pre``.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from mixguard.environment.target import Target
from mixguard.resolve.finder import Finder
from mixguard.resolve.options import PipRequest
from tests.conftest import ORACLE_CASES

_VERSIONS = [
    "0.9", "1.0", "1.0.post1", "1.0.dev0", "1.0a1", "1.0rc2", "1.1", "1.1.0", "1.2b1",
    "2.0", "2.0.0+cu118", "2.0+local", "2.1.dev3", "3.0", "1!0.5", "2.0rc1", "10.0",
]  # fmt: skip
_CLAUSES = [
    ">=1.0", ">1.0", "<2.0", "<=2.0", "==1.*", "!=1.1", "~=1.0", "==2.0", "==2.0+cu118",
    ">=1.0a1", "<2.0rc1", "!=2.0.*", ">=0", "===1.0", ">1.0.dev0", "~=2.0.0", "==1.0.post1",
]  # fmt: skip


def _finder(pre: bool | None) -> Finder:
    return Finder(Target("linux-64", "3.11.7", virtual_packages=()), PipRequest(pre=bool(pre)))


@given(
    st.sets(st.sampled_from(_VERSIONS), max_size=12),
    st.lists(st.lists(st.sampled_from(_CLAUSES), max_size=3), min_size=1, max_size=4),
    st.sampled_from([None, True]),
)
def test_memoised_filter_is_packagings(
    versions: set[str], specifier_sets: list[list[str]], pre: bool | None
) -> None:
    distinct = frozenset(Version(v) for v in versions)
    finder = _finder(pre)  # one finder across the sets: the memo is shared, as in a resolution
    for clauses in specifier_sets:
        spec = SpecifierSet(",".join(clauses))
        expected = frozenset(spec.filter(distinct, prereleases=pre))
        assert finder.filter_versions(distinct, spec) == expected, (versions, str(spec), pre)
        ORACLE_CASES["version filter (packaging)"] += 1
