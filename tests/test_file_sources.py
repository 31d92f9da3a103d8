"""Environments described by files behave like the prefix they describe (issue 13).

Conda's Python packages become the distributions pip would see: read from the conda package
itself (by Range from a channel, or a local file), else PyPI's release (assumed), else
unknown; a loose environment.yml is solved by rattler's solver, then its pip section replayed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conda_package_handling import api as cph

from mixguard import check, describe
from mixguard.demo import DEMO_REQUIREMENTS, demo_index, demo_prefix
from mixguard.environment import (
    Environment,
    load_environment,
    read_conda_list,
    read_environment_file,
    read_explicit,
    read_lockfile,
    read_prefix,
)
from mixguard.index.cache import Cache
from mixguard.index.conda_dists import pep440_version
from mixguard.index.conda_package import CondaPackageReader, PackageContents, PackageUnread
from mixguard.index.transport import HttpTransport
from mixguard.resolve.configuration import PipConfiguration

from ._util import must
from .cases.channels import conda_env_export, explicit_file, pack_prefix
from .conftest import DATA
from .index.builders import wheel
from .index.server import IndexServer

DEMO_INDEX = (demo_index() / "simple").as_uri()


@pytest.fixture
def server() -> Iterator[IndexServer]:
    s = IndexServer()
    yield s
    s.close()


NO_CONFIG = PipConfiguration.empty()


def _package(tmp: Path, fmt: str, *, padding: int = 0) -> Path:
    """A noarch python conda package shipping ``foo-1.0.dist-info`` (METADATA, RECORD)."""
    work = tmp / f"build{fmt}"
    (work / "info").mkdir(parents=True)
    di = work / "site-packages" / "foo-1.0.dist-info"
    di.mkdir(parents=True)
    (di / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: foo\nVersion: 1.0\nRequires-Dist: six>=1.10\n\n"
    )
    (di / "RECORD").write_text("foo/__init__.py,,\nfoo-1.0.dist-info/METADATA,,\n")
    (work / "site-packages" / "foo").mkdir()
    (work / "site-packages" / "foo" / "__init__.py").write_text("")
    files = [
        "site-packages/foo/__init__.py",
        "site-packages/foo-1.0.dist-info/METADATA",
        "site-packages/foo-1.0.dist-info/RECORD",
    ]
    if padding:
        import os

        (work / "site-packages" / "foo" / "blob.bin").write_bytes(os.urandom(padding))
        files.append("site-packages/foo/blob.bin")
    index = {
        "name": "foo",
        "version": "1.0",
        "build": "pyh_0",
        "build_number": 0,
        "depends": ["python >=3.8", "six >=1.10"],
        "noarch": "python",
        "subdir": "noarch",
    }
    (work / "info" / "index.json").write_text(json.dumps(index))
    (work / "info" / "paths.json").write_text(
        json.dumps({"paths": [{"_path": f, "path_type": "hardlink"} for f in files]})
    )
    out = tmp / "out"
    out.mkdir(exist_ok=True)
    cph.create(
        str(work),
        ["info/index.json", "info/paths.json", *files],
        f"foo-1.0-pyh_0{fmt}",
        out_folder=str(out.resolve()),
    )
    return out / f"foo-1.0-pyh_0{fmt}"


def test_conda_package_read_by_range_and_cached(tmp_path: Path, server: IndexServer) -> None:
    pkg = _package(tmp_path, ".conda", padding=3_000_000)
    url = server.add("/noarch/foo-1.0-pyh_0.conda", pkg.read_bytes())
    reader = CondaPackageReader(HttpTransport(), Cache(tmp_path / "c"))
    got = reader.read(url, "ab" * 32)
    assert isinstance(got, PackageContents)
    (dist,) = got.dists
    assert dist.path == "site-packages/foo-1.0.dist-info" and dist.has_record
    assert "Requires-Dist: six>=1.10" in (dist.metadata or "")
    assert got.index["depends"] == ["python >=3.8", "six >=1.10"]
    seen = server.requests("/noarch/foo-1.0-pyh_0.conda")
    assert seen and all("range" in {k.lower() for k in s.headers} for s in seen)
    # the second read is the cache's: no request
    again = CondaPackageReader(HttpTransport(), Cache(tmp_path / "c")).read(url, "ab" * 32)
    assert isinstance(again, PackageContents) and again.read == "cache"
    assert len(server.requests("/noarch/foo-1.0-pyh_0.conda")) == len(seen)


def test_remote_tar_bz2_is_not_downloaded_but_a_local_one_is_read(
    tmp_path: Path, server: IndexServer
) -> None:
    pkg = _package(tmp_path, ".tar.bz2")
    url = server.add("/noarch/foo-1.0-pyh_0.tar.bz2", pkg.read_bytes())
    got = CondaPackageReader(HttpTransport()).read(url)
    assert isinstance(got, PackageUnread) and "downloading the whole package" in got.reason
    assert server.requests("/noarch/foo-1.0-pyh_0.tar.bz2") == []
    local = CondaPackageReader().read(pkg.as_uri())
    assert isinstance(local, PackageContents) and local.dists[0].metadata is not None


def test_conda_versions_as_pip_reads_them() -> None:
    assert pep440_version("2.9.1") == "2.9.1"
    assert pep440_version("2022.6.15") == "2022.6.15"
    assert pep440_version("1.0_1") is None  # conda's "_" separator: not PEP 440
    assert pep440_version("1!2.0") == "1!2.0"


# --- same environment, different source, same answer --------------------------------------


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo prefix as conda would describe it: @EXPLICIT and `conda env export`, both
    pointing at a local channel of its own packages (packed from its conda-meta)."""
    root = tmp_path_factory.mktemp("demo-files")
    records = pack_prefix(Path(demo_prefix()), root / "chan")
    env = read_prefix(demo_prefix(), environ={})
    pip = [f"{d.display_name}=={d.version}" for d in env.pip_distributions()]
    (root / "env.txt").write_text(explicit_file(records, root / "chan", "linux-64"))
    (root / "environment.yml").write_text(conda_env_export(records, root / "chan", "tf", pip))
    return {"explicit": root / "env.txt", "env_file": root / "environment.yml"}


def _load(
    kind: str,
    path: Path,
    *,
    platform: str,
    virtual_packages: dict[str, str | None] | None = None,
) -> Environment:
    if kind == "explicit":
        return load_environment(explicit=path, platform=platform, virtual_packages=virtual_packages)
    return load_environment(env_file=path, platform=platform, virtual_packages=virtual_packages)


def _answer(env: Any, request: list[str], cache: Path) -> tuple[Any, ...]:
    report = check(
        env,
        [*request, "--index-url", DEMO_INDEX],
        offline=True,
        cache_dir=cache,
        pip_config=NO_CONFIG,
    )
    plan = (
        tuple(sorted((c.name, c.version, c.action) for c in report.plan.changes))
        if report.plan is not None
        else report.conflict
    )
    errors = tuple(sorted((f.kind, f.subject) for f in report.findings if f.severity == "error"))
    return plan, errors


@pytest.mark.parametrize(
    "request_",
    [list(DEMO_REQUIREMENTS), ["numpy>=1.26"], ["protobuf>=4"], ["six"], ["keras==2.9.0"]],
    ids=lambda r: " ".join(r),
)
def test_explicit_and_env_export_give_the_prefix_answer(
    demo_files: dict[str, Path], request_: list[str], tmp_path: Path
) -> None:
    prefix = load_environment(demo=True)
    want = _answer(prefix, request_, tmp_path / "c")
    assert want[0], "the request must do something for the comparison to mean anything"
    cuda: dict[str, str | None] = {
        "cuda": "11.2"
    }  # the demo node's driver: a file carries no host facts
    for kind, path in demo_files.items():
        env = _load(kind, path, platform="linux-64", virtual_packages=cuda)
        assert _answer(env, request_, tmp_path / "c") == want, kind


def test_file_sources_list_conda_s_python_distributions(demo_files: dict[str, Path]) -> None:
    env = describe(read_explicit(demo_files["explicit"], environ={}), offline=True)
    by_name = {str(d.name): d for d in env.distributions}
    assert by_name["tensorflow"].owner == "tensorflow-base"  # the metapackage owns nothing
    assert by_name["tensorflow"].metadata_origin == "conda package"
    assert by_name["tensorflow-estimator"].version == "2.9.0"  # its dist-info, not conda's 2.9.1
    assert by_name["numpy"].installer == "conda" and by_name["numpy"].has_record
    # an @EXPLICIT line carries no dependencies: the package's index.json gives them
    assert env.record("numpy") is not None and env.record("numpy").depends  # type: ignore[union-attr]
    assert {p.name for p in env.prefix_records} >= {"numpy", "cudatoolkit"}


def test_unreadable_packages_fall_back_to_pypi_then_unknown(tmp_path: Path) -> None:
    text = (DATA / "upstream" / "mamba" / "minrk_environment.py-3.9-linux-64.lock").read_text()
    path = tmp_path / "env.txt"
    path.write_text(text)
    env = describe(read_explicit(path, environ={}), offline=True, cache_dir=tmp_path / "c")
    origins = {d.metadata_origin for d in env.distributions}
    assert origins == {"unknown"}  # offline, nothing cached: said, not assumed empty
    assert all("offline" in d.origin_note for d in env.distributions)
    assert {"attrs", "packaging", "certifi"} <= {d.name for d in env.distributions}
    # a plan touching them is unproven, never a clean pass
    report = check(
        env,
        ["--no-index", "--find-links", str(tmp_path), "packaging"],
        offline=True,
        cache_dir=tmp_path / "c",
        pip_config=NO_CONFIG,
    )
    assert report.plan is not None and not report.plan.installs  # conda's packaging satisfies it


def test_lock_file_conda_packages_satisfy_pip(tmp_path: Path) -> None:
    lock = DATA / "upstream" / "conda-lock" / "test-lockfile" / "conda-lock.yml"
    env = read_lockfile(lock, platform="linux-64", environ={})
    (tmp_path / "links").mkdir()
    report = check(
        env,
        ["--no-index", "--find-links", str(tmp_path / "links"), "certifi", "pip"],
        offline=True,
        cache_dir=tmp_path / "c",
        pip_config=NO_CONFIG,
    )
    assert report.plan is not None and not report.plan.installs  # conda's certifi and pip
    assert {c.name for c in report.plan.changes if c.action == "unchanged"} == {"certifi", "pip"}


def test_conda_list_pandas_is_already_satisfied(tmp_path: Path) -> None:
    env = read_conda_list(
        DATA / "upstream" / "medphysdeeplearning" / "libs.md", subdir="linux-64", environ={}
    )
    (tmp_path / "links").mkdir()
    report = check(
        env,
        ["--no-index", "--find-links", str(tmp_path / "links"), "pandas>=1.3"],
        offline=True,
        cache_dir=tmp_path / "c",
        pip_config=NO_CONFIG,
    )
    assert report.plan is not None and not report.plan.installs  # conda's pandas 1.3.3
    described = describe(env, offline=True, cache_dir=tmp_path / "c")
    pypi_rows = [d for d in described.distributions if d.owner is None]
    assert pypi_rows and all(d.installer == "pip" for d in pypi_rows)


# --- loose environment.yml: conda's solver, then the pip section ---------------------------

SUBCHANNEL = DATA / "upstream" / "conda-subchannel-demo"


def _loose(tmp_path: Path, pip: list[str]) -> Path:
    path = tmp_path / "environment.yml"
    lines = [
        "name: loose",
        "channels:",
        f"  - {SUBCHANNEL}",
        "dependencies:",
        "  - python=3.9",
        "  - pip",
        "  - setuptools",
    ]
    if pip:
        lines.append("  - pip:")
        lines += [f"    - {p}" for p in pip]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_loose_environment_yml_is_solved_as_rattler_solves_it(tmp_path: Path) -> None:
    import rattler

    env = describe(
        read_environment_file(_loose(tmp_path, []), subdir="linux-64", environ={}),
        offline=True,
        cache_dir=tmp_path / "c",
    )
    assert env.solved and env.target.python_version is not None
    assert env.target.python_version.startswith("3.9.")
    channel = rattler.Channel(SUBCHANNEL.resolve().as_uri())
    sparse = [
        rattler.SparseRepoData(channel, sd, SUBCHANNEL / sd / "repodata.json")
        for sd in ("linux-64", "noarch")
    ]
    virtual = [
        rattler.GenericVirtualPackage(
            rattler.PackageName(v.name), rattler.Version(v.version), rattler.BuildString(v.build)
        )
        for v in env.target.virtual_records()
    ]
    direct = asyncio.run(
        rattler.solve_with_sparse_repodata(
            [rattler.MatchSpec(s) for s in ("python=3.9", "pip", "setuptools")],
            sparse,
            virtual_packages=virtual,
        )
    )
    assert set(env.solved) == {f"{r.name.normalized}-{r.version}-{r.build}" for r in direct}
    assert {"pip", "setuptools", "wheel"} <= {d.name for d in env.distributions}


def test_loose_environment_yml_replays_its_pip_section(tmp_path: Path) -> None:
    links = tmp_path / "links"
    links.mkdir()
    for name, version, requires in (("localthing", "1.0", ["six>=1.10"]), ("six", "1.16.0", [])):
        fn, data = wheel(name, version, requires)
        (links / fn).write_bytes(data)
    path = _loose(tmp_path, ["--no-index", f"--find-links {links}", "localthing"])
    env = describe(
        read_environment_file(path, subdir="linux-64", environ={}),
        offline=True,
        cache_dir=tmp_path / "c",
    )
    pip = {str(d.name): d for d in env.pip_distributions()}
    assert set(pip) == {"localthing", "six"}
    assert pip["localthing"].requires_dist == ("six>=1.10",)
    report = check(
        env,
        ["--no-index", "--find-links", str(links), "six"],
        offline=True,
        cache_dir=tmp_path / "c",
        pip_config=NO_CONFIG,
    )
    assert report.plan is not None and not report.plan.installs  # the section installed six
    assert report.env.solved and "solved:" in report.to_text()


def test_a_loose_file_offline_with_remote_channels_says_why(tmp_path: Path) -> None:
    from mixguard.errors import EnvironmentReadError

    path = tmp_path / "environment.yml"
    path.write_text("channels: [conda-forge]\ndependencies: [numpy=1.26, scipy]\n")
    with pytest.raises(EnvironmentReadError, match="not possible offline"):
        describe(read_environment_file(path, subdir="linux-64", environ={}), offline=True)


def test_inspect_names_the_source_of_each_distribution(
    demo_files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from mixguard.cli import main

    assert (
        main(
            ["inspect", "--explicit", str(demo_files["explicit"]), "--offline", "--format", "json"]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    origins = {d["name"]: d["metadata_from"] for d in data["distributions"]}
    assert origins["numpy"] == "conda package"
    assert len(data["distributions"]) > 40


def test_constraints_from_an_explicit_file_pin_conda_s_packages(
    demo_files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from mixguard.cli import main

    assert main(["constraints", "--explicit", str(demo_files["explicit"]), "--offline"]) == 0
    out = capsys.readouterr().out
    assert "numpy==1.21.6" in out and "tensorflow==2.9.1" in out


# --- an upstream prefix (osx-arm64, free-threaded 3.13, a pip-installed distribution) -------

OSX313 = DATA / "upstream" / "conda" / "env_metadata" / "envpy313tosx_whl"


@pytest.fixture(scope="module")
def osx313(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("osx313")
    records = pack_prefix(OSX313, root / "chan")
    env = read_prefix(OSX313, environ={})
    pip = [f"{d.display_name}=={d.version}" for d in env.pip_distributions()]
    assert pip == ["imagesize==1.4.1"]
    (root / "env.txt").write_text(explicit_file(records, root / "chan", "osx-arm64"))
    (root / "environment.yml").write_text(conda_env_export(records, root / "chan", "t", pip))
    links = root / "links"
    links.mkdir()
    for name, version, requires in (
        ("newthing", "1.0", ["imagesize>=1", "pip>=25"]),
        ("pip", "24.0", []),
        ("imagesize", "1.4.1", []),
    ):
        fn, data = wheel(name, version, requires)
        (links / fn).write_bytes(data)
    return {"explicit": root / "env.txt", "env_file": root / "environment.yml", "links": links}


@pytest.mark.parametrize(
    ("request_", "sources"),
    [
        (["pip"], ("explicit", "env_file")),
        (["pip<25"], ("explicit", "env_file")),  # replaces conda's pip
        # the pip-installed imagesize is in the export's pip: section; an @EXPLICIT file
        # (conda list --explicit) has no pip layer: that environment really lacks it
        (["imagesize"], ("env_file",)),
        (["newthing"], ("env_file",)),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "+".join(v),
)
def test_an_upstream_prefix_and_its_files_agree(
    osx313: dict[str, Path], request_: list[str], sources: tuple[str, ...], tmp_path: Path
) -> None:
    args = ["--no-index", "--find-links", str(osx313["links"]), *request_]

    def answer(env: Any) -> tuple[Any, ...]:
        report = check(env, args, offline=True, cache_dir=tmp_path / "c", pip_config=NO_CONFIG)
        plan = (
            tuple(sorted((c.name, c.version, c.action) for c in report.plan.changes))
            if report.plan is not None
            else report.conflict
        )
        return plan, tuple(
            sorted((f.kind, f.subject) for f in report.findings if f.severity == "error")
        )

    want = answer(read_prefix(OSX313, environ={}))
    assert want[0]
    for kind in sources:
        env = _load(kind, osx313[kind], platform="osx-arm64")
        assert answer(env) == want, kind


def test_unknown_requirements_make_a_version_change_unproven(tmp_path: Path) -> None:
    """Installed distributions whose requirements are unknown: replacing an installed version
    could break them (pip check is unproven); a new install cannot."""
    text = (DATA / "upstream" / "mamba" / "minrk_environment.py-3.9-linux-64.lock").read_text()
    (tmp_path / "env.txt").write_text(text)
    env = describe(read_explicit(tmp_path / "env.txt", environ={}), offline=True)
    links = tmp_path / "links"
    links.mkdir()
    for name, version in (("attrs", "99.0"), ("brandnew", "1.0")):
        fn, data = wheel(name, version)
        (links / fn).write_bytes(data)

    def unproven(request: str) -> list[str]:
        report = check(
            env,
            ["--no-index", "--find-links", str(links), request],
            offline=True,
            cache_dir=tmp_path / "c",
            pip_config=NO_CONFIG,
        )
        return [u for u in report.unproven if "requirements of" in u]

    assert unproven("attrs==99.0")  # replaces conda's attrs 25.3.0
    assert not unproven("brandnew")


def test_a_hand_written_pin_in_the_pip_section_brings_its_dependencies(tmp_path: Path) -> None:
    links = tmp_path / "links"
    links.mkdir()
    for name, version, requires in (("localthing", "1.0", ["six>=1.10"]), ("six", "1.16.0", [])):
        fn, data = wheel(name, version, requires)
        (links / fn).write_bytes(data)
    path = _loose(tmp_path, ["--no-index", f"--find-links {links}", "localthing==1.0"])
    env = describe(
        read_environment_file(path, subdir="linux-64", environ={}),
        offline=True,
        cache_dir=tmp_path / "c",
    )
    # conda solved the file, so it is no export: pip installs the pin and what it requires
    assert {str(d.name) for d in env.pip_distributions()} == {"localthing", "six"}


def test_an_export_s_noarch_package_is_found_on_an_http_channel(
    tmp_path: Path, server: IndexServer
) -> None:
    """An export names builds, not files: linux-64/ then noarch/, .conda then .tar.bz2 are
    tried on the channel; a .tar.bz2 is never downloaded and does not stop the search."""
    pkg = _package(tmp_path, ".conda")
    server.add("/chan/noarch/foo-1.0-pyh_0.conda", pkg.read_bytes())
    env_file = tmp_path / "environment.yml"
    env_file.write_text(
        f"channels:\n  - {server.url}/chan\ndependencies:\n"
        "  - python=3.10.5=h582c2e5_0_cpython\n  - foo=1.0=pyh_0\n"
    )
    env = describe(
        read_environment_file(env_file, subdir="linux-64", environ={}), cache_dir=tmp_path / "c"
    )
    foo = must(env.distribution("foo"))
    assert foo.metadata_origin == "conda package" and foo.requires_dist == ("six>=1.10",)
    assert foo.path == "lib/python3.10/site-packages/foo-1.0.dist-info"  # noarch: relocated
    tried = [s.path for s in server.log]
    assert "/chan/linux-64/foo-1.0-pyh_0.conda" in tried
    assert "/chan/linux-64/foo-1.0-pyh_0.tar.bz2" not in tried  # never downloaded


@pytest.mark.parametrize(
    ("name", "body", "reason"),
    [
        ("bad-1.0-0.conda", b"not a zip at all", "unreadable package"),
        ("bad-1.0-0.tar.bz2", b"BZh9 not bzip2", "unreadable package"),
        ("bad-1.0-0.whl", b"", "not a conda package file"),
    ],
)
def test_a_broken_conda_package_is_unread_with_its_reason(
    tmp_path: Path, name: str, body: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(body)
    got = CondaPackageReader().read(path.as_uri())
    assert isinstance(got, PackageUnread) and reason in got.reason  # never a traceback


def test_a_hook_on_a_missing_file_is_one_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mixguard.cli import EXIT_INPUT, main

    missing = tmp_path / "conda-lock.yml"
    assert main(["hook", "lock", "--platform", "linux-64", str(missing)]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert err.startswith("mixguard: error: ") and str(missing) in err and err.count("\n") == 1
