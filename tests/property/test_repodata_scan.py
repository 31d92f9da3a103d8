"""``RepoData``'s scan finds what ``json.loads`` finds: every record, under its name, in order.

The scan never decodes the file: it finds each record's span (one regex match for the common
entry, an exact path for the rest) and its name. Generated repodata mixes what each path must
handle: strings holding braces, quotes and backslashes, escaped keys, nested objects, names in
any case and any key order, a ``"name"`` string that is not the key, whitespace of every kind,
both sections and the bare ``{fn: record}`` form. The records each name gives, decoded, are the
file's, in the file's order (``.conda`` preferred for one build, as conda does); a saved scan
gives the same again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mixguard.conda.repodata import RepoData, _stem

_TEXT = st.lists(st.sampled_from(list('ab{}[]":,\\ \n\té') + ['"name": "x"']), max_size=8).map(
    "".join
)
_NAME = st.sampled_from(["a", "b", "A", "py-lib", "x_y", "B"])


@st.composite
def _record(draw: st.DrawFn, name: str) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": name,
        "version": draw(st.sampled_from(["1", "1.0", "2.0a1"])),
        "build": draw(st.sampled_from(["0", "py_0", "h1"])),
        "build_number": draw(st.integers(0, 3)),
        "depends": draw(
            st.lists(st.sampled_from(["name", "python >=3.8", "numpy 1.*"]), max_size=3)
        ),
        "subdir": "linux-64",
    }
    if draw(st.booleans()):
        fields["license"] = draw(_TEXT)
    if draw(st.integers(0, 5)) == 0:
        fields["extra"] = {"name": "nested", "k": [draw(_TEXT)]}  # a nested object
    keys = draw(st.permutations(list(fields)))
    return {k: fields[k] for k in keys}


@st.composite
def _repodata(draw: st.DrawFn) -> tuple[bytes, list[tuple[str, str, dict[str, Any]]]]:
    """The file, and every (section, fn, record) in file order."""
    entries: list[tuple[str, str, dict[str, Any]]] = []
    bare = draw(st.integers(0, 6)) == 0
    sections = (
        ["packages"]
        if bare
        else draw(
            st.lists(st.sampled_from(["packages", "packages.conda"]), unique=True, min_size=1)
        )
    )
    data: dict[str, Any] = {} if bare else {"info": {"subdir": "linux-64"}}
    for section in sections:
        body: dict[str, Any] = {}
        for _ in range(draw(st.integers(0, 6))):
            name = draw(_NAME)
            rec = draw(_record(name))
            ext = (
                draw(st.sampled_from([".tar.bz2", ".conda"]))
                if bare
                else (".conda" if section == "packages.conda" else ".tar.bz2")
            )
            # the file name's own name differs now and then: the scan must read the record's
            stem_name = draw(st.sampled_from([name, name, name, "other"]))
            fn = f"{stem_name}-{rec['version']}-{rec['build']}{ext}"
            if fn in body:
                continue
            body[fn] = rec
            entries.append((section, fn, rec))
        if bare:
            data = body
        else:
            data[section] = body
    indent = draw(st.sampled_from([None, 1, "\t"]))
    separators = draw(st.sampled_from([(",", ":"), (", ", ": "), (" ,", " : ")]))
    text = json.dumps(data, indent=indent, separators=separators)
    if draw(st.booleans()):  # escape a key's character the JSON way: only the exact path reads it
        text = text.replace('-1-0.tar.bz2"', '-1-\\u0030.tar.bz2"', 1)
    return text.encode(), entries


def _expected(entries: list[tuple[str, str, dict[str, Any]]]) -> dict[str, list[str]]:
    by_name: dict[str, list[tuple[str, str]]] = {}
    for section, fn, rec in entries:
        by_name.setdefault(rec["name"].lower(), []).append((section, fn))
    out = {}
    for name, found in by_name.items():
        conda = {_stem(fn) for _s, fn in found if fn.endswith(".conda")}
        out[name] = [fn for _s, fn in found if fn.endswith(".conda") or _stem(fn) not in conda]
    return out


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_repodata())
def test_the_scan_finds_what_json_finds(tmp_path: Path, case: tuple[bytes, Any]) -> None:
    data, entries = case
    expected = _expected(entries)
    truth = json.loads(data)
    for rd in (
        RepoData.from_bytes(data, "repodata.json"),
        _saved(tmp_path, data),
    ):
        assert set(rd.names()) == set(expected)
        assert len(rd) == len(entries)
        for name, fns in expected.items():
            got = rd.records(name)
            assert [r.fn for r in got] == fns, name
            for r in got:
                assert r.fn is not None
                section = "packages.conda" if r.fn.endswith(".conda") else "packages"
                raw = truth[section][r.fn] if section in truth else truth[r.fn]
                assert (r.name, r.version, r.build) == (
                    raw["name"].lower(),
                    raw["version"],
                    raw["build"],
                )
                assert list(r.depends) == raw["depends"]


def _saved(tmp_path: Path, data: bytes) -> RepoData:
    path = tmp_path / "repodata.json"
    path.write_bytes(data)
    RepoData.from_path(path, index_dir=tmp_path / "idx")  # scans and saves
    return RepoData.from_path(path, index_dir=tmp_path / "idx")  # reads the saved scan
