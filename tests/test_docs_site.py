"""The docs site's generated parts: the CLI reference covers every command; the notebook's PNG
is committed and linked."""

from __future__ import annotations

import json
from pathlib import Path

from tools.cli_reference import PAGE, cli_reference, page

from mixguard.cli import build_parser

ROOT = Path(__file__).parents[1]


def _subcommands() -> dict[str, object]:
    import argparse

    (sub,) = (a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_cli_reference_has_every_command() -> None:
    text = cli_reference()
    commands = _subcommands()
    assert set(commands) >= {
        "check",
        "audit",
        "graph",
        "snapshot",
        "export-env",
        "constraints",
        "pip",
        "guard",
        "hook",
    }
    for name in commands:
        assert f"## `mixguard {name}`" in text and f"usage: mixguard {name}" in text
    assert "--fail-on {error,warning,never}" in text


def test_cli_page_is_the_parsers_help() -> None:
    """docs/cli.md carries the reference itself (readable on GitHub), and it is current."""
    current = PAGE.read_text()
    assert current == page(current), "stale: python tools/cli_reference.py --write"
    assert "usage: mixguard check" in current and "usage: mixguard guard" in current


def test_notebook_png_is_committed_and_linked() -> None:
    png = ROOT / "docs" / "img" / "demo-graph.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "img/demo-graph.png" in (ROOT / "docs" / "notebook.md").read_text()
    nb = json.loads((ROOT / "notebooks" / "mixguard-demo.ipynb").read_text())
    source = "".join("".join(c["source"]) for c in nb["cells"])
    assert "../docs/img/demo-graph.png" in source


def test_screenshots_are_the_real_output() -> None:
    """The terminal picture and the notebook table in the docs are made by
    tools/screenshots.py from a real check of the demo (no checkout path in them)."""
    svg = (ROOT / "docs" / "img" / "check-demo.svg").read_text()
    assert svg.startswith("<svg") and "cuda-runtime-clash" in svg
    assert "img/check-demo.svg" in (ROOT / "docs" / "recipes.md").read_text()
    page = (ROOT / "docs" / "notebook.md").read_text()
    table = page.split("<!-- notebook-table -->", 1)[1].split("<!-- /notebook-table -->", 1)[0]
    assert "<code>cuda-runtime-clash</code>" in table and "<table>" in table
    assert str(ROOT) not in svg + table
