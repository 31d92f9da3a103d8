"""The CLI reference in ``docs/cli.md``, generated from the argparse parser (never hand-copied).

``python tools/cli_reference.py --write`` rewrites the part of ``docs/cli.md`` after
``<!-- cli-reference -->`` with every command's ``--help`` (at 100 columns, so that the text
does not depend on the terminal it was made in); ``tests/test_docs_site.py`` fails when the
committed page differs from what the parser says. The page reads the same on GitHub and on
the docs site.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

MARKER = "<!-- cli-reference -->"
PAGE = Path(__file__).parents[1] / "docs" / "cli.md"


def cli_reference() -> str:
    from mixguard.cli import build_parser

    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"  # argparse wraps help at the terminal's width
    try:
        parser = build_parser()
        parts = ["## `mixguard`", "", "```text", parser.format_help().rstrip(), "```", ""]
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    sub.prog = f"mixguard {name}"
                    help_text = sub.format_help().rstrip()
                    parts += [f"## `mixguard {name}`", "", "```text", help_text, "```", ""]
    finally:
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns
    return "\n".join(parts)


def page(current: str) -> str:
    """``current`` with everything after the marker replaced by the reference."""
    head = current.split(MARKER, 1)[0]
    return f"{head}{MARKER}\n\n{cli_reference()}"


def main(argv: list[str]) -> int:
    current = PAGE.read_text()
    wanted = page(current)
    if "--write" in argv:
        PAGE.write_text(wanted)
        return 0
    if current != wanted:
        print(f"{PAGE} is stale: python tools/cli_reference.py --write", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
