"""mkdocs hook: the CLI reference is generated from the argparse parser, never hand-copied.

``docs/cli.md`` holds ``<!-- cli-reference -->``; the build replaces it with every command's
``--help``, so the reference cannot drift from the code.
"""

from __future__ import annotations

import argparse
from typing import Any

MARKER = "<!-- cli-reference -->"


def cli_reference() -> str:
    from mixguard.cli import build_parser

    parser = build_parser()
    parts = ["## `mixguard`", "", "```text", parser.format_help().rstrip(), "```", ""]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                sub.prog = f"mixguard {name}"
                help_text = sub.format_help().rstrip()
                parts += [f"## `mixguard {name}`", "", "```text", help_text, "```", ""]
    return "\n".join(parts)


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    if MARKER in markdown:
        return markdown.replace(MARKER, cli_reference())
    return markdown
