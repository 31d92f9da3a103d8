"""No credential in any output: every command run against an index whose URL carries a
password (and a token), every output scanned -- stdout, stderr, JSON, remedies, errors, the
cache directory (file names and contents) and a snapshot's files."""

from __future__ import annotations

from pathlib import Path

import pytest

from mixguard.cli import main

from .cases.envs import demo_with_fake_python
from .index.builders import sha256, wheel
from .index.server import IndexServer

SECRET = "s3cretPW"
TOKEN = "tok3nABC"


@pytest.fixture
def server() -> IndexServer:
    s = IndexServer()
    fn, data = wheel("leafpkg", "1.0")
    s.add("/simple/leafpkg/", f'<a href="/files/{fn}#sha256={sha256(data)}">{fn}</a>'.encode())
    s.add(f"/files/{fn}", data)
    return s


def _files_text(root: Path) -> str:
    out = []
    for p in root.rglob("*"):
        out.append(str(p))
        if p.is_file():
            out.append(p.read_bytes().decode("latin-1"))
    return "\n".join(out)


def test_no_credential_in_any_output(
    server: IndexServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    host = server.url.split("://", 1)[1]
    index = f"http://user:{SECRET}@{host}/simple"
    extra = f"http://{TOKEN}@{host}/simple"
    cache = tmp_path / "cache"
    prefix = demo_with_fake_python(tmp_path)
    src = ["--prefix", str(prefix), "--cache-dir", str(cache)]
    pip = ["leafpkg", "--index-url", index, "--extra-index-url", extra]
    runs = [
        ["check", *src, "--", *pip],
        ["check", *src, "--format", "json", "--", *pip],
        ["check", *src, "--", "nosuchproject", "--index-url", index],  # a conflict
        ["check", *src, "--", "leafpkg", "--index-url", index, "-r", f"{index}/missing.txt"],
        ["graph", *src, "--", *pip],
        ["export-env", *src, "--", *pip],
        ["pip", *src, "install", *pip],
        ["check", *src, "--format", "terminal", "--", *pip],
        ["check", *src, "--format", "sarif", "--", *pip],
        ["snapshot", "--python-version", "3.10.5", "--index-url", index]
        + ["--cache-dir", str(cache), "-o", str(tmp_path / "snap"), "--", "leafpkg"],
    ]
    seen = []
    for argv in runs:
        code = main(argv)
        captured = capsys.readouterr()
        seen.append((argv[0], code, captured.out + captured.err))
    text = "\n".join(s for _, _, s in seen)
    assert "leafpkg" in text and "user:****@" in text  # the runs did reach the index
    assert (tmp_path / "called").exists()  # pip was run with the real credentials...
    assert SECRET in (tmp_path / "called").read_text()  # ...which only pip itself sees
    for name, code, out in seen:
        assert SECRET not in out and TOKEN not in out, (name, code, out)
    on_disk = _files_text(cache) + _files_text(tmp_path / "snap")
    assert SECRET not in on_disk and TOKEN not in on_disk
