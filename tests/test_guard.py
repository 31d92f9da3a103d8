"""`mixguard guard on|off|status`: the activation hook round-trips on a copy of the demo
prefix (on -> `pip install` in the activated shell goes through the check, other pip commands
pass through -> off -> the prefix is byte for byte what it was)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from mixguard.cli import EXIT_INPUT, EXIT_OK, main
from mixguard.demo import demo_index
from mixguard.guard import guard_off, guard_on, guard_status

from .cases.envs import demo_with_fake_python

INDEX = (demo_index() / "simple").as_uri()


def _tree(root: Path) -> dict[str, tuple[str, bytes, int]]:
    """Every entry under ``root``: kind, content, permission bits."""
    out: dict[str, tuple[str, bytes, int]] = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.is_symlink():
            out[rel] = ("link", os.readlink(path).encode(), mode)
        elif path.is_dir():
            out[rel] = ("dir", b"", mode)
        else:
            out[rel] = ("file", path.read_bytes(), mode)
    return out


@pytest.fixture
def prefix(tmp_path: Path) -> Path:
    return demo_with_fake_python(tmp_path)


def test_guard_round_trips_and_routes_pip_install_through_the_check(
    prefix: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if shutil.which("bash") is None:
        pytest.skip("no bash")
    # the pip on PATH (what `command pip` runs): records how it was called
    bindir = tmp_path / "path"
    bindir.mkdir()
    fake_pip = bindir / "pip"
    fake_pip.write_text(f'#!/bin/sh\necho "$@" > "{tmp_path}/pip-called"\n')
    fake_pip.chmod(0o755)
    before = _tree(prefix)

    assert main(["guard", "on", "--prefix", str(prefix)]) == EXIT_OK
    said = capsys.readouterr().out
    assert "wrote etc/conda/activate.d/mixguard-guard.sh, etc/conda/deactivate.d/" in said
    assert "etc/conda/" in said  # the directories it had to create are named too
    assert main(["guard", "status", "--prefix", str(prefix)]) == EXIT_OK
    assert "guard on" in capsys.readouterr().out

    script = f"""
    . "$CONDA_PREFIX/etc/conda/activate.d/mixguard-guard.sh"
    pip install sentence-transformers --index-url {INDEX}; echo "clash=$?"
    pip install six --index-url {INDEX}; echo "satisfied=$?"
    pip list --format=freeze; echo "list=$?"
    . "$CONDA_PREFIX/etc/conda/deactivate.d/mixguard-guard.sh"
    command -v pip
    """
    env = {
        **os.environ,
        "CONDA_PREFIX": str(prefix),
        "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}",
        "PIP_CONFIG_FILE": os.devnull,  # this machine's pip configuration is not the case here
        "MIXGUARD_CACHE_DIR": str(tmp_path / "cache"),
        "CONDA_OVERRIDE_CUDA": "11.2",  # the driver of the demo's GPU node, as conda takes it
        "CI": "true",
    }
    env.pop("NO_COLOR", None)
    proc = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, env=env, timeout=300
    )
    out = proc.stdout + proc.stderr
    # the clash: the check fails, pip is not run
    assert "clash=1" in proc.stdout, out
    assert "cuda-runtime-clash nvidia-cuda-runtime-cu12" in out
    assert "not installing" in out
    # already satisfied: the check passes and the environment's own pip runs the same line
    assert "satisfied=0" in proc.stdout, out
    assert (tmp_path / "called").read_text().split() == [
        "-m",
        "pip",
        "install",
        "six",
        "--index-url",
        INDEX,
    ]
    # any other pip command: the pip on PATH, untouched, unchecked
    assert "list=0" in proc.stdout
    assert (tmp_path / "pip-called").read_text().split() == ["list", "--format=freeze"]
    # deactivated: the function is gone, `pip` is the file on PATH again
    assert proc.stdout.rstrip().splitlines()[-1] == str(fake_pip), out

    assert main(["guard", "off", "--prefix", str(prefix)]) == EXIT_OK
    assert "removed etc/conda/activate.d/mixguard-guard.sh" in capsys.readouterr().out
    assert _tree(prefix) == before


def test_guard_keeps_directories_it_did_not_create(prefix: Path) -> None:
    (prefix / "etc" / "conda" / "activate.d").mkdir(parents=True)
    (prefix / "etc" / "conda" / "activate.d" / "other.sh").write_text("export X=1\n")
    before = _tree(prefix)
    on = guard_on(prefix, ["mixguard"])
    assert on.on and on.directories == ("etc/conda/deactivate.d",)
    assert guard_on(prefix, ["mixguard"]) == guard_status(prefix)  # idempotent
    off = guard_off(prefix)
    assert not off.on and off.directories == ("etc/conda/deactivate.d",)
    assert _tree(prefix) == before
    assert not guard_status(prefix).on


def test_guard_needs_a_conda_prefix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["guard", "on", "--prefix", str(tmp_path)]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert err.startswith("mixguard: error: --prefix: ") and "not a conda prefix" in err
    assert not any(tmp_path.iterdir())  # nothing written
