"""The report as people and scripts read it: the plain ``--format text`` is stable (a golden
file), the terminal drawing has colour and a progress display only where they belong."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from mixguard.api import check, load_environment
from mixguard.cli import EXIT_FINDINGS, main
from mixguard.demo import demo_index, demo_prefix
from mixguard.plan import InstallPlan
from mixguard.report import Report
from mixguard.terminal import StatusProgress, console, render, shows_progress

GOLDEN = Path(__file__).parent / "data" / "golden" / "check-demo.txt"
INDEX = (demo_index() / "simple").as_uri()
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class _Tty(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def _stable(text: str) -> str:
    """The demo's paths as the golden file spells them (the checkout's location varies)."""
    return text.replace(str(demo_prefix()), "<demo>").replace(INDEX, "<demo-index>")


@pytest.fixture(scope="module")
def report() -> Report:
    env = load_environment(demo=True)
    return check(env, ["sentence-transformers", "--index-url", INDEX], offline=True)


def test_plain_text_is_stable_for_scripts(capsys: pytest.CaptureFixture[str]) -> None:
    """`check --format text` is the format scripts parse: any change to it is deliberate
    (regenerate with MIXGUARD_REGOLD=1 and review the diff)."""
    import os

    assert main(["check", "--demo", "--format", "text"]) == EXIT_FINDINGS
    out = _stable(capsys.readouterr().out)
    if os.environ.get("MIXGUARD_REGOLD"):
        GOLDEN.write_text(out)
    assert out == GOLDEN.read_text()
    assert not ANSI.search(out)
    # one line per finding, whatever its length: what a script greps stays on one line
    kinds = {line.split()[0] for line in out.splitlines() if line.startswith("  ") and ": " in line}
    assert "cuda-runtime-clash" in kinds


def test_default_format_is_plain_text_when_stdout_is_not_a_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check", "--demo"]) == EXIT_FINDINGS
    assert _stable(capsys.readouterr().out) == GOLDEN.read_text()


def test_terminal_drawing_names_facts_indexes_and_configuration(report: Report) -> None:
    stream = _Tty()
    render(report, console(stream, width=120, environ={}))
    out = stream.getvalue()
    assert ANSI.search(out)  # a terminal: colour
    plain = ANSI.sub("", out)
    # the header: the environment, each target fact with where it came from, the index, pip's
    # configuration
    assert f"environment  {demo_prefix()} (prefix: 93 conda records" in plain
    assert "__cuda 11.2  the demo's GPU node" in plain
    assert f"indexes      --index-url {INDEX}" in plain
    assert "pip config   no configuration files" in plain
    # findings grouped per package, most severe first; the verdict last
    assert plain.index("ERROR  nvidia-cuda-runtime-cu12") < plain.index(
        "WARNING  nvidia-cudnn-cu12"
    )
    assert plain.index("WARNING") < plain.index("INFO  tensorflow")
    assert "help: install the CUDA 11 build from conda" in plain
    assert "Unproven" in plain
    last = plain.rstrip().splitlines()[-1]
    assert last.startswith("✗ pip would install 32 and upgrade 1, replacing 1 conda package")


@pytest.mark.parametrize("environ", [{"NO_COLOR": "1"}, {"CI": "true"}])
def test_no_colour_under_no_color_or_ci(report: Report, environ: dict[str, str]) -> None:
    stream = _Tty()
    render(report, console(stream, width=120, environ=environ))
    assert "cuda-runtime-clash" in stream.getvalue()
    assert not ANSI.search(stream.getvalue())


def test_no_colour_when_not_a_terminal(report: Report) -> None:
    stream = io.StringIO()
    render(report, console(stream, environ={}))
    out = stream.getvalue()
    assert not ANSI.search(out)
    assert max(len(line.rstrip()) for line in out.splitlines()) <= 100  # wrapped


@pytest.mark.parametrize(
    ("tty", "environ", "shown"),
    [
        (True, {}, True),
        (False, {}, False),
        (True, {"CI": "1"}, False),
        (True, {"TERM": "dumb"}, False),
    ],
)
def test_progress_only_for_a_person_watching(
    tty: bool, environ: dict[str, str], shown: bool
) -> None:
    stream = _Tty() if tty else io.StringIO()
    assert shows_progress(stream, environ) is shown


class _Status:
    """rich's Status as StatusProgress uses it: what it was told to show."""

    def __init__(self) -> None:
        self.shown: list[str] = []

    def update(self, status: object) -> None:
        self.shown.append(str(status))


def test_progress_is_told_each_stage_and_pin() -> None:
    status = _Status()
    progress = StatusProgress(status)  # type: ignore[arg-type]
    env = load_environment(demo=True)
    check(env, ["sentence-transformers", "--index-url", INDEX], offline=True, progress=progress)
    stages = [s for s in status.shown if " pinned (" not in s]
    assert stages[0] == "resolving sentence-transformers"
    assert stages[-1] == "reading the files of 33 planned distributions"
    pins = [s for s in status.shown if " pinned (" in s]
    assert any("(torch 2.3.0)" in s for s in pins)
    assert pins[-1].split(": ")[1].startswith(f"{len(pins)} pinned")


@pytest.mark.parametrize(
    ("actions", "text"),
    [
        ((), "do nothing"),
        (("unchanged",), "change nothing (1 already satisfied)"),
        (("install",), "install 1"),
        (("install", "install", "upgrade"), "install 2 and upgrade 1"),
        (
            ("install", "downgrade", "reinstall", "unchanged", "unchanged"),
            "install 1, downgrade 1 and reinstall 1 (2 already satisfied)",
        ),
    ],
)
def test_plan_summary_reads_as_english(actions: tuple[str, ...], text: str) -> None:
    from mixguard.names import PypiName
    from mixguard.plan import Change

    changes = tuple(
        Change(PypiName(f"p{i}"), "1", a, requested=False)  # type: ignore[arg-type]
        for i, a in enumerate(actions)
    )
    assert InstallPlan(changes).summary() == text
