"""Integrity as pip: a PEP 658 metadata file whose hash is not the page's stops pip; mixguard
predicts that stop (a pip-refusal naming the file and both hashes), never reads the wheel
instead. Held against real pip 25.3 on a server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from mixguard.cli import EXIT_FINDINGS, main

from .cases.envs import build_empty, pyenv_interpreter
from .index.builders import metadata_text, sha256, wheel
from .index.server import IndexServer

PIP = Path(__file__).parent / "data" / "pip" / "pip-25.3-py3-none-any.whl"


@pytest.fixture
def server() -> IndexServer:
    s = IndexServer()
    fn, data = wheel("leafpkg", "1.0")
    meta = metadata_text("leafpkg", "1.0").encode()
    wrong = hashlib.sha256(b"something else").hexdigest()
    s.add(
        "/simple/leafpkg/",
        f'<a href="/files/{fn}#sha256={sha256(data)}" '
        f'data-core-metadata="sha256={wrong}">{fn}</a>'.encode(),
        headers={"Content-Type": "text/html"},
    )
    s.add(f"/files/{fn}", data)
    s.add(f"/files/{fn}.metadata", meta)
    s.wrong = wrong  # type: ignore[attr-defined]
    s.right = hashlib.sha256(meta).hexdigest()  # type: ignore[attr-defined]
    return s


def test_pep658_hash_mismatch_stops_pip_and_the_check(
    server: IndexServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = tmp_path / "env"
    build_empty(env, pyenv_interpreter("3.12"))
    index = f"{server.url}/simple"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    proc = subprocess.run(
        [str(env / "bin" / "python"), str(PIP / "pip"), "install", "--dry-run"]
        + ["--no-cache-dir", "--index-url", index, "leafpkg"],
        capture_output=True,
        text=True,
        env={**clean, "PIP_CONFIG_FILE": os.devnull},
        timeout=120,
    )
    assert proc.returncode != 0
    assert "DO NOT MATCH THE HASHES" in proc.stdout + proc.stderr
    args = ["check", "--prefix", str(env), "--cache-dir", str(tmp_path / "cache")]
    assert main([*args, "--format", "json", "--", "leafpkg", "--index-url", index]) == EXIT_FINDINGS
    data = json.loads(capsys.readouterr().out)
    (finding,) = data["findings"]
    assert finding["kind"] == "pip-refusal" and finding["evidence"]["refusal"] == "hash-mismatch"
    assert server.wrong in finding["message"] and server.right in finding["message"]  # type: ignore[attr-defined]
    assert "leafpkg-1.0-py3-none-any.whl.metadata" in finding["message"]
    # the wheel itself was never read to get around the mismatch
    assert not any(seen.path.endswith(".whl") for seen in server.log)


def test_a_page_of_another_content_type_is_skipped_as_pip_skips_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = IndexServer()
    try:
        fn, data = wheel("leafpkg", "1.0")
        s.add(
            "/simple/leafpkg/",
            f'<a href="/files/{fn}">{fn}</a>',
            headers={"Content-Type": "text/plain"},
        )
        s.add(f"/files/{fn}", data)
        env = tmp_path / "env"
        build_empty(env, pyenv_interpreter("3.12"))
        clean = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
        proc = subprocess.run(
            [str(env / "bin" / "python"), str(PIP / "pip"), "install", "--dry-run"]
            + ["--no-cache-dir", "--index-url", f"{s.url}/simple", "leafpkg"],
            capture_output=True,
            text=True,
            env={**clean, "PIP_CONFIG_FILE": os.devnull},
            timeout=120,
        )
        assert proc.returncode == 1 and "Skipping page" in proc.stderr
        args = ["check", "--prefix", str(env), "--cache-dir", str(tmp_path / "cache"), "--"]
        assert main([*args, "leafpkg", "--index-url", f"{s.url}/simple"]) == 3  # as pip
        assert "No matching distribution found for leafpkg" in capsys.readouterr().out
    finally:
        s.close()
