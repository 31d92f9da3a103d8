"""`mixguard check / audit / graph / export-env / constraints / pip install`: every exit code,
the JSON schema, and one-line errors for bad input."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from mixguard.cli import EXIT_CONFLICT, EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, EXIT_UNKNOWN, main
from mixguard.demo import demo_index, demo_prefix

from .cases.envs import demo_with_fake_python

SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "report-schema.json").read_text())
INDEX = (demo_index() / "simple").as_uri()


def _json(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    data: dict[str, object] = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, SCHEMA)
    return data


@pytest.fixture
def prefix(tmp_path: Path) -> Path:
    """A writable copy of the demo prefix (tests corrupt it), with a fake `bin/python` that
    records how it was called instead of installing anything."""
    return demo_with_fake_python(tmp_path)


def test_demo_check_tells_the_seed_story(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--demo"]) == EXIT_FINDINGS
    out = capsys.readouterr().out
    assert out.startswith(
        "mixguard: pip would install 32 and upgrade 1, replacing 1 conda package;"
    )
    assert "cuda-runtime-clash nvidia-cuda-runtime-cu12" in out
    assert "cudatoolkit 11.2.2" in out and "the target's __cuda is 11.2" in out
    # the table marks the conda-owned distribution pip replaces
    assert " * upgrade  typing-extensions" in out and "conda: typing_extensions 4.3.0" in out
    assert "why: sentence-transformers 3.0.0 -> torch 2.3.0 -> nvidia-cuda-runtime-cu12" in out
    assert "\033[" not in out  # not a TTY: no colour


def test_demo_check_json_validates_and_names_the_replaced_record(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check", "--demo", "--format", "json", "--", "sentence-transformers"]) == 1
    data = _json(capsys)
    plan = data["plan"]
    assert isinstance(plan, dict)
    by_name = {i["metadata"]["name"]: i for i in plan["install"]}
    assert by_name["sentence-transformers"]["requested"] is True
    assert by_name["torch"]["requested"] is False
    te = by_name["typing-extensions"]
    assert te["action"] == "upgrade"
    assert te["replaces"]["conda_record"] == "typing_extensions 4.3.0 pyha770c72_0"
    assert plan["remove"] == [
        {
            "name": "typing-extensions",
            "version": "4.3.0",
            "conda_record": "typing_extensions 4.3.0 pyha770c72_0",
        }
    ]
    kinds = {(f["kind"], f["severity"]) for f in data["findings"]}  # type: ignore[attr-defined]
    assert ("cuda-runtime-clash", "error") in kinds and ("conda-override", "warning") in kinds
    assert data["request"][-2:] == ["--index-url", INDEX]  # type: ignore[index]


@pytest.mark.parametrize(
    ("fail_on", "code"), [("never", EXIT_OK), ("error", EXIT_UNKNOWN), ("warning", EXIT_FINDINGS)]
)
def test_fail_on_threshold(fail_on: str, code: int, capsys: pytest.CaptureFixture[str]) -> None:
    # upgrading conda's typing_extensions: warnings, no error; the demo's offline index has no
    # wheels, so the wheel's RECORD is unknown: unproven, which never passes (exit 4)
    args = ["check", "--demo", "--fail-on", fail_on, "--", "typing-extensions==4.12.0"]
    assert main(args) == code
    out = capsys.readouterr().out
    assert "conda-override typing-extensions" in out
    assert "UNPROVEN: facts missing" in out


def test_only_a_fully_known_check_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from .index.builders import wheel

    links = tmp_path / "links"
    links.mkdir()
    fn, data = wheel("leafpkg", "1.0")
    (links / fn).write_bytes(data)
    args = ["check", "--demo", "--format", "json", "--", "leafpkg", "--no-index", "-f", str(links)]
    assert main(args) == EXIT_OK  # metadata and RECORD read from the wheel: nothing unknown
    assert _json(capsys)["unproven"] == []
    # the same request where the index cannot be read (offline, nothing cached): pip online
    # might find it; the "conflict" rests on a page not read: exit 4, not 3
    missing = ["check", "--demo", "--offline", "--cache-dir", str(tmp_path / "cache"), "--"]
    assert main([*missing, "leafpkg", "--index-url", "https://pypi.invalid/simple"]) == EXIT_UNKNOWN
    assert "index pages not read" in capsys.readouterr().out


def test_nothing_to_do_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--demo", "--fail-on", "warning", "--format", "json", "--", "six"]) == 0
    data = _json(capsys)
    assert data["plan"]["install"] == [] and data["plan"]["unchanged"] == ["six"]  # type: ignore[index]


def test_resolution_impossible_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--demo", "--format", "json", "--", "numpy>=2"]) == EXIT_CONFLICT
    data = _json(capsys)
    assert data["plan"] is None
    assert "No matching distribution found for numpy>=2" in str(data["conflict"])
    assert main(["check", "--demo", "--", "numpy>=2"]) == EXIT_CONFLICT
    assert "pip would stop: ResolutionImpossible" in capsys.readouterr().out


def test_audit(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--demo", "--format", "json"]) == EXIT_OK
    data = _json(capsys)
    assert data["plan"] is None and data["request"] == []
    assert {f["kind"] for f in data["findings"]} == {"pip-requirement-violation"}  # type: ignore[attr-defined]
    assert main(["audit", "--demo", "--fail-on", "warning"]) == EXIT_FINDINGS


def test_graph_why_and_formats(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["graph", "--demo", "--why", "sentence-transformers", "nvidia-cuda-runtime-cu12"]
    assert main([*args, "--", "sentence-transformers"]) == EXIT_OK
    assert capsys.readouterr().out.splitlines() == [
        "pypi:sentence-transformers -> pypi:torch -> pypi:nvidia-cuda-runtime-cu12"
    ]
    # without the plan, the name is not in the graph: an input error
    assert main(args) == EXIT_INPUT
    assert "neither a distribution nor a conda package" in capsys.readouterr().err
    assert main(["graph", "--demo", "--why", "six", "tensorflow"]) == EXIT_FINDINGS
    assert capsys.readouterr().out.startswith("no path")
    assert main(["graph", "--demo", "--format", "dot"]) == EXIT_OK
    assert capsys.readouterr().out.startswith("digraph mixguard {")
    assert main(["graph", "--demo", "--format", "graphml"]) == EXIT_OK
    assert "<graphml" in capsys.readouterr().out
    assert main(["graph", "--demo"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["nodes"]


def test_export_env_and_constraints(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export-env", "--demo", "--no-builds", "--", "typing-extensions==4.12.0"]) == 0
    doc = yaml.safe_load(capsys.readouterr().out)
    assert "cudatoolkit=11.2.2" in doc["dependencies"]
    assert "typing-extensions==4.12.0" in doc["dependencies"][-1]["pip"]
    assert main(["constraints", "--demo"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "\ntyping_extensions==4.3.0" in out or "\ntyping-extensions==4.3.0" in out


def test_pip_install_refuses_when_the_check_fails(
    prefix: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["pip", "--prefix", str(prefix), "--cuda", "11.2", "--offline", "install"]
    assert main([*args, "sentence-transformers", "--index-url", INDEX]) == EXIT_FINDINGS
    assert "not installing" in capsys.readouterr().err
    assert not (prefix.parent / "called").exists()


def test_pip_install_runs_the_envs_pip_when_the_check_passes(
    prefix: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["pip", "--prefix", str(prefix), "--offline", "install", "six", "--index-url", INDEX]
    assert main(args) == EXIT_OK
    assert (prefix.parent / "called").read_text().split() == [
        "-m",
        "pip",
        "install",
        "six",
        "--index-url",
        INDEX,
    ]


def test_pip_install_refuses_what_it_cannot_prove(
    prefix: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # offline, nothing cached: the index page cannot be read; pip online might install
    # anything: unknown never passes, so pip is not run (exit 4)
    args = ["pip", "--prefix", str(prefix), "--offline", "--cache-dir", str(tmp_path), "install"]
    assert main([*args, "leafpkg", "--index-url", "https://pypi.invalid/simple"]) == EXIT_UNKNOWN
    assert "not installing" in capsys.readouterr().err
    assert not (prefix.parent / "called").exists()


def test_pip_install_yes_overrides(prefix: Path) -> None:
    args = ["pip", "--prefix", str(prefix), "--cuda", "11.2", "--offline", "--yes", "install"]
    assert main([*args, "sentence-transformers", "--index-url", INDEX]) == EXIT_OK
    assert "sentence-transformers" in (prefix.parent / "called").read_text()


def test_pip_other_commands_pass_through_untouched(
    prefix: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`alias pip='mixguard pip'` keeps every pip habit: other commands, general options
    before the command, and `install --help` go to the environment's pip as typed."""
    called = prefix.parent / "called"
    for line in (["list", "--format=freeze"], ["-q", "uninstall", "-y", "six"], ["install", "-h"]):
        assert main(["pip", "--prefix", str(prefix), *line]) == EXIT_OK
        assert called.read_text().split() == ["-m", "pip", *line]
        assert "mixguard: running" not in capsys.readouterr().err  # silent: not ours
    # `install` after general options is still checked (and then run as typed)
    args = ["pip", "--prefix", str(prefix), "-q", "install", "six", "--index-url", INDEX]
    assert main(args) == EXIT_OK
    assert "change nothing (1 already satisfied)" in capsys.readouterr().out
    assert called.read_text().split() == ["-m", "pip", "-q", "install", "six", "--index-url", INDEX]


def test_pip_install_takes_pips_own_prefix_as_the_environment(
    prefix: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = ["install", "--prefix", str(prefix), "six", "--index-url", INDEX]
    assert main(["pip", *line]) == EXIT_OK
    assert f"environment: {prefix} (prefix)" in capsys.readouterr().out
    assert (prefix.parent / "called").read_text().split() == ["-m", "pip", *line]
    # given twice, differently: which one is meant is not guessed
    other = ["pip", "--demo", *line]
    assert main(other) == EXIT_INPUT
    assert "installs into another environment" in capsys.readouterr().err


def test_pip_file_sources_have_no_pip_to_pass_to(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pip", "--demo", "uninstall", "six"]) == EXIT_INPUT
    assert "other pip commands need a prefix" in capsys.readouterr().err


def test_python_names_the_environment_as_pips_python_does(
    prefix: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    python = prefix / "bin" / "python"
    for args in (
        ["check", "--python", str(python), "--format", "text", "--", "six", "--index-url", INDEX],
        ["check", "--python", str(prefix), "--format", "text", "--", "six", "--index-url", INDEX],
    ):
        assert main(args) == EXIT_OK
        assert f"environment: {prefix} (prefix)" in capsys.readouterr().out
    assert main(["inspect", "--python", str(prefix / "bin" / "nope")]) == EXIT_INPUT
    assert "no such interpreter" in capsys.readouterr().err


def _corrupt_json(prefix: Path) -> str:
    (prefix / "conda-meta" / "six-1.16.0-pyh6c4a22f_0.json").write_text('{"name": "six", ')
    return "six-1.16.0-pyh6c4a22f_0.json"


def _bad_matchspec(prefix: Path) -> str:
    path = next((prefix / "conda-meta").glob("absl-py-*.json"))
    data = json.loads(path.read_text())
    data["depends"][0] = "python >=>3.7"
    path.write_text(json.dumps(data))
    return f"conda-meta/{path.name}: depends[0]: 'python >=>3.7'"


def _remove(prefix: Path) -> str:
    shutil.rmtree(prefix)
    return "prefix does not exist"


@pytest.mark.parametrize(
    ("setup", "pip_args", "message"),
    [
        (_remove, ["six"], None),
        (_corrupt_json, ["six"], None),
        (_bad_matchspec, ["six"], None),
        (lambda p: "cannot read requirements file", ["-r", "/nonexistent/req.txt"], None),
        (lambda p: "'--frobnicate': no such option", ["--frobnicate", "six"], None),
        (lambda p: "invalid requirement", ["six>>1"], None),
    ],
    ids=[
        "missing-prefix",
        "corrupt-conda-meta",
        "bad-matchspec",
        "unreadable-requirements",
        "unknown-pip-option",
        "bad-requirement",
    ],
)
def test_bad_input_is_one_line_exit_2(
    prefix: Path,
    setup: object,
    pip_args: list[str],
    message: str | None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    expected = setup(prefix)  # type: ignore[operator]
    args = ["check", "--prefix", str(prefix), "--offline", "--", *pip_args, "--index-url", INDEX]
    assert main(args) == EXIT_INPUT
    err = capsys.readouterr().err
    assert err.startswith("mixguard: error: ") and expected in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_debug_raises_the_typed_error(prefix: Path) -> None:
    from mixguard.errors import InvalidMatchSpec, MixguardError

    _bad_matchspec(prefix)
    with pytest.raises(InvalidMatchSpec) as info:
        main(["check", "--prefix", str(prefix), "--debug", "--", "six", "--index-url", INDEX])
    assert isinstance(info.value, MixguardError) and isinstance(info.value, ValueError)


def test_usage_errors_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CONDA_PREFIX", raising=False)
    assert main(["check", "--", "six"]) == EXIT_INPUT
    assert "no environment given" in capsys.readouterr().err
    assert main(["check", "--prefix", str(demo_prefix())]) == EXIT_INPUT
    assert "You must give at least one requirement to install" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["check", "--demo", "--fail-on", "sometimes"])
    assert info.value.code == EXIT_INPUT


def test_conda_prefix_is_the_default_for_check(
    prefix: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONDA_PREFIX", str(prefix))
    assert main(["check", "--offline", "--format", "json", "--", "six", "--index-url", INDEX]) == 0
    assert _json(capsys)["environment"]["source"] == str(prefix)  # type: ignore[index]


def test_never_writes_to_the_environment(prefix: Path) -> None:
    def snapshot() -> dict[str, float]:
        return {str(p): p.stat().st_mtime_ns for p in prefix.rglob("*")}

    before = snapshot()
    main(
        [
            "check",
            "--prefix",
            str(prefix),
            "--cuda",
            "11.2",
            "--offline",
            "--",
            "sentence-transformers",
            "--index-url",
            INDEX,
        ]
    )
    main(["audit", "--prefix", str(prefix)])
    assert snapshot() == before


def test_schema_lists_every_finding_kind() -> None:
    from mixguard.findings.finding import KINDS

    assert SCHEMA["$defs"]["finding"]["properties"]["kind"]["enum"] == list(KINDS)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX shell fake python")
def test_module_entry_point_runs_the_demo() -> None:
    import subprocess

    proc = subprocess.run(
        [sys.executable, "-m", "mixguard", "check", "--demo", "--format", "json"],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert proc.returncode == EXIT_FINDINGS, proc.stderr
    jsonschema.validate(json.loads(proc.stdout), SCHEMA)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            # specs, not builds: conda would solve them from conda-forge, not possible offline
            ["--env-file", "conda-lock/test-install-with-pip-deps/environment.yml"]
            + ["--platform", "linux-64"],
            "not possible offline",
        ),
        (["--conda-list", "medphysdeeplearning/libs.md"], "give --platform"),
    ],
)
def test_an_unknown_target_is_an_input_error_not_a_conflict(
    source: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    up = Path(__file__).parent / "data" / "upstream"
    args = [source[0], str(up / source[1]), *source[2:]]
    assert main(["check", *args, "--offline", "--", "six", "--index-url", INDEX]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_pip_install_needs_the_prefixs_python(
    prefix: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (prefix / "bin" / "python").unlink()
    args = ["pip", "--prefix", str(prefix), "--offline", "install", "six", "--index-url", INDEX]
    assert main(args) == EXIT_INPUT
    err = capsys.readouterr().err.splitlines()[-1]
    assert err.startswith("mixguard: error: no python interpreter in the prefix")
    assert str(prefix) in err


def test_text_report_has_one_block_per_package(capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", "--demo", "--fail-on", "never", "--", "typing-extensions==4.12.0"])
    out = capsys.readouterr().out
    block = out.split("WARNING  typing-extensions  (2 warnings)\n", 1)[1].split("\n\n", 1)[0]
    # conda's and PyPI's spellings of one package, both consequences, in one block
    assert "conda-metadata-loss typing_extensions:" in block
    assert "conda-override typing-extensions:" in block
    assert out.count("typing-extensions  (") == 1
