"""`%load_ext mixguard` in a real IPython kernel (nbclient): `%mixguard pip install` shows the
findings as an HTML table and runs the environment's pip only when the check passes; the
kernel guard routes `%pip install` and `!pip install` through it, and comes off again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mixguard.api import check, load_environment
from mixguard.demo import demo_index
from mixguard.notebook import report_html

from .cases.envs import demo_with_fake_python

INDEX = (demo_index() / "simple").as_uri()


def _outputs(cell: Any) -> tuple[str, str]:
    """A cell's HTML and its text (stdout and stderr) output."""
    html = "".join(o["data"].get("text/html", "") for o in cell.outputs if "data" in o)
    text = "".join(o.get("text", "") for o in cell.outputs if o["output_type"] == "stream")
    return html, text


@pytest.mark.slow  # a real kernel
def test_magic_and_kernel_guard_in_a_real_kernel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    prefix = demo_with_fake_python(tmp_path)
    called = tmp_path / "called"
    monkeypatch.setenv("MIXGUARD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("CONDA_OVERRIDE_CUDA", "11.2")  # the demo GPU node's driver
    cells = [
        "%load_ext mixguard",
        "%mixguard pip --demo install sentence-transformers",
        f"%mixguard pip --prefix {prefix} install six --index-url {INDEX}",
        f"%mixguard guard on --prefix {prefix}",
        f"%pip install sentence-transformers --index-url {INDEX}",
        f"!pip install six==1.16.0 --index-url {INDEX}",
        "%mixguard guard off\n%mixguard guard status",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    out = [_outputs(c) for c in nb.cells]

    # the demo: the clash as a table row, and pip is not run
    html, text = out[1]
    assert "<table>" in html and "<code>cuda-runtime-clash</code>" in html
    assert "pip would install 32 and upgrade 1" in html
    assert "not installing" in text
    # a passing check: the environment's pip runs the same line, its output in the cell
    html, text = out[2]
    assert "change nothing (1 already satisfied)" in html
    assert f"mixguard: running {prefix}/bin/python -m pip install six --index-url {INDEX}" in text
    # guarded: %pip install goes through the check (fails: not run) ...
    html, text = out[4]
    assert "<code>cuda-runtime-clash</code>" in html and "not installing" in text
    assert "mixguard: running" not in text
    # ... and so does !pip install (passes: run)
    html, text = out[5]
    assert "change nothing" in html
    assert "mixguard: running" in text
    # (the fake interpreter records its last call)
    assert called.read_text().split() == [
        "-m",
        "pip",
        "install",
        "six==1.16.0",
        "--index-url",
        INDEX,
    ]
    assert out[6][1].splitlines() == [
        "mixguard: guard off in this kernel",
        "mixguard: guard off in this kernel",
    ]


def test_report_html_escapes_and_orders(tmp_path: Path) -> None:
    env = load_environment(demo=True)
    report = check(env, ["sentence-transformers", "--index-url", INDEX], offline=True)
    html = report_html(report)
    assert html == report._repr_html_()
    rows = [r for r in html.split("<tr>") if "<code>" in r]
    severities = [r.split(">", 2)[1].split("<")[0] for r in rows]
    assert severities[0] == "error" and set(severities) == {"error", "warning", "info"}
    assert "-&gt;" in html  # the why chains, escaped
    assert "<details><summary>What pip would change (33)</summary>" in html


def test_magic_bad_input_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A bad environment or guard action in a cell: one line naming the input, no traceback."""
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    try:
        ip.run_line_magic("load_ext", "mixguard")
        ip.run_line_magic("mixguard", f"pip --prefix {tmp_path / 'nope'} install six")
        ip.run_line_magic("mixguard", "guard sideways")
        err = capsys.readouterr().err.splitlines()
        assert err[0].startswith("mixguard: error: ") and str(tmp_path / "nope") in err[0]
        assert err[1] == "mixguard: error: guard 'sideways': use on, off or status"
        assert "Traceback" not in "\n".join(err)
    finally:
        InteractiveShell.clear_instance()
