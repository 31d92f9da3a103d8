"""The pre-commit hook definitions, run as pre-commit runs them: ``entry`` + ``args`` + the
matching file names, in a fresh process (pre-commit itself is not needed)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .cases.channels import conda_env_export, pack_prefix
from .conftest import DATA
from .index.builders import wheel

ROOT = Path(__file__).parents[1]
HOOKS: dict[str, dict[str, Any]] = {
    h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
}


def _run(
    hook_id: str, args: list[str], files: list[Path], cwd: Path
) -> subprocess.CompletedProcess[str]:
    hook = HOOKS[hook_id]
    for f in files:  # pre-commit passes only the files its pattern matches
        assert re.search(hook["files"], f.as_posix()), (hook["files"], f)
    entry = shlex.split(hook["entry"])
    assert entry[0] == "mixguard"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    return subprocess.run(
        [sys.executable, "-m", "mixguard", *entry[1:], *args, *map(str, files)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**clean, "PIP_CONFIG_FILE": os.devnull, "MIXGUARD_CACHE_DIR": str(cwd / "cache")},
        timeout=300,
    )


def test_the_hook_file_is_what_pre_commit_reads() -> None:
    assert set(HOOKS) == {"mixguard-requirements", "mixguard-environment", "mixguard-lock"}
    for h in HOOKS.values():
        assert h["language"] == "python" and h["pass_filenames"] is True
        assert {"id", "name", "entry", "files"} <= set(h)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project: the demo environment as an export over a local channel, and wheels."""
    from mixguard.demo import demo_prefix

    root = tmp_path_factory.mktemp("project")
    records = pack_prefix(Path(demo_prefix()), root / "chan")
    (root / "environment.yml").write_text(conda_env_export(records, root / "chan", "tf", []))
    links = root / "links"
    links.mkdir()
    for name, version in (("numpy", "2.0.0"), ("tinylib", "1.0")):
        fn, data = wheel(name, version)
        (links / fn).write_bytes(data)
    return root


def test_requirements_hook_fails_a_file_that_breaks_conda(repo: Path) -> None:
    good = repo / "requirements.txt"
    good.write_text(f"--no-index\n--find-links {repo / 'links'}\ntinylib\n")
    bad = repo / "requirements-gpu.txt"
    bad.write_text(f"--no-index\n--find-links {repo / 'links'}\nnumpy>=2\n")
    env_args = ["--env-file", str(repo / "environment.yml"), "--platform", "linux-64"]
    env_args += ["--cuda", "11.2", "--offline"]
    ok = _run("mixguard-requirements", env_args, [good], repo)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    broken = _run("mixguard-requirements", env_args, [good, bad], repo)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "conda-constraint-violation" in broken.stdout  # tensorflow-base needs numpy <2


def test_environment_hook_checks_the_pip_section_against_the_conda_side(repo: Path) -> None:
    text = (
        (repo / "environment.yml")
        .read_text()
        .replace(
            "prefix:",
            "  - pip:\n      - --no-index\n"
            f"      - --find-links {repo / 'links'}\n      - numpy>=2\nprefix:",
        )
    )
    (repo / "environment-gpu.yml").write_text(text)
    args = ["--platform", "linux-64", "--cuda", "11.2", "--offline"]
    proc = _run("mixguard-environment", args, [repo / "environment-gpu.yml"], repo)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "numpy" in proc.stdout
    plain = _run("mixguard-environment", args, [repo / "environment.yml"], repo)
    assert plain.returncode == 0 and "no pip: section" in plain.stdout


def test_lock_hook_audits_a_lock_file(tmp_path: Path) -> None:
    lock = tmp_path / "conda-lock.yml"
    lock.write_text(
        (
            DATA / "upstream" / "conda-lock" / "test-install-with-pip-deps" / "conda-lock.yml"
        ).read_text()
    )
    proc = _run("mixguard-lock", ["--platform", "linux-64"], [lock], tmp_path)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr  # findings or none: no crash
    assert f"mixguard: lock: {lock}" in proc.stdout
