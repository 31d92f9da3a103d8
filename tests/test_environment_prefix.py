"""Reading conda prefixes: the TF 2.9 fixture and the real upstream prefixes."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from mixguard.environment import read_prefix
from mixguard.errors import EnvironmentReadError, MixguardError

from ._util import must

UP = Path(__file__).parent / "data" / "upstream"
DEMO = Path(__file__).parents[1] / "src" / "mixguard" / "demo" / "tf29-cuda112"


@pytest.fixture(scope="module")
def tf29():  # type: ignore[no-untyped-def]
    return read_prefix(DEMO, overrides={"cuda": "11.2"}, environ={})


def test_tf29_target_comes_from_python_record(tf29) -> None:  # type: ignore[no-untyped-def]
    t = tf29.target
    assert (t.subdir, t.python_version, t.implementation) == ("linux-64", "3.10.5", "cpython")
    assert t.python_from == "conda-meta/python-3.10.5-h582c2e5_0_cpython.json"
    assert t.virtual_package("__cuda").version == "11.2"
    m = t.markers()
    assert m["python_version"] == "3.10" and m["sys_platform"] == "linux"
    assert m["platform_machine"] == "x86_64" and m["os_name"] == "posix"


def test_tf29_ownership(tf29) -> None:  # type: ignore[no-untyped-def]
    tf = must(tf29.distribution("tensorflow"))
    assert (tf.version, tf.owner, tf.installer) == ("2.9.1", "tensorflow-base", "conda")
    assert tf.has_record and tf.requested and tf.direct_url is not None
    assert tf29.record("tensorflow-base").version == "2.9.1"
    est = must(tf29.distribution("tensorflow_estimator"))
    assert (est.version, est.owner) == ("2.9.0", "tensorflow-estimator")
    assert tf29.record("tensorflow-estimator").version == "2.9.1"
    # the `tensorflow` conda package is an empty metapackage: it owns no distribution
    assert tf29.dists_of("tensorflow") == ()
    assert tf29.distribution("flatbuffers").owner == "python-flatbuffers"
    assert tf29.pip_distributions() == ()
    assert tf29.problems == ()


def test_tf29_protobuf_is_an_egg_info_without_record(tf29) -> None:  # type: ignore[no-untyped-def]
    pb = must(tf29.distribution("protobuf"))
    assert pb.kind == "egg-info" and pb.path.endswith("protobuf-3.20.1-py3.10.egg-info")
    assert not pb.has_record
    # pip removes the egg-info directory only ("google" is a namespace): a partial uninstall
    from mixguard.resolve.uninstall import uninstall_outcome

    assert uninstall_outcome(tf29, pb).status == "partial"
    assert pb.metadata is not None and pb.metadata["version"] == "3.20.1"
    assert pb.top_level == ("google",)  # from the conda record's file list


def test_tf29_real_pypi_metadata(tf29) -> None:  # type: ignore[no-untyped-def]
    tf = must(tf29.distribution("tensorflow"))
    assert "numpy (>=1.20)" in tf.requires_dist  # the wheel's own (old-style) METADATA
    assert tf.top_level == ("tensorflow",)
    numpy = must(tf29.distribution("numpy"))
    assert numpy.requires_python == ">=3.7,<3.11"


def test_tf29_history(tf29) -> None:  # type: ignore[no-untyped-def]
    (entry,) = tf29.history
    assert entry.requested() == ("python=3.10", "tensorflow=2.9.1", "cudatoolkit=11.2")
    assert any(x.endswith("tensorflow-base-2.9.1-cuda112py310hc65a3b4_0") for x in entry.linked)


def test_osx_prefix_with_pip_dists() -> None:
    env = read_prefix(UP / "conda" / "env_metadata" / "py36-osx-whl", environ={})
    assert (env.target.subdir, env.target.python_version) == ("osx-64", "3.6.6")
    assert len(env.records) == 31
    assert must(env.record("numpy")).version == "1.15.1"
    assert len(env.pip_distributions()) == 50
    django = must(env.distribution("django"))
    assert (django.version, django.kind, django.owner) == ("2.1", "dist-info", None)
    assert django.has_record and django.top_level == ("django",)
    assert must(env.distribution("scrapy")).installer == "pip"
    # the conda-owned egg-infos were not part of the upstream copy: flagged, not ignored
    missing = {p.subject for p in env.problems if p.kind == "missing-dist-info"}
    assert missing == {"certifi", "h5py", "lxml", "numpy-base", "pip", "setuptools", "six", "wheel"}
    assert env.history[0].requested() == ("nomkl", "lxml", "python=3.6", "numpy", "h5py")


def test_win_prefix_with_eggs() -> None:
    env = read_prefix(UP / "conda" / "env_metadata" / "envpy37win", environ={})
    assert (env.target.subdir, env.target.python_version) == ("win-64", "3.7.0")
    assert env.target.markers()["sys_platform"] == "win32"
    eggs = [d for d in env.distributions if d.kind == "egg"]
    assert len(eggs) == 37
    django = must(env.distribution("django"))
    assert django.path == "Lib/site-packages/Django-2.1-py3.7.egg"
    from mixguard.resolve.uninstall import uninstall_outcome

    assert uninstall_outcome(env, django).status in ("complete", "partial")  # pip removes eggs


def test_free_threaded_osx_arm64() -> None:
    env = read_prefix(UP / "conda" / "env_metadata" / "envpy313tosx_whl", environ={})
    t = env.target
    assert (t.subdir, t.python_version, t.free_threaded) == ("osx-arm64", "3.13.2", True)
    assert must(env.distribution("pip")).owner == "pip"
    assert must(env.distribution("imagesize")).owner is None


def test_micromamba_win_records() -> None:
    env = read_prefix(UP / "rattler", environ={})
    req = must(env.prefix_record("requests"))
    assert req is not None
    assert "Lib/site-packages/requests-2.28.2.dist-info/METADATA" in req.files
    missing = {p.subject for p in env.problems if p.kind == "missing-dist-info"}
    assert "requests" in missing  # only conda-meta was copied upstream


def _tree_state(root: Path) -> dict[str, tuple[int, int, str]]:
    out = {}
    for p in sorted(root.rglob("*")):
        st = p.stat()
        digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else ""
        out[str(p.relative_to(root))] = (st.st_mode, st.st_mtime_ns, digest)
    return out


def test_reader_never_writes(tmp_path: Path) -> None:
    prefix = tmp_path / "env"
    shutil.copytree(DEMO, prefix)
    before = _tree_state(prefix)
    read_prefix(prefix, environ={})
    assert _tree_state(prefix) == before


def test_bad_prefixes(tmp_path: Path) -> None:
    with pytest.raises(EnvironmentReadError, match="does not exist"):
        read_prefix(tmp_path / "missing")
    with pytest.raises(EnvironmentReadError, match="no conda-meta"):
        read_prefix(tmp_path)
    meta = tmp_path / "conda-meta"
    meta.mkdir()
    (meta / "numpy-1.21.6-py310h.json").write_text('{"name": "numpy", "version": ')
    with pytest.raises(EnvironmentReadError) as info:
        read_prefix(tmp_path)
    assert "conda-meta/numpy-1.21.6-py310h.json" in str(info.value)
    assert isinstance(info.value, MixguardError) and isinstance(info.value, ValueError)
    (meta / "numpy-1.21.6-py310h.json").write_text(
        json.dumps({"name": "numpy", "version": "1..2", "build": "0", "subdir": "linux-64"})
    )
    with pytest.raises(
        EnvironmentReadError, match=r"conda-meta/numpy-1\.21\.6-py310h\.json: version"
    ):
        read_prefix(tmp_path)


def test_duplicate_dists(tmp_path: Path) -> None:
    prefix = tmp_path / "env"
    shutil.copytree(DEMO, prefix)
    sp = prefix / "lib" / "python3.10" / "site-packages"
    dup = sp / "numpy-1.19.5.dist-info"
    dup.mkdir()
    (dup / "METADATA").write_text("Metadata-Version: 2.1\nName: numpy\nVersion: 1.19.5\n")
    (dup / "INSTALLER").write_text("pip\n")
    env = read_prefix(prefix, environ={})
    (problem,) = [p for p in env.problems if p.kind == "duplicate-dist"]
    assert problem.subject == "numpy"
    assert "1.19.5" in problem.message and "conda: numpy" in problem.message
    # and a conda record whose dist-info vanished
    shutil.rmtree(sp / "keras-2.9.0.dist-info")
    env = read_prefix(prefix, environ={})
    assert [p.subject for p in env.problems if p.kind == "missing-dist-info"] == ["keras"]


def test_pip_installed_dist_is_pypi_0(tmp_path: Path) -> None:
    prefix = tmp_path / "env"
    shutil.copytree(DEMO, prefix)
    d = prefix / "lib" / "python3.10" / "site-packages" / "tqdm-4.64.0.dist-info"
    d.mkdir()
    (d / "METADATA").write_text("Metadata-Version: 2.1\nName: tqdm\nVersion: 4.64.0\n")
    (d / "RECORD").write_text("tqdm/__init__.py,,\ntqdm-4.64.0.dist-info/METADATA,,\n")
    (d / "INSTALLER").write_text("pip\n")
    env = read_prefix(prefix, environ={})
    tqdm = must(env.distribution("tqdm"))
    assert tqdm.owner is None and tqdm.installer == "pip" and tqdm.top_level == ("tqdm",)
    assert [d.name for d in env.pip_distributions()] == ["tqdm"]


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_unreadable_metadata(tmp_path: Path) -> None:
    prefix = tmp_path / "env"
    shutil.copytree(DEMO, prefix)
    bad = prefix / "lib" / "python3.10" / "site-packages" / "six-1.16.0.dist-info" / "METADATA"
    bad.unlink()
    bad.mkdir()  # a directory where a file should be: reading it fails
    with pytest.raises(EnvironmentReadError, match=r"six-1\.16\.0\.dist-info"):
        read_prefix(prefix, environ={})
