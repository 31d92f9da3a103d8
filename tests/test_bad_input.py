"""Bad input never gives a traceback: each kind an independent review found (issue 14) is a
typed error naming the input (exit 2, one line) -- or, where the input is an index's, an
unknown the report names (exit 4). One test per kind, named after it."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from mixguard.cli import EXIT_INPUT, EXIT_UNKNOWN, main
from mixguard.demo import demo_prefix
from mixguard.index.metadata import Unknown, read_local_metadata

from .index.builders import metadata_text, wheel

UP = Path(__file__).parent / "data" / "upstream"
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def prefix(tmp_path: Path) -> Path:
    dest = tmp_path / "env"
    shutil.copytree(demo_prefix(), dest)
    return dest


def _one_line_error(argv: list[str], capsys: pytest.CaptureFixture[str], *needles: str) -> None:
    assert main(argv) == EXIT_INPUT
    err = capsys.readouterr().err
    assert err.startswith("mixguard: error: ") and err.count("\n") == 1, err
    assert len(err) < 2_000  # the input quoted, not a megabyte of it
    for n in needles:
        assert n in err, err


def _lock(tmp_path: Path, name: str, change: Callable[[dict[str, object]], None], src: str) -> Path:
    data = yaml.safe_load((UP / src).read_text())
    change(data)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data))
    return path


def test_wrong_typed_fields_in_pixi_lock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def change(d: dict[str, object]) -> None:
        d["packages"] = {"not": "a list"}

    path = _lock(tmp_path, "pixi.lock", change, "rattler/conda-lock/v4/python-lock.yml")
    _one_line_error(["inspect", "--lock", str(path)], capsys, "pixi.lock")


def test_wrong_typed_fields_in_conda_lock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def change(d: dict[str, object]) -> None:
        d["package"] = [{"name": 3, "version": [], "manager": "conda", "platform": "linux-64"}]

    path = _lock(tmp_path, "conda-lock.yml", change, "conda-lock/test-lockfile/conda-lock.yml")
    _one_line_error(
        ["inspect", "--lock", str(path), "--platform", "linux-64"], capsys, "conda-lock.yml"
    )


def test_bad_ipv6_host_in_an_explicit_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "explicit.txt"
    path.write_text("@EXPLICIT\nhttps://[::1/conda-forge/linux-64/six-1.16.0-py_0.tar.bz2\n")
    _one_line_error(["inspect", "--explicit", str(path)], capsys, "explicit.txt")


def test_bad_ipv6_host_in_a_conda_list_channel(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "list.txt"
    path.write_text("# packages in environment at /x:\nsix  1.16.0  py_0  https://[::1/bad\n")
    code = main(["inspect", "--conda-list", str(path), "--platform", "linux-64", "--offline"])
    assert code in (0, EXIT_INPUT)  # read, or a typed error: never a traceback
    capsys.readouterr()


def test_bad_ipv6_host_in_an_index_url(
    prefix: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["check", "--prefix", str(prefix), "--cache-dir", str(tmp_path), "--"]
    assert main([*args, "six", "--index-url", "https://[::1/simple"]) in (
        0,
        EXIT_UNKNOWN,
        EXIT_INPUT,
    )
    assert "Traceback" not in capsys.readouterr().err


def test_packages_in_environment_at_with_no_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "list.txt"
    path.write_text("# packages in environment at\nsix  1.16.0  py_0  conda-forge\n")
    code = main(["inspect", "--conda-list", str(path), "--platform", "linux-64", "--offline"])
    assert code in (0, EXIT_INPUT)
    assert "Traceback" not in capsys.readouterr().err


def test_deeply_nested_json_in_conda_meta(prefix: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (prefix / "conda-meta" / "six-1.16.0-pyh6c4a22f_0.json").write_text(DEEP)
    _one_line_error(["inspect", "--prefix", str(prefix)], capsys, "nested too deeply")


def test_deeply_nested_json_in_direct_url_json(
    prefix: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (dist,) = (prefix / "lib/python3.10/site-packages").glob("six-*.dist-info")
    (dist / "direct_url.json").write_text(DEEP)
    assert main(["inspect", "--prefix", str(prefix)]) == 0  # pip ignores it: no direct URL
    capsys.readouterr()


def test_deeply_nested_json_in_an_index_page(tmp_path: Path) -> None:
    from mixguard.index.client import IndexClient, IndexConfig

    page = tmp_path / "simple" / "six"
    page.mkdir(parents=True)
    (page / "index.json").write_text(DEEP)
    client = IndexClient(IndexConfig(index_url=(tmp_path / "simple").as_uri()), offline=True)
    files = client.project_files("six")
    assert not files.files and files.problems  # unreadable, said


def test_deeply_nested_json_in_repodata(tmp_path: Path) -> None:
    from mixguard.conda.repodata import RepoData
    from mixguard.errors import MixguardError

    data = '{"packages": {"six-1-0.tar.bz2": ' + DEEP + "}}"
    with pytest.raises(MixguardError):
        RepoData.from_bytes(data.encode(), "repodata.json").records("six")


def test_a_300_character_path_in_a_record(prefix: Path, capsys: pytest.CaptureFixture[str]) -> None:
    meta = next((prefix / "conda-meta").glob("six-*.json"))
    rec = json.loads(meta.read_text())
    rec["files"].append("lib/python3.10/site-packages/" + "x" * 300 + ".dist-info/METADATA")
    meta.write_text(json.dumps(rec))
    assert main(["inspect", "--prefix", str(prefix)]) in (0, EXIT_INPUT)
    assert "Traceback" not in capsys.readouterr().err


def test_unreadable_history(prefix: Path, capsys: pytest.CaptureFixture[str]) -> None:
    history = prefix / "conda-meta" / "history"
    history.unlink(missing_ok=True)
    history.mkdir()  # unreadable as a file (root reads through permission bits)
    _one_line_error(["inspect", "--prefix", str(prefix)], capsys, "history")


def test_unreadable_site_packages(prefix: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = prefix / "lib" / "python3.10" / "site-packages"
    shutil.rmtree(site)
    site.write_text("not a directory")
    code = main(["inspect", "--prefix", str(prefix)])
    assert code in (0, EXIT_INPUT)
    assert "Traceback" not in capsys.readouterr().err


def test_unlistable_conda_meta(prefix: Path, capsys: pytest.CaptureFixture[str]) -> None:
    meta = prefix / "conda-meta"
    shutil.rmtree(meta)
    meta.symlink_to(meta)  # a loop: it cannot be listed
    _one_line_error(["audit", "--prefix", str(prefix)], capsys)


@pytest.mark.parametrize(
    "line",
    ["Requires-Python: >=3.x", "Requires-Dist: six; os_name === 'posix'", "Requires-Dist: six\0"],
    ids=["invalid-requires-python", "triple-equals-in-marker", "nul-byte"],
)
def test_invalid_metadata(tmp_path: Path, line: str) -> None:
    text = metadata_text("demo", "1.0").rstrip("\n") + f"\n{line}\n\n"
    fn, data = wheel("demo", "1.0", metadata=text)
    (tmp_path / fn).write_bytes(data)
    result = read_local_metadata(tmp_path / fn)
    assert result is not None  # a result, never an exception


@pytest.mark.parametrize("field", ["requires-python", "upload-time", "yanked", "url"])
def test_wrong_json_types_in_a_page(tmp_path: Path, field: str) -> None:
    from mixguard.errors import MixguardError
    from mixguard.index.simple import scan_page

    entry: dict[str, object] = {"filename": "demo-1.0-py3-none-any.whl", "url": "https://h/d.whl"}
    entry[field] = [1, {"x": None}]
    body = json.dumps({"files": [entry]}).encode()
    try:
        for e in scan_page(body, "https://h/simple/demo/", "application/vnd.pypi.simple.v1+json"):
            getattr(e, "get", lambda: None)()
    except MixguardError:
        pass


def _repack(
    data: bytes, *, method: int | None = None, flag: int | None = None, corrupt: bool = False
) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            dst.writestr(item, src.read(item))
    raw = bytearray(out.getvalue())
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = raw.find(sig)
        while i != -1:
            if flag is not None:
                raw[i + off] |= flag
            if method is not None:
                raw[i + off + 2 : i + off + 4] = method.to_bytes(2, "little")
            i = raw.find(sig, i + 4)
    if corrupt:
        i = raw.find(b"PK\x03\x04") + 40
        raw[i : i + 20] = b"\xff" * 20
    return bytes(raw)


@pytest.mark.parametrize(
    "how",
    [{"method": 99}, {"flag": 1}, {"corrupt": True}],
    ids=["unsupported-compression", "encryption-flag", "corrupt-deflate"],
)
def test_broken_wheels(tmp_path: Path, how: dict[str, object]) -> None:
    fn, data = wheel("demo", "1.0", ["six"])
    (tmp_path / fn).write_bytes(_repack(data, **how))  # type: ignore[arg-type]
    result = read_local_metadata(tmp_path / fn)
    assert isinstance(result, Unknown) or result is not None


@pytest.mark.parametrize(
    "text",
    ["x" * 100_000, "~nosuchuser/x.whl", "-e 'unbalanced", "six\0", "-r ~nosuchuser/r.txt"],
    ids=["over-long-name", "tilde-user", "unbalanced-quotes", "nul-byte", "tilde-user-file"],
)
def test_bad_requirement_files(
    tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "r.txt").write_text(text + "\n")
    args = ["check", "--demo", "--offline", "--", "-r", str(tmp_path / "r.txt")]
    assert main(args) in (EXIT_INPUT, EXIT_UNKNOWN, 3, 1)
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err) < 2_000


def test_python_version_that_would_explode_tag_generation(
    prefix: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    meta = next((prefix / "conda-meta").glob("python-3*.json"))
    rec = json.loads(meta.read_text())
    rec["version"] = "3.999999.0"
    meta.write_text(json.dumps(rec))
    _one_line_error(
        ["check", "--prefix", str(prefix), "--offline", "--", "six"], capsys, "3.999999.0"
    )


def test_yaml_alias_bomb(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i, (prev, cur) in enumerate(zip("abcdefghi", "bcdefghij", strict=True)):
        lines.append(
            f"{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]"
        )
        del i
    lines.append("dependencies: *j")
    path = tmp_path / "environment.yml"
    path.write_text("\n".join(lines) + "\n")
    assert len(path.read_bytes()) < 1_000
    _one_line_error(
        ["inspect", "--env-file", str(path), "--platform", "linux-64"], capsys, "aliases"
    )
