"""The finder's lazy, newest-first walk gives exactly pip's eager answer.

pip (``PackageFinder.find_best_candidate``) evaluates every link, filters the versions with
``SpecifierSet.filter`` and sorts everything by ``(yanked, binary preference, version, tag
priority, build tag)``; the factory walks that list reversed. mixguard parses and evaluates a
version's files only when the walk reaches it. For generated pages (pre-releases, local
versions, yanked files, build tags, incompatible tags, Requires-Python, files of one version
from two sources), specifiers, ``--pre`` and ``--prefer-binary``, both must list the same files
in the same order; so must the client's grouped pages and the grouped scans it saves in the
cache, read back.
"""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet

from mixguard.environment.target import Target
from mixguard.index.client import ProjectFiles
from mixguard.index.links import DistributionFile
from mixguard.index.simple import group_page, pack_page, scan_json_page, unpack_page
from mixguard.names import PypiName
from mixguard.resolve.finder import Finder
from mixguard.resolve.options import PipRequest
from tests.conftest import ORACLE_CASES

_VERSIONS = ["1.0", "1.0.0", "1.1rc1", "1.1", "2.0.dev1", "2.0", "2.0+cu118", "2.1a1", "3.0"]
_CLAUSES = [">=1.0", "<2.0", "!=1.1", "==2.*", "~=1.0", ">1.0", "==2.0", "==2.0+cu118", ">=2.1a1"]
_WHEEL_TAGS = [
    "py3-none-any",
    "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
    "cp311-abi3-manylinux_2_28_x86_64",
    "cp39-cp39-manylinux_2_17_x86_64",  # not for the target
    "cp311-cp311-win_amd64",  # not for the target
]

_entry = st.fixed_dictionaries(
    {
        "version": st.sampled_from(_VERSIONS),
        "kind": st.sampled_from(["wheel", "wheel", "sdist"]),
        "tag": st.sampled_from(_WHEEL_TAGS),
        "build": st.sampled_from(["", "1", "2"]),
        "yanked": st.sampled_from([False, False, True, "broken"]),
        "requires_python": st.sampled_from([None, ">=3.8", "<3.10", ">=3.12"]),
        "source": st.sampled_from([0, 1]),
    }
)


def _page(entries: list[dict[str, object]], source: int) -> bytes:
    files = []
    for i, e in enumerate(entries):
        if e["source"] != source:
            continue
        if e["kind"] == "wheel":
            build = f"-{e['build']}" if e["build"] else ""
            name = f"pkg-{e['version']}{build}-{e['tag']}.whl"
        else:
            name = f"pkg-{e['version']}.tar.gz"
        files.append(
            {
                "filename": name,
                "url": f"https://files.example/{source}/{i}/{name}",
                "hashes": {"sha256": f"{i:064x}"},
                "requires-python": e["requires_python"],
                "yanked": e["yanked"],
            }
        )
    return json.dumps({"meta": {"api-version": "1.1"}, "name": "pkg", "files": files}).encode()


def _eager(
    finder: Finder, files: tuple[DistributionFile, ...], spec: SpecifierSet, pre: bool
) -> list[DistributionFile]:
    found = [f for f in files if finder.evaluate("pkg", f)]
    distinct = {f.version for f in found if f.version is not None}
    versions = set(spec.filter(distinct, prereleases=True if pre else None))
    return list(reversed(sorted((f for f in found if f.version in versions), key=finder._sort_key)))


@given(
    st.lists(_entry, max_size=14),
    st.lists(st.sampled_from(_CLAUSES), max_size=2),
    st.booleans(),
    st.booleans(),
)
def test_lazy_walk_is_pips_eager_order(
    entries: list[dict[str, object]], clauses: list[str], pre: bool, prefer_binary: bool
) -> None:
    target = Target("linux-64", "3.11.7", virtual_packages=())
    finder = Finder(target, PipRequest(pre=pre, prefer_binary=prefer_binary))
    # two index pages, in pip's source order
    urls = ("https://a.example/simple/pkg/", "https://b.example/simple/pkg/")
    bodies = [_page(entries, 0), _page(entries, 1)]
    spec = SpecifierSet(",".join(clauses))
    flat = ProjectFiles(
        PypiName("pkg"),
        [e for body, url in zip(bodies, urls, strict=True) for e in scan_json_page(body, url)],
    )
    expected = _eager(finder, flat.files, spec, pre)
    # the client's forms of the same pages: grouped by version text, and grouped as saved
    # in the cache and read back (each version unpacked when the walk reaches it)
    grouped = [
        group_page(scan_json_page(body, url), url) for body, url in zip(bodies, urls, strict=True)
    ]
    packed = [pack_page(g) for g in grouped]
    assert all(p is not None for p in packed)
    saved = [unpack_page(p, url) for p, url in zip(packed, urls, strict=True) if p is not None]
    for form in (flat, *(ProjectFiles(PypiName("pkg"), [*a, *b]) for a, b in (grouped, saved))):
        assert [f.url for f in form.files] == [f.url for f in flat.files]
        for yanked in (False, True):
            got = list(Finder(target, finder.request).best_first("pkg", form, spec, yanked=yanked))
            want = [f for f in expected if f.yanked is yanked]
            assert [f.url for f in got] == [f.url for f in want], (str(spec), pre, prefer_binary)
    ORACLE_CASES["finder order (pip's eager sort)"] += 1
