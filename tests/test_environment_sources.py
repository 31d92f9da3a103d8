"""environment.yml, @EXPLICIT, lock files and `conda list`: every upstream file, with facts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mixguard.environment import (
    load_environment,
    read_conda_list,
    read_environment_file,
    read_explicit,
    read_lockfile,
    read_prefix,
)
from mixguard.errors import EnvironmentReadError

from ._util import must

UP = Path(__file__).parent / "data" / "upstream"

ENV_FILES = sorted(
    p
    for p in UP.rglob("*")
    if p.name in ("environment.yml", "environment.yaml", "conda-linux-64.lock.yml")
)
LOCK_FILES = sorted(
    [p for p in UP.rglob("*") if p.name.endswith(("conda-lock.yml", "-lock.yml", "-lock.yaml"))]
    + [UP / "rattler" / "conda-lock" / "v7" / "pypi_custom_index.yml"]
)
EXPLICIT_FILES = sorted(
    [
        *UP.glob("rattler/explicit-envs/*.txt"),
        UP / "mamba" / "explicit_env_linux.txt",
        UP / "mamba" / "minrk_environment.py-3.9-linux-64.lock",
        UP / "conda-lock" / "test-cuda@f3ae074f" / "conda-linux-64.lock",
    ]
)
PREFIXES = [
    UP / "conda" / "env_metadata" / n for n in ("py36-osx-whl", "envpy313tosx_whl", "envpy37win")
] + [UP / "rattler"]


def test_the_corpus_is_complete() -> None:
    # every upstream env file, lock file and explicit file is covered by a test below
    assert len(ENV_FILES) == 7 and len(LOCK_FILES) == 13 and len(EXPLICIT_FILES) == 6


@pytest.mark.parametrize("path", ENV_FILES, ids=lambda p: str(p.relative_to(UP)))
def test_every_environment_file_loads(path: Path) -> None:
    env = read_environment_file(path, environ={})
    assert env.kind == "environment.yml" and env.specs


def _error_of(path: Path) -> str:
    try:
        read_lockfile(path, environ={})
    except EnvironmentReadError as exc:
        return str(exc)
    return ""


@pytest.mark.parametrize("path", LOCK_FILES, ids=lambda p: str(p.relative_to(UP)))
def test_every_lock_file_loads(path: Path) -> None:
    platforms = ("linux-64", "osx-64", "osx-arm64", "win-64", "linux-aarch64", "linux-ppc64le")
    multi = {p.name for p in LOCK_FILES if "several platforms" in _error_of(p)}
    env = read_lockfile(path, platform="linux-64" if path.name in multi else None, environ={})
    assert env.target.subdir in platforms
    assert env.target.subdir is not None
    assert env.records or env.distributions


@pytest.mark.parametrize("path", EXPLICIT_FILES, ids=lambda p: str(p.relative_to(UP)))
def test_every_explicit_file_loads(path: Path) -> None:
    env = read_explicit(path, environ={})
    assert env.records and env.target.subdir in ("linux-64", "win-64")


@pytest.mark.parametrize("path", PREFIXES, ids=lambda p: str(p.relative_to(UP)))
def test_every_prefix_loads(path: Path) -> None:
    assert read_prefix(path, environ={}).records


def test_real_environment_export() -> None:
    env = read_environment_file(UP / "medphysdeeplearning" / "environment.yml", environ={})
    assert env.name == "tf-gpu-cuda10"
    assert env.channels == ("frankong", "pytorch", "mrtrix3", "conda-forge", "astropy", "defaults")
    assert len(env.records) == 312 == len(env.specs)
    assert must(env.record("_libgcc_mutex")).build == "main"
    assert env.target.python_version == "3.6.10" and env.target.subdir is None
    assert [p.line for p in env.pip_lines][-1] == "simpleitk==2.1.1"
    assert env.pip_lines[0].where.endswith("dependencies[312].pip[0]")
    assert must(env.distribution("simpleitk")).version == "2.1.1"


def test_from_history_style_file() -> None:
    env = read_environment_file(
        UP / "conda-lock" / "test-cuda@f3ae074f" / "environment.yaml", environ={}
    )
    assert env.records == ()
    assert [(s.name, str(s.version)) for s in env.specs] == [
        ("cudatoolkit", "11.0.*"),
        ("cudnn", "8.0.*"),
    ]


def test_pip_section_keeps_options(tmp_path: Path) -> None:
    f = tmp_path / "environment.yml"
    f.write_text(
        "name: x\nchannels: [conda-forge]\nplatforms: [linux-64]\ndependencies:\n"
        "  - python=3.10\n  - pip\n  - pip:\n    - -r requirements.txt\n"
        "    - --extra-index-url https://example.invalid/simple\n    - torch==2.1.0\n"
    )
    env = read_environment_file(f, environ={})
    assert [p.line for p in env.pip_lines] == [
        "-r requirements.txt",
        "--extra-index-url https://example.invalid/simple",
        "torch==2.1.0",
    ]
    assert env.target.subdir == "linux-64" and env.target.python_version == "3.10"
    assert [d.name for d in env.distributions] == ["torch"]


def test_conda_lock_v1_with_pip() -> None:
    env = read_lockfile(
        UP / "conda-lock" / "test-pypi-resolve-gh155" / "conda-lock.yml",
        platform="linux-64",
        environ={},
    )
    assert env.kind == "conda-lock" and env.target.python_version == "3.9.10"
    mpl = must(env.distribution("matplotlib"))
    assert mpl is not None and mpl.kind == "locked"
    assert any(r.startswith("numpy") for r in mpl.requires_dist)
    py = must(env.record("python"))
    assert any(d.startswith("openssl") for d in py.depends)
    assert py.md5 is not None


def test_conda_lock_needs_platform_when_ambiguous() -> None:
    path = UP / "conda-lock" / "test-lockfile" / "conda-lock.yml"
    with pytest.raises(EnvironmentReadError, match="several platforms") as info:
        read_lockfile(path)
    assert "linux-64" in str(info.value) and "osx-64" in str(info.value)
    with pytest.raises(EnvironmentReadError, match="platform not in lock file"):
        read_lockfile(path, platform="linux-s390x")
    osx = read_lockfile(path, platform="osx-64", environ={})
    assert osx.target.subdir == "osx-64" and osx.target.markers()["sys_platform"] == "darwin"


def test_pixi_v6_with_pypi_numpy() -> None:
    env = read_lockfile(UP / "rattler" / "conda-lock" / "v6" / "numpy-as-pypi-lock.yml", environ={})
    assert env.kind == "pixi.lock" and env.target.subdir == "osx-arm64"
    assert env.target.python_version == "3.13.0"
    numpy = must(env.distribution("numpy"))
    assert numpy.version == "2.2.1" and numpy.requires_python == ">=3.10"
    assert env.record("numpy") is None  # numpy comes from PyPI only
    assert must(env.record("python")).build_number == 101


def test_pixi_v4_and_v7() -> None:
    v4 = read_lockfile(
        UP / "rattler" / "conda-lock" / "v4" / "python-lock.yml", platform="linux-64", environ={}
    )
    assert len(v4.records) == 22 and must(v4.record("python")).version == "3.11.0"
    v7 = read_lockfile(UP / "rattler" / "conda-lock" / "v7" / "pypi_custom_index.yml", environ={})
    assert sorted(d.name for d in v7.distributions) == ["local-pkg", "numpy", "requests"]


def test_explicit_files() -> None:
    env = read_explicit(
        UP / "conda-lock" / "test-cuda@f3ae074f" / "conda-linux-64.lock", environ={}
    )
    cuda = must(env.record("cudatoolkit"))
    assert (cuda.version, cuda.build, cuda.md5) == (
        "11.0.3",
        "h15472ef_8",
        "afed8db569f6974fdcd5e9f362985bf2",
    )
    assert cuda.build_number == 8 and cuda.channel_name == "conda-forge"
    ros = read_explicit(UP / "rattler" / "explicit-envs" / "ros-noetic_linux-64.txt", environ={})
    assert len(ros.records) == 568 and ros.target.python_version == "3.9.12"


def test_conda_list_of_tf2_gpu_env() -> None:
    env = read_conda_list(UP / "medphysdeeplearning" / "libs.md", environ={})
    assert env.name == "tf2-gpu-cuda11"
    assert len(env.pip_distributions()) == 57
    # numpy from both installers: pip's 1.19.5 dist over conda's numpy-base 1.20.3
    assert must(env.distribution("numpy")).version == "1.19.5"
    assert must(env.record("numpy-base")).version == "1.20.3"
    assert must(env.distribution("tensorflow-gpu")).version == "2.8.0"
    assert (
        must(env.record("cudatoolkit")).channel == "nvidia"
        and must(env.record("cudatoolkit")).version == "11.3.1"
    )
    assert must(env.record("pytorch")).build == "py3.8_cuda11.3_cudnn8.2.0_0"
    assert env.target.python_version == "3.8.8"
    assert env.target.subdir is None and env.target.virtual_packages == ()
    with_platform = read_conda_list(
        UP / "medphysdeeplearning" / "libs.md", subdir="linux-64", environ={}
    )
    assert with_platform.target.markers()["platform_machine"] == "x86_64"


@pytest.mark.parametrize(
    ("name", "text", "reader", "message"),
    [
        ("env.yml", "dependencies: [python=3.10\n", read_environment_file, "invalid YAML"),
        ("env.yml", "dependencies:\n  - numpy >=1..2\n", read_environment_file, "dependencies[0]"),
        (
            "env.yml",
            "dependencies:\n  - {conda: [x]}\n",
            read_environment_file,
            "unknown dependency section",
        ),
        (
            "explicit.txt",
            "https://x/linux-64/a-1-0.tar.bz2\n",
            read_explicit,
            "before the @EXPLICIT",
        ),
        ("explicit.txt", "@EXPLICIT\nhttps://x/linux-64/a-1.tar.bz2\n", read_explicit, "line 2"),
        ("list.txt", "# comment\nnumpy 1.2\n", read_conda_list, "line 2"),
        (
            "lock.yml",
            "version: 1\nmetadata: {platforms: [linux-64]}\n"
            "package:\n  - {platform: linux-64, manager: npm}\n",
            read_lockfile,
            "unknown manager",
        ),
        (
            "lock.yml",
            "version: 3\nenvironments: {}\n",
            read_lockfile,
            "unsupported pixi.lock version",
        ),
        ("lock.yml", "just: text\n", read_lockfile, "neither a conda-lock nor a pixi"),
    ],
)
def test_bad_input(tmp_path: Path, name: str, text: str, reader, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(EnvironmentReadError, match=re.escape(message)) as info:
        reader(path)
    assert str(path) in str(info.value)


def test_missing_file() -> None:
    with pytest.raises(EnvironmentReadError, match="does not exist"):
        read_environment_file("/nonexistent/environment.yml")


def test_load_environment_dispatch() -> None:
    env = load_environment(explicit=UP / "mamba" / "explicit_env_linux.txt")
    assert env.kind == "explicit"
    env = load_environment(
        lock=UP / "rattler" / "conda-lock" / "v4" / "python-lock.yml",
        platform="linux-aarch64",
        virtual_packages={"glibc": "2.28"},
    )
    assert (
        env.target.subdir == "linux-aarch64"
        and must(env.target.virtual_package("__glibc")).version == "2.28"
    )
    with pytest.raises(EnvironmentReadError, match="exactly one"):
        load_environment(prefix="a", lock="b")
