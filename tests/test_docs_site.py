"""The docs site's generated parts: the CLI reference covers every command; the notebook's PNG
is committed and linked."""

from __future__ import annotations

import json
from pathlib import Path

from tools.mkdocs_hooks import MARKER, cli_reference, on_page_markdown

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
    }
    for name in commands:
        assert f"## `mixguard {name}`" in text and f"usage: mixguard {name}" in text
    assert "--fail-on {error,warning,never}" in text


def test_cli_page_is_generated() -> None:
    page = (ROOT / "docs" / "cli.md").read_text()
    assert MARKER in page
    rendered = on_page_markdown(page, None)
    assert MARKER not in rendered and "usage: mixguard check" in rendered


def test_notebook_png_is_committed_and_linked() -> None:
    png = ROOT / "docs" / "img" / "demo-graph.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "img/demo-graph.png" in (ROOT / "docs" / "notebook.md").read_text()
    nb = json.loads((ROOT / "notebooks" / "mixguard-demo.ipynb").read_text())
    source = "".join("".join(c["source"]) for c in nb["cells"])
    assert "../docs/img/demo-graph.png" in source
