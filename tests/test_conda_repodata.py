"""Repodata loading: formats, laziness, and typed errors."""

from __future__ import annotations

import bz2
import json
import shutil
from pathlib import Path

import pytest
import zstandard

from mixguard.conda.repodata import LocalChannel, RepoData
from mixguard.errors import RepodataError

from ._util import must

UP = Path(__file__).parent / "data" / "upstream"
PYTORCH = UP / "rattler" / "channels" / "pytorch" / "linux-64" / "repodata.json"


def test_pytorch_channel() -> None:
    rd = RepoData.from_path(PYTORCH, channel_url="https://conda.anaconda.org/pytorch")
    assert len(rd) == 2181
    assert len(rd.names()) == 49
    torch = rd.records("pytorch")
    assert {r.version for r in torch} >= {"1.12.1", "2.1.0"}
    r = next(r for r in torch if r.version == "2.1.0" and "cuda12.1" in r.build)
    assert any(d.startswith("pytorch-cuda") for d in r.depends)
    assert r.url == f"https://conda.anaconda.org/pytorch/linux-64/{r.fn}"
    assert r.channel_name == "pytorch"
    assert rd.removed == frozenset()  # this snapshot's list is empty
    assert rd.records("does-not-exist") == ()


def test_conda_preferred_over_tar_bz2(tmp_path: Path) -> None:
    rec = {
        "name": "zlib",
        "version": "1.2.13",
        "build": "h1_0",
        "build_number": 0,
        "subdir": "linux-64",
    }
    data = {
        "info": {"subdir": "linux-64"},
        "packages": {
            "zlib-1.2.13-h1_0.tar.bz2": {**rec, "md5": "a" * 32},
            "zlib-1.2.12-h1_0.tar.bz2": {**rec, "version": "1.2.12"},
        },
        "packages.conda": {"zlib-1.2.13-h1_0.conda": {**rec, "md5": "b" * 32}},
    }
    rd = RepoData.from_bytes(json.dumps(data).encode(), "mem")
    got = sorted((r.fn, r.md5) for r in rd.records("zlib"))
    assert got == [("zlib-1.2.12-h1_0.tar.bz2", None), ("zlib-1.2.13-h1_0.conda", "b" * 32)]


def test_removed_is_kept_apart() -> None:
    data = {
        "packages": {"a-1-0.tar.bz2": {"name": "a", "version": "1", "build": "0"}},
        "removed": ["a-0.9-0.tar.bz2"],
        "repodata_version": 1,
    }
    rd = RepoData.from_bytes(json.dumps(data).encode(), "mem")
    assert rd.removed == frozenset({"a-0.9-0.tar.bz2"})
    assert [r.version for r in rd.records("a")] == ["1"]


def test_real_mixed_format_repo() -> None:
    rd = RepoData.from_path(UP / "conda" / "conda_format_repo" / "linux-64" / "repodata.json")
    fns = {must(r.fn) for r in rd.records("zlib")}
    assert all(fn.endswith(".conda") for fn in fns)


def test_v2_base_url() -> None:
    rd = RepoData.from_path(UP / "mamba" / "conda-forge-repodata-version-2.json")
    assert rd.base_url == "https://repo.anaconda.com/repo/main/linux-64/"
    (bz,) = rd.records("bzip2")
    assert bz.url == "https://repo.anaconda.com/repo/main/linux-64/bzip2-1.0.8-hd590300_5.conda"


def test_v2_relative_base_url(tmp_path: Path) -> None:
    data = {
        "info": {"base_url": "../pkgs/", "subdir": "noarch"},
        "repodata_version": 2,
        "packages.conda": {"a-1-0.conda": {"name": "a", "version": "1", "build": "0"}},
    }
    (tmp_path / "noarch").mkdir()
    path = tmp_path / "noarch" / "repodata.json"
    path.write_text(json.dumps(data))
    (a,) = RepoData.from_path(path).records("a")
    assert a.url == (tmp_path / "pkgs" / "a-1-0.conda").as_uri()


def test_cache_format_and_bare_index() -> None:
    rd = RepoData.from_path(UP / "conda" / "repodata" / "main_noarch.json")
    assert rd.channel_url == "https://conda-static.anaconda.org/main"  # the cache's _url
    assert rd.subdir == "noarch" and len(rd) == 322
    bare = RepoData.from_path(UP / "conda" / "index5.json")
    assert len(bare) == 1152
    assert all(r.name == "affine" for r in bare.records("affine"))


def test_conda_forge_python39_subset() -> None:
    rd = RepoData.from_path(UP / "conda-subchannel-demo" / "linux-64" / "repodata.json")
    assert rd.repodata_version == 2
    py = rd.records("python")
    assert any(r.version.startswith("3.9") and "pypy" in r.build for r in py)
    assert all(
        r.url and r.url.startswith("https://conda.anaconda.org/conda-forge/linux-64/") for r in py
    )


@pytest.mark.parametrize("suffix", [".zst", ".bz2"])
def test_compressed(tmp_path: Path, suffix: str) -> None:
    raw = PYTORCH.read_bytes()
    packed = zstandard.ZstdCompressor().compress(raw) if suffix == ".zst" else bz2.compress(raw)
    path = tmp_path / f"repodata.json{suffix}"
    path.write_bytes(packed)
    rd = RepoData.from_path(path)
    assert len(rd) == 2181 and rd.records("torchvision")


def test_lazy_by_name() -> None:
    # a record that would fail validation is never decoded unless its name is asked for
    data = {
        "packages": {
            "good-1-0.tar.bz2": {"name": "good", "version": "1", "build": "0", "subdir": "noarch"},
            "bad-1-0.tar.bz2": {"name": "bad", "version": "1..x", "build": "0", "subdir": "noarch"},
        }
    }
    rd = RepoData.from_bytes(json.dumps(data).encode(), "mem.json")
    assert [r.name for r in rd.records("good")] == ["good"]
    with pytest.raises(RepodataError) as info:
        rd.records("bad")
    assert "mem.json" in str(info.value) and "packages['bad-1-0.tar.bz2']" in str(info.value)


def test_strings_with_braces_and_nested_objects() -> None:
    data = {
        "packages": {
            "a-1-0.tar.bz2": {
                "name": "a",
                "version": "1",
                "build": "0",
                "subdir": "noarch",
                "license": 'weird } { " \\ license',
                "extra_depends": {"x": ["b >=1"]},
            }
        },
        "signatures": {"a-1-0.tar.bz2": {"k": {"signature": "s"}}},
    }
    rd = RepoData.from_bytes(json.dumps(data, indent=2).encode(), "mem")
    (a,) = rd.records("a")
    assert a.license == 'weird } { " \\ license'


@pytest.mark.parametrize(
    ("blob", "where"),
    [
        (b'{"packages": {"a-1-0.tar.bz2": {"name": "a", "version": "1"', "packages"),
        (b'{"packages": {"a-1-0.tar.bz2": {"name": "a"}, "b": 3}}', "packages['a-1-0.tar.bz2']"),
        (b"[1, 2]", "$"),
        (b'{"info": {"subdir": "x"}, "packages": ', "packages"),
        (b"", "empty"),
    ],
)
def test_malformed(tmp_path: Path, blob: bytes, where: str) -> None:
    path = tmp_path / "repodata.json"
    path.write_bytes(blob)
    with pytest.raises(RepodataError) as info:
        RepoData.from_path(path)
    assert str(path) in str(info.value)
    assert where in str(info.value)


def test_truncated_real_file(tmp_path: Path) -> None:
    path = tmp_path / "repodata.json"
    path.write_bytes(PYTORCH.read_bytes()[:700_000])
    with pytest.raises(RepodataError, match="truncated"):
        RepoData.from_path(path)


def test_corrupt_zst(tmp_path: Path) -> None:
    path = tmp_path / "repodata.json.zst"
    path.write_bytes(b"not zstd at all")
    with pytest.raises(RepodataError, match="cannot decompress"):
        RepoData.from_path(path)


def test_local_channel_by_path_and_url(tmp_path: Path) -> None:
    root = tmp_path / "chan"
    shutil.copytree(UP / "rattler" / "channels" / "with-wheels", root)
    for loc in (root, root.as_uri()):
        ch = LocalChannel.from_location(loc, "linux-64")
        assert ch.subdirs == ("linux-64", "noarch")
        recs = ch.records("six")
        assert recs and all(r.subdir == "noarch" for r in recs)
        assert recs[0].url is not None and recs[0].url.startswith("file://")
    with pytest.raises(RepodataError, match="does not exist"):
        LocalChannel.from_location(tmp_path / "nope", "linux-64")
    with pytest.raises(RepodataError, match="only local channels"):
        LocalChannel.from_location("https://conda.anaconda.org/conda-forge", "linux-64")


_INDEXED = [
    PYTORCH,
    UP / "conda" / "repodata" / "main_noarch.json",
    UP / "conda" / "index5.json",
    UP / "conda-subchannel-demo" / "linux-64" / "repodata.json",
    UP / "mamba" / "conda-forge-repodata-version-2.json",
]


def _everything(rd: RepoData) -> dict[str, tuple[object, ...]]:
    return {n: rd.records(n) for n in sorted(rd.names())}


@pytest.mark.parametrize("path", _INDEXED, ids=lambda p: p.name)
def test_saved_index_gives_what_the_scan_gives(tmp_path: Path, path: Path) -> None:
    scanned = RepoData.from_path(path)
    first = RepoData.from_path(path, index_dir=tmp_path)  # scans, then saves
    (saved,) = tmp_path.glob("*.idx")
    again = RepoData.from_path(path, index_dir=tmp_path)  # loads the saved index
    assert all(isinstance(v, bytes) for v in again._index.values())  # not scanned again
    assert len(again) == len(first) == len(scanned)
    assert again.names() == scanned.names() and again.subdir == scanned.subdir
    assert again.channel_url == scanned.channel_url and again.removed == scanned.removed
    assert _everything(again) == _everything(first) == _everything(scanned)
    assert saved.stat().st_size > 0


def test_saved_index_escaped_keys_stale_and_corrupt(tmp_path: Path) -> None:
    data = {
        "packages": {
            "a-1-0.tar.bz2": {"name": "a", "version": "1", "build": "0", "subdir": "noarch"},
            "b-2-\\u0030.tar.bz2": {"name": "b", "version": "2", "build": "0", "subdir": "noarch"},
        }
    }
    path = tmp_path / "repodata.json"
    path.write_text(json.dumps(data).replace("\\\\u0030", "\\u0030"))
    idx = tmp_path / "idx"
    RepoData.from_path(path, index_dir=idx)
    (b,) = RepoData.from_path(path, index_dir=idx).records("b")
    assert b.fn == "b-2-0.tar.bz2"  # the escaped key, read back from the saved index
    # the file changes: a new index, never the stale one
    data["packages"]["a-1-0.tar.bz2"]["version"] = "1.5"
    path.write_text(json.dumps(data))
    (a,) = RepoData.from_path(path, index_dir=idx).records("a")
    assert a.version == "1.5"
    # a corrupt index is ignored (and rewritten)
    for f in idx.glob("*.idx"):
        f.write_bytes(b"not marshal")
    assert RepoData.from_path(path, index_dir=idx).records("a")[0].version == "1.5"
    # valid marshal of the wrong shape: ignored as well
    import marshal

    for f in idx.glob("*.idx"):
        f.write_bytes(marshal.dumps((1, {}, 0, {"a": b"short"}, {})))
    assert RepoData.from_path(path, index_dir=idx).records("a")[0].version == "1.5"
    # (the index of the file's earlier content stays corrupt: nothing reads it any more)
    assert sum(b"short" not in f.read_bytes() for f in idx.glob("*.idx")) == 1
