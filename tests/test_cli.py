"""The command line: output, JSON, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mixguard.cli import main

UP = Path(__file__).parent / "data" / "upstream"


def test_inspect_demo_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "--demo"]) == 0
    out = capsys.readouterr().out
    assert "linux-64, python 3.10.5" in out
    assert "__cuda=11.2" in out
    assert "tensorflow 2.9.1" in out and "tensorflow-base 2.9.1 cuda112py310hc65a3b4_0" in out
    assert "Problems already present: none" in out


def test_inspect_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "--demo", "--format", "json", "--cuda", ""]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["target"]["python"] == "3.10.5"
    assert not any(v.startswith("__cuda") for v in data["target"]["virtual_packages"])
    est = next(d for d in data["distributions"] if d["name"] == "tensorflow-estimator")
    assert est["version"] == "2.9.0" and est["conda_record"].startswith(
        "tensorflow-estimator 2.9.1"
    )


def test_inspect_conda_list_shows_pip_rows(capsys: pytest.CaptureFixture[str]) -> None:
    libs = str(UP / "medphysdeeplearning" / "libs.md")
    assert main(["inspect", "--conda-list", libs, "--offline"]) == 0
    out = capsys.readouterr().out
    assert "numpy 1.19.5" in out and "none: pip-installed (pypi_0)" in out
    assert "unknown platform" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["inspect", "--prefix", "/nonexistent/env"], "prefix does not exist"),
        (
            ["inspect", "--lock", str(UP / "conda-lock" / "test-lockfile" / "conda-lock.yml")],
            "several platforms",
        ),
    ],
)
def test_input_errors_exit_2_with_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("mixguard: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_no_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CONDA_PREFIX", raising=False)
    assert main(["inspect"]) == 2
    assert "no environment given" in capsys.readouterr().err


def test_conda_prefix_is_the_default(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONDA_PREFIX", str(UP / "conda" / "env_metadata" / "envpy37win"))
    assert main(["inspect"]) == 0
    assert "win-64, python 3.7.0" in capsys.readouterr().out


def test_debug_shows_the_traceback() -> None:
    from mixguard.errors import EnvironmentReadError

    with pytest.raises(EnvironmentReadError):
        main(["inspect", "--prefix", "/nonexistent/env", "--debug"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["inspect", "--demo", "--cuda", "11..2"], "'11..2' is not a version for __cuda"),
        (["check", "--demo", "--cuda", "banana"], "'banana' is not a version for __cuda"),
        (["check", "--demo", "--glibc", "2.x"], "'2.x' is not a version for __glibc"),
        (["check", "--demo", "--platform", "linux-65"], "'linux-65' is not a conda subdir"),
    ],
)
def test_bad_target_options_are_one_line_usage_errors(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "usage:" not in err


def test_usage_errors() -> None:
    with pytest.raises(SystemExit) as info:
        main(["inspect", "--demo", "--prefix", "x"])
    assert info.value.code == 2
    assert main([]) == 2


def test_python_dash_m_and_version() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "mixguard", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("mixguard ")


_RUN = """
import atexit, sys, threading, time
from pathlib import Path
from mixguard.cli import run
out = Path(sys.argv[1])
atexit.register(lambda: out.with_suffix(".atexit").write_text("ran"))
if sys.argv[2] == "thread":  # a thread that is not a daemon: the usual exit waits for it
    threading.Thread(target=lambda: (time.sleep(0.3), out.write_text("done"))).start()
sys.argv[1:] = ["inspect", "--demo"]
run()
"""


@pytest.mark.parametrize("thread", ["thread", "none"])
def test_the_command_exits_fast_but_runs_exit_handlers(tmp_path: Path, thread: str) -> None:
    # run() skips the interpreter's teardown: exit handlers and the streams must still be had
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-c", _RUN, str(out), thread], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("environment ") and proc.stdout.endswith("\n")
    assert out.with_suffix(".atexit").read_text() == "ran"
    assert out.exists() is (thread == "thread")


def test_an_environment_and_a_report_have_short_reprs() -> None:
    from mixguard import audit, load_environment

    env = load_environment(demo=True)
    assert len(repr(env)) < 300 and "93 conda records" in repr(env)
    assert len(repr(audit(env))) < 300


def test_graph_why_takes_conda_and_pypi_names_alike(capsys: pytest.CaptureFixture[str]) -> None:
    # tensorflow is a PyPI distribution (tensorflow-base's) and a conda metapackage:
    # cudatoolkit is reached from the latter; a bare name means either
    assert main(["graph", "--demo", "--why", "tensorflow", "cudatoolkit"]) == 0
    out = capsys.readouterr().out
    assert "conda:tensorflow -> conda:tensorflow-base -> conda:cudatoolkit" in out
    assert main(["graph", "--demo", "--why", "tensorflow", "numpy"]) == 0
    assert "pypi:tensorflow -> pypi:numpy" in capsys.readouterr().out.splitlines()[0]
