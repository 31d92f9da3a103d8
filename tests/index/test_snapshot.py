"""Snapshots: the tree, its contents, real pip resolving from it, and mixguard offline."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from mixguard.conda.virtual import virtual_packages
from mixguard.environment.target import Target
from mixguard.index.client import IndexClient, IndexConfig
from mixguard.index.metadata import DistMetadata
from mixguard.index.snapshot import build_snapshot, parse_cutoff

from .builders import sha256, wheel
from .server import IndexServer, Route

LINUX = sys.platform == "linux" and platform.libc_ver()[0] == "glibc"
pytestmark = pytest.mark.skipif(not LINUX, reason="host target built for glibc Linux")


def host_target() -> Target:
    glibc = platform.libc_ver()[1]
    py = platform.python_version()
    subdir = {"x86_64": "linux-64", "aarch64": "linux-aarch64"}[platform.machine()]
    return Target(
        subdir, py, virtual_packages=virtual_packages(subdir, {"glibc": glibc}, environ={})
    )


def _json(files: Sequence[tuple[str, bytes, Mapping[str, object]]], prefix: str) -> bytes:
    return json.dumps(
        {
            "meta": {"api-version": "1.1"},
            "name": "x",
            "files": [
                {"filename": fn, "url": f"{prefix}{fn}", "hashes": {"sha256": sha256(d)}, **extra}
                for fn, d, extra in files
            ],
        }
    ).encode()


@pytest.fixture
def universe(server: IndexServer) -> IndexServer:
    projects: dict[str, list[tuple[str, bytes, dict[str, str]]]] = {
        "app": [
            wheel(
                "app",
                "1.0",
                ["lib>=1.0", 'fastlib; extra == "fast"', 'winonly; sys_platform == "win32"'],
                extras=["fast"],
            )
            + ({"upload-time": "2024-01-01T00:00:00Z"},)
        ],
        "lib": [
            wheel("lib", "1.0") + ({"upload-time": "2023-01-01T00:00:00Z"},),
            wheel("lib", "1.5") + ({"upload-time": "2023-06-01T00:00:00Z", "yanked": "bad"},),
            wheel("lib", "2.0", requires_python=">=3.99")
            + ({"requires-python": ">=3.99", "upload-time": "2023-07-01T00:00:00Z"},),
            wheel("lib", "1.8", tag="py3-none-win_amd64")
            + ({"upload-time": "2023-08-01T00:00:00Z"},),
            wheel("lib", "1.7") + ({"upload-time": "2030-01-01T00:00:00Z"},),
        ],
        "fastlib": [wheel("fastlib", "0.3") + ({"upload-time": "2023-01-01T00:00:00Z"},)],
        "winonly": [wheel("winonly", "1.0") + ({},)],
    }
    for name, files in projects.items():
        server.add(
            f"/simple/{name}/",
            Route(
                body=_json(list(files), "/files/"),
                headers={"Content-Type": "application/vnd.pypi.simple.v1+json"},
            ),
        )
        for fn, data, _ in files:
            server.add(f"/files/{fn}", Route(body=data))
    return server


def _snapshot(universe: IndexServer, out: Path) -> object:
    client = IndexClient(IndexConfig(index_url=universe.url + "/simple"))
    return build_snapshot(
        client, ["app[fast]"], host_target(), out, exclude_newer=parse_cutoff("2025-01-01")
    )


def test_snapshot_tree(universe: IndexServer, tmp_path: Path) -> None:
    m = _snapshot(universe, tmp_path)
    assert m.projects == {"app": ["1.0"], "fastlib": ["0.3"], "lib": ["1.0"]}  # type: ignore[attr-defined]
    simple = tmp_path / "simple"
    assert sorted(p.name for p in simple.iterdir()) == ["app", "fastlib", "index.html", "lib"]
    html = (simple / "lib" / "index.html").read_text()
    fn = "lib-1.0-py3-none-any.whl"
    meta = (simple / "lib" / f"{fn}.metadata").read_bytes()
    assert f'href="{fn}#sha256=' in html
    assert (
        f'data-dist-info-metadata="sha256={sha256(meta)}"' in html and "data-core-metadata" in html
    )
    page = json.loads((simple / "lib" / "index.json").read_text())
    assert page["files"][0]["core-metadata"] == {"sha256": sha256(meta)}
    assert not list(simple.rglob("*.whl"))  # no wheels in the tree
    manifest = json.loads((tmp_path / "snapshot.json").read_text())
    assert manifest["exclude_newer"].startswith("2025-01-01") and manifest["requirements"] == [
        "app[fast]"
    ]


def test_real_pip_resolves_from_the_snapshot(universe: IndexServer, tmp_path: Path) -> None:
    _snapshot(universe, tmp_path / "snap")
    universe.close()  # pip must not need the server: only the tree
    report = tmp_path / "report.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--quiet",
            "--no-cache-dir",
            "--report",
            str(report),
            "--index-url",
            (tmp_path / "snap" / "simple").as_uri(),
            "app[fast]",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(report.read_text())
    got = sorted((i["metadata"]["name"], i["metadata"]["version"]) for i in data["install"])
    assert got == [("app", "1.0"), ("fastlib", "0.3"), ("lib", "1.0")]
    assert tuple(int(x) for x in data["pip_version"].split(".")[:2]) >= (25, 3)


def test_mixguard_reads_the_snapshot_offline(universe: IndexServer, tmp_path: Path) -> None:
    _snapshot(universe, tmp_path)
    universe.close()
    client = IndexClient(IndexConfig(index_url=(tmp_path / "simple").as_uri()), offline=True)
    (lib,) = client.project_files("lib").files
    m = client.metadata(lib)
    assert isinstance(m, DistMetadata) and m.source == "pep658"
    app = client.metadata(client.project_files("app").files[0])
    assert isinstance(app, DistMetadata) and "lib>=1.0" in app.requires_dist


def test_demo_snapshot_is_complete_and_readable_offline() -> None:
    from mixguard.demo import demo_index

    manifest = json.loads((demo_index() / "snapshot.json").read_text())
    assert manifest["unknown_metadata"] == [] and manifest["unsatisfied"] == []
    assert manifest["projects"]["torch"] == ["2.3.0"]
    client = IndexClient(IndexConfig(index_url=(demo_index() / "simple").as_uri()), offline=True)
    (torch,) = client.project_files("torch").files
    m = client.metadata(torch)
    assert isinstance(m, DistMetadata)
    assert any(r.startswith("nvidia-cudnn-cu12") for r in m.requires_dist)


def test_bad_cutoff() -> None:
    from mixguard.errors import ParseError

    with pytest.raises(ParseError, match="ISO 8601"):
        parse_cutoff("last tuesday")


def test_cli_snapshot_offline_from_find_links(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mixguard.cli import main

    links = tmp_path / "links"
    links.mkdir()
    for fn, data in (wheel("app", "1.0", ["lib"]), wheel("lib", "2.0")):
        (links / fn).write_bytes(data)
    empty = tmp_path / "empty"
    empty.mkdir()

    def snapshot(*requirements: str, out: Path) -> int:
        return main(
            [
                "snapshot",
                *requirements,
                "-o",
                str(out),
                "--python-version",
                platform.python_version(),
                "--offline",
                "--index-url",
                empty.as_uri(),
                "--find-links",
                str(links),
                "--cache-dir",
                str(tmp_path / "c"),
            ]
        )

    out = tmp_path / "snap"
    assert snapshot("app", out=out) == 0
    assert "2 files of 2 projects" in capsys.readouterr().out
    assert (out / "simple" / "lib" / "lib-2.0-py3-none-any.whl.metadata").is_file()
    # a requirement nothing satisfies: exit 1, and it is named
    code = snapshot("app", "nothere", out=tmp_path / "s2")
    assert code == 1
    assert "unsatisfied: nothere" in capsys.readouterr().out
