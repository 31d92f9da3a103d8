"""Every input parser is total: whatever the input, a result or a typed ``MixguardError``
naming the input -- never another exception.

Inputs are the real samples (conda-meta records, environment.yml, @EXPLICIT files, conda-lock
and pixi.lock files, a saved ``conda list``, requirement files and pip arguments, METADATA,
index pages in JSON and HTML, repodata, wheels) mutated two ways: structure-aware (a JSON/YAML
value replaced by another of any type, nesting included) and byte-level (flips, cuts,
insertions). ``HYPOTHESIS_PROFILE=thorough`` runs 10^4 examples per parser; CI a few hundred.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mixguard.conda.repodata import RepoData
from mixguard.demo import demo_prefix
from mixguard.environment import (
    read_conda_list,
    read_environment_file,
    read_explicit,
    read_lockfile,
    read_prefix,
)
from mixguard.errors import MixguardError
from mixguard.index.metadata import DistMetadata, Unknown, read_local_metadata
from mixguard.index.simple import scan_page
from mixguard.resolve.configuration import PipConfiguration
from mixguard.resolve.options import parse_pip_args

from ..conftest import ORACLE_CASES
from ..index.builders import metadata_text, wheel

UP = Path(__file__).parents[1] / "data" / "upstream"
N = int(
    os.environ.get(
        "MIXGUARD_FUZZ_N", 10_000 if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else 150
    )
)
FUZZ = settings(
    max_examples=N,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**64), 2**64)
    | st.floats(allow_nan=False)
    | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def mutated(draw: st.DrawFn, data: Any) -> Any:
    """``data`` (JSON-like) with one value somewhere replaced by any JSON value."""
    if isinstance(data, dict) and data and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(data, key=str)))
        return {**data, key: draw(mutated(data[key]))}
    if isinstance(data, list) and data and draw(st.booleans()):
        i = draw(st.integers(0, len(data) - 1))
        return [*data[:i], draw(mutated(data[i])), *data[i + 1 :]]
    return draw(json_values)


@st.composite
def byte_mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a flip, a cut or an insertion (of bytes, NULs or nesting brackets)."""
    how = draw(st.sampled_from(["flip", "cut", "insert", "nest"]))
    if not data:
        return draw(st.binary(max_size=64))
    i = draw(st.integers(0, len(data) - 1))
    if how == "flip":
        return data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i + 1 :]
    if how == "cut":
        return data[:i]
    if how == "nest":
        return data[:i] + b"[" * draw(st.integers(100, 5000)) + data[i:]
    return data[:i] + draw(st.binary(max_size=32)) + data[i:]


def _total(fn: Callable[[], object], kind: str) -> None:
    with contextlib.suppress(MixguardError):  # a typed error is a fine answer; nothing else
        fn()
    ORACLE_CASES[f"fuzz {kind}"] += 1


# --- conda-meta -------------------------------------------------------------------------------

_RECORD = json.loads(next((demo_prefix() / "conda-meta").glob("six-*.json")).read_text())


@pytest.fixture(scope="module")
def prefix_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("fuzz") / "env"
    shutil.copytree(demo_prefix(), dest)
    return dest


@FUZZ
@given(raw=mutated(_RECORD))
def test_conda_meta(prefix_dir: Path, raw: Any) -> None:
    (prefix_dir / "conda-meta" / "six-1.16.0-pyh6c4a22f_0.json").write_text(json.dumps(raw))
    _total(lambda: read_prefix(prefix_dir, environ={}, host=None), "conda-meta")


@FUZZ
@given(data=byte_mutated(json.dumps(_RECORD).encode()))
def test_conda_meta_bytes(prefix_dir: Path, data: bytes) -> None:
    (prefix_dir / "conda-meta" / "six-1.16.0-pyh6c4a22f_0.json").write_bytes(data)
    _total(lambda: read_prefix(prefix_dir, environ={}, host=None), "conda-meta")


# --- environment.yml, @EXPLICIT, lock files, conda list -----------------------------------------

_ENVFILE = (UP / "conda-lock/test-install-with-pip-deps/environment.yml").read_text()
_CONDA_LOCK = yaml.safe_load((UP / "conda-lock/test-lockfile/conda-lock.yml").read_text())
_PIXI = yaml.safe_load((UP / "rattler/conda-lock/v4/python-lock.yml").read_text())
_EXPLICIT = (UP / "mamba/explicit_env_linux.txt").read_bytes()
_CONDA_LIST = (UP / "medphysdeeplearning/libs.md").read_bytes()


def _write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


@FUZZ
@given(raw=mutated(yaml.safe_load(_ENVFILE)))
def test_environment_yml(tmp_path: Path, raw: Any) -> None:
    path = _write(tmp_path, "environment.yml", yaml.safe_dump(raw).encode())
    _total(lambda: read_environment_file(path, subdir="linux-64", environ={}), "environment.yml")


@FUZZ
@given(data=byte_mutated(_ENVFILE.encode()))
def test_environment_yml_bytes(tmp_path: Path, data: bytes) -> None:
    path = _write(tmp_path, "environment.yml", data)
    _total(lambda: read_environment_file(path, subdir="linux-64", environ={}), "environment.yml")


@FUZZ
@given(raw=mutated(_CONDA_LOCK))
def test_conda_lock(tmp_path: Path, raw: Any) -> None:
    path = _write(tmp_path, "conda-lock.yml", yaml.safe_dump(raw).encode())
    _total(lambda: read_lockfile(path, platform="linux-64", environ={}), "conda-lock")


@FUZZ
@given(raw=mutated(_PIXI))
def test_pixi_lock(tmp_path: Path, raw: Any) -> None:
    path = _write(tmp_path, "pixi.lock", yaml.safe_dump(raw).encode())
    _total(lambda: read_lockfile(path, environ={}), "pixi.lock")


@FUZZ
@given(data=byte_mutated(_EXPLICIT))
def test_explicit(tmp_path: Path, data: bytes) -> None:
    path = _write(tmp_path, "explicit.txt", data)
    _total(lambda: read_explicit(path, environ={}), "@EXPLICIT")


@FUZZ
@given(data=byte_mutated(_CONDA_LIST))
def test_conda_list(tmp_path: Path, data: bytes) -> None:
    path = _write(tmp_path, "libs.md", data)
    _total(lambda: read_conda_list(path, subdir="linux-64", environ={}), "conda list")


# --- pip's side --------------------------------------------------------------------------------

_REQS = (
    b"-c constraints.txt\nrequests[socks]>=2.31 ; python_version >= '3.8'\n-e ./src#egg=x\nnumpy==1.26.* --hash=sha256:"
    + b"a" * 64
    + b"\n${HOME}/x.whl\n"
)


@FUZZ
@given(data=byte_mutated(_REQS))
def test_requirements_file(tmp_path: Path, data: bytes) -> None:
    _write(tmp_path, "constraints.txt", b"six<2\n")
    _write(tmp_path, "req.txt", data)
    _total(lambda: parse_pip_args(["-r", "req.txt"], tmp_path, environ={}), "requirements file")


@FUZZ
@given(
    args=st.lists(
        st.text(max_size=30)
        | st.sampled_from(
            [
                "-r",
                "-c",
                "-e",
                "-U",
                "--pre",
                "--hash",
                "-i",
                "--only-binary",
                ":all:",
                "--upgrade-strategy",
                "-Uqr",
            ]
        ),
        max_size=6,
    )
)
def test_pip_arguments(tmp_path: Path, args: list[str]) -> None:
    _total(lambda: parse_pip_args(args, tmp_path, environ={}), "pip arguments")


@FUZZ
@given(
    data=byte_mutated(
        b"[global]\nindex-url = https://x/simple\n[install]\npre = yes\nno-deps = 0\n"
    )
)
def test_pip_configuration(tmp_path: Path, data: bytes) -> None:
    _write(tmp_path, "pip.conf", data)
    env = {"PIP_CONFIG_FILE": str(tmp_path / "pip.conf"), "HOME": str(tmp_path)}
    _total(lambda: parse_pip_args(["x"], config=PipConfiguration.load(environ=env)), "pip.conf")


_META = metadata_text(
    "demo", "1.0", ["six>=1; extra == 'x'", "numpy<2"], ">=3.8", extras=["x"]
).encode()


@FUZZ
@given(data=byte_mutated(_META))
def test_metadata(tmp_path: Path, data: bytes) -> None:
    fn, whl = wheel("demo", "1.0", metadata=data.decode("utf-8", "replace"))
    path = _write(tmp_path, fn, whl)
    result = read_local_metadata(path)
    assert isinstance(result, (DistMetadata, Unknown))
    ORACLE_CASES["fuzz METADATA"] += 1


_WHEEL_NAME, _WHEEL = wheel("demo", "1.0", ["six"])


@FUZZ
@given(data=byte_mutated(_WHEEL), method=st.sampled_from([0, 8, 12, 14, 99]))
def test_wheel_zip(tmp_path: Path, data: bytes, method: int) -> None:
    if method != 8:  # re-pack with another (maybe unsupported) compression method
        buf = io.BytesIO(data)
        try:
            with zipfile.ZipFile(io.BytesIO(_WHEEL)) as src:
                out = io.BytesIO()
                with zipfile.ZipFile(out, "w") as dst:
                    for item in src.infolist():
                        item.compress_type = 0
                        dst.writestr(item, src.read(item))
                raw = bytearray(out.getvalue())
            # patch the method field of every local and central header
            for sig, off in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
                i = raw.find(sig)
                while i != -1:
                    raw[i + off : i + off + 2] = method.to_bytes(2, "little")
                    i = raw.find(sig, i + 4)
            data = bytes(raw)
        except zipfile.BadZipFile:
            data = buf.getvalue()
    path = _write(tmp_path, _WHEEL_NAME, data)
    result = read_local_metadata(path)
    assert isinstance(result, (DistMetadata, Unknown))
    ORACLE_CASES["fuzz wheel zip"] += 1


_PAGE_JSON = json.dumps(
    {
        "meta": {"api-version": "1.1"},
        "name": "demo",
        "files": [
            {
                "filename": "demo-1.0-py3-none-any.whl",
                "url": "https://h/demo-1.0-py3-none-any.whl",
                "hashes": {"sha256": "a" * 64},
                "requires-python": ">=3.8",
                "core-metadata": {"sha256": "b" * 64},
                "yanked": False,
                "upload-time": "2024-01-01T00:00:00Z",
            }
        ],
        "versions": ["1.0"],
    }
)
_PAGE_HTML = (
    b'<html><body><a href="https://h/demo-1.0-py3-none-any.whl#sha256='
    + b"a" * 64
    + b'" data-requires-python="&gt;=3.8" data-core-metadata="sha256='
    + b"b" * 64
    + b'">demo-1.0-py3-none-any.whl</a></body></html>'
)


def _scan(body: bytes, ctype: str) -> None:
    entries = scan_page(body, "https://h/simple/demo/", ctype)
    for e in entries:
        getter = getattr(e, "get", None)  # a JSON entry is parsed on demand: parse it now
        if getter is not None:
            getter()


@FUZZ
@given(raw=mutated(json.loads(_PAGE_JSON)))
def test_index_page_json(raw: Any) -> None:
    _total(
        lambda: _scan(json.dumps(raw).encode(), "application/vnd.pypi.simple.v1+json"), "page JSON"
    )


@FUZZ
@given(data=byte_mutated(_PAGE_HTML))
def test_index_page_html(data: bytes) -> None:
    _total(lambda: _scan(data, "text/html"), "page HTML")


_REPODATA = (UP / "rattler/channels/pytorch/linux-64/repodata.json").read_bytes()[:200_000]
_SMALL_REPODATA = json.dumps(
    {
        "info": {"subdir": "linux-64"},
        "packages": {
            "six-1.16.0-py_0.tar.bz2": {
                "name": "six",
                "version": "1.16.0",
                "build": "py_0",
                "build_number": 0,
                "depends": ["python"],
                "subdir": "linux-64",
            }
        },
    }
)


@FUZZ
@given(raw=mutated(json.loads(_SMALL_REPODATA)))
def test_repodata(raw: Any) -> None:
    def load() -> None:
        rd = RepoData.from_bytes(json.dumps(raw).encode(), "repodata.json")
        for name in rd.names():
            rd.records(name)

    _total(load, "repodata")


@FUZZ
@given(data=byte_mutated(_SMALL_REPODATA.encode()))
def test_repodata_bytes(data: bytes) -> None:
    _total(lambda: RepoData.from_bytes(data, "repodata.json").records("six"), "repodata")
