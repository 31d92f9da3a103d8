"""pip's uninstall outcome for every installed-distribution shape, held against real pip.

Each case builds a conda-style prefix (a venv of python 3.12 with ``conda-meta`` records
listing the files) holding version 1.0 of a project in one metadata shape, then really runs
pip 25.3 (``install --no-index --find-links``, offline) to replace it with 2.0, and compares:
whether pip stops, and which of conda's files are left behind, with
:func:`mixguard.resolve.uninstall.uninstall_outcome` and the finding the check makes.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mixguard.environment import read_prefix
from mixguard.resolve.uninstall import uninstall_outcome

from .cases.envs import make_venv, pyenv_interpreter
from .index.builders import wheel

pytestmark = pytest.mark.slow  # real pip operations in throwaway prefixes

PIP = Path(__file__).parent / "data" / "pip" / "pip-25.3-py3-none-any.whl"
SITE = "lib/python3.12/site-packages"


def _files(root: Path, files: dict[str, str]) -> list[str]:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return sorted(files)


def _meta(name: str) -> str:
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n\n"


# name -> the files of version 1.0 as conda installed them (prefix-relative), by shape
SHAPES: dict[str, dict[str, str]] = {
    # conda's dist-info with RECORD, plus a file conda added that RECORD does not list
    "withrecord": {
        f"{SITE}/oldpkg_a/__init__.py": "",
        f"{SITE}/withrecord-1.0.dist-info/METADATA": _meta("withrecord"),
        f"{SITE}/withrecord-1.0.dist-info/RECORD": "oldpkg_a/__init__.py,,\n"
        "withrecord-1.0.dist-info/METADATA,,\nwithrecord-1.0.dist-info/RECORD,,\n",
        f"{SITE}/withrecord-1.0.dist-info/INSTALLER": "conda\n",
        f"{SITE}/oldpkg_a/extra.txt": "conda added this",
    },
    # conda's dist-info without RECORD
    "norecord": {
        f"{SITE}/oldpkg_b/__init__.py": "",
        f"{SITE}/norecord-1.0.dist-info/METADATA": _meta("norecord"),
        f"{SITE}/norecord-1.0.dist-info/INSTALLER": "conda\n",
    },
    # egg-info directory with installed-files.txt
    "eggfiles": {
        f"{SITE}/oldpkg_c/__init__.py": "",
        f"{SITE}/eggfiles-1.0-py3.12.egg-info/PKG-INFO": _meta("eggfiles"),
        f"{SITE}/eggfiles-1.0-py3.12.egg-info/installed-files.txt": "../oldpkg_c/__init__.py\n"
        "PKG-INFO\ninstalled-files.txt\n",
    },
    # egg-info directory, top_level.txt in a namespace (conda-forge's protobuf 3.20 shape)
    "eggns": {
        f"{SITE}/nsroot/oldpkg_d/__init__.py": "",
        f"{SITE}/eggns-1.0-py3.12-nspkg.pth": "import sys\n",
        f"{SITE}/eggns-1.0-py3.12.egg-info/PKG-INFO": _meta("eggns"),
        f"{SITE}/eggns-1.0-py3.12.egg-info/top_level.txt": "nsroot\n",
        f"{SITE}/eggns-1.0-py3.12.egg-info/namespace_packages.txt": "nsroot\n",
    },
    # egg-info directory, top_level.txt outside namespaces: the package goes too
    "eggtop": {
        f"{SITE}/oldpkg_e/__init__.py": "",
        f"{SITE}/oldpkg_e/data.txt": "",
        f"{SITE}/eggtop-1.0-py3.12.egg-info/PKG-INFO": _meta("eggtop"),
        f"{SITE}/eggtop-1.0-py3.12.egg-info/top_level.txt": "oldpkg_e\n",
    },
    # a distutils .egg-info file
    "eggfile": {
        f"{SITE}/oldpkg_f/__init__.py": "",
        f"{SITE}/eggfile-1.0-py3.12.egg-info": _meta("eggfile"),
    },
}


@pytest.fixture(scope="module")
def links(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("links")
    for name in SHAPES:
        fn, data = wheel(name, "2.0")
        (d / fn).write_bytes(data)
    return d


def _prefix(tmp_path: Path, name: str) -> Path:
    dest = tmp_path / "env"
    site = make_venv(pyenv_interpreter("3.12"), dest)
    assert site == dest / SITE
    files = _files(dest, SHAPES[name])
    (dest / "conda-meta").mkdir()
    for rec in (
        {"name": "python", "version": "3.12.1", "build": "h0_cpython", "files": []},
        {"name": name, "version": "1.0", "build": "py_0", "files": files},
    ):
        full = {**rec, "build_number": 0, "subdir": "linux-64", "depends": []}
        (dest / "conda-meta" / f"{rec['name']}-{rec['version']}-{rec['build']}.json").write_text(
            json.dumps(full)
        )
    return dest


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_uninstall_outcome_equals_real_pip(name: str, tmp_path: Path, links: Path) -> None:
    prefix = _prefix(tmp_path, name)
    env = read_prefix(prefix, environ={})
    dist = env.distribution(name)
    assert dist is not None and dist.owner == name
    predicted = uninstall_outcome(env, dist)

    clean = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    proc = subprocess.run(
        [str(prefix / "bin" / "python"), str(PIP / "pip"), "install", "--no-index"]
        + ["--find-links", str(links), "--no-cache-dir", "--disable-pip-version-check"]
        + [f"{name}==2.0"],
        capture_output=True,
        text=True,
        env={**clean, "PIP_CONFIG_FILE": os.devnull},
        timeout=300,
    )
    if predicted.status == "aborts":
        assert proc.returncode != 0, proc.stdout
        return
    assert proc.returncode == 0, proc.stderr
    # conda's files still on disk after pip (2.0 writes only <name>/ and its dist-info)
    left = sorted(f for f in SHAPES[name] if (prefix / f).exists())
    assert sorted(predicted.left) == left
    assert (predicted.status == "partial") == bool(left)


def _check_and_install(prefix: Path, links: Path, requirement: str) -> tuple[list[str], int]:
    """mixguard's finding kinds for ``requirement``, then real pip installing it."""
    from mixguard.findings import analyze
    from mixguard.findings.analyze import records_from
    from mixguard.index.client import IndexClient, IndexConfig
    from mixguard.resolve import parse_pip_args, resolve

    env = read_prefix(prefix, environ={})
    req = parse_pip_args([requirement, "--no-index", "--find-links", str(links)])
    client = IndexClient(IndexConfig(find_links=(str(links),), no_index=True), offline=True)
    plan = resolve(env, req, client)
    kinds: list[str] = [f.kind for f in analyze(env, plan, record_paths=records_from(client))]
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    proc = subprocess.run(
        [str(prefix / "bin" / "python"), str(PIP / "pip"), "install", "--no-index"]
        + ["--find-links", str(links), "--no-cache-dir", "--disable-pip-version-check"]
        + [requirement],
        capture_output=True,
        text=True,
        env={**clean, "PIP_CONFIG_FILE": os.devnull},
        timeout=300,
    )
    return kinds, proc.returncode


def _conda_files(prefix: Path, name: str, files: dict[str, str], version: str = "1.0") -> None:
    _files(prefix, files)
    rec = {
        "name": name,
        "version": version,
        "build": "py_0",
        "build_number": 0,
        "subdir": "linux-64",
        "depends": [],
        "files": sorted(files),
    }
    (prefix / "conda-meta" / f"{name}-{version}-py_0.json").write_text(json.dumps(rec))


def test_file_clobber_is_another_owners_file_overwritten(tmp_path: Path) -> None:
    """A wheel writing into a directory another conda package owns: real pip overwrites it."""
    links = tmp_path / "links"
    links.mkdir()
    fn, data = wheel("wheelcv", "2.0")  # writes wheelcv/__init__.py
    (links / fn).write_bytes(data)
    prefix = _prefix(tmp_path, "eggtop")
    # conda's "py-wheelcv" owns the module directory the wheel writes (no dist-info: pip
    # cannot see it, as with conda-forge's py-opencv and cv2/)
    _conda_files(prefix, "py-wheelcv", {f"{SITE}/wheelcv/__init__.py": "# conda's\n"})
    kinds, rc = _check_and_install(prefix, links, "wheelcv==2.0")
    assert rc == 0
    assert "file-clobber" in kinds
    assert (prefix / SITE / "wheelcv" / "__init__.py").read_text() != "# conda's\n"


def test_restoring_condas_own_version_is_no_clobber(tmp_path: Path) -> None:
    """conda installed restore 1.0; pip upgraded it to 2.0 (conda's dist-info gone); pip now
    puts 1.0 back: the files conda lists are its own project's, written back as conda had them."""
    links = tmp_path / "links"
    links.mkdir()
    for version in ("1.0", "2.0"):
        fn, data = wheel("restore", version)
        (links / fn).write_bytes(data)
    prefix = _prefix(tmp_path, "eggtop")
    dist = "restore-1.0.dist-info"
    _conda_files(
        prefix,
        "restore",
        {
            f"{SITE}/restore/__init__.py": "",
            f"{SITE}/{dist}/METADATA": "Metadata-Version: 2.1\nName: restore\nVersion: 1.0\n\n",
            f"{SITE}/{dist}/RECORD": f"restore/__init__.py,,\n{dist}/METADATA,,\n{dist}/RECORD,,\n",
        },
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    subprocess.run(  # pip's earlier upgrade: conda's dist-info is gone, 2.0's is pip's
        [str(prefix / "bin" / "python"), str(PIP / "pip"), "install", "--no-index", "-q"]
        + ["--find-links", str(links), "--no-cache-dir", "restore==2.0"],
        check=True,
        env={**clean, "PIP_CONFIG_FILE": os.devnull},
    )
    kinds, rc = _check_and_install(prefix, links, "restore==1.0")
    assert rc == 0
    assert "file-clobber" not in kinds
    # after the real install every file conda lists is there again: conda's view holds
    rec = json.loads((prefix / "conda-meta" / "restore-1.0-py_0.json").read_text())
    assert all((prefix / f).exists() for f in rec["files"])


def _wheel_with(
    links: Path, name: str, version: str, files: dict[str, bytes], requires: list[str] | None = None
) -> None:
    """A wheel whose RECORD lists ``files`` (besides its metadata)."""
    import io
    import zipfile

    from .index.builders import metadata_text

    dist = f"{name.replace('-', '_')}-{version}.dist-info"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path, data in files.items():
            zf.writestr(path, data)
        zf.writestr(f"{dist}/METADATA", metadata_text(name, version, requires))
        zf.writestr(
            f"{dist}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        record = "".join(f"{p},,\n" for p in [*files, f"{dist}/METADATA", f"{dist}/WHEEL"])
        zf.writestr(f"{dist}/RECORD", record + f"{dist}/RECORD,,\n")
    (links / f"{name.replace('-', '_')}-{version}-py3-none-any.whl").write_bytes(buf.getvalue())


def _pip(prefix: Path, *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    return subprocess.run(
        [str(prefix / "bin" / "python"), str(PIP / "pip"), *args],
        capture_output=True,
        text=True,
        env={**clean, "PIP_CONFIG_FILE": os.devnull},
        timeout=300,
    )


def _findings(prefix: Path, links: Path, requirement: str, cuda: str | None = None) -> list[Any]:
    from mixguard.findings import analyze
    from mixguard.findings.analyze import records_from
    from mixguard.index.client import IndexClient, IndexConfig
    from mixguard.resolve import parse_pip_args, resolve

    env = read_prefix(prefix, environ={}, overrides={"cuda": cuda} if cuda else None)
    req = parse_pip_args([requirement, "--no-index", "--find-links", str(links)])
    client = IndexClient(IndexConfig(find_links=(str(links),), no_index=True), offline=True)
    return list(analyze(env, resolve(env, req, client), record_paths=records_from(client)))


def test_import_collision_two_distributions_one_module(tmp_path: Path) -> None:
    """pip installs a second distribution providing the same module: after the real install
    both dist-infos claim it and the module is the newcomer's."""
    links = tmp_path / "links"
    links.mkdir()
    _wheel_with(links, "first", "1.0", {"sharedmod/__init__.py": b"WHO = 'first'\n"})
    _wheel_with(links, "second", "1.0", {"sharedmod/__init__.py": b"WHO = 'second'\n"})
    prefix = _prefix(tmp_path, "eggtop")
    assert _pip(prefix, "install", "--no-index", "-f", str(links), "first").returncode == 0
    kinds = {(f.kind, f.subject) for f in _findings(prefix, links, "second")}
    assert ("import-collision", "sharedmod") in kinds
    assert _pip(prefix, "install", "--no-index", "-f", str(links), "second").returncode == 0
    out = subprocess.run(
        [str(prefix / "bin" / "python"), "-c", "import sharedmod; print(sharedmod.WHO)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "second"  # first's import now gives second's code


def test_pip_requirement_violation_is_what_pip_check_then_says(tmp_path: Path) -> None:
    links = tmp_path / "links"
    links.mkdir()
    _wheel_with(links, "needy", "1.0", {"needy/__init__.py": b""}, ["base<2"])
    _wheel_with(links, "base", "1.0", {"base/__init__.py": b""})
    _wheel_with(links, "base", "2.0", {"base/__init__.py": b""})
    _wheel_with(links, "breaker", "1.0", {"breaker/__init__.py": b""}, ["base>=2"])
    prefix = _prefix(tmp_path, "eggtop")
    assert _pip(prefix, "install", "--no-index", "-f", str(links), "needy").returncode == 0
    findings = _findings(prefix, links, "breaker")
    said = [
        f.message
        for f in findings
        if f.kind == "pip-requirement-violation" and f.severity == "error"
    ]
    assert _pip(prefix, "install", "--no-index", "-f", str(links), "breaker").returncode == 0
    check = _pip(prefix, "check")
    assert check.returncode != 0
    assert said == [
        f"after the plan, pip check fails: {line}" for line in check.stdout.splitlines()
    ]


def test_override_metadata_loss_and_constraint_are_what_conda_then_sees(tmp_path: Path) -> None:
    """pip replaces conda's dist: conda-meta still lists 1.0, its dist-info is gone, and a
    conda record pinning it below 2 is violated by what is installed."""
    links = tmp_path / "links"
    links.mkdir()
    fn, data = wheel("withrecord", "2.0")
    (links / fn).write_bytes(data)
    prefix = _prefix(tmp_path, "withrecord")
    _conda_files(prefix, "pinner", {f"{SITE}/pinner_mod.py": ""})
    meta = prefix / "conda-meta" / "pinner-1.0-py_0.json"
    rec = json.loads(meta.read_text())
    rec["depends"] = ["withrecord <2"]
    meta.write_text(json.dumps(rec))
    kinds = {(f.kind, f.subject) for f in _findings(prefix, links, "withrecord==2.0")}
    assert {("conda-override", "withrecord"), ("conda-metadata-loss", "withrecord")} <= kinds
    assert ("conda-constraint-violation", "pinner") in kinds
    assert (
        _pip(prefix, "install", "--no-index", "-f", str(links), "withrecord==2.0").returncode == 0
    )
    after = read_prefix(prefix, environ={})
    conda_rec = json.loads((prefix / "conda-meta" / "withrecord-1.0-py_0.json").read_text())
    assert conda_rec["version"] == "1.0"  # conda still lists 1.0
    assert not (prefix / SITE / "withrecord-1.0.dist-info" / "METADATA").exists()  # its anchor
    # what pip now sees is what mixguard reads from the prefix (the first found, as pip)
    listed = json.loads(_pip(prefix, "list", "--format", "json").stdout)
    seen = {d["name"]: d["version"] for d in listed}
    dist = after.distribution("withrecord")
    assert dist is not None and seen["withrecord"] == dist.version


def test_cuda_sonames_from_both_installers(tmp_path: Path) -> None:
    """conda's cudnn ships libcudnn.so.8; pip's nvidia-cudnn-cu11 wheel another one: after
    the real install both are in the prefix, as the clash warning says."""
    links = tmp_path / "links"
    links.mkdir()
    lib = "nvidia/cudnn/lib/libcudnn.so.8"
    _wheel_with(links, "nvidia-cudnn-cu11", "8.9.4.25", {lib: b"\0"})
    prefix = _prefix(tmp_path, "eggtop")
    _conda_files(prefix, "cudnn", {"lib/libcudnn.so.8": "\0"}, version="8.9.2.26")
    _conda_files(prefix, "cudatoolkit", {"lib/libcudart.so.11.0": "\0"}, version="11.8.0")
    findings = _findings(prefix, links, "nvidia-cudnn-cu11", cuda="11.8")
    clash = [f for f in findings if f.kind == "cuda-runtime-clash"]
    assert any(f.evidence.get("soname") == "libcudnn.so.8" for f in clash), clash
    assert (
        _pip(prefix, "install", "--no-index", "-f", str(links), "nvidia-cudnn-cu11").returncode == 0
    )
    assert (prefix / "lib" / "libcudnn.so.8").exists() and (prefix / SITE / lib).exists()
